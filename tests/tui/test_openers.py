"""The screens one key opens (tui/screens/openers.py) are named as "module:function", imported on the key.

A misspelt name would only show when someone pressed the key: every entry is resolved here. And
naming them is what keeps start-up free of them: importing the table imports no screen.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

from incidentdesk.tui.screens.openers import SCREENS


def test_every_opener_names_a_function_of_one_argument():
    for entry in SCREENS:
        opener = entry.resolve()
        assert callable(opener), entry.opener
        assert len(inspect.signature(opener).parameters) == 1, f"{entry.opener} is called with the main screen"


def test_the_table_imports_no_screen():
    code = ("import sys, incidentdesk.tui.screens.openers as o\n"
            "print(' '.join(sorted({e.opener.partition(':')[0] for e in o.SCREENS}"
            " & {m.rsplit('.', 1)[-1] for m in sys.modules if m.startswith('incidentdesk.tui.screens.')})))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
