"""A query worker process: `python -m sugraph.store.worker STORE SOCKET_FD ISOLATION DOOR` (see pool.py).

It imports only what checking and evaluation need (pyoxigraph, `prepare` and the lexer, `engine`,
`isolation`): no rdflib, web framework or validator, since every server starts several workers and
every timeout respawns one."""

from __future__ import annotations

import os
import socket
import sys

import pyoxigraph as ox

from .engine import Dataset, evaluate
from .errors import BackendError, QueryError, QueryTooLarge
from .isolation import GATEWAY_PORT, isolate
from .pipe import receive_request, send
from .prepare import Preparation

OK, QUERY_ERROR, BACKEND_ERROR, TOO_LARGE = b"0", b"1", b"2", b"3"
NICENESS = 10  # below the server process, so long queries cannot starve /health and the pages


def serve(path: str, sock: socket.socket, isolation: str, door: bool) -> None:
    """A worker's life: leave the network, open the store read-only, say so (handing over the
    gateway's listening socket), then answer queries until the pipe closes. Every failure of a
    query is answered; only the end of the pipe ends the worker."""
    os.nice(NICENESS)  # a busy core goes to the server's event loop first, then to queries
    reason = isolate() if isolation != "off" else "isolation is off (SUGRAPH_ISOLATION=off)"
    if reason and isolation == "required":
        socket.send_fds(sock, [b"failed " + reason.encode()], [])
        return
    listeners = []
    if reason is None and door:
        listener = socket.socket()
        listener.bind(("127.0.0.1", GATEWAY_PORT))
        listener.listen(16)
        listeners.append(listener.fileno())
    store = ox.Store.read_only(path)
    socket.send_fds(sock, [b"ready" if reason is None else b"open " + reason.encode()], listeners)
    while True:
        try:
            sparql, form, media_type, dataset, max_bytes, preparation = receive_request(sock)
        except (EOFError, OSError):  # the server closed the pipe: its pool is shutting down
            return
        try:
            reply = OK + answer(store, sparql, form, media_type, dataset, max_bytes, preparation)
        except QueryTooLarge as e:
            reply = TOO_LARGE + str(e).encode()
        except QueryError as e:
            reply = QUERY_ERROR + str(e).encode()
        except Exception as e:  # noqa: BLE001 -- a worker answers every query, whatever went wrong
            reply = BACKEND_ERROR + (str(e) if isinstance(e, BackendError) else "the query engine failed").encode()
        try:
            send(sock, reply)
        except OSError:
            return


def answer(
    store: ox.Store,
    sparql: str,
    form: str,
    media_type: str,
    dataset: Dataset | None,
    max_bytes: int | None,
    preparation: Preparation | None,
) -> bytes:
    """The serialized answer; with a preparation, the client's text is checked here first
    (prepare.py): as written when `verbatim` can vouch for it, else by `checked`."""
    if preparation is None:
        return evaluate(store, sparql, form, media_type, dataset, max_bytes)
    verbatim = preparation.verbatim(sparql)
    if verbatim is not None:
        try:
            return evaluate(store, verbatim.query.text, verbatim.form, verbatim.media_type, verbatim.dataset, max_bytes)
        except QueryTooLarge:
            raise  # the whole answer was read: the checked text would only read it again
        except QueryError:
            pass  # an update, a LIMIT of its own, an undeclared prefix…: the checked text tells
    return checked(store, sparql, max_bytes, preparation)


def checked(store: ox.Store, sparql: str, max_bytes: int | None, preparation: Preparation) -> bytes:
    """The answer to the canonical text the checks passed, its syntax errors placed back in the
    client's text."""
    prepared = preparation.apply(sparql)
    try:
        return evaluate(store, prepared.query.text, prepared.form, prepared.media_type, prepared.dataset, max_bytes)
    except QueryError as error:  # a syntax error is placed; any other (QueryTooLarge too) stays as it was
        raise prepared.query.place(error) from None


if __name__ == "__main__":
    path, fd, isolation, door = sys.argv[1:5]
    serve(path, socket.socket(fileno=int(fd)), isolation, door == "door")
