"""The schema library's import cost, against the console's start-up budget, measured in one run.

    python tests/bench/bench_config.py [--runs 15] [--pydantic-python PATH] [--before OLD_CHECKOUT]

Each case runs in its own fresh process `--runs` times after a warm-up round, rounds interleaved;
medians. Each process times its own import in-process (perf_counter around the import), so a
process start on a busy machine does not drown a few milliseconds; beside them the baseline, a
bare `python -c 'import sqlite3'` (wall time), and `import textual.app`, what the console pays
first. msgspec is timed alone and after Textual (what it adds inside the console, which shares
typing, inspect, ...), as is the whole config step: importing incidentdesk.config and reading and
validating a site-like file (bench_cli.py's). pydantic, for comparison, is timed with the first
interpreter that has it (this one, else `python3` on PATH, else --pydantic-python); it is not a
dependency. The console's budget: its first screen within 1.5x of an empty Textual app (README).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.bench_cli import BENCH_CONFIG  # noqa: E402

PYDANTIC_MODEL = ("import pydantic\n"
                  "class Console(pydantic.BaseModel, extra='forbid', frozen=True):\n"
                  "    sla_sweep_seconds: float = 5.0\n"
                  "Console.model_validate({'sla_sweep_seconds': 2})\n")
MSGSPEC_MODEL = ("import msgspec\n"
                 "class Console(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):\n"
                 "    sla_sweep_seconds: float = 5.0\n"
                 "msgspec.convert({'sla_sweep_seconds': 2}, Console)\n")


def _timed(before: str, code: str) -> str:
    """A program that runs `before`, then times `code` in-process (process start is noise here)."""
    return (f"{before}\nimport time as _t\n_s = _t.perf_counter()\n{code}\n"
            "print(_t.perf_counter() - _s)\n")


def _run(python: str, program: str, env: dict) -> float:
    done = subprocess.run([python, "-c", program], env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def _real(python: str | None) -> str | None:
    """The interpreter behind a launcher script (pyenv shims are shell scripts)."""
    if not python:
        return None
    done = subprocess.run([python, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


def _has(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pydantic-python", metavar="PATH", help="an interpreter that has pydantic")
    parser.add_argument("--before", metavar="DIR", help="also time the config step of the incidentdesk package in DIR "
                        "(an older checkout, e.g. from `git archive`), in the same rounds")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="incidentdesk-bench-config-"))
    try:
        config = home / "incidentdesk.toml"
        config.write_text(BENCH_CONFIG)
        os.chmod(config, 0o600)
        env = {**os.environ, "INCIDENTDESK_CONFIG": str(config)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        me = sys.executable
        cases = [
            ("bare start: python -c 'import sqlite3' (wall)", me, None),
            ("import textual.app (what the console pays first)", me, _timed("", "import textual.app")),
            ("import msgspec, one Struct, convert", me, _timed("", MSGSPEC_MODEL)),
            ("  msgspec after textual.app (in the console)", me, _timed("import textual.app", MSGSPEC_MODEL)),
            ("import incidentdesk.config, read + validate file", me,
             _timed("", "from incidentdesk.config import load_config\nload_config()")),
            ("  incidentdesk.config after textual.app (in the console)", me,
             _timed("import textual.app", "from incidentdesk.config import load_config\nload_config()")),
        ]
        before_env = {**env, "PYTHONPATH": str(Path(args.before).resolve())} if args.before else None
        if before_env:
            cases.append(("  the same, the checkout --before", me, _timed(
                "import textual.app", "from incidentdesk.config import load_config\nload_config()"), before_env))
        other = next((p for p in (me, _real(shutil.which("python3")), args.pydantic_python)
                      if p and _has(p, "pydantic")), None)
        if other:
            version = subprocess.run([other, "-c", "import pydantic; print(pydantic.VERSION)"], capture_output=True,
                                     text=True).stdout.strip()
            cases.append((f"import pydantic {version}, one model, validate ({Path(other).name})", other,
                          _timed("", PYDANTIC_MODEL)))
        cases = [(c[0], c[1], c[2], c[3] if len(c) > 3 else env) for c in cases]
        times: dict[str, list[float]] = {name: [] for name, _, _, _ in cases}
        for _ in range(args.runs + 1):  # the first round is a warm-up (bytecode written, caches filled)
            for name, python, program, case_env in cases:
                if program is None:
                    start = time.perf_counter()
                    subprocess.run([python, "-c", "import sqlite3"], env=case_env, check=True)
                    times[name].append(time.perf_counter() - start)
                else:
                    times[name].append(_run(python, program, case_env))
        print(f"{'case':58} {'median ms':>10}")
        for name, _, _, _ in cases:
            print(f"{name:58} {statistics.median(times[name][1:]) * 1000:10.1f}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
