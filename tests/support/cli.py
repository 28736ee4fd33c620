"""The `incidentdesk` command run in-process for the tests: main([...]) with its output captured.

The `cli` and `staffed` fixtures (tests/conftest.py) hand a Cli over a fresh SQLite file and config.
"""

from __future__ import annotations

import json
from pathlib import Path

from incidentdesk.cli import main


class Cli:
    def __init__(self, capsys, db_url: str, config: Path) -> None:
        self.capsys, self.db_url, self.config = capsys, db_url, config

    def __call__(self, *args: str, ok: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main(["--db", self.db_url, *args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = self.capsys.readouterr()
        if ok:
            assert code == 0, f"{args} exited {code}: {err}"
        return code, out, err

    def fails(self, *args: str) -> str:
        code, out, err = self(*args, ok=False)
        assert code != 0, f"{args} should fail"
        line = err.strip()
        assert line and "\n" not in line, f"expected one line, got {err!r}"
        assert "Traceback" not in err
        return line

    def json(self, *args: str):
        return json.loads(self(*args)[1])

    def set_config(self, text: str) -> None:
        self.config.write_text(text)


def new_incident(cli, *extra, title="Mail down") -> str:
    """`incidentdesk new` with a title, impact and urgency (and `extra`); returns the key it printed."""
    code, out, _ = cli("new", "--title", title, "--impact", "high", "--urgency", "medium", *extra)
    key = out.strip()
    assert key.startswith(("INC-", "REQ-")) and "\n" not in key
    return key
