"""The pipe between the server and a query worker: length-prefixed messages over their socket pair.

multiprocessing.connection frames messages the same way, but importing it costs a worker 14 ms and
4.5 MB (it pulls in tempfile, random and hashlib), and every server starts several workers and every
timeout respawns one. Requests are pickled (they come from the server, never from a client);
replies are bytes."""

from __future__ import annotations

import pickle
import socket
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a worker never runs an event loop: importing asyncio would slow its start
    import asyncio

_LENGTH = struct.Struct("!Q")
_COPY_BELOW = 1 << 16  # a payload this small is sent with its length in one write


def frames(payload: bytes) -> tuple[bytes, ...]:
    """What to write for one message: one write for a small message (most queries and answers), so
    the reader wakes once, to a whole message, not to its length and then again to its payload; a
    large one is not copied."""
    if len(payload) < _COPY_BELOW:
        return (_LENGTH.pack(len(payload)) + payload,)
    return _LENGTH.pack(len(payload)), payload


def send(sock: socket.socket, payload: bytes) -> None:
    for chunk in frames(payload):
        sock.sendall(chunk)


def receive(sock: socket.socket) -> bytes:
    """One whole message; EOFError when the other end has closed the pipe (socket.timeout, an
    OSError, when the socket's timeout passes first)."""
    first = sock.recv(_COPY_BELOW)
    if 0 < len(first) < _LENGTH.size:
        first += _exactly(sock, _LENGTH.size - len(first))
    missing = _missing(first)
    return first[_LENGTH.size :] + _exactly(sock, missing) if missing else first[_LENGTH.size :]


def _missing(first: bytes) -> int:
    """How many bytes of its message a first read (of up to _COPY_BELOW bytes, its length whole)
    lacks. One read takes a whole small message with its length, so the reader wakes once per
    message; each side sends one message and waits for the other's, so a read never reaches into
    the next."""
    if not first:
        raise EOFError("the other end closed the pipe")
    (length,) = _LENGTH.unpack_from(first)
    missing = _LENGTH.size + length - len(first)
    if missing < 0:
        raise OSError("the other end sent more than one message")
    return missing


def send_request(sock: socket.socket, request: tuple) -> None:
    send(sock, encode_request(request))


def encode_request(request: tuple) -> bytes:
    return pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)


def receive_request(sock: socket.socket) -> tuple:
    return pickle.loads(receive(sock))


async def areceive(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bytes:
    """`receive` on the event loop, for a non-blocking socket: the loop wakes to the reply, no
    thread waits for it."""
    first = await loop.sock_recv(sock, _COPY_BELOW)
    if 0 < len(first) < _LENGTH.size:
        first += await _aexactly(loop, sock, _LENGTH.size - len(first))
    missing = _missing(first)
    return first[_LENGTH.size :] + await _aexactly(loop, sock, missing) if missing else first[_LENGTH.size :]


async def asend(loop: asyncio.AbstractEventLoop, sock: socket.socket, payload: bytes) -> None:
    """`send` on the event loop, for a non-blocking socket."""
    for chunk in frames(payload):
        await loop.sock_sendall(sock, chunk)


async def _aexactly(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = await loop.sock_recv_into(sock, view[got:])
        if n == 0:
            raise EOFError("the other end closed the pipe")
        got += n
    return buffer  # not copied: the caller joins it to the first read


def _exactly(sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the other end closed the pipe")
        got += n
    return buffer  # not copied: the caller joins it to the first read
