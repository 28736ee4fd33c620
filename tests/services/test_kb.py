"""Knowledge base on both backends: ranking, highlights, the index kept in step (and not by a rolled-back
edit), suggestions, "this fixed it", conflicting edits, import idempotency and rejected files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from incidentdesk.domain.enums import Level, Role
from incidentdesk.domain.errors import EditConflict, PermissionDenied, ValidationError
from incidentdesk.domain.kb import MARK_END, MARK_START, search_terms, split_marks
from incidentdesk.services import incidents as svc
from incidentdesk.services import kb
from incidentdesk.store import kb_reads
from incidentdesk.store.kb_models import KbArticle, KbLink
from incidentdesk.store.kb_search import search_articles
from incidentdesk.store.models import TimelineEvent
from tests.support.kb import articles, resolved_incident


@pytest.fixture
def ann(make_ctx):
    return make_ctx("ann", Role.RESPONDER)


def keys(hits):
    return [h.key for h in hits]


def test_title_outranks_tags_outranks_body(db, ann):
    made = articles(ann)
    hits = kb_reads.search(db, "vpn")
    assert keys(hits) == [made["title"], made["tags"], made["body"]]
    assert hits[0].score > hits[1].score > hits[2].score


def test_every_word_must_match_and_the_last_is_a_prefix(db, ann):
    made = articles(ann)
    assert keys(kb_reads.search(db, "vpn agent")) == [made["title"], made["body"]] or \
        set(keys(kb_reads.search(db, "vpn agent"))) == {made["title"], made["body"]}
    assert keys(kb_reads.search(db, "remote acc")) == [made["tags"]]
    assert kb_reads.search(db, "vpn printer") == []


def test_matches_are_highlighted(db, ann):
    made = articles(ann)
    [hit] = [h for h in kb_reads.search(db, "token") if h.key == made["tags"]]
    assert MARK_START + "token" + MARK_END in hit.snippet
    assert ("token", True) in split_marks(hit.snippet)
    assert hit.to_json()["snippet"].count("**token**") == 1


def test_query_syntax_is_not_passed_to_the_engine(db, ann):
    articles(ann)
    for hostile in ('vpn" OR "', "vpn)|(!x", "title:vpn*", "NEAR(vpn", "vpn & | ! :*", "'; drop table x; --"):
        kb_reads.search(db, hostile)  # no engine syntax error
    assert search_terms("a the of") == []
    assert kb_reads.search(db, "the of") == []


def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(db, ann):
    made = articles(ann)
    assert kb.edit_article(ann, made["body"], body="Clear the printer spooler.", version=1) == 2
    assert keys(kb_reads.search(db, "spooler")) == [made["body"]]
    assert made["body"] not in keys(kb_reads.search(db, "cpu"))


def test_a_rolled_back_edit_is_never_found(db, ann):
    made = articles(ann)
    with pytest.raises(RuntimeError):
        with db.write() as s:
            a = s.get(KbArticle, 1)
            a.body = "zeppelin maintenance"
            s.flush()
            assert [h.key for h in search_articles(s, ["zeppelin"])] == [made["title"]]  # in step inside it
            raise RuntimeError("the transaction fails after the edit")
    assert kb_reads.search(db, "zeppelin") == []
    assert keys(kb_reads.search(db, "restart")) == [made["title"]]


def test_a_retired_article_leaves_search_and_may_be_retired_only_by_its_author_or_a_captain(db, ann, make_ctx):
    made = articles(ann)
    bob = make_ctx("bob", Role.RESPONDER)
    with pytest.raises(PermissionDenied, match="only its author"):
        kb.retire_article(bob, made["title"])
    kb.retire_article(make_ctx("cap", Role.TRIAGE_CAPTAIN), made["title"])
    assert made["title"] not in keys(kb_reads.search(db, "vpn"))
    assert kb_reads.load_article(db, made["title"]).retired


def test_a_conflicting_edit_is_refused_and_changes_nothing(db, ann, make_ctx):
    made = articles(ann)
    bob = make_ctx("bob", Role.RESPONDER)
    kb.edit_article(bob, made["title"], body="Bob's fix: reinstall.", version=1)
    with pytest.raises(EditConflict, match="changed by bob .*nothing was saved"):
        kb.edit_article(ann, made["title"], body="Ann's fix", version=1)
    a = kb_reads.load_article(db, made["title"])
    assert (a.body, a.version) == ("Bob's fix: reinstall.", 2)
    assert kb_reads.search(db, "ann") == []


def test_bad_input_is_one_clear_error_and_nothing_written(db, ann):
    with pytest.raises(ValidationError, match="needs a title"):
        kb.write_article(ann, title="  ")
    with pytest.raises(ValidationError, match="at most 300"):
        kb.write_article(ann, title="x" * 301)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(KbArticle)) == 0


def test_suggestions_find_the_similar_resolved_incident_with_its_notes(db, ann):
    articles(ann)
    fixed = resolved_incident(ann, "VPN tunnel drops every hour", "Raised the IKE lifetime on vpn-gw01",
                              symptoms="tunnel drops, users reconnect", ci="vpn-gw01")
    resolved_incident(ann, "Printer jam on floor 3", "Cleared the tray")
    still_open = svc.log_incident(ann, svc.Intake(title="VPN tunnel drops for sales", impact=Level.LOW,
                                                 urgency=Level.LOW, symptoms="tunnel drops"))
    found = kb_reads.suggestions(db, still_open)
    assert keys(found.incidents) == [fixed]
    assert found.incidents[0].resolution_notes == "Raised the IKE lifetime on vpn-gw01"
    assert any(piece == ("tunnel", True) or piece[1] for piece in split_marks(found.incidents[0].snippet))
    assert found.articles and found.articles[0].title == "VPN client cannot connect"
    assert still_open not in keys(found.incidents)  # open incidents are not in the index


def test_same_ci_and_category_rank_higher(db, ann):
    other = resolved_incident(ann, "Disk full on host", "Rotated logs", ci="web01")
    same = resolved_incident(ann, "Disk full on host", "Grew the volume", ci="db01", category="Data/DB/Postgres")
    key = svc.log_incident(ann, svc.Intake(title="Disk full", impact=Level.LOW, urgency=Level.LOW, ci="db01",
                                           category="Data/DB/Postgres"))
    assert keys(kb_reads.suggestions(db, key).incidents) == [same, other]


def test_reopening_takes_an_incident_out_of_the_index_and_resolving_puts_it_back(db, ann):
    key = resolved_incident(ann, "Mail queue stuck", "Restarted postfix")
    probe = svc.log_incident(ann, svc.Intake(title="mail queue", impact=Level.LOW, urgency=Level.LOW))
    assert keys(kb_reads.suggestions(db, probe).incidents) == [key]
    svc.reopen(ann, key, reason="came back")
    assert kb_reads.suggestions(db, probe).incidents == []
    svc.resolve(ann, key, code="permanent_fix", notes="Flushed the deferred queue")
    [hit] = kb_reads.suggestions(db, probe).incidents
    assert hit.resolution_notes == "Flushed the deferred queue"


def test_this_fixed_it_links_counts_and_records(db, ann):
    made = articles(ann)
    key = svc.log_incident(ann, svc.Intake(title="VPN down", impact=Level.LOW, urgency=Level.LOW))
    kb.mark_fixed(ann, key, article=made["title"])
    with pytest.raises(ValidationError, match="already recorded"):
        kb.mark_fixed(ann, key, article=made["title"])
    a = kb_reads.load_article(db, made["title"])
    assert (a.helpful, a.version, a.fixed) == (1, 1, [key])  # a vote is not an edit: no conflict for editors
    assert kb_reads.suggestions(db, key).linked == [made["title"]]
    assert kb_reads.fixed_by_article_count(db) == 1
    with db.read() as s:
        event = s.scalars(select(TimelineEvent).order_by(TimelineEvent.seq.desc())).first()
        assert (event.kind, event.text) == ("knowledge", f"fixed by {made['title']}: VPN client cannot connect")
        assert s.scalar(select(func.count()).select_from(KbLink)) == 1


def test_turn_a_resolved_incident_into_an_article(db, ann):
    key = resolved_incident(ann, "Certificate expired on portal", "Renewed via ACME", symptoms="TLS errors",
                            ci="portal01")
    made = kb.write_article(ann, title="", from_incident=key)
    a = kb_reads.load_article(db, made)
    assert (a.title, a.ci, a.source_incident) == ("Certificate expired on portal", "portal01", key)
    assert "## Symptoms\n\nTLS errors" in a.body and "## Resolution\n\nRenewed via ACME" in a.body
    open_one = svc.log_incident(ann, svc.Intake(title="x", impact=Level.LOW, urgency=Level.LOW))
    with pytest.raises(ValidationError, match="from a resolved incident"):
        kb.write_article(ann, title="", from_incident=open_one)


def test_import_is_idempotent_and_reports_rejected_files(db, ann, tmp_path):
    (tmp_path / "Disk Full.md").write_text("---\ntitle: Disk full\ncategory: Infra/Storage\ntags: [disk, df]\n---\n"
                                           "Delete old logs.\n")
    (tmp_path / "vpn.md").write_text("# VPN reset\n\nReset the tunnel.\n")
    (tmp_path / "empty.md").write_text("no heading, no front matter\n")
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "notes.txt").write_text("# ignored\n")
    first = kb.import_folder(ann, str(tmp_path))
    assert len(first.created) == 2 and not first.updated
    assert sorted(name for name, _ in first.rejected) == ["binary.md", "empty.md"]
    assert "no title" in dict(first.rejected)["empty.md"]
    again = kb.import_folder(ann, str(tmp_path))
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], sorted(first.created))
    (tmp_path / "vpn.md").write_text("# VPN reset\n\nReset the tunnel and the zeppelin.\n")
    third = kb.import_folder(ann, str(tmp_path))
    assert len(third.updated) == 1 and len(third.unchanged) == 1
    assert [h.title for h in kb_reads.search(db, "zeppelin")] == ["VPN reset"]
    disk = kb_reads.search(db, "delete logs")[0]
    assert (kb_reads.load_article(db, disk.key).tags, kb_reads.load_article(db, disk.key).category) == \
        ("disk, df", "Infra/Storage")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(KbArticle)) == 2


def test_acknowledging_does_not_touch_the_incident_index(db, ann):
    key = svc.log_incident(ann, svc.Intake(title="Queue slow", impact=Level.LOW, urgency=Level.LOW))
    svc.acknowledge(ann, key)
    # FTS5 external content: a count of incident_fts reads incidents; its docsize table holds the indexed rows
    table = "incident_search" if db.backend == "postgresql" else "incident_fts_docsize"
    with db.read() as s:
        assert s.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
