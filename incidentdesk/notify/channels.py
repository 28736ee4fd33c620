"""Channels: where a configured channel's URL comes from, and sending one message through apprise.

apprise (Slack, Teams, Mattermost, Discord, e-mail over SMTP, JSON webhooks... one URL scheme) is
imported here, when the first message is sent, and only by the delivery worker: the console and
the CLI never load it (tests/notify/test_imports.py holds them to that).

A channel's URL holds secrets (webhook tokens, SMTP passwords), so it is read only here, from an
environment variable (`url_env`) or from a file only its owner may read or write (`url_file`,
checked like a key file), and never shown: errors, `notify list` and the console name the channel
and its scheme (`ops (json)`), and text apprise reports is scrubbed of every part of the URL.

The idempotency key goes where the channel can carry it: JSON webhooks (json://, jsons://) get an
`Idempotency-Key` header and an `idempotency_key` field (apprise's own `+header` / `:field` URL
options, set on the plugin), e-mail a Message-ID derived from it (`<KEY@incidentdesk>`) and an
`X-Idempotency-Key` header. Other services have nowhere to put it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from incidentdesk.domain.notify_rules import Channel


class ChannelError(Exception):
    """A message could not be sent (the text is safe to show and store: no secrets)."""


def resolve_url(channel: Channel) -> str:
    """The channel's URL from its environment variable or private file; ChannelError says what is missing."""
    if channel.url_env:
        url = os.environ.get(channel.url_env, "").strip()
        if not url:
            raise ChannelError(f"channel {channel.name}: the environment variable {channel.url_env} (url_env) is "
                               "not set in the delivery worker's environment")
        return url
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.store.files import check_secret_file

    path = Path(channel.url_file).expanduser()
    try:
        check_secret_file(path, f"URL file of channel {channel.name}")
        url = path.read_text(encoding="utf-8").strip()
    except ValidationError as exc:
        raise ChannelError(str(exc)) from None
    except OSError as exc:
        raise ChannelError(f"channel {channel.name}: cannot read its url_file {path}: "
                           f"{(exc.strerror or str(exc)).lower()}") from None
    if not url:
        raise ChannelError(f"channel {channel.name}: its url_file {path} is empty")
    return url


def scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else "?"


def describe(channel: Channel) -> str:
    """`name (scheme)`, or `name (url not available: why)`: never the URL itself."""
    try:
        return f"{channel.name} ({scheme(resolve_url(channel))})"
    except ChannelError as exc:
        return f"{channel.name} (not usable: {exc})"


def _secrets_of(url: str) -> list[str]:
    """Every piece of `url` that may be secret, longest first (to scrub from reported text)."""
    parts = urlsplit(url)
    pieces = [url, parts.netloc, parts.path, parts.query, parts.password or "", parts.username or "",
              *(value for _, value in parse_qsl(parts.query)), *parts.path.split("/")]
    pieces += [unquote(p) for p in pieces]
    return sorted({p for p in pieces if len(p) >= 4}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for secret in _secrets_of(url):
        text = text.replace(secret, "***")
    return text


def _with_recipient(url: str, recipient: str | None) -> str:
    if not recipient:
        return url
    if scheme(url) not in ("mailto", "mailtos"):
        raise ChannelError("a person's address needs an e-mail channel (mailto:// or mailtos://) as its `via`")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"] + [("to", recipient)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- what apprise reports, per thread (several delivery threads send at once)
class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self.local, "lines", None)
        if lines is not None:
            lines.append(record.getMessage())


_capture: _Capture | None = None
_message_ids = threading.local()
_setup_lock = threading.Lock()


def _apprise():
    """apprise, imported and hooked once: log capture, and e-mail Message-IDs from our key."""
    global _capture
    import apprise

    with _setup_lock:
        if _capture is None:
            from apprise.plugins.email import base as email_base

            original = email_base.make_msgid

            def make_msgid(*args, **kwargs):  # the Message-ID apprise gives an e-mail: ours, in our thread
                wanted = getattr(_message_ids, "value", None)
                return wanted if wanted else original(*args, **kwargs)

            email_base.make_msgid = make_msgid
            _capture = _Capture()
            logging.getLogger("apprise").addHandler(_capture)
    return apprise


def send(url: str, *, title: str, body: str, idempotency_key: str, recipient: str | None = None,
         timeout: float = 10.0, name: str = "channel") -> None:
    """Send one message; returns when the service accepted it, else raises ChannelError (scrubbed)."""
    apprise = _apprise()
    full = _with_recipient(url, recipient)
    try:
        plugin = apprise.Apprise.instantiate(full, suppress_exceptions=True)
    except Exception:  # noqa: BLE001 (apprise's URL parsing; the text could quote the URL)
        plugin = None
    if not plugin:
        raise ChannelError(f"channel {name}: its URL ({scheme(url)}://...) is not one apprise can use; check the "
                           "scheme and its options")
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    kind = scheme(url)
    if kind in ("json", "jsons"):
        plugin.headers["Idempotency-Key"] = idempotency_key
        plugin.payload_extras["idempotency_key"] = idempotency_key
    elif kind in ("mailto", "mailtos"):
        plugin.headers["X-Idempotency-Key"] = idempotency_key
    assert _capture is not None
    _capture.local.lines = []
    _message_ids.value = f"<{idempotency_key}@incidentdesk>" if kind in ("mailto", "mailtos") else None
    try:
        ok = plugin.notify(body=body or title, title=title)
    except Exception as exc:  # noqa: BLE001 (a plugin's bug must park one message, not kill the worker)
        raise ChannelError(scrub(f"channel {name}: {type(exc).__name__}: {exc}", full)) from None
    finally:
        lines, _capture.local.lines = _capture.local.lines, None
        _message_ids.value = None
    if not ok:
        said = "; ".join(dict.fromkeys(line.strip() for line in lines if line.strip())) or "no reason given"
        raise ChannelError(scrub(f"channel {name} ({kind}): not delivered: {said}", full)[:1000])
