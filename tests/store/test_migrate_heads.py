"""The schema check on start-up reads revisions without Alembic; it must agree with Alembic."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from incidentdesk.store import migrate
from incidentdesk.store.engine import open_database


def test_head_and_known_revisions_agree_with_alembic():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {rev.revision for rev in script.walk_revisions()}
    for rev in script.walk_revisions():
        assert set(migrate.revision_graph()[rev.revision]) == set(rev._all_down_revisions)


def test_parser_reads_annotated_and_tuple_down_revisions(tmp_path):
    path = tmp_path / "0009_merge.py"
    path.write_text('"""doc"""\nfrom alembic import op\nrevision: str = "0009_merge"\n'
                    'down_revision: tuple[str, str] | None = ("0007_a", "0008_b")\nbranch_labels = None\n')
    assert migrate._revision_ids(path) == ("0009_merge", ("0007_a", "0008_b"))


def test_checking_an_up_to_date_database_does_not_import_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    db = open_database(url)
    try:
        migrate.ensure_schema(db.engine)  # empty: migrated through Alembic
    finally:
        db.dispose()
    code = (
        "import sys\n"
        "from incidentdesk.store.engine import open_database\n"
        "from incidentdesk.store.migrate import ensure_schema, head_revision\n"
        f"db = open_database({url!r})\n"
        "assert ensure_schema(db.engine) == head_revision()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
