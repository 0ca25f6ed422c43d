"""HTTP/1.1 requests written byte for byte, for hostile-input tests.

httpx and urllib normalise what they send (dot segments, percent-encoding, header validation), so a
test could never send `/id/../../etc/passwd` or a control character through them. Here the request
line, headers and body go out exactly as given, and `http.client` parses the answer.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass

TIMEOUT = 20.0  # seconds: longer than any server-side limit, so a hang fails the test instead of blocking it


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    port: int,
    method: str,
    target: bytes | str,
    headers: list[tuple[bytes | str, bytes | str]] = (),
    body: bytes = b"",
    timeout: float = TIMEOUT,
) -> Answer:
    """Send one request to 127.0.0.1:`port` on a fresh connection and read the whole answer."""
    lines = [f"{method} ".encode() + _bytes(target) + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [_bytes(k) + b": " + _bytes(v) for k, v in headers]
    if body and not any(_bytes(k).lower() in (b"content-length", b"transfer-encoding") for k, _ in headers):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return Answer(response.status, response.headers, response.read())


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")
