"""Console benchmark (issues 3 and 11): start-up, memory, key latency and end-of-queue reads.

    python tests/bench/bench_console.py [--total 1000000] [--open 100000] [--runs 3] [--start-only]

Compared in the same run against a baseline: a bare Textual app with one DataTable holding
one page (100 rows) of the same columns. Each measurement runs in a fresh child process:
start = process spawn until the console's whole first screen is up — the queue's first page
*and* the selected incident's detail in its pane (the child prints READY when the first frame
is composed after that holds; the baseline prints it when its table has its rows, detected the
same way); the first page alone is reported beside it (READY_PAGE). memory =
the child's peak RSS (ru_maxrss); key latency = a `down` / `pagedown` key event until the next
frame is composed: `down` inside the view, `down` at the last row in view (it scrolls), and
`pagedown` from the top (so it moves a screenful in both apps). Targets:
first screen <= 1.5x baseline, memory <= +40 MB and flat from 10k to 1M rows, keys <= 1.5x baseline,
and `end` reads one page, not the table. The databases are built in a process of their own:
a child forked from a parent that built one would inherit the parent's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (120, 36)
DOWN_PRESSES = 60
PAGE_PRESSES = 20
SETTLE_S = 0.2
# --start-only: each child exits at its first screen (start-up and memory only; no key timings).
START_ONLY = os.environ.get("BENCH_CONSOLE_START_ONLY") == "1"


# --- children ------------------------------------------------------------------------------

def _watch_ready(app, shown, label: str = "READY") -> threading.Event:
    """Print `label` when the first frame is composed after `shown()` holds (the first page, the first screen).

    Installed before the app runs, the same way in both apps: App._display is called with each
    composed frame (headless too) and `shown()` is checked there, so work the console queues
    after its first page (the incident pane, the count) does not count against start-up.
    """
    ready = threading.Event()
    display = app._display

    def watching_display(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and not ready.is_set() and shown():
            print(label, flush=True)  # (left in place: another watcher may wrap this one)
            ready.at = time.perf_counter()
            ready.set()
            if START_ONLY and label == "READY":
                # Out at once, so that what the process did after its first screen (the database opened
                # behind it, the exit) is in no figure: under a CPU counter too the run ends here.
                os._exit(0)

    app._display = watching_display
    return ready


async def _until(event: threading.Event) -> None:
    import asyncio

    while not event.is_set():
        await asyncio.sleep(0.005)


async def _on_screen(app) -> None:
    """Wait until the screen has refreshed once more."""
    import asyncio

    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def _keys(pilot) -> dict:
    """Median ms from a key event reaching the app until the next frame is composed, per key.

    Pilot.press waits for idleness in 20 ms sleeps, which would measure mostly those sleeps; here
    the key is sent as the terminal driver sends it and the clock stops at the first screen update
    after it (App._display is called with each composed frame, headless too). Between presses the
    app settles untimed (the console loads the highlighted incident's detail 0.12 s after a move).
    """
    import asyncio

    from textual import events

    app = pilot.app
    frames = [0]
    display = app._display

    def counting_display(screen, renderable) -> None:
        if renderable is not None:
            frames[0] += 1
        display(screen, renderable)

    app._display = counting_display

    async def timed(key: str) -> float:
        before = frames[0]
        t = time.perf_counter()
        app._driver.send_message(events.Key(key, None))
        while frames[0] == before:
            await asyncio.sleep(0)
            if time.perf_counter() - t > 5:
                raise SystemExit(f"no frame within 5 s of {key!r}: the key did nothing")
        return (time.perf_counter() - t) * 1000

    from textual.widgets import DataTable

    table = app.screen.query_one(DataTable)

    async def to_top() -> None:  # untimed; `home` in a DataTable scrolls sideways, not to the top
        table.move_cursor(row=0, animate=False)
        await pilot.pause(SETTLE_S)

    from textual.coordinate import Coordinate

    async def place(row: int) -> None:
        """Untimed: put the cursor where the next press starts, with the table's render cache
        spent as after any cell update (the console's countdowns update cells every second), so
        neither app is timed re-showing lines it rendered for an earlier press."""
        table.move_cursor(row=row, animate=False)
        corner = Coordinate(0, 0)
        table.update_cell_at(corner, table.get_cell_at(corner))
        await pilot.pause(SETTLE_S)

    times: dict[str, list[float]] = {"down": [], "down_scroll": [], "pagedown": []}
    await to_top()
    visible = table.scrollable_content_region.height - 1  # rows in view under the header
    for i in range(DOWN_PRESSES):
        # A cursor move inside the view: the tables differ in height (the console's queue shares
        # the screen with the incident pane), so "from wherever the last press left it" would
        # compare scrolling presses in one app with plain moves in the other.
        await place(i % max(1, visible - 2))
        times["down"].append(await timed("down"))
    for _ in range(PAGE_PRESSES):
        # From the last row in view: the press scrolls the table by one row.
        await to_top()
        await place(visible - 1)
        before = table.scroll_y
        times["down_scroll"].append(await timed("down"))
        await pilot.pause(SETTLE_S)
        if before != 0 or table.scroll_y <= before:
            raise SystemExit(f"the scrolling press did not scroll ({before} -> {table.scroll_y})")
    for _ in range(PAGE_PRESSES):
        # From the top each time, so every timed press moves a screenful in both apps: on the
        # baseline's single page, presses at its bottom would do nothing at all. Paging across
        # into the next database page is timed separately (next_page_ms).
        await to_top()
        times["pagedown"].append(await timed("pagedown"))
        await pilot.pause(SETTLE_S)
    app._display = display
    return {k: statistics.median(v) for k, v in times.items()}


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

    app = Empty()

    def shown() -> bool:
        tables = app.query(DataTable)
        return bool(tables) and tables.first().row_count > 0

    ready = _watch_ready(app, shown)

    async def auto(pilot):
        await _until(ready)
        await pilot.pause()
        result.update(await _keys(pilot))
        pilot.app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto)
    print("RESULT " + json.dumps(result), flush=True)


def _after_import(name: str, patch) -> None:
    """Call `patch(module)` as soon as the code under test has imported module `name`.

    The console imports its UI inside cli.main, after the command line is read (and after the
    start-up settings made there); importing it here first, to patch it, would time a different
    start-up from a user's."""
    import importlib.util

    class PatchOnImport:
        def find_spec(self, fullname, path=None, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            exec_module = spec.loader.exec_module

            def exec_and_patch(module) -> None:
                exec_module(module)
                patch(module)

            spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, PatchOnImport())


def child_console(url: str, config_file: str) -> None:
    """The console started exactly as `incidentdesk --db URL --config FILE` starts it (cli.main),
    only headless at a fixed size with the timing pilot; the config turns the SLA sweeper off (it
    would write SLA events into the cached benchmark file)."""
    import asyncio

    import incidentdesk.cli as cli

    result = {}
    app = None
    plain_run = None

    def page_shown() -> bool:  # the first page on screen
        screen = getattr(app, "main_screen", None)
        return screen is not None and screen.first_page_shown

    def shown() -> bool:  # the whole first screen: the page and, in its pane, the selected incident's detail
        screen = getattr(app, "main_screen", None)
        return (screen is not None and screen.first_screen_shown and screen.incident_pane is not None
                and screen.detail is not None and screen.detail.id == screen.table.selected().id)

    ready = page_ready = None

    def run_headless(self, **_):
        nonlocal app, ready, page_ready
        app = self
        page_ready = _watch_ready(app, page_shown, "READY_PAGE")
        ready = _watch_ready(app, shown)
        return plain_run(self, headless=True, size=SIZE, auto_pilot=auto)

    def patch(tui_app) -> None:
        nonlocal plain_run
        plain_run = tui_app.IncidentDeskApp.run
        tui_app.IncidentDeskApp.run = run_headless

    _after_import("incidentdesk.tui.app", patch)

    async def others_done() -> None:
        """Every worker but the change feed (which runs until the app exits) has finished."""
        await asyncio.gather(*[w.wait() for w in app.workers if w.group != "change-feed"], return_exceptions=True)

    async def auto(pilot):
        app = pilot.app

        await _until(ready)
        screen = app.main_screen
        result["detail_after_page_ms"] = (ready.at - page_ready.at) * 1000
        # Keys are timed in the steady state, as on the baseline: the count and pick lists done.
        await others_done()
        await pilot.pause()
        result.update(await _keys(pilot))
        from incidentdesk.tui.widgets.queue.table import QueueTable

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

    if cli.main(["--db", url, "--config", config_file]) != 0:
        raise SystemExit("the console did not exit cleanly")
    print("RESULT " + json.dumps(result), flush=True)


# --- parent --------------------------------------------------------------------------------

def run_child(args: list[str]) -> dict:
    # Bytecode cached as in an installed package (as bench_cli.py does): PYTHONDONTWRITEBYTECODE is
    # dropped, so the warm-up run writes what is missing and no timed run compiles source.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TEXTUAL_ANIMATIONS"] = "none"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    ready = page = None
    result = {}
    for line in proc.stdout:
        if line.startswith("READY_PAGE") and page is None:
            page = time.perf_counter() - t0
        elif line.startswith("READY") and ready is None:
            ready = time.perf_counter() - t0
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0 or ready is None:
        raise SystemExit(f"child {args} failed: {proc.stderr.read()[-3000:]}")
    result["start_s"] = ready
    result["page_s"] = page if page is not None else ready
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def build_database(total: int, open_count: int) -> Path:
    """The cached benchmark file, built (if need be) in a separate process; see the docstring."""
    code = ("from tests.bench.datagen import make_sqlite\n"
            f"print(make_sqlite(None, total={total}, open_count={open_count}, seed=1))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--start-only", action="store_true",
                        help="time start-up and memory only (children exit at their first screen)")
    args = parser.parse_args()
    if args.start_only:
        os.environ["BENCH_CONSOLE_START_ONLY"] = "1"  # inherited by the children
    if args.child:
        if args.child[0] == "baseline":
            child_baseline()
        else:
            child_console(args.child[1], args.child[2])
        return 0

    print(f"building/reusing {args.total:,} incidents ({args.open:,} open) and {args.small:,} ({args.small // 10:,} open)…")
    # The cached files themselves (the console only reads): a fresh gigabyte copy would still be
    # being written back to disk while we time start-up.
    big = build_database(args.total, args.open)
    small = build_database(args.small, args.small // 10)
    config_file = big.parent / "bench_console.toml"
    config_file.write_text("[console]\nsla_sweep_seconds = 0\n")
    console_args = ["console", f"sqlite:///{big}", str(config_file)]
    run_child(["baseline"])  # warm the disk cache and the bytecode
    run_child(console_args)
    base, console, console_small = [], [], []
    for _ in range(args.runs):  # interleaved so drift hits both alike
        base.append(run_child(["baseline"]))
        console.append(run_child(console_args))
        console_small.append(run_child(["console", f"sqlite:///{small}", str(config_file)]))

    def row(name, value, ref, target, unit):
        ratio = value / ref if ref else float("nan")
        print(f"  {name:<34} {value:9.2f} {unit:<3} baseline {ref:9.2f} {unit:<3} ratio {ratio:5.2f}  ({target})")

    b_start, c_start = median_of(base, "start_s"), median_of(console, "start_s")
    b_rss, c_rss, s_rss = (median_of(base, "peak_rss_mb"), median_of(console, "peak_rss_mb"),
                           median_of(console_small, "peak_rss_mb"))
    if args.start_only:
        print(f"\nconsole vs bare Textual app + DataTable (100 rows), {args.runs} runs each, medians, "
              f"{SIZE[0]}x{SIZE[1]} (start-up only):")
        row("start to first screen (s)", c_start, b_start, "target <= 1.5x", "s")
        row("  of which the first page (s)", median_of(console, "page_s"), b_start, "for scale", "s")
        print(f"  {'peak RSS, big file (MB)':<34} {c_rss:9.1f} MB  baseline {b_rss:9.1f} MB  +{c_rss - b_rss:.1f} MB")
        print(f"  starts: console {sorted(round(r['start_s'], 3) for r in console)}, "
              f"baseline {sorted(round(r['start_s'], 3) for r in base)}")
        ok = c_start <= 1.5 * b_start
        print("\nstart-up target met" if ok else "\nSTART-UP TARGET MISSED")
        return 0 if ok else 1
    b_down, c_down = median_of(base, "down"), median_of(console, "down")
    b_page, c_page = median_of(base, "pagedown"), median_of(console, "pagedown")
    b_scroll, c_scroll = median_of(base, "down_scroll"), median_of(console, "down_scroll")
    last = console[-1]
    print(f"\nconsole vs bare Textual app + DataTable (100 rows), {args.runs} runs each, medians, {SIZE[0]}x{SIZE[1]}:")
    row("start to first screen (s)", c_start, b_start, "target <= 1.5x", "s")
    row("  of which the first page (s)", median_of(console, "page_s"), b_start, "for scale", "s")
    row("cursor down keypress (ms)", c_down, b_down, "target <= 1.5x", "ms")
    row("cursor down that scrolls (ms)", c_scroll, b_scroll, "target <= 1.5x", "ms")
    row("page down keypress (ms)", c_page, b_page, "target <= 1.5x", "ms")
    print(f"  {'peak RSS, 1M rows (MB)':<34} {c_rss:9.1f} MB  baseline {b_rss:9.1f} MB  +{c_rss - b_rss:.1f} MB (target <= +40 MB)")
    print(f"  {'peak RSS, 10k rows (MB)':<34} {s_rss:9.1f} MB  1M - 10k = {c_rss - s_rss:+.1f} MB (target: flat)")
    print(f"  first page -> incident detail:      {median_of(console, 'detail_after_page_ms'):.1f} ms later "
          "(both read at start-up, one transaction)")
    print(f"  next page across the edge:          {median_of(console, 'next_page_ms'):.1f} ms until on screen")
    print(f"  jump to end:                        {median_of(console, 'end_ms'):.1f} ms, read {last['end_rows_read']} rows "
          f"of {last['total']:,} open; {last['rows_fetched_total']} rows read in the whole session")
    print(f"  status line at the end:             {last['end_status']}")
    ok = (c_start <= 1.5 * b_start and c_rss - b_rss <= 40 and c_down <= 1.5 * b_down and c_page <= 1.5 * b_page
          and c_scroll <= 1.5 * b_scroll
          and last["end_rows_read"] <= 101 and abs(c_rss - s_rss) <= 10)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
