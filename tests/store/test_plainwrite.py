"""Writes without SQLAlchemy (store/plainwrite): the same use cases, run through the ORM on one copy
of a desk and through plain sqlite3 on another, store the same values, row for row and column for
column, in every table — and refuse the same things with the same words."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentdesk.cli.usecases import PLAIN_WRITES
from incidentdesk.config import Config
from incidentdesk.store import plainwrite
from incidentdesk.store.models import Incident
from incidentdesk.store.plainwrite import PlainDatabase
from tests.support.clock import Clock
from tests.support.desk import build, open_db
from tests.support.twins import assert_same, checkpointed_copy, make_twins, site_config

PEOPLE = ("ana", "tess", "chen", "ines", "root-setup", "nobody-known")
TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


# Every plain use case but `new`, in an order that lets each find incidents it can change.
LIFECYCLE_ORDER = ("take", "assign", "acknowledge", "start", "declare_major", "major_roles", "post_update",
                   "reprioritise", "escalate", "hand_command", "hold", "vendor", "resume", "comment", "clear_vendor",
                   "stand_down_major",
                   "resolve", "post_update", "reopen", "resolve", "close", "cancel")
GROUPS = ("Service Desk", "Platform SRE", None, "No Such Group")


def raw_for(name: str, which: int, text: str, extra: str) -> dict:
    """Values for one use case, varied by `which` (good, missing and wrong ones alike)."""
    return {
        "new": {"title": text, "impact": ("low", "medium", "high")[which % 3], "urgency": "high",
                "group": GROUPS[which % 4], "description": extra},
        "comment": {"text": text},
        "acknowledge": {"comment": text},
        "start": {},
        "hold": {"reason": text or "waiting for vendor", "vendor": extra or None},
        "resume": {"comment": text},
        "cancel": {"reason": text},
        "take": {},
        "assign": {"user": ("ana", "chen", None, "nobody-known", "tess")[which % 5], "group": GROUPS[which % 3 - 1],
                   "comment": extra},
        "reprioritise": {"impact": ("high", "low", None, "medium")[which % 4], "urgency": (None, "low", "high")[which % 3],
                         "severity": (None, "SEV1", "SEV3")[which % 3], "reason": text},
        "escalate": {"kind": ("functional", "hierarchical")[which % 2], "to_group": GROUPS[(which // 2) % 4],
                     "to_person": extra or None, "reason": extra, "summary": text},
        "resolve": {"code": ("workaround", "permanent_fix", "no_fault_found")[which % 3], "notes": text},
        "close": {"confirmed": bool(which % 2), "csat": (None, 5, 2, 9)[which % 4], "comment": extra},
        "reopen": {"reason": text},
        "declare_major": {"commander": ("ines", "tess", None, "ana", "nobody-known")[which % 5],
                          "deputy": (None, "chen")[which % 2], "comms_lead": (None, "tess", "ines")[which % 3],
                          "reason": text},
        "major_roles": {"deputy": ("chen", None, "ana")[which % 3], "comms_lead": (None, "tess")[which % 2],
                        "clear_deputy": which % 4 == 3, "clear_comms_lead": which % 5 == 4},
        "post_update": {"impacted": text, "who": extra or "remote staff", "status": text or "investigating",
                        "workaround": extra, "next_update": (None, "2030-01-01 10:00", "2020-01-01 10:00")[which % 3]},
        "hand_command": {"commander": ("chen", "ines", "tess", "nobody-known")[which % 4], "reason": text},
        "stand_down_major": {"reason": text},
        "vendor": {"vendor": (None, "Acme [Cloud]", "")[which % 3], "vendor_ticket": extra or None,
                   "vendor_url": (None, "https://status.example/1", "ftp://bad")[which % 3], "vendor_status": text},
        "clear_vendor": {},
    }[name]


def _step(twins, step) -> None:
    name, who, which, text, extra = step
    keys = sorted(twins.keys.values()) + ["INC-999999"]
    key = keys[which % len(keys)]
    raw = raw_for(name, which, text, extra)
    orm, plain = twins.run(name, who, raw, key=None if name == "new" else key)
    assert orm == plain, (name, raw)
    if name == "new" and orm[0] == "ok":
        twins.keys[orm[1]] = orm[1]
    twins.clock.advance(minutes=7)


@pytest.fixture(scope="module")
def desk_template(tmp_path_factory) -> tuple[Path, dict]:
    """The console tests' desk (tests/support/desk.build), built once through the services."""
    path = tmp_path_factory.mktemp("twins") / "desk.db"
    db = open_db(path)
    keys = build(db, Clock())
    template = path.with_name("template.db")
    checkpointed_copy(db, template)
    return template, keys


def test_the_lifecycle_order_names_every_plain_use_case():
    assert set(LIFECYCLE_ORDER) == PLAIN_WRITES - {"new"}


@pytest.mark.parametrize("config", [Config(), site_config()], ids=["defaults", "site"])
def test_every_plain_use_case_stores_what_the_orm_stores(tmp_path, desk_template, config):
    template, keys = desk_template
    twins = make_twins(tmp_path, template, config)
    twins.keys.update(keys)
    twins.clock.advance(hours=2)
    steps = [("new", "ana", 0, "Printer on fire", "smoke"), ("new", "tess", 1, "Mail down", ""),
             ("new", "ana", 3, "bad group", ""), ("new", "ana", 0, "", "")]
    for name in LIFECYCLE_ORDER:
        for who in ("ana", "tess", "chen", "ines"):
            for which in range(len(keys) + 3):
                steps.append((name, who, which, f"{name} by {who}", ""))
    steps += [("hold", "ana", 1, "waiting for vendor", "Acme"), ("resume", "ana", 1, "", "")]
    for step in steps:
        _step(twins, step)
    assert_same(twins)


@pytest.mark.parametrize("config", [Config(), site_config()], ids=["defaults", "site"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(PLAIN_WRITES)), st.sampled_from(PEOPLE),
                                st.integers(0, 20), TEXTS, TEXTS), min_size=1, max_size=12))
def test_any_sequence_of_plain_writes_stores_what_the_orm_stores(desk_template, config, steps):
    template, keys = desk_template
    with tempfile.TemporaryDirectory() as tmp:
        twins = make_twins(Path(tmp), template, config)
        twins.keys.update(keys)
        for step in steps:
            _step(twins, step)
        assert_same(twins)


def test_the_plain_new_row_has_the_models_defaults():
    defaults = {attr.key: attr.columns[0].default.arg for attr in Incident.__mapper__.column_attrs
                if attr.columns[0].default is not None}
    assert plainwrite.NEW_INCIDENT_DEFAULTS == defaults
    renamed = {attr.key: attr.columns[0].name for attr in Incident.__mapper__.column_attrs
               if attr.key != attr.columns[0].name}
    assert plainwrite.COLUMN_OF == renamed


def test_a_lost_race_is_a_conflict_naming_who_won(tmp_path, desk_template):
    """The plain UPDATE carries the version read: a row moved on since is refused, nothing written."""
    template, keys = desk_template
    path = tmp_path / "plain.db"
    shutil.copy(template, path)
    plain = PlainDatabase(path, f"sqlite:///{path}")
    with pytest.raises(plainwrite.StaleRow):
        with plain.write() as s:
            inc = s.incident_for_update(1)
            inc.title = "changed"
            # Another writer cannot get past BEGIN IMMEDIATE's lock: what it would have done, in this transaction.
            s.conn.execute("UPDATE incidents SET version = version + 1 WHERE id = 1")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT title != 'changed' FROM incidents WHERE id = 1").fetchone() == (1,)
    conn.close()
