"""What every request goes through, whatever route answers it, in one ASGI layer: size limits, an
id, the CORS policy, security headers, a last-resort handler that never lets an internal error
reach the client, and an access-log line.

One layer, not one per job: each layer costs every request a coroutine and every message a `send`
wrapper, and six of them were a third of a cached `/sparql` answer's time in the server
(bench/RESULTS.md). It is a plain ASGI middleware, not Starlette's BaseHTTPMiddleware, which
buffers and breaks streamed responses (dumps, large SPARQL results)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from .errors import error_response

log = logging.getLogger(__name__)
access_log = logging.getLogger("sugraph.access")

REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_LOGGED_PATH_LENGTH = 300

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Documents a browser renders and could run script in; everything else is data.
_ACTIVE_TYPES = (b"text/html", b"application/xhtml+xml", b"image/svg+xml")
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))

# Any origin may read any answer (open data, no credentials): Starlette's policy object answers the
# preflights; a simple answer gets its headers here.
CORS = CORSMiddleware(
    None,  # type: ignore[arg-type]  # used for its policy only, never as a layer
    allow_origins=["*"],
    allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
    allow_headers=["*"],
    max_age=86400,
    expose_headers=["ETag", "Link", "Content-Location", "Sugraph-Inferred-Triples"],
)
_CORS_HEADERS = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in CORS.simple_headers.items())
_CORS_NAMES = frozenset(k for k, _ in _CORS_HEADERS)


def install(app: Any, settings: Settings) -> None:
    """Wrap `app` in the one layer every request goes through (add it last: outermost)."""
    app.add_middleware(Frame, settings=settings)


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


class Frame:
    """Each request, in order: refused if oversized (URL → 414, headers → 431, body → 413, from
    Content-Length at once or while a chunked body is read); given an id (the client's
    X-Request-ID if sane, else a new one: in logs, handlers and the response, so a client can quote
    it); a CORS preflight answered. Each response: CORS, nosniff and no-referrer headers, and a
    Content-Security-Policy forbidding inline and foreign script on every document a browser could
    run script in (a route's own CSP is kept). An exception no route handled becomes a 500 naming
    only the request id (the traceback goes to the log). Last, one access-log line: method, path
    (raw, still percent-encoded, cut short, so a hostile URL cannot forge lines), status,
    duration, bytes."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.max_url = settings.max_url_length
        self.max_headers = settings.max_header_bytes
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        incoming = (_header(scope, REQUEST_ID_HEADER) or b"").decode("latin-1")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        origin = _header(scope, b"origin")
        preflight = (
            origin is not None
            and scope["method"] == "OPTIONS"
            and _header(scope, b"access-control-request-method") is not None
        )
        status, sent, started = 0, 0, False

        async def framed_send(message: Message) -> None:
            nonlocal status, sent, started
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                message["headers"] = _response_headers(message.get("headers", []), request_id, origin, preflight)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal:
                answer = error_response(Request(scope), *refusal, page=False)
            elif preflight:
                answer = CORS.preflight_response(request_headers=Headers(scope=scope))
            else:
                return await self.app(scope, self._limited(receive), framed_send)
            await answer(scope, receive, framed_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"][:_LOGGED_PATH_LENGTH])
            if not started:  # else the server closes the connection: the client sees a cut response
                answer = error_response(Request(scope), 500, "internal error", page=False, request_id=request_id)
                await answer(scope, receive, framed_send)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                _log_access(scope, status, sent, start, request_id)
            REQUEST_ID.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:  # the route's exception handling turns it into the 413
                raise HTTPException(413, self._body_message())
            return message

        return limited_receive

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        query = scope.get("query_string", b"")
        url_length = len(scope.get("raw_path") or scope["path"].encode()) + (len(query) + 1 if query else 0)
        if url_length > self.max_url:
            return 414, (
                f"URL of {url_length} bytes is longer than the limit of {self.max_url}; "
                "send a long SPARQL query by POST"
            )
        header_bytes = sum(len(k) + len(v) + 4 for k, v in scope["headers"])  # "name: value\r\n"
        if header_bytes > self.max_headers:
            return 431, f"request headers of {header_bytes} bytes exceed the limit of {self.max_headers}"
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return (413, self._body_message()) if length.isdigit() else (400, "malformed Content-Length")
        return None

    def _body_message(self) -> str:
        return f"request body larger than the limit of {self.max_body} bytes"


def _response_headers(
    headers: list[tuple[bytes, bytes]], request_id: str, origin: bytes | None, preflight: bool
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the frame's: CORS (a preflight's answer has its own), security
    headers a route did not set, and the request id."""
    headers = list(headers)
    if not preflight:  # as Starlette's CORS: its headers replace a route's, Vary joined into one
        vary = [v for k, v in headers if k.lower() == b"vary"]
        headers = [
            (k, v) for k, v in headers if k.lower() != b"vary" and (origin is None or k.lower() not in _CORS_NAMES)
        ]
        headers += [*(_CORS_HEADERS if origin is not None else ()), (b"vary", b", ".join([*vary, b"Origin"]))]
    present = {k.lower() for k, _ in headers}
    headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if content_type.lower().startswith(_ACTIVE_TYPES) and b"content-security-policy" not in present:
        headers.append((b"content-security-policy", CSP.encode()))
    headers.append((REQUEST_ID_HEADER, request_id.encode()))
    return headers


def _log_access(scope: Scope, status: int, sent: int, start: float, request_id: str) -> None:
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")[:_LOGGED_PATH_LENGTH]
    fields = {
        "method": scope["method"],
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - start) * 1000, 1),
        "bytes": sent,
        "request_id": request_id,
    }
    access_log.info("%(method)s %(path)s %(status)d %(duration_ms).1fms %(bytes)dB", fields, extra={"http": fields})


class LogFormatter(logging.Formatter):
    """Log records as text or as one JSON object per line, each with the current request id;
    an access record's fields (method, path, status, …) become JSON keys of their own."""

    TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

    def __init__(self, json_lines: bool = False):
        super().__init__(self.TEXT)
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        # A caller's `extra` may carry the request id; else the current request's, for TEXT's %(request_id)s.
        request_id = getattr(record, "request_id", REQUEST_ID.get())
        record.request_id = request_id
        if not self.json_lines:
            return super().format(record)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id,
            **getattr(record, "http", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def log_config(log_format: str, level: str = "info", *, access: bool = True) -> dict[str, Any]:
    """A logging.config.dictConfig for uvicorn's `log_config`, which every worker process applies:
    all loggers (uvicorn's too) through one formatter; `access` False silences the access log.
    Run uvicorn with `access_log=False`: `AccessLogMiddleware` writes a better one."""
    if log_format not in ("text", "json"):
        raise ValueError(f"unknown log format {log_format!r}; choose text or json")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"sugraph": {"()": f"{__name__}.LogFormatter", "json_lines": log_format == "json"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "sugraph", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            access_log.name: {"level": "INFO" if access else "WARNING"},
        },
    }
