"""Importing CIs and changes from CSV or JSON: idempotent by name (CIs) or by key / change-tool ref (changes).

A row is either imported whole or rejected with the reason (its line, its name); the file is one
transaction, so a crash or an unreadable file writes nothing. A file that cannot be read at all
(bad UTF-8, broken CSV quoting, invalid JSON, no `name` column) is refused in one line before
anything is written. `strict`: any rejected row refuses the whole file.

Every row is checked first (domain/cmdb.py), then against the database in bulk (owners are
known people or groups; dependencies name CIs that exist or are imported alongside; a row whose
dependency was rejected is rejected too), then written with bulk statements (one INSERT of the
new rows, one UPDATE by primary key of the changed ones, the dependency edges diffed: the driver's
executemany, store/cmdb_bulk.py) — no ORM object per row. Re-importing the same file changes nothing and reports every row unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, tuple_

from incidentdesk.domain.cmdb import ChangeStatus, Risk, check_ci_row, check_window, choice, format_change_key, \
    name_list, parse_change_key, text_value
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import DomainError, ValidationError
from incidentdesk.domain.moments import parse_moment
from incidentdesk.domain.roles import require
from incidentdesk.services.context import ServiceContext
from incidentdesk.store import cmdb_bulk as bulk
from incidentdesk.store.cmdb_models import CIDependency, Change, ChangeCI, ConfigurationItem
from incidentdesk.store.models import Group, User

_CI_COLUMNS = ("type", "service", "owner", "location", "criticality", "description")
_CHANGE_COLUMNS = ("title", "status", "risk", "implementer", "planned_start", "planned_end", "actual_start",
                   "actual_end", "description")


@dataclass
class Rejected:
    line: int          # the CSV line, or the JSON list's 1-based position
    name: str          # the row's CI name or change key/ref, as given ("" when it had none)
    reason: str


@dataclass
class ImportReport:
    what: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.what}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} rejected")

    def lines(self) -> list[str]:
        return [f"rejected line {r.line}{f' ({r.name})' if r.name else ''}: {r.reason}" for r in self.rejected]

    def to_json(self) -> dict:
        return {"what": self.what, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"line": r.line, "name": r.name, "reason": r.reason} for r in self.rejected]}


def read_rows(path: str, fmt: str | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) pairs from a CSV (header first) or JSON (a list of objects) file; a bad file is one error."""
    file = Path(path)
    fmt = (fmt or ("json" if file.suffix.lower() == ".json" else "csv")).lower()
    try:
        raw = file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file", field="file") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: not UTF-8 text (byte {exc.start}); nothing imported", field="file") from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read it ({exc.strerror}); nothing imported", field="file") from None
    return _json_rows(path, raw) if fmt == "json" else _csv_rows(path, raw)


def _json_rows(path: str, raw: str) -> list[tuple[int, dict]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
                              "nothing imported", field="file") from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"cis": [...]} as `ci export --format json` writes it
    if not isinstance(data, list):
        raise ValidationError(f"{path}: JSON must be a list of objects; nothing imported", field="file")
    return [(n, row if isinstance(row, dict) else {"\0": row}) for n, row in enumerate(data, start=1)]


