"""The served embedded backend: worker processes over the prebuilt on-disk store, killable at a deadline.

pyoxigraph cannot cancel a running query from Python, and a thread stuck in Rust keeps its core
busy. So each query runs in one of a few worker processes that open the store read-only; when a
query passes its deadline the caller kills that worker (freeing the core at once), answers
QueryTimeout, and a replacement is forked in the background. The pipe carries the query in and the
already-serialized result bytes out, so the per-query overhead is two small pipe messages.
"""

from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .base import CLIENT, SITE, Dataset, Store
from .errors import BackendError, QueryError, QueryTimeout

log = logging.getLogger(__name__)

_OK, _QUERY_ERROR, _BACKEND_ERROR = b"0", b"1", b"2"


def serve(path: str, conn: Connection) -> None:
    """A worker's life: open the store read-only, then answer queries until the pipe closes."""
    from .oxigraph import evaluate

    store = ox.Store.read_only(path)
    try:
        conn.send_bytes(_OK)
        while True:
            sparql, form, media_type, dataset = conn.recv()
            try:
                reply = _OK + evaluate(store, sparql, form, media_type, dataset)
            except QueryError as e:
                reply = _QUERY_ERROR + str(e).encode()
            except BackendError as e:
                reply = _BACKEND_ERROR + str(e).encode()
            conn.send_bytes(reply)
    except (EOFError, OSError):  # the server closed the pipe: its pool is shutting down
        return


class _Worker:
    """A fresh interpreter running `python -m sugraph.store.worker`, talking over a socket pair.
    (multiprocessing's spawn/forkserver would re-import the caller's main module, and fork from a
    threaded server can deadlock, so the worker is an ordinary subprocess.)"""

    def __init__(self, path: Path):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen([sys.executable, "-m", "sugraph.store.worker", str(path),
                                         str(theirs.fileno())], pass_fds=[theirs.fileno()],
                                        stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())

    def ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv_bytes() == _OK
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()


class PooledStore(Store):
    """Worker processes; a request waits (within its deadline) for an idle one.

    `workers` of them run clients' own queries (lane CLIENT: /sparql, the workbench), and `reserved`
    more are kept for the site's queries (named queries, pages, /ready): however many runaway
    queries clients send, they hold at most `workers` processes, so the site keeps its latency. A
    client slot is held until its worker is idle again, or until a killed worker's replacement is."""

    name = "oxigraph"

    def __init__(self, path: Path, *, workers: int = 2, reserved: int = 1, **options):
        super().__init__(**options)
        self.path = path
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._closed = False
        self._workers: set[_Worker] = set()
        self.client_slots = workers
        self._client_slots = threading.BoundedSemaphore(workers)
        for worker in [self._start() for _ in range(workers + reserved)]:
            if not worker.ready(60):
                raise BackendError(f"a query worker could not open the store at {path}")
            self._idle.put(worker)

    def _execute(self, sparql: str, form: str, media_type: str, dataset: Dataset | None,
                 timeout: float, *, lane: str = SITE) -> bytes:
        deadline = time.monotonic() + timeout
        release = self._client_slots.release if lane == CLIENT else None
        if release and not self._client_slots.acquire(timeout=timeout):
            raise QueryTimeout(f"every query worker open to client queries stayed busy for {timeout:g} s; "
                               "try again later")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            if release:
                release()
            raise QueryTimeout(f"no query worker became free within {timeout:g} s; try again later") from None
        try:
            worker.conn.send((sparql, form, media_type, dataset))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker, release)
                raise QueryTimeout(f"the query did not finish within its time limit of {timeout:g} s")
            reply = worker.conn.recv_bytes()
        except (EOFError, OSError):
            log.exception("query worker %s failed", worker.process.pid)
            self._replace(worker, release)
            raise BackendError("the query worker stopped unexpectedly") from None
        self._idle.put(worker)
        if release:
            release()
        status, body = reply[:1], reply[1:]
        if status == _QUERY_ERROR:
            raise QueryError(body.decode())
        if status == _BACKEND_ERROR:
            raise BackendError(body.decode())
        return body

    def graphs(self) -> list[str]:
        return [g.value for g in ox.Store.read_only(str(self.path)).named_graphs()]

    def _start(self) -> _Worker:
        worker = _Worker(self.path)
        self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker, release: Callable[[], None] | None = None) -> None:
        """Kill a worker (freeing its core now) and start its successor off the request path;
        `release` (a client slot) is called once the successor is idle, so that until then client
        queries cannot take the worker kept for the site."""
        worker.process.kill()

        def respawn() -> None:
            try:
                worker.kill()
                self._workers.discard(worker)
                if self._closed:
                    return
                successor = self._start()
                if successor.ready(60):
                    self._idle.put(successor)
                elif not self._closed:
                    log.error("a replacement query worker could not open the store at %s", self.path)
            finally:
                if release:
                    release()
        threading.Thread(target=respawn, name="sugraph-respawn", daemon=True).start()

    def close(self) -> None:
        """Stop every worker, busy or idle."""
        self._closed = True
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
