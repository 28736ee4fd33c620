"""`incidentdesk kb ...`: new/edit/show/search/suggest/fixed/import through the real command line."""

from __future__ import annotations

from tests.support.cli import new_incident

HOSTILE = "Run [bold]this[/bold] [@click=app.quit]now[/] \x1b]0;owned\x07 \x1b[31mred\x1b[0m"


def test_write_search_show_and_edit(staffed):
    cli = staffed
    key = cli("kb", "new", "--title", "Mail queue stuck", "--body", "Restart postfix.\n\n" + HOSTILE,
              "--ci", "mx01", "--tag", "Mail", "--tag", "postfix")[1].strip()
    assert key == "KB-000001"
    shown = cli("kb", "show", key)[1]
    assert "\x1b" not in shown and "\x07" not in shown
    assert "[@click=app.quit]now[/]" in shown and "tags mail, postfix" in shown
    record = cli.json("kb", "show", key, "--json")
    assert (record["version"], record["ci"], record["helpful"]) == (1, "mx01", 0)
    out = cli("kb", "search", "postf")[1]
    assert out.startswith(key) and "**postfix**" in out
    assert cli.json("kb", "search", "postfix", "--json")[0]["key"] == key
    cli("kb", "edit", key, "--body", "Flush the deferred queue.", "--version", "1")
    line = cli.fails("kb", "edit", key, "--body", "stale", "--version", "1")
    assert "was changed by" in line and "nothing was saved" in line
    assert "no article matches" in cli("kb", "search", "postfix", "restart")[1]
    assert "nothing to search for" in cli.fails("kb", "search", "the")
    assert "not an article key" in cli.fails("kb", "show", "INC-1")


def test_suggest_fixed_and_turn_into_article(staffed):
    cli = staffed
    old = new_incident(cli, "--symptoms", "bounces from mx01", title="Mail bounces")
    cli("resolve", old, "--code", "permanent_fix", "--notes", "Fixed the SPF record")
    article = cli("kb", "new", "--from", old)[1].strip()
    assert cli.json("kb", "show", article, "--json")["source_incident"] == old
    now = new_incident(cli, title="Mail bounces again")
    found = cli.json("kb", "suggest", now, "--json")
    assert [h["key"] for h in found["incidents"]] == [old]
    assert found["incidents"][0]["resolution_notes"] == "Fixed the SPF record"
    assert [h["key"] for h in found["articles"]] == [article]
    assert cli("kb", "fixed", now, article)[1].strip() == f"{now}: fixed by {article}"
    assert "already recorded" in cli.fails("kb", "fixed", now, article)
    assert cli.json("kb", "show", article, "--json")["fixed"] == [now]
    assert "[fixed it]" in cli("kb", "suggest", now)[1]


def test_import_reports_rejected_files_and_exits_non_zero(staffed, tmp_path):
    cli = staffed
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.md").write_text("# Printer offline\n\nPower-cycle it.\n")
    (folder / "b.md").write_text("just text\n")
    code, out, _ = cli("kb", "import", str(folder), ok=False)
    assert code == 1 and out.startswith("1 created, 0 updated, 0 unchanged, 1 rejected")
    assert "rejected b.md: no title" in out
    (folder / "b.md").unlink()
    assert cli("kb", "import", str(folder))[1].startswith("0 created, 0 updated, 1 unchanged, 0 rejected")
    assert "not a folder" in cli.fails("kb", "import", str(tmp_path / "missing"))
