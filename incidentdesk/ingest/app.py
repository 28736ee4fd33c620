"""The receiver: a Starlette app (served by uvicorn) for Alertmanager, Grafana and Events API v2.

Order of checks per request, so that nothing is read or stored for a caller who should not be
heard: credentials (header tokens; a disabled integration gets 403) -> declared size -> content
type -> body (streamed, capped in size and in time) -> JSON -> payload shape -> one transaction.
A 2xx is sent only after that transaction commits. Every refusal is a JSON body naming the problem.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from incidentdesk.domain.alerts import AlertBatch
from incidentdesk.domain.errors import DomainError, StorageUnavailable
from incidentdesk.ingest.common import decode_json
from incidentdesk.ingest.errors import PayloadError
from incidentdesk.ingest.parsers import PARSERS
from incidentdesk.ingest.events_v2 import parse_events_v2
from incidentdesk.ingest.settings import IngestSettings, Integration
from incidentdesk.services.alerts import apply_batch
from incidentdesk.services.context import ServiceContext

log = logging.getLogger("incidentdesk.receiver")


class Rejected(Exception):
    """An answer other than success; `body` names the problem."""

    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        super().__init__(body)
        self.status, self.body, self.headers = status, body, headers or {}


def _problem(status: int, message: str, errors: list[str] | None = None, headers: dict | None = None) -> Rejected:
    body = {"status": "error", "message": message}
    if errors:
        body["errors"] = errors
    return Rejected(status, body, headers)


def _match(token: str | None, candidates: tuple[Integration, ...]) -> Integration | None:
    """Constant-time comparison against every configured token (no early exit that leaks which)."""
    found = None
    if not token:
        return None
    given = token.encode("utf-8", "replace")
    for integration in candidates:
        if hmac.compare_digest(given, integration.token.encode("utf-8")):
            found = integration
    return found


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _check_type(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise _problem(415, f"the body must be sent as application/json, not {media or 'no content type'}")


def _refuse_disabled(integration: Integration) -> None:
    if not integration.enabled:
        raise _problem(403, f"the integration {integration.name!r} is disabled (enabled = false in "
                            f"[ingest.integrations.{integration.name}]); nothing was stored")


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The whole body within `timeout` seconds: a client that trickles it gets 408 and its connection
    is closed, instead of holding a slot of the receiver for as long as it likes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _problem(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise _problem(413, f"the body is {int(declared)} bytes; the limit is {limit} bytes (max_body_bytes)")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _problem(413, f"the body is over the limit of {limit} bytes (max_body_bytes)")
                chunks.append(chunk)
    except TimeoutError:
        raise _problem(408, f"the body did not arrive within {timeout:g} s (body_timeout_seconds); nothing was "
                            "stored: send it again", headers={"Connection": "close"}) from None
    return b"".join(chunks)


def create_app(ctx: ServiceContext, settings: IngestSettings, *, dry_run: bool = False) -> Starlette:
    """`dry_run`: authenticate and parse, but never touch the database (sender tests, benchmarks)."""
    limit, body_timeout = settings.max_body_bytes, settings.body_timeout

    def work(fmt: str, body: bytes, parse: Callable[[bytes, str], AlertBatch]) -> tuple[AlertBatch, dict]:
        digest = hashlib.sha256(fmt.encode() + b"\0" + body).hexdigest()
        batch = parse(body, digest)
        if dry_run:
            return batch, {"incidents": [], "alerts": len(batch.alerts), "dry_run": True}
        return batch, apply_batch(ctx, batch, settings.policy, digest=digest)

    async def grouped(request: Request, fmt: str) -> JSONResponse:
        try:
            integration = _match(_bearer(request), settings.for_format(fmt))
            if integration is None:
                missing = _bearer(request) is None
                raise _problem(401, "missing bearer token" if missing else "wrong bearer token for this endpoint",
                               headers={"WWW-Authenticate": 'Bearer realm="incidentdesk"'})
            _refuse_disabled(integration)
            _check_type(request)
            body = await _read_body(request, limit, body_timeout)
            _, outcome = await run_in_threadpool(work, fmt, body, lambda b, _d: PARSERS[fmt](decode_json(b)))
            return JSONResponse({"status": "success", **outcome}, status_code=200)
        except Rejected as exc:
            return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
        except PayloadError as exc:
            return JSONResponse({"status": "error", "message": "invalid payload", "errors": exc.errors},
                                status_code=400)
        except StorageUnavailable as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=503,
                                headers={"Retry-After": "5"})
        except DomainError as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=400)

    async def alertmanager(request: Request) -> JSONResponse:
        return await grouped(request, "alertmanager")

    async def grafana(request: Request) -> JSONResponse:
        return await grouped(request, "grafana")

    async def enqueue(request: Request) -> JSONResponse:
        """Answers as PagerDuty's Events API v2 does, so its clients work unchanged."""
        def invalid(errors: list[str], message: str = "Event object is invalid", status: int = 400) -> JSONResponse:
            return JSONResponse({"status": "invalid event", "message": message, "errors": errors}, status_code=status)

        try:
            _check_type(request)
            body = await _read_body(request, limit, body_timeout)
            data = decode_json(body)
            key = data.get("routing_key") if isinstance(data, dict) else None
            integration = _match(key if isinstance(key, str) else None, settings.for_format("events-v2"))
            if isinstance(data, dict) and integration is None:
                return JSONResponse({"status": "unauthorized", "message": "Invalid routing key",
                                     "errors": ["'routing_key' is missing" if key is None else
                                                "'routing_key' is not a key of a configured integration"]},
                                    status_code=401)
            if integration is not None:
                _refuse_disabled(integration)
            batch, _ = await run_in_threadpool(work, "events-v2", body,
                                               lambda _b, d: parse_events_v2(data, body_digest=d))
            return JSONResponse({"status": "success", "message": "Event processed", "dedup_key": batch.sender_dedup_key},
                                status_code=202)
        except Rejected as exc:
            return JSONResponse({"status": "forbidden" if exc.status == 403 else "invalid event",
                                 "message": exc.body["message"],
                                 "errors": [exc.body["message"]]}, status_code=exc.status, headers=exc.headers)
        except PayloadError as exc:
            return invalid(exc.errors)
        except StorageUnavailable as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=503,
                                headers={"Retry-After": "5"})
        except DomainError as exc:
            return invalid([str(exc)])

    async def healthz(request: Request) -> JSONResponse:
        """Up and the database reachable. Anyone may ask (load balancers, probes), so only the status is
        said; which database, and why it is unreachable, only to a caller with an enabled integration's token."""
        found = _match(_bearer(request), settings.integrations)
        detailed = found is not None and found.enabled
        if dry_run:
            return JSONResponse({"status": "ok", **({"database": "not used (dry run)"} if detailed else {})})

        def ping() -> None:
            with ctx.db.read() as s:
                s.execute(text("SELECT 1"))

        try:
            await run_in_threadpool(ping)
        except Exception as exc:  # any failure means "not healthy"; say which to those allowed to know
            details = {"database": ctx.db.display_name,
                       "message": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
            return JSONResponse({"status": "unavailable", **(details if detailed else {})}, status_code=503)
        return JSONResponse({"status": "ok", **({"database": ctx.db.display_name} if detailed else {})})

    async def metrics(request: Request) -> Response:
        """Prometheus scrape, behind its own token ([ingest] metrics_token*): integration tokens do not open it."""
        if settings.metrics_token is None:
            return JSONResponse({"status": "error", "message": "/metrics is off: set metrics_token_env or "
                                 "metrics_token_file in [ingest]"}, status_code=403)
        given = _bearer(request)
        if not given or not hmac.compare_digest(given.encode("utf-8", "replace"), settings.metrics_token.encode()):
            return JSONResponse({"status": "error", "message": "missing bearer token" if not given else
                                 "wrong bearer token for /metrics"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="incidentdesk"'})
        if dry_run:
            return JSONResponse({"status": "error", "message": "dry run: no database to read"}, status_code=503)
        from incidentdesk.ingest import metrics_endpoint  # prometheus_client only for a scrape

        try:
            body = await run_in_threadpool(metrics_endpoint.exposition, ctx.db, ctx.now)
        except StorageUnavailable as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=503, headers={"Retry-After": "5"})
        return Response(body, media_type=metrics_endpoint.CONTENT_TYPE)

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"status": "error", "message": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error while receiving an alert")
        return JSONResponse({"status": "error", "message": "internal error; nothing was stored"}, status_code=500)

    return Starlette(
        routes=[
            Route("/api/v1/alertmanager", alertmanager, methods=["POST"]),
            Route("/api/v1/grafana", grafana, methods=["POST"]),
            Route("/v2/enqueue", enqueue, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