def _csv_rows(path: str, raw: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(raw, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise ValidationError(f"{path}: empty file (a CSV needs a header line); nothing imported", field="file")
        header = [h.strip().lower() for h in header]
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                rows.append((reader.line_num, {"\0": f"{len(cells)} cells for {len(header)} columns"}))
                continue
            rows.append((reader.line_num, {h: (c if c.strip() else None) for h, c in zip(header, cells) if h}))
    except csv.Error as exc:
        raise ValidationError(f"{path}: not valid CSV (line {reader.line_num}: {exc}); nothing imported",
                              field="file") from None
    return rows


def _row_error(row: dict) -> str | None:
    if "\0" in row:
        value = row["\0"]
        return value if isinstance(value, str) else f"not an object: {json.dumps(value)[:60]}"
    return None


def import_cis(ctx: ServiceContext, file: str, *, format: str | None = None, strict: bool = False) -> ImportReport:
    """Create or update CIs from `file` (by name); returns what was created, updated, unchanged and rejected."""
    require(ctx.actor, Role.ADMIN, "import CIs")
    rows = read_rows(file, format)
    return import_ci_rows(ctx, rows, strict=strict)


def import_ci_rows(ctx: ServiceContext, rows: list[tuple[int, dict]], *, strict: bool = False) -> ImportReport:
    report = ImportReport("CIs")
    good: dict[str, tuple[int, dict]] = {}
    for line, row in rows:
        try:
            if "\0" in row:
                raise ValidationError(_row_error(row))
            checked = check_ci_row(row)
            if checked["name"] in good:
                raise ValidationError(f"the name is on line {good[checked['name']][0]} too")
            good[checked["name"]] = (line, checked)
        except DomainError as exc:
            name = str(row.get("name") or "").strip()[:200] if "\0" not in row else ""
            report.rejected.append(Rejected(line, name, str(exc)))
    with ctx.db.write() as s:
        conn = s.connection()  # Core reads: 100,000 rows without the ORM's per-row work
        existing = {r.name: r for r in conn.execute(select(ConfigurationItem.id, ConfigurationItem.name,
                                                           *(getattr(ConfigurationItem, c) for c in _CI_COLUMNS)))}
        owners = set(conn.execute(select(User.login)).scalars()) | set(conn.execute(select(Group.name)).scalars())
        for name, (line, row) in list(good.items()):
            if row["owner"] is not None and row["owner"] not in owners:
                report.rejected.append(Rejected(line, name, f"owner {row['owner']!r} is neither a known person "
                                                "nor a group"))
                del good[name]
        changed = True
        while changed:  # a row depending on a rejected (and not existing) CI is rejected too
            changed = False
            for name, (line, row) in list(good.items()):
                missing = [d for d in row["depends_on"] if d not in good and d not in existing]
                if missing:
                    report.rejected.append(Rejected(line, name, f"depends on unknown CI {', '.join(missing)}"))
                    del good[name]
                    changed = True
        report.rejected.sort(key=lambda r: r.line)
        if strict and report.rejected:
            first = report.rejected[0]
            raise ValidationError(f"{len(report.rejected)} row(s) rejected (first: line {first.line}: {first.reason}); "
                                  "--strict: nothing imported", field="file")
        _write_cis(ctx, s, good, existing, report)
    return report


def _write_cis(ctx, s, good: dict, existing: dict, report: ImportReport) -> None:
    now, who = ctx.now(), ctx.actor.login
    new_rows, updates = [], []
    for name, (_, row) in good.items():
        old = existing.get(name)
        if old is None:
            new_rows.append(row)
        elif any(getattr(old, c) != row[c] for c in _CI_COLUMNS):
            updates.append({**row, "id": old.id})
    conn = s.connection()
    bulk.insert_cis(conn, new_rows, now, who)
    bulk.update_cis(conn, updates, now, who)
    ids = dict(conn.execute(select(ConfigurationItem.name, ConfigurationItem.id)).all())
    mine = {ids[name] for name in good}
    wanted = {(ids[name], ids[d]) for name, (_, row) in good.items() for d in row["depends_on"]}
    have = {(a, b) for a, b in conn.execute(select(CIDependency.ci_id, CIDependency.depends_on_id)) if a in mine}
    gone, added = have - wanted, wanted - have
    if gone:
        pairs = sorted(gone)
        for i in range(0, len(pairs), 500):
            s.execute(delete(CIDependency).where(tuple_(CIDependency.ci_id, CIDependency.depends_on_id)
                                                 .in_(pairs[i:i + 500])))
    bulk.insert_edges(conn, sorted(added))
    touched = {a for a, _ in gone | added} | {u["id"] for u in updates}
    report.created = len(new_rows)
    report.updated = len(touched & {existing[n].id for n in good if n in existing})
    report.unchanged = len(good) - report.created - report.updated


def _change_row(row: dict, zone) -> dict:
    allowed = {"key", "ref", *_CHANGE_COLUMNS, "cis"}
    unknown = sorted(set(row) - allowed)
    if unknown:
        raise ValidationError(f"unknown column(s) {', '.join(unknown)}: columns are {', '.join(sorted(allowed))}")
    key = text_value(row.get("key"), "key")
    ref = text_value(row.get("ref"), "ref")
    if key is None and ref is None:
        raise ValidationError("a change row needs its key (CHG-...) or its ref (the change tool's id), "
                              "so a re-import updates it instead of adding it again")
    out: dict[str, Any] = {"key": format_change_key(parse_change_key(key)) if key else None, "ref": ref,
                           "title": text_value(row.get("title"), "title", required=True),
                           "status": choice(ChangeStatus, row.get("status"), "status", ChangeStatus.PLANNED),
                           "risk": choice(Risk, row.get("risk"), "risk", Risk.MEDIUM),
                           "implementer": text_value(row.get("implementer"), "implementer"),
                           "description": str(row.get("description") or "").strip(),
                           "cis": name_list(row.get("cis"), "cis")}
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        value = row.get(name)
        out[name] = parse_moment(str(value), zone, field=name, what=f"a time for {name}") if value else None
    check_window(out["planned_start"], out["planned_end"], "planned")
    check_window(out["actual_start"], out["actual_end"], "actual")
    return out


def import_changes(ctx: ServiceContext, file: str, *, format: str | None = None, strict: bool = False) -> ImportReport:
    """Create or update changes from `file` (by key, else by ref); CIs must be known."""
    from zoneinfo import ZoneInfo

    from incidentdesk.services.cmdb import next_change_numbers

    require(ctx.actor, Role.ADMIN, "import changes")
    rows, zone = read_rows(file, format), ZoneInfo(ctx.config.time_zone)
    report, good = ImportReport("changes"), []
    for line, row in rows:
        label = str(row.get("key") or row.get("ref") or "")[:100] if isinstance(row, dict) else ""
        try:
            if (err := _row_error(row)) is not None:
                raise ValidationError(err)
            good.append((line, _change_row(row, zone)))
        except DomainError as exc:
            report.rejected.append(Rejected(line, label, str(exc)))
    with ctx.db.write() as s:
        cis = dict(s.execute(select(ConfigurationItem.name, ConfigurationItem.id)).all())
        by_key = {c.key: c for c in s.scalars(select(Change))}
        by_ref = {c.ref: c for c in by_key.values() if c.ref}
        links = {}
        for a, b in s.execute(select(ChangeCI.change_id, ChangeCI.ci_id)):
            links.setdefault(a, set()).add(b)
        kept, seen = [], {}
        for line, row in good:
            label = row["key"] or row["ref"]
            missing = [n for n in row["cis"] if n not in cis]
            target = by_key.get(row["key"]) if row["key"] else by_ref.get(row["ref"])
            if missing:
                report.rejected.append(Rejected(line, label, f"unknown CI {', '.join(missing)}"))
            elif row["key"] and target is None:
                report.rejected.append(Rejected(line, label, f"no change {row['key']} (give a ref to add one)"))
            elif label in seen:
                report.rejected.append(Rejected(line, label, f"the change is on line {seen[label]} too"))
            else:
                seen[label] = line
                kept.append((row, target))
        report.rejected.sort(key=lambda r: r.line)
        if strict and report.rejected:
            first = report.rejected[0]
            raise ValidationError(f"{len(report.rejected)} row(s) rejected (first: line {first.line}: {first.reason}); "
                                  "--strict: nothing imported", field="file")
        now, who = ctx.now(), ctx.actor.login
        fresh = [r for r, t in kept if t is None]
        number = next_change_numbers(s, len(fresh)) if fresh else 0
        for row, target in kept:
            ci_set = {cis[n] for n in row["cis"]}
            values = {c: row[c] for c in _CHANGE_COLUMNS}
            if target is None:
                s.add(Change(id=number, key=format_change_key(number), ref=row["ref"], **values, created_at=now,
                             updated_at=now, updated_by=who))
                s.flush()
                s.add_all(ChangeCI(change_id=number, ci_id=i) for i in sorted(ci_set))
                number += 1
                report.created += 1
                continue
            differs = any(getattr(target, c) != values[c] for c in _CHANGE_COLUMNS) or (
                row["cis"] and links.get(target.id, set()) != ci_set)
            if not differs:
                report.unchanged += 1
                continue
            for c in _CHANGE_COLUMNS:
                setattr(target, c, values[c])
            if row["cis"]:
                s.execute(delete(ChangeCI).where(ChangeCI.change_id == target.id))
                s.add_all(ChangeCI(change_id=target.id, ci_id=i) for i in sorted(ci_set))
            target.updated_at, target.updated_by = now, who
            report.updated += 1
    return report
