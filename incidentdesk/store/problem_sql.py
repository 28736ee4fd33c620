"""An incident's links and known errors as plain SQL text, run the same by both detail readers.

store/queries.incident_detail runs these through SQLAlchemy (`text()`, on SQLite and PostgreSQL)
and store/plainsql.read_detail through plain sqlite3 (`show`, the console's first screen): the
same statements with the same named parameters, so the two details cannot drift apart. The known
errors are domain/problems.matches in SQL: linked to the incident, or linked to another incident
on the same CI (an incident with a CI) or the same category (one without).
"""

from __future__ import annotations

KNOWN_ERRORS_SHOWN = 3
CHILDREN_SHOWN = 50

CHILDREN_SQL = f'SELECT "key" FROM incidents WHERE parent_id = :id ORDER BY id LIMIT {CHILDREN_SHOWN}'
PARENT_SQL = 'SELECT "key" FROM incidents WHERE id = :parent'
_KNOWN_ERRORS = (
    "SELECT problems.id, problems.title, problems.workaround, "
    "EXISTS (SELECT 1 FROM problem_incidents AS mine WHERE mine.problem_id = problems.id "
    "AND mine.incident_id = :id) AS linked "
    "FROM problems WHERE problems.status = 'known_error' AND problems.id IN ("
    "SELECT links.problem_id FROM problem_incidents AS links JOIN incidents AS peer ON peer.id = links.incident_id "
    "WHERE {match}) ORDER BY linked DESC, problems.id DESC LIMIT " + str(KNOWN_ERRORS_SHOWN)
)


def known_errors_sql(ci: str | None, category: str | None) -> tuple[str, dict]:
    """The statement and its parameters (besides :id) for an incident with this CI and category."""
    if ci:
        return _KNOWN_ERRORS.format(match="links.incident_id = :id OR peer.ci = :ci"), {"ci": ci}
    if category:
        return _KNOWN_ERRORS.format(match="links.incident_id = :id OR peer.category = :category"), {"category": category}
    return _KNOWN_ERRORS.format(match="links.incident_id = :id"), {}


def links_of(run, incident_id: int, parent_id: int | None, ci: str | None, category: str | None) -> dict:
    """The detail's link fields; `run(sql, params)` returns the rows (each backend's way of running SQL)."""
    sql, params = known_errors_sql(ci, category)
    parent = run(PARENT_SQL, {"parent": parent_id}) if parent_id is not None else []
    known = run(sql, {"id": incident_id, **params})
    if known:  # (imported only then: most incidents have none, and the first screen reads one)
        from incidentdesk.domain.problems import format_problem_key

        known = tuple((format_problem_key(r[0]), r[1], r[2], bool(r[3])) for r in known)
    return {
        "children": tuple(r[0] for r in run(CHILDREN_SQL, {"id": incident_id})),
        "folded_under": parent[0][0] if parent else None,
        "known_errors": tuple(known),
    }
