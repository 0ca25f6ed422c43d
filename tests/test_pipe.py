"""The pipe between the server and a query worker (store/pipe.py): whole messages, or a clear end."""

from __future__ import annotations

import socket
import threading

import pytest

from sugraph.store.engine import Dataset
from sugraph.store.pipe import receive, receive_request, send, send_request


def test_messages_arrive_whole() -> None:
    ours, theirs = socket.socketpair()
    big = bytes(range(256)) * 8192  # 2 MB: more than the socket buffers, so sent and read in parts
    for payload in (b"", b"0yes", big):  # one at a time: each side waits for the other's answer
        sender = threading.Thread(target=send, args=(ours, payload))
        sender.start()
        assert receive(theirs) == payload
        sender.join()


def test_a_length_read_in_parts_is_joined() -> None:
    ours, theirs = socket.socketpair()
    ours.sendall(b"\0\0\0")
    threading.Timer(0.05, ours.sendall, args=(b"\0\0\0\0\x03yes",)).start()
    assert receive(theirs) == b"yes"


def test_a_second_message_sent_before_the_answer_is_refused() -> None:
    ours, theirs = socket.socketpair()
    ours.sendall(b"\0\0\0\0\0\0\0\x02ok\0\0\0\0\0\0\0\x02ok")
    with pytest.raises(OSError, match="more than one message"):
        receive(theirs)


def test_a_request_keeps_its_dataset() -> None:
    ours, theirs = socket.socketpair()
    request = ("ASK {}", "ASK", "application/sparql-results+json", Dataset(("urn:g",), None), 1 << 20)
    send_request(ours, request)
    assert receive_request(theirs) == request


def test_a_message_cut_off_is_an_end_of_file() -> None:
    ours, theirs = socket.socketpair()
    ours.sendall(b"\0\0\0\0\0\0\0\x10only six")
    ours.close()
    with pytest.raises(EOFError):
        receive(theirs)


def test_a_reply_that_does_not_come_in_time_is_a_timeout() -> None:
    ours, theirs = socket.socketpair()
    theirs.settimeout(0.05)
    with pytest.raises(TimeoutError):
        receive(theirs)
    ours.close()
