"""Every reading command that lists things answers alike (cli/common.print_list).

On a fresh database: `--json` is `[]` (a script gets a list, never prose), and the plain output is
one line that says what there is none of. With rows: one line a row (under the heading, where the
command has one), and as many JSON records as lines.
"""

from __future__ import annotations

import json

import pytest

LISTS = [
    (("categories", "list"), "no categories: any text is accepted; add them with `incidentdesk categories add PATH`"),
    (("ci", "list"), "no CIs: `incidentdesk ci import FILE` adds them"),
    (("change", "list"), "no changes"),
    (("problem", "list"), "no problems"),
    (("problem", "list", "--status", "known_error"), "no problems known error"),
    (("kb", "list"), "no articles yet: incidentdesk kb new, kb import DIR, or K in the console"),
    (("kb", "search", "printer", "jams"), "no article matches"),
    (("request", "types"), "no request types yet: an admin adds them with `incidentdesk request type-add NAME ...`"),
    (("handover", "list"), "no handover has been published yet (incidentdesk handover publish --note ...)"),
    (("notify", "list"), "no notifications"),
    (("notify", "list", "--state", "failed"), "no notifications failed"),
]


@pytest.mark.parametrize(("words", "empty"), LISTS, ids=[" ".join(w) for w, _ in LISTS])
def test_an_empty_list_is_one_line_or_an_empty_json_list(staffed, words, empty):
    assert staffed(*words)[1] == empty + "\n"
    _, out, err = staffed(*words, "--json")
    assert json.loads(out) == [] and err == ""


def test_rows_are_one_line_each_and_as_many_records(staffed):
    for path in ("Network/VPN/GlobalProtect", "Email/Exchange/Outlook"):
        staffed("categories", "add", path)
    records = staffed.json("categories", "list", "--json")
    lines = staffed("categories", "list")[1].splitlines()
    assert len(lines) == len(records) >= 4  # the parents are added too
    assert [r["path"] for r in records] == [line.split("  [")[0] for line in lines]
    assert "Email/Exchange/Outlook  [0 incidents]" in lines

