"""Audit use cases: verify every chain, and write signed checkpoints of their heads.

The checkpoint key is a file the database does not hold (default: audit.key in the config
dir of whoever runs `incidentdesk audit checkpoint`, created 0600 on first use; `[audit]
key_file` or INCIDENTDESK_AUDIT_KEY names another). Checkpoints are appended, one JSON line
each, to a file outside the database (default: audit-checkpoints.jsonl in the data dir; `[audit]
checkpoint_file`), and optionally summarised to syslog. `audit verify` checks the database
against the latest checkpoint of the same database in that file. Whoever can write the key
file can forge checkpoints: keep it where the database's writers cannot reach (another
account, or a machine that collects the checkpoints). See domain/checkpoint.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incidentdesk import config as cfg
from incidentdesk.config import Config
from incidentdesk.domain import checkpoint
from incidentdesk.domain.audit import ChainProblem
from incidentdesk.domain.errors import ValidationError
from incidentdesk.store import audit as store
from incidentdesk.store.engine import Database
from incidentdesk.store.files import check_secret_file

ENV_KEY = "INCIDENTDESK_AUDIT_KEY"


@dataclass(frozen=True)
class AuditFiles:
    key_file: Path
    checkpoint_file: Path
    syslog: bool = False


def files_from_config(config: Config, checkpoint_file: str | Path | None = None) -> AuditFiles:
    section = config.schema.audit
    key = os.environ.get(ENV_KEY) or section.key_file
    file = checkpoint_file or section.checkpoint_file
    return AuditFiles(
        key_file=Path(key).expanduser() if key else cfg.config_dir() / "audit.key",
        checkpoint_file=Path(file).expanduser() if file else cfg.data_dir() / "audit-checkpoints.jsonl",
        syslog=section.syslog,
    )


def read_key(path: Path, *, create: bool = False) -> bytes | None:
    """The signing key; None if there is none (and `create` is false). Refused if others can read it."""
    if not path.exists() and not path.is_symlink():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    if not path.is_file():
        raise ValidationError(f"the audit key {path} is not a file: remove it or name another with [audit] key_file")
    check_secret_file(path, "audit key")
    key = path.read_text(encoding="ascii", errors="replace").strip()
    if len(key) < 32:
        raise ValidationError(f"the audit key {path} is too short (under 32 characters): remove it to make a new one")
    return key.encode("ascii", "replace")


@dataclass
class Verdict:
    """What `audit verify` found, and what it checked against."""

    problems: list[ChainProblem] = field(default_factory=list)
    checkpoint_at: str | None = None  # the checkpoint checked against, if any
    notes: list[str] = field(default_factory=list)  # why no checkpoint was used, etc.


def _latest(files: AuditFiles, database: str) -> tuple[dict | None, str | None]:
    """The latest checkpoint line for `database`, as (entry, None), or (None, why there is none)."""
    try:
        lines = files.checkpoint_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None, f"no checkpoint file at {files.checkpoint_file} yet (incidentdesk audit checkpoint writes one)"
    for number, line in reversed(list(enumerate(lines, start=1))):
        try:
            entry = json.loads(line)
            if entry["body"]["database"] == database:
                return entry, None
        except (ValueError, KeyError, TypeError):
            raise ValidationError(f"{files.checkpoint_file} line {number} is not a checkpoint: the file was "
                                  "edited or damaged; restore it from a copy") from None
    return None, f"no checkpoint of {database} in {files.checkpoint_file} yet (incidentdesk audit checkpoint)"


def verify(db: Database, config: Config, *, checkpoint_file: str | Path | None = None) -> Verdict:
    """Every chain, every row against its chain, and the latest checkpoint if there is one with its key."""
    files = files_from_config(config, checkpoint_file)
    verdict = Verdict()
    body = None
    try:
        entry, why = _latest(files, db.display_name)
    except ValidationError as exc:
        entry, why = None, None
        verdict.problems.append(ChainProblem("checkpoint", None, str(exc), ""))
    if entry is None and why:
        verdict.notes.append(why)
    elif entry is not None:
        key = read_key(files.key_file)
        if key is None:
            verdict.notes.append(f"the checkpoint of {entry['body']['at']} was not checked: no audit key at "
                                 f"{files.key_file} (set [audit] key_file or {ENV_KEY})")
        elif not checkpoint.signature_ok(entry["body"], entry.get("signature", ""), key):
            verdict.problems.append(ChainProblem(
                "checkpoint", None, f"the latest checkpoint in {files.checkpoint_file} does not match its signature "
                "(edited, or signed with another key)", ""))
        else:
            body = entry["body"]
            verdict.checkpoint_at = body["at"]
    verdict.problems.extend(store.verify_audit(db, checkpoint=body))
    return verdict


def write_checkpoint(db: Database, config: Config, *, checkpoint_file: str | Path | None = None,
                     to_syslog: bool | None = None) -> tuple[dict, AuditFiles]:
    """Sign the chain heads and append them to the checkpoint file; refused over a damaged trail."""
    files = files_from_config(config, checkpoint_file)
    key = read_key(files.key_file, create=True)
    found = verify(db, config, checkpoint_file=checkpoint_file)
    if found.problems:
        raise ValidationError(f"audit verify finds {len(found.problems)} problem(s); a checkpoint would sign them "
                              "as good: run `incidentdesk audit verify`, deal with what it reports, then retry")
    heads, trail_head = store.checkpoint_heads(db)
    body = checkpoint.build(database=db.display_name, at=datetime.now(UTC).isoformat(timespec="seconds"),
                            heads=heads, trail_head=trail_head)
    entry = {"body": body, "signature": checkpoint.sign(body, key)}
    files.checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(files.checkpoint_file, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    if files.syslog if to_syslog is None else to_syslog:
        _to_syslog(body, entry["signature"])
    return body, files


def _to_syslog(body: dict, signature: str) -> None:
    """A summary another machine can keep: enough to tell whether a checkpoint file's entry is the one written."""
    import syslog

    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    syslog.openlog("incidentdesk", syslog.LOG_PID, syslog.LOG_AUTH)
    syslog.syslog(syslog.LOG_NOTICE, f"audit checkpoint {body['database']} at {body['at']}: "
                  f"{body['incidents']['count']} incidents up to number {body['incidents']['max_number']}, "
                  f"directory trail {body['trail']['seq']}; body sha256 {digest}; signature {signature}")
    syslog.closelog()
