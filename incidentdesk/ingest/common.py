"""Strict, exception-safe readers for untrusted JSON: every failure becomes a PayloadError entry."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime

from incidentdesk.ingest.errors import MAX_LISTED_ERRORS, PayloadError

ZERO_TIME_YEAR = 1  # Go's zero time (0001-01-01T00:00:00Z) means "not set" in Alertmanager payloads


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")


def decode_json(body: bytes):
    """Parse a request body. NaN/Infinity and absurd nesting are refused, not stored."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(["the body is not UTF-8 text"]) from None
    try:
        return json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise PayloadError(["the JSON is nested too deeply"]) from None
    except ValueError as exc:  # JSONDecodeError is a ValueError; so is a too-long integer
        raise PayloadError([f"malformed JSON: {exc}"]) from None


def clean(text: str) -> str:
    """Untrusted text is stored as sent, except what no database can hold: NUL and lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean_json(value, depth: int = 0):
    """A JSON value with every string cleaned (keys too); floats must be finite."""
    if depth > 64:
        raise PayloadError(["a value is nested too deeply"])
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise PayloadError(["numbers must be finite"])
    return value


def bounded(text: str, limit: int) -> str:
    """Keep keys within their column: a long key keeps a readable prefix and a hash of the whole."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return text[: limit - len(digest) - 1] + "#" + digest


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Reader:
    """Collects the problems of one payload, so the 400 names them at once: the first
    MAX_LISTED_ERRORS by text, the rest only counted (`errors` is non-empty once any failed)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.unlisted = 0

    def fail(self, message: str) -> None:
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(message)
        else:
            self.unlisted += 1

    def check(self) -> None:
        if self.errors:
            raise PayloadError(self.errors, unlisted=self.unlisted)

    def obj(self, value, where: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.fail(f"{where} must be a JSON object" if value is not None else f"{where} is missing")
        return None

    def objects(self, data: dict, key: str, *, required: bool = False) -> list[tuple[str, dict]]:
        """The objects of the array `data[key]` with where each sits (`key[i]`); each wrong one is reported."""
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is missing")
            return []
        if not isinstance(value, list):
            self.fail(f"'{key}' must be an array, not {type_name(value)}")
            return []
        found = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if isinstance(item, dict):
                found.append((where, item))
            else:
                self.fail(f"'{where}' must be an object, not {type_name(item)}")
        return found

    def string(self, data: dict, key: str, where: str, *, required: bool = False, nonempty: bool = False,
               max_len: int | None = None) -> str | None:
        value = data.get(key)
        path = f"{where}{key}" if where.endswith(".") or not where else f"{where}.{key}"
        if value is None:
            if required:
                self.fail(f"'{path}' is missing")
            return None
        if not isinstance(value, str):
            self.fail(f"'{path}' must be a string, not {type_name(value)}")
            return None
        value = clean(value)
        if (required or nonempty) and not value.strip():
            self.fail(f"'{path}' is blank")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(f"'{path}' is {len(value)} characters long; the limit is {max_len}")
            return None
        return value

    def str_map(self, data: dict, key: str, where: str, *, required: bool = False) -> dict[str, str]:
        value = data.get(key)
        path = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.fail(f"'{path}' is missing")
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(f"'{path}' must be an object of string values")
            return {}
        return {clean(k): clean(v) for k, v in value.items()}

    def time(self, data: dict, key: str, where: str, *, required: bool = False) -> datetime | None:
        text = self.string(data, key, where, required=required)
        if text is None:
            return None
        path = f"{where}.{key}" if where else key
        return parse_time(text, path, self)

    def integer(self, data: dict, key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"'{where}.{key}' must be an integer" if where else f"'{key}' must be an integer")
            return None
        return value


def parse_time(text: str, path: str, reader: Reader) -> datetime | None:
    """RFC 3339 as Go and JavaScript write it (nanoseconds, Z). Go's zero time means unset."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Go writes up to nine fractional digits; Python reads six.
    if "." in value:
        head, _, rest = value.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = head + "." + rest[:min(digits, 6)] + rest[digits:] if digits else head + rest
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        reader.fail(f"'{path}' is not an RFC 3339 time: {shorten(text, 60)!r}")
        return None
    if parsed.year == ZERO_TIME_YEAR and parsed.month == 1 and parsed.day == 1:
        return None
    if parsed.tzinfo is None:
        reader.fail(f"'{path}' has no time zone: {shorten(text, 60)!r}")
        return None
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        reader.fail(f"'{path}' is out of range: {shorten(text, 60)!r}")
        return None


def type_name(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)
