"""The Knowledge tab of the incident pane and the knowledge screen (K), through Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Markdown, OptionList, TextArea

from incidentdesk.services import kb
from incidentdesk.store import kb_reads
from incidentdesk.tui.screens.kb import KnowledgeScreen
from incidentdesk.tui.screens.kb_article import ArticleEditor, ArticleScreen
from incidentdesk.tui.widgets.kb.panel import KnowledgePanel
from tests.support.desk import ctx_for, desk_in, make_app
from tests.support.kb import knowledge_desk
from tests.support.tui import burst, eventually, plain_text, select_key, settle_all

pytestmark = pytest.mark.anyio


def _desk(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    return db, clock, knowledge_desk(db, clock, keys)


def _options(widget: OptionList) -> list[str]:
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


async def _knowledge_tab(pilot, key: str) -> KnowledgePanel:
    await settle_all(pilot)
    await select_key(pilot, key)
    await settle_all(pilot)
    pilot.app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
    # the tab's panel is built the first time the tab is shown (tui/screens/panes.py)
    await eventually(pilot, lambda: bool(pilot.app.main_screen.query(KnowledgePanel)), 10, "the knowledge panel")
    panel = pilot.app.main_screen.query_one(KnowledgePanel)
    await eventually(pilot, lambda: panel.found is not None and panel.found.incident == key, 10, "suggestions")
    await settle_all(pilot)
    return panel


async def _focused_hits(pilot, key: str) -> tuple[KnowledgePanel, OptionList]:
    """The Knowledge tab of `key` shown and its list of hits focused, for the keys that act on a hit."""
    panel = await _knowledge_tab(pilot, key)
    hits = panel.query_one(OptionList)
    hits.focus()
    return panel, hits


async def test_the_tab_lists_articles_and_how_the_similar_incident_was_fixed(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        panel = await _knowledge_tab(pilot, keys["vpn"])
        shown = "\n".join(_options(panel.query_one(OptionList)))
        assert keys["kb_vpn"] in shown and "GlobalProtect gateway unreachable" in shown
        assert keys["old_vpn"] in shown and "Rolled back the config push on gp-gw-eu1" in shown
        assert shown.index(keys["kb_vpn"]) < shown.index(keys["old_vpn"])
        # highlights are styles on literal text
        option = panel.query_one(OptionList).get_option_at_index(1).prompt
        assert any("reverse" in str(span.style) for span in option.spans)


async def test_the_tab_loads_nothing_while_hidden(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_all(pilot)
        await select_key(pilot, keys["mail"])
        await settle_all(pilot)
        # the Detail tab is showing: the knowledge panel is not even built, so no search was run
        assert not pilot.app.main_screen.query(KnowledgePanel)
        pilot.app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
        await eventually(pilot, lambda: bool(pilot.app.main_screen.query(KnowledgePanel)), 10, "the panel once shown")
        panel = pilot.app.main_screen.query_one(KnowledgePanel)
        await eventually(pilot, lambda: panel.found is not None, 10, "suggestions once shown")
        assert panel.found.incident == keys["mail"] and panel.found.articles[0].key == keys["kb_mail"]


async def test_this_fixed_it_from_the_tab(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        panel, hits = await _focused_hits(pilot, keys["vpn"])
        hits.highlighted = 1  # the first article
        await pilot.press("F")
        await settle_all(pilot)
        assert kb_reads.load_article(db, keys["kb_vpn"]).fixed == [keys["vpn"]]
        await eventually(pilot, lambda: panel.found.linked == [keys["kb_vpn"]], 10, "the link shown")
        assert "fixed it" in "\n".join(_options(hits))


async def test_turn_the_similar_incident_into_an_article(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        panel, hits = await _focused_hits(pilot, keys["vpn"])
        hits.highlighted = next(i for i in range(hits.option_count)
                                if hits.get_option_at_index(i).id == f"incident:{keys['old_vpn']}")
        await pilot.press("A")
        await eventually(pilot, lambda: isinstance(pilot.app.screen, ArticleEditor), 10, "the editor")
        editor = pilot.app.screen
        assert editor.query_one("#kb-title", Input).value == "VPN gateway unreachable after config push"
        assert "## Resolution\n\nRolled back the config push" in editor.query_one("#kb-body", TextArea).text
        await pilot.press("ctrl+s")
        await settle_all(pilot)
        made = [a for a in kb_reads.list_articles(db) if a.source_incident == keys["old_vpn"]]
        assert len(made) == 1 and made[0].ci == "gp-gw-eu1"


async def test_search_screen_highlights_and_opens_an_article_literally(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_all(pilot)
        await pilot.press("K")
        await settle_all(pilot)
        assert isinstance(pilot.app.screen, KnowledgeScreen)
        await pilot.press(*"gatew")
        results = pilot.app.screen.query_one("#kb-results", OptionList)
        await eventually(pilot, lambda: results.option_count == 1 and "unreachable" in _options(results)[0], 10,
                         "results")
        assert any("reverse" in str(s.style) for s in results.get_option_at_index(0).prompt.spans)
        await pilot.press("enter", "enter")
        await eventually(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen)
                         and pilot.app.screen.article is not None, 10, "the article")
        await settle_all(pilot)
        markdown = pilot.app.screen.query_one(Markdown)
        text = "\n".join(block._content.plain for block in markdown.query("*") if hasattr(block, "_content"))
        assert "[@click=app.quit]gateway[/]" in text and "[bold red]not bold[/]" in text
        assert "\x1b" not in text and "\x07" not in text and "]0;owned" in text
        await pilot.press("escape", "escape")
        await settle_all(pilot)
        assert pilot.app.is_running and not isinstance(pilot.app.screen, (ArticleScreen, KnowledgeScreen))


async def test_a_burst_typed_into_a_new_article_is_saved_whole(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_all(pilot)
        await pilot.press("K")
        await settle_all(pilot)
        await pilot.press("ctrl+n")
        await settle_all(pilot)
        assert isinstance(pilot.app.screen, ArticleEditor)
        body = pilot.app.screen.query_one("#kb-body", TextArea)
        await pilot.press(*"Printer offline on floor 3")
        body.focus()
        await pilot.pause()
        burst(pilot.app, "Power-cycle the printer", "enter", "then print a test page", "ctrl+s")  # one burst
        await eventually(pilot, lambda: not isinstance(pilot.app.screen, ArticleEditor), 10, "saved")
        [hit] = kb_reads.search(db, "printer offline")
        article = kb_reads.load_article(db, hit.key)
        assert (article.title, article.body) == ("Printer offline on floor 3",
                                                 "Power-cycle the printer\nthen print a test page")


async def test_a_conflicting_edit_keeps_the_typed_text(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_all(pilot)
        from incidentdesk.tui.screens.kb_article import open_article

        open_article(pilot.app, keys["kb_mail"])
        await eventually(pilot, lambda: getattr(pilot.app.screen, "article", None) is not None, 10, "article")
        await pilot.press("e")
        await settle_all(pilot)
        editor = pilot.app.screen
        kb.edit_article(ctx_for(db, "chen", clock), keys["kb_mail"], body="Chen's version", version=1)
        editor.query_one("#kb-body", TextArea).focus()
        await pilot.press(*"Ana adds a step")
        await pilot.press("ctrl+s")
        await settle_all(pilot)
        assert pilot.app.screen is editor
        assert "changed by chen" in plain_text(editor.query_one("#dialog-notice"))
        assert "Ana adds a step" in editor.query_one("#kb-body", TextArea).text
        assert kb_reads.load_article(db, keys["kb_mail"]).body == "Chen's version"


async def test_this_fixed_it_from_the_article_opened_in_the_tab(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        panel, hits = await _focused_hits(pilot, keys["vpn"])
        hits.highlighted = 1
        await pilot.press("enter")
        await eventually(pilot, lambda: getattr(pilot.app.screen, "article", None) is not None, 10, "the article")
        await pilot.press("F")
        await eventually(pilot, lambda: pilot.app.screen.article.helpful == 1, 10, "the count shown")
        assert kb_reads.load_article(db, keys["kb_vpn"]).fixed == [keys["vpn"]]


async def test_opening_the_tab_puts_its_keys_on_the_list(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_all(pilot)
        await select_key(pilot, keys["vpn"])
        await pilot.press("enter")  # the incident opened: its pane's scroll area has the focus
        await settle_all(pilot)
        pilot.app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
        await eventually(pilot, lambda: bool(pilot.app.main_screen.query(KnowledgePanel)), 10, "the panel")
        pilot.app.main_screen.query_one("#knowledge-scroll").focus()  # as switching tabs does
        panel = pilot.app.main_screen.query_one(KnowledgePanel)
        await eventually(pilot, lambda: panel.found is not None and isinstance(pilot.app.focused, OptionList), 10,
                         "the list focused")
        await pilot.press("F")
        await settle_all(pilot)
        assert kb_reads.load_article(db, keys["kb_vpn"]).fixed == [keys["vpn"]]


async def test_a_failed_read_is_said_and_retried(tmp_path, monkeypatch):
    from incidentdesk.store import kb_reads as reads
    from tests.support.tui import notes

    db, clock, keys = _desk(tmp_path)
    real = reads.suggestions
    monkeypatch.setattr(reads, "suggestions", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("connection lost")))
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_all(pilot)
        await select_key(pilot, keys["vpn"])
        pilot.app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
        await eventually(pilot, lambda: any("could not read the knowledge base" in n for n in notes(pilot.app)), 10,
                         "the failure said")
        panel = pilot.app.main_screen.query_one(KnowledgePanel)
        monkeypatch.setattr(reads, "suggestions", real)
        panel.show(pilot.app.main_screen.detail)
        await eventually(pilot, lambda: panel.found is not None, 10, "loaded on the next try")
