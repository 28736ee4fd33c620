"""Signed checkpoints of the audit chains, kept outside the database.

A hash chain shows an edit, insertion or deletion inside it, but someone who can write the
database can also rewrite a whole timeline and recompute every hash, or delete the newest
incident with its events. A checkpoint records, at one moment, every chain's head — for each
incident number the sequence number of its newest event, and digests of those events' hashes
— plus the directory trail's head, and is signed (HMAC-SHA256) with a key the database does not
hold. `audit verify` checks the database against the latest checkpoint: any incident that
existed then must still exist with at least that many events, its event at that position must
still have the hash that was signed (so every event before it is unchanged: each hash seals
its predecessor), and so must the directory trail. What happened after the checkpoint is
covered by the chains' own checks until the next checkpoint.

Pure: building, signing and comparing; reading the database and the files is the caller's.
Sizes: a sequence number per incident (varint, compressed) and at most MAX_DIGESTS digests, so
a checkpoint of a million incidents is a few megabytes; up to MAX_DIGESTS incidents each has
its own digest (a finding names the incident), beyond that a digest covers a run of numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import zlib
from collections.abc import Callable, Iterable

from incidentdesk.domain.audit import ChainProblem

FORMAT = 1
MAX_DIGESTS = 4096
TRAIL = "directory trail"


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(body: dict, key: bytes) -> str:
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def signature_ok(body: dict, signature: str, key: bytes) -> bool:
    return hmac.compare_digest(sign(body, key), str(signature))


def _encode_seqs(seqs: list[int]) -> str:
    out = bytearray()
    for value in seqs:
        while True:
            byte = value & 0x7F
            value >>= 7
            out.append(byte | 0x80 if value else byte)
            if not value:
                break
    return base64.b64encode(zlib.compress(bytes(out), 9)).decode("ascii")


def _decode_seqs(text: str, count: int) -> list[int]:
    raw = zlib.decompress(base64.b64decode(text))
    seqs, value, shift = [], 0, 0
    for byte in raw:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        seqs.append(value)
        value, shift = 0, 0
    if len(seqs) != count:
        raise ValueError("checkpoint sequence list has the wrong length")
    return seqs


def _bucket_size(max_number: int) -> int:
    return max(1, math.ceil(max_number / MAX_DIGESTS))


class _Digests:
    """Digests of (number, seq, hash) over runs of `size` incident numbers, in number order."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.digests: dict[int, str] = {}
        self._bucket: int | None = None
        self._h = hashlib.sha256()

    def add(self, number: int, seq: int, digest: str | None) -> None:
        bucket = (number - 1) // self.size
        if bucket != self._bucket:
            self._close()
            self._bucket, self._h = bucket, hashlib.sha256()
        self._h.update(f"{number}:{seq}:{digest}\n".encode("ascii", "replace"))

    def _close(self) -> None:
        if self._bucket is not None:
            self.digests[self._bucket] = self._h.hexdigest()[:32]

    def finish(self) -> dict[int, str]:
        self._close()
        self._bucket = None
        return self.digests


def build(*, database: str, at: str, heads: Iterable[tuple[int, int, str | None]],
          trail_head: tuple[int, str] | None) -> dict:
    """The checkpoint body: `heads` is (incident number, event count, last event hash) in number order."""
    heads = list(heads)
    max_number = heads[-1][0] if heads else 0
    seqs = [0] * max_number
    digests = _Digests(_bucket_size(max_number))
    for number, seq, last_hash in heads:
        seqs[number - 1] = seq
        if seq:
            digests.add(number, seq, last_hash)
    return {
        "format": FORMAT, "database": database, "at": at,
        "incidents": {"count": len(heads), "max_number": max_number, "bucket": digests.size,
                      "seqs": _encode_seqs(seqs), "digests": {str(k): v for k, v in digests.finish().items()}},
        "trail": {"seq": trail_head[0], "hash": trail_head[1]} if trail_head else {"seq": 0, "hash": None},
    }


def _label(number: int) -> str:
    return f"INC/REQ-{number:06d}"


class Matcher:
    """Compares the database, walked in incident-number order, with one checkpoint body.

    Call `observe` for every incident present (in number order, with its key, its event count
    and a way to read the hash of its event at a given position), then `finish` with the
    directory trail's hash at the checkpoint's position.
    """

    def __init__(self, body: dict) -> None:
        inc = body["incidents"]
        self.at = body["at"]
        self.max_number = int(inc["max_number"])
        self.seqs = _decode_seqs(inc["seqs"], self.max_number)
        self.size = int(inc["bucket"])
        self.signed = {int(k): v for k, v in inc["digests"].items()}
        self.trail = body["trail"]
        self.digests = _Digests(self.size)
        self.problems: list[ChainProblem] = []
        self._seen: set[int] = set()
        self._faulty_buckets: set[int] = set()
        self._keys: dict[int, str] = {}

    def observe(self, number: int, key: str, event_count: int, hash_at: Callable[[int], str | None]) -> None:
        if number > self.max_number:
            return
        expected = self.seqs[number - 1]
        if not expected:
            return
        self._seen.add(number)
        self._keys[number] = key
        if event_count < expected:
            self.problems.append(ChainProblem(
                key, None, f"has {event_count} events but the checkpoint of {self.at} signed {expected} "
                "(events deleted)", "timeline"))
            self._faulty_buckets.add((number - 1) // self.size)
            return
        self.digests.add(number, expected, hash_at(expected))

    def finish(self, trail_count: int, trail_hash_at: Callable[[int], str | None]) -> list[ChainProblem]:
        for number, expected in enumerate(self.seqs, start=1):
            if expected and number not in self._seen:
                self.problems.append(ChainProblem(
                    _label(number), None, f"existed at the checkpoint of {self.at} and is gone (incident deleted)", ""))
                self._faulty_buckets.add((number - 1) // self.size)
        now = self.digests.finish()
        for bucket, signed in sorted(self.signed.items()):
            if bucket in self._faulty_buckets or now.get(bucket) == signed:
                continue
            first, last = bucket * self.size + 1, min((bucket + 1) * self.size, self.max_number)
            where = self._keys.get(first, _label(first)) if first == last else f"{_label(first)}..{_label(last)}"
            self.problems.append(ChainProblem(
                where, None, f"history differs from the checkpoint of {self.at} (events rewritten, "
                "hashes recomputed)", "timeline" if first == last else ""))
        seq, signed_hash = int(self.trail.get("seq") or 0), self.trail.get("hash")
        if seq:
            if trail_count < seq:
                self.problems.append(ChainProblem(
                    TRAIL, None, f"has {trail_count} records but the checkpoint of {self.at} signed {seq} "
                    "(records deleted)", ""))
            elif trail_hash_at(seq) != signed_hash:
                self.problems.append(ChainProblem(
                    TRAIL, None, f"differs from the checkpoint of {self.at} (records rewritten, hashes recomputed)", ""))
        return self.problems
