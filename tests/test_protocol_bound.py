"""`sugraph serve`'s HTTP protocol (web/protocol.py): httptools' parser, with h11's bound on a request's
head, so a client cannot make the server buffer a head of any size before `middleware.Frame` answers."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from sugraph.web.protocol import BoundedHttpToolsProtocol

from conftest import LiveServer

BOUND = 4096


async def echo_length(scope, receive, send) -> None:
    """200 with the request body's length: what reached the app."""
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        size, more = size + len(message.get("body", b"")), message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(str(size)))]})
    await send({"type": "http.response.body", "body": str(size).encode()})


@pytest.fixture(scope="module")
def bounded() -> Iterator[LiveServer]:
    live = LiveServer(echo_length)
    config = uvicorn.Config(
        echo_length,
        host="127.0.0.1",
        port=live.port,
        log_level="critical",
        http=BoundedHttpToolsProtocol,
        h11_max_incomplete_event_size=BOUND,
    )
    live.server = uvicorn.Server(config)
    live.thread = threading.Thread(target=live.server.run, daemon=True)
    with live:
        yield live


def exchange(port: int, data: bytes) -> bytes:
    """Send `data` in one write, then read until the server closes or 2 s pass."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        with contextlib.suppress(OSError):  # the server closed before reading it all
            s.sendall(data)
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except OSError:
            pass
        return answer


def test_a_head_growing_past_the_bound_is_refused_with_400_and_the_connection_closed(bounded) -> None:
    answer = exchange(bounded.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (BOUND * 2))  # unfinished
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received.")


def test_a_head_too_large_is_not_buffered_whole(bounded) -> None:
    with socket.create_connection(("127.0.0.1", bounded.port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ")
        with pytest.raises(OSError):  # refused and closed long before 64 MB of it was sent
            for _ in range(1024):
                s.sendall(b"p" * 65536)


def test_a_head_within_the_bound_is_served(bounded) -> None:
    answer = exchange(
        bounded.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: " + b"p" * 3000 + b"\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_body_sent_with_its_head_does_not_count(bounded) -> None:
    body = b"b" * (BOUND * 10)
    head = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
    answer = exchange(bounded.port, head + body)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b"\r\n\r\n40960")


def test_each_request_on_a_kept_alive_connection_has_the_whole_bound(bounded) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 3000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", bounded.port), timeout=2) as s:
        for _ in range(5):  # 5 heads of 3 kB: 15 kB in all, each within the 4 kB bound
            s.sendall(request)
            assert s.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
