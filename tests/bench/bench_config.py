"""The schema library's import cost, against the console's start-up budget, measured in one run.

    python tests/bench/bench_config.py [--runs 15] [--pydantic-python PATH]

Each snippet runs as its own process `--runs` times after a warm-up, rounds interleaved; medians.
Baseline: `python -c 'import sqlite3'`. msgspec is timed alone and on top of Textual (what the
console already imports, so what msgspec adds to its start), and the whole config step: importing
incidentdesk.config and reading and validating a site-like file (tests/bench/bench_cli.py's).
pydantic, for comparison, is timed with the first interpreter that has it (this one, else
`python3` on PATH, else --pydantic-python), against that interpreter's own bare start; it is
not a dependency. The console's budget: its first screen within 1.5x of an empty Textual app
(README, Performance).
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


def _time(python: str, code: str, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _has(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pydantic-python", metavar="PATH", help="an interpreter that has pydantic")
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
            ("bare start (baseline)", me, "import sqlite3"),
            ("import msgspec", me, "import msgspec"),
            ("import textual.app", me, "import textual.app"),
            ("import textual.app, msgspec", me, "import textual.app, msgspec"),
            ("incidentdesk.config: import, read, validate", me,
             "from incidentdesk.config import load_config; load_config()"),
        ]
        other = next((p for p in (me, shutil.which("python3"), args.pydantic_python) if p and _has(p, "pydantic")), None)
        if other:
            version = subprocess.run([other, "-c", "import pydantic; print(pydantic.VERSION)"], capture_output=True,
                                     text=True).stdout.strip()
            cases += [(f"bare start ({other})", other, "import sqlite3"),
                      (f"pydantic {version}: import, one model", other, PYDANTIC_MODEL)]
        times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        for name, python, code in cases:  # warm-up: bytecode written
            _time(python, code, env)
        for _ in range(args.runs):
            for name, python, code in cases:
                times[name].append(_time(python, code, env))
        med = {name: statistics.median(v) * 1000 for name, v in times.items()}
        base = med["bare start (baseline)"]
        print(f"{'case':48} {'median ms':>10} {'minus its bare start':>22}")
        for name, python, _ in cases:
            own = med[f"bare start ({python})"] if python != me and f"bare start ({python})" in med else base
            extra = "" if name.startswith("bare start") else f"{med[name] - own:+.1f} ms"
            print(f"{name:48} {med[name]:10.1f} {extra:>22}")
        print(f"msgspec on top of Textual: {med['import textual.app, msgspec'] - med['import textual.app']:+.1f} ms")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
