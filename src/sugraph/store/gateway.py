"""The one door from an isolated query worker to the network: SERVICE to an allowed endpoint.

An isolated worker has no route anywhere (isolation.py). It listens on port GATEWAY_PORT of its
own loopback and hands that listening socket to the server, which serves it here: `Store.run`
rewrites each allowed `SERVICE <endpoint>` to `http://127.0.0.1:GATEWAY_PORT/{n}`, n being the
endpoint's place in the allow-list, and this gateway forwards a request for /n to that endpoint
and nothing else. Whatever a query manages to say, the only hosts a worker can reach are the
allowed endpoints, through this module.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import httpx

from .isolation import GATEWAY_PORT

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1 << 20
_FORWARDED_HEADERS = ("Content-Type", "Accept")


def route(index: int) -> str:
    """The IRI a worker's engine calls for allowed endpoint number `index`."""
    return f"http://127.0.0.1:{GATEWAY_PORT}/{index}"


class Gateway:
    """Forwards the workers' SERVICE requests to the allowed endpoints, each answer bounded in
    time (`timeout`) and size (`max_bytes`)."""

    def __init__(self, allowed: tuple[str, ...], *, timeout: float, max_bytes: int):
        self.allowed = allowed
        self.max_bytes = max_bytes
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def attach(self, listener: socket.socket) -> _Door:
        """Serve a worker's listening socket until the returned door is closed."""
        door = _Door(self, listener)
        threading.Thread(target=door.serve_forever, name="sugraph-gateway", daemon=True).start()
        return door

    def close(self) -> None:
        self.http.close()


class _Door(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True

    def __init__(self, gateway: Gateway, listener: socket.socket):
        super().__init__(("127.0.0.1", GATEWAY_PORT), _Forward, bind_and_activate=False)
        self.socket.close()
        self.socket = listener
        self.gateway = gateway

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Forward(BaseHTTPRequestHandler):
    server: _Door

    def do_GET(self) -> None:  # http.server's naming
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _forward(self) -> None:
        gateway = self.server.gateway
        path, _, query = self.path.partition("?")
        try:
            endpoint = gateway.allowed[int(path.strip("/"))]
        except (ValueError, IndexError):
            self.send_error(403, "not an allowed SERVICE endpoint")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.send_error(413, "SERVICE request too large")
            return
        body = self.rfile.read(length) if length else None
        headers = {name: value for name in _FORWARDED_HEADERS if (value := self.headers.get(name))}
        url = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}" if query else endpoint
        try:
            with gateway.http.stream(self.command, url, content=body, headers=headers) as response:
                answer = bytearray()
                for chunk in response.iter_bytes():
                    answer += chunk
                    if len(answer) > gateway.max_bytes:
                        self.send_error(502, "the SERVICE endpoint's answer is too large")
                        return
        except httpx.HTTPError as e:
            log.warning("SERVICE endpoint %s failed: %s", endpoint, e)
            self.send_error(502, "the SERVICE endpoint could not be reached")
            return
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("content-type", "application/octet-stream"))
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- http.server's signature
        log.debug("gateway: " + format, *args)
