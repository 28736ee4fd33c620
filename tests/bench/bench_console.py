"""Console benchmark (issue 3): start-up, memory, key latency and end-of-queue reads.

    python tests/bench/bench_console.py [--total 1000000] [--open 100000] [--runs 3]

Compared in the same run against a baseline: a bare Textual app with one DataTable holding
one page (100 rows) of the same columns. Each measurement runs in a fresh child process:
start = process spawn until the first page is on screen (the child prints READY; both children
detect it the same way: a 5 ms poll for "the table has its rows", then the next screen refresh); memory =
the child's peak RSS (ru_maxrss); key latency = Pilot press of `down` / `pagedown` until the
app is idle again. Targets: start <= 1.5x baseline, memory <= +40 MB and flat from 10k to
1M rows, keys <= 1.5x baseline, and `end` reads one page, not the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (120, 36)
DOWN_PRESSES = 60
PAGE_PRESSES = 20


# --- children ------------------------------------------------------------------------------

async def _ready_when(app, shown) -> None:
    """Print READY once `shown()` holds and the screen has refreshed after it (same for both apps).

    Started from the auto-pilot, which Textual runs right after the app is mounted; nothing here
    waits for the process to go idle, so background work (the count, pick lists) that does not
    delay the first page does not count against start-up either.
    """
    import asyncio

    done = asyncio.Event()

    def ready() -> None:
        print("READY", flush=True)
        done.set()

    def check() -> None:
        if shown():
            timer.stop()
            app.call_after_refresh(ready)

    timer = app.set_interval(0.005, check)
    check()
    await done.wait()


async def _on_screen(app) -> None:
    """Wait until the screen has refreshed once more."""
    import asyncio

    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def _keys(pilot, on_ready) -> dict:
    on_ready()
    times: dict[str, list[float]] = {"down": [], "pagedown": []}
    for key, count in (("down", DOWN_PRESSES), ("pagedown", PAGE_PRESSES)):
        for _ in range(count):
            t = time.perf_counter()
            await pilot.press(key)
            times[key].append(time.perf_counter() - t)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def child_baseline() -> None:
    from textual.app import App
    from textual.widgets import DataTable, Footer, Header

    class Empty(App):
        def compose(self):
            yield Header()
            yield DataTable(cursor_type="row")
            yield Footer()

        def on_mount(self):
            table = self.query_one(DataTable)
            for name in ("Key", "P", "Status", "Title", "Assignee / group", "SLA"):
                table.add_column(name)
            for i in range(100):
                table.add_row(f"INC-{i:06d}", "P3", "new", f"Some incident title number {i}", "ana / Service Desk", "1h05m")

    result = {}

    async def auto(pilot):
        await _ready_when(pilot.app, lambda: pilot.app.query_one(DataTable).row_count > 0)
        await pilot.pause()
        result.update(await _keys(pilot, lambda: None))
        pilot.app.exit()

    Empty().run(headless=True, size=SIZE, auto_pilot=auto)
    print("RESULT " + json.dumps(result), flush=True)


def child_console(url: str) -> None:
    import asyncio

    from incidentdesk.config import Config
    from incidentdesk.runtime import open_runtime
    from incidentdesk.tui.app import IncidentDeskApp
    from incidentdesk.tui.widgets.queue.table import QueueTable

    runtime = open_runtime(url, None, config=Config())
    # As `incidentdesk` runs it: following the change feed. (The background SLA sweeper stays
    # off here: it would write SLA events into the cached benchmark file.)
    app = IncidentDeskApp(runtime, tick_seconds=1.0, live=True)
    result = {}

    async def others_done() -> None:
        """Every worker but the change feed (which runs until the app exits) has finished."""
        await asyncio.gather(*[w.wait() for w in app.workers if w.group != "change-feed"], return_exceptions=True)

    async def auto(pilot):
        app = pilot.app

        def shown() -> bool:  # first page on screen = interactive
            screen = getattr(app, "main_screen", None)
            return screen is not None and screen.first_page_shown

        await _ready_when(app, shown)
        screen = app.main_screen
        # Keys are timed in the steady state, as on the baseline: the count and pick lists done.
        await others_done()
        await pilot.pause()
        result.update(await _keys(pilot, lambda: None))
        table = screen.query_one(QueueTable)

        async def until_page_on_screen(key: str) -> tuple[float, int]:
            """Key press (posted like a real one; no waiting for the process to go idle) until
            the page it asks for is read and the screen has refreshed with it."""
            before_rows = screen.rows_fetched
            t = time.perf_counter()
            app.simulate_key(key)
            while screen.rows_fetched == before_rows:
                await asyncio.sleep(0.001)
            await _on_screen(app)
            return (time.perf_counter() - t) * 1000, screen.rows_fetched - before_rows

        # a boundary crossing: time until the next page is on screen
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        result["next_page_ms"], _ = await until_page_on_screen("down")
        await others_done()
        await pilot.pause()
        # jump to the very end: one reverse page read, not the table
        result["end_ms"], result["end_rows_read"] = await until_page_on_screen("end")
        for _ in range(50):
            await others_done()
            if screen.total is not None:
                break
            await pilot.pause(0.02)
        result["total"] = screen.total
        result["rows_fetched_total"] = screen.rows_fetched
        result["end_status"] = str(screen.query_one("#queue-status").render())
        pilot.app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto)
    runtime.db.dispose()
    print("RESULT " + json.dumps(result), flush=True)


# --- parent --------------------------------------------------------------------------------

def run_child(args: list[str]) -> dict:
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    ready = None
    result = {}
    for line in proc.stdout:
        if line.startswith("READY") and ready is None:
            ready = time.perf_counter() - t0
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0 or ready is None:
        raise SystemExit(f"child {args} failed: {proc.stderr.read()[-3000:]}")
    result["start_s"] = ready
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "baseline":
            child_baseline()
        else:
            child_console(args.child[1])
        return 0

    from tests.bench.datagen import make_sqlite

    print(f"building/reusing {args.total:,} incidents ({args.open:,} open) and {args.small:,} ({args.small // 10:,} open)…")
    # The cached files themselves (the console only reads): a fresh gigabyte copy would still be
    # being written back to disk while we time start-up.
    big = make_sqlite(None, total=args.total, open_count=args.open, seed=1)
    small = make_sqlite(None, total=args.small, open_count=args.small // 10, seed=1)
    run_child(["baseline"])  # warm the disk cache and the bytecode
    run_child(["console", f"sqlite:///{big}"])
    base, console, console_small = [], [], []
    for _ in range(args.runs):  # interleaved so drift hits both alike
        base.append(run_child(["baseline"]))
        console.append(run_child(["console", f"sqlite:///{big}"]))
        console_small.append(run_child(["console", f"sqlite:///{small}"]))

    def row(name, value, ref, target, unit):
        ratio = value / ref if ref else float("nan")
        print(f"  {name:<34} {value:9.2f} {unit:<3} baseline {ref:9.2f} {unit:<3} ratio {ratio:5.2f}  ({target})")

    b_start, c_start = median_of(base, "start_s"), median_of(console, "start_s")
    b_rss, c_rss, s_rss = (median_of(base, "peak_rss_mb"), median_of(console, "peak_rss_mb"),
                           median_of(console_small, "peak_rss_mb"))
    b_down, c_down = median_of(base, "down"), median_of(console, "down")
    b_page, c_page = median_of(base, "pagedown"), median_of(console, "pagedown")
    last = console[-1]
    print(f"\nconsole vs bare Textual app + DataTable (100 rows), {args.runs} runs each, medians, {SIZE[0]}x{SIZE[1]}:")
    row("start to first page (s)", c_start, b_start, "target <= 1.5x", "s")
    row("cursor down keypress (ms)", c_down, b_down, "target <= 1.5x", "ms")
    row("page down keypress (ms)", c_page, b_page, "target <= 1.5x", "ms")
    print(f"  {'peak RSS, 1M rows (MB)':<34} {c_rss:9.1f} MB  baseline {b_rss:9.1f} MB  +{c_rss - b_rss:.1f} MB (target <= +40 MB)")
    print(f"  {'peak RSS, 10k rows (MB)':<34} {s_rss:9.1f} MB  1M - 10k = {c_rss - s_rss:+.1f} MB (target: flat)")
    print(f"  next page across the edge:          {median_of(console, 'next_page_ms'):.1f} ms until on screen")
    print(f"  jump to end:                        {median_of(console, 'end_ms'):.1f} ms, read {last['end_rows_read']} rows "
          f"of {last['total']:,} open; {last['rows_fetched_total']} rows read in the whole session")
    print(f"  status line at the end:             {last['end_status']}")
    ok = (c_start <= 1.5 * b_start and c_rss - b_rss <= 40 and c_down <= 1.5 * b_down and c_page <= 1.5 * b_page
          and last["end_rows_read"] <= 101 and abs(c_rss - s_rss) <= 10)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
