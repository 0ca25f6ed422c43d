"""What every request goes through, whatever route answers it: an id, an access-log line, security
headers, size limits, and a last-resort handler that never lets an internal error reach the client.

All are plain ASGI middlewares, not Starlette's BaseHTTPMiddleware, which buffers and breaks
streamed responses (dumps, large SPARQL results). `install` adds them in the one correct order.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from .errors import error_response

log = logging.getLogger(__name__)
access_log = logging.getLogger("sugraph.access")

REQUEST_ID_HEADER = "x-request-id"
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


def install(app: Any, settings: Settings) -> None:
    """Wrap `app` (outermost first): request id → access log → security headers → errors → limits."""
    app.add_middleware(LimitsMiddleware, settings=settings)
    app.add_middleware(ErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


class RequestIdMiddleware:
    """Give each request an id (the client's X-Request-ID if sane, else a new one), expose it to
    logs and handlers, and echo it in the response so a client can quote it in a bug report."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = (_header(scope, REQUEST_ID_HEADER.encode()) or b"").decode("latin-1")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


class AccessLogMiddleware:
    """One log line per request, once its response is complete: method, path, status, duration, bytes.
    The path is logged raw (still percent-encoded) and cut short, so a hostile URL cannot forge lines."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status, sent = 0, 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")[:_LOGGED_PATH_LENGTH]
            fields = {
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "bytes": sent,
                "request_id": REQUEST_ID.get(),
            }
            access_log.info(
                "%(method)s %(path)s %(status)d %(duration_ms).1fms %(bytes)dB", fields, extra={"http": fields}
            )


class SecurityHeadersMiddleware:
    """nosniff and no-referrer on every response; a Content-Security-Policy that forbids inline and
    foreign script on every document a browser could run script in. A route's own CSP is kept."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.lower().startswith(_ACTIVE_TYPES) and b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ErrorMiddleware:
    """The last resort: an exception no route handled becomes a 500 whose body names only the
    request id; the traceback goes to the server log, never to the client."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"][:_LOGGED_PATH_LENGTH])
            if not started:  # else the server closes the connection: the client sees a cut response
                answer = error_response(Request(scope), 500, "internal error", page=False, request_id=REQUEST_ID.get())
                await answer(scope, receive, send)


class LimitsMiddleware:
    """Refuse oversized requests before any route works on them: URL → 414, headers → 431,
    body → 413 (from Content-Length at once, or while a chunked body is read)."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.max_url = settings.max_url_length
        self.max_headers = settings.max_header_bytes
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal = self._refusal(scope)
        if refusal:
            status, message = refusal
            return await error_response(Request(scope), status, message, page=False)(scope, receive, send)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:  # the route's exception handling turns it into the 413
                raise HTTPException(413, self._body_message())
            return message

        await self.app(scope, limited_receive, send)

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
