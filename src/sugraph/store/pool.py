"""The served embedded backend: worker processes over the prebuilt on-disk store, killable at a deadline.

pyoxigraph cannot cancel a running query from Python, and a thread stuck in Rust keeps its core
busy. So each query runs in one of a few worker processes that open the store read-only; when a
query passes its deadline the caller kills that worker (freeing the core at once), answers
QueryTimeout, and a replacement is started in the background. The pipe carries the query in and the
already-serialized result bytes out, so the per-query overhead is two small pipe messages.

Each worker first leaves the network (isolation.py): its engine can reach no host, and SERVICE to an
allowed endpoint goes through the server's gateway (gateway.py). Where the kernel cannot isolate
workers, the pool says so (`isolation`) and `Store.run` refuses every SERVICE clause.
"""

from __future__ import annotations

import _thread
import asyncio
import collections
import logging
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from .answers import AnswerFile, answering_code
from .base import CLIENT, SITE, Dataset, Store
from .errors import BackendError, QueryError, QueryTimeout, QueryTooLarge
from .gateway import Gateway, route
from .isolation import ISOLATED
from .pipe import areceive, asend, encode_request, receive, send_request
from .prebuilt import hold
from .prepare import Preparation
from .worker import BACKEND_ERROR, QUERY_ERROR, TOO_LARGE

log = logging.getLogger(__name__)

_ERRORS = {QUERY_ERROR: QueryError, BACKEND_ERROR: BackendError, TOO_LARGE: QueryTooLarge}
ISOLATION_MODES = ("auto", "required", "off")
RESPAWN_RETRY = 5.0  # seconds between attempts to start a worker that failed to start


def _busy(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"every query worker open to client queries stayed busy for {timeout:g} s; try again later")


class _Worker:
    """A fresh interpreter running `python -m sugraph.store.worker`, talking over a socket pair.
    (multiprocessing's spawn/forkserver would re-import the caller's main module, and fork from a
    threaded server can deadlock, so the worker is an ordinary subprocess.)"""

    def __init__(self, path: Path, isolation: str, gateway: Gateway | None):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sugraph.store.worker",
                str(path),
                str(theirs.fileno()),
                isolation,
                "door" if gateway else "-",
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._sock: socket.socket | None = ours
        self._gateway = gateway
        self._door: object | None = None
        self.conn: socket.socket | None = None  # once the worker serves
        self.isolation = "unknown"

    def ready(self, timeout: float) -> bool:
        """Wait for the worker's word: True once it serves (self.isolation says how isolated)."""
        sock, self._sock = self._sock, None
        if sock is None:
            return self.conn is not None
        try:
            sock.settimeout(timeout)
            message, fds, _, _ = socket.recv_fds(sock, 4096, 1)
        except OSError:
            sock.close()
            return False
        word, _, reason = message.decode(errors="replace").partition(" ")
        if word not in ("ready", "open"):
            log.error("a query worker could not start: %s", reason or "it stopped")
            sock.close()
            return False
        self.isolation = ISOLATED if word == "ready" else f"none: {reason}"
        if fds and self._gateway:
            self._door = self._gateway.attach(socket.socket(fileno=fds[0]))
        self.conn = sock
        return True

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for closable in (self.conn, self._sock, self._door):
            if closable is not None:
                closable.close()  # type: ignore[attr-defined]


class Slots:
    """A count of client slots shared by the threads' queries (`run`) and the event loop's
    (`arun`), granted first come, first served: a thread waits on a lock of its own, a task on a
    future, so a task waits without holding a thread."""

    def __init__(self, count: int):
        self._free = count
        self._lock = threading.Lock()
        self._waiters: collections.deque[_thread.LockType | asyncio.Future[None]] = collections.deque()

    def acquire(self, timeout: float) -> bool:
        """Take a slot within `timeout` seconds (False if none was freed)."""
        with self._lock:
            if self._free:
                self._free -= 1
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=max(0.0, timeout)):
            return True
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # granted as the wait ended

    async def aacquire(self, timeout: float) -> bool:
        """Take a slot within `timeout` seconds without a thread; a cancelled wait takes none."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free:
                self._free -= 1
                return True
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append(future)
        try:
            async with asyncio.timeout(timeout):
                await future
            return True
        except BaseException as error:
            with self._lock:
                if future in self._waiters:
                    self._waiters.remove(future)
                    if isinstance(error, TimeoutError):
                        return False
                    raise
            # Granted meanwhile: give it back now if it was handed over, or else when the handover runs.
            if not future.cancel() and not future.cancelled():
                self.release()
            if isinstance(error, TimeoutError):
                return False
            raise

    def release(self) -> None:
        """Free a slot: to the first waiter, if any."""
        with self._lock:
            if not self._waiters:
                self._free += 1
                return
            waiter = self._waiters.popleft()
            if not isinstance(waiter, asyncio.Future):
                waiter.release()
                return
        loop = waiter.get_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._hand(waiter)
        else:
            loop.call_soon_threadsafe(self._hand, waiter)

    def _hand(self, future: asyncio.Future[None]) -> None:
        if future.done():  # its wait was cancelled after the slot was its: pass the slot on
            self.release()
        else:
            future.set_result(None)


class PooledStore(Store):
    """Worker processes; a request waits (within its deadline) for an idle one.

    `workers` of them run clients' own queries (lane CLIENT: /sparql, the workbench), and `reserved`
    more are kept for the site's queries (named queries, pages, /ready): however many runaway
    queries clients send, they hold at most `workers` processes, so the site keeps its latency. A
    client slot is held until its worker is idle again, or until a killed worker's replacement is."""

    name = "oxigraph"
    checks_beside_engine = True  # each worker checks the client's text beside its engine (prepare.py)

    def __init__(
        self,
        path: Path,
        *,
        workers: int = 2,
        reserved: int = 1,
        isolation: str = "auto",
        max_response_bytes: int = 64 << 20,
        answers_bytes: int = 0,
        **options,
    ):
        super().__init__(**options)
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, not {isolation!r}")
        self.path = path
        self._mode = isolation
        self._in_use = hold(path)  # no other server's build prunes this store while it is open
        # The engine, the code around it and the answer limit decide an answer as much as the store does.
        salt = f"pyoxigraph {ox.__version__}, code {answering_code()}, max_response_bytes {max_response_bytes}"
        self.answers = AnswerFile.beside(path, salt, answers_bytes)
        self._gateway = (
            Gateway(self.allowed_endpoints, timeout=self.timeout, max_bytes=max_response_bytes)
            if self.allowed_endpoints and isolation != "off"
            else None
        )
        # Last in, first out: the worker that just answered has its caches warm (at 100x under load,
        # 5-15% more headline questions a second than first in, first out: bench/RESULTS.md).
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._closed = False
        self._workers: set[_Worker] = set()
        self.size = workers + reserved
        self.problem: str | None = None  # why a worker could not be started, until one starts again
        self.client_slots = workers
        self._client_slots = Slots(workers)
        for worker in [self._start() for _ in range(self.size)]:
            if not worker.ready(60):
                self.close()
                where = " in a network namespace (SUGRAPH_ISOLATION=required)" if isolation == "required" else ""
                raise BackendError(f"a query worker could not open the store at {path}{where}")
            self._idle.put(worker)
        self.isolation = worker.isolation
        if self.isolation != ISOLATED:
            log.warning(
                "query workers are not isolated from the network (%s): every SERVICE clause is refused",
                self.isolation.removeprefix("none: "),
            )

    def service_iri(self, index: int) -> str | None:
        return route(index) if self.isolation == ISOLATED and self._gateway else None

    def health(self) -> str | None:
        return self.problem

    def _execute(
        self,
        sparql: str,
        form: str,
        media_type: str,
        dataset: Dataset | None,
        timeout: float,
        *,
        lane: str = SITE,
        max_bytes: int | None = None,
        preparation: Preparation | None = None,
    ) -> bytes:
        deadline = time.monotonic() + timeout
        release = self._client_slots.release if lane == CLIENT else None
        if release and not self._client_slots.acquire(timeout):
            raise _busy(timeout)
        worker = self._take(deadline, timeout, release)
        try:
            assert worker.conn is not None
            worker.conn.settimeout(None)
            send_request(worker.conn, (sparql, form, media_type, dataset, max_bytes, preparation))
            worker.conn.settimeout(max(0.001, deadline - time.monotonic()))
            reply = receive(worker.conn)
        except BaseException as error:  # noqa: BLE001 -- any interruption leaves the worker busy: _lost raises
            raise self._lost(worker, release, error, timeout) from None
        return self._returned(worker, release, reply)

    def _lost(
        self, worker: _Worker, release: Callable[[], None] | None, error: BaseException, timeout: float
    ) -> BaseException:
        """A query that did not come back from its worker, on either path: the worker, which may
        still be busy with it, is killed and replaced (the slot freed once the successor is idle),
        and the query raises its time limit, the worker's loss, or what interrupted it (a cancelled
        task: its client left)."""
        self._replace(worker, release)
        if isinstance(error, TimeoutError):
            return QueryTimeout(f"the query did not finish within its time limit of {timeout:g} s")
        if isinstance(error, (EOFError, OSError)):
            log.error("query worker %s failed", worker.process.pid, exc_info=error)
            return BackendError("the query worker stopped unexpectedly")
        return error

    def _returned(self, worker: _Worker, release: Callable[[], None] | None, reply: bytes) -> bytes:
        """The worker back to the idle queue, its slot freed, and its reply's body or error."""
        self._idle.put(worker)
        if release:
            release()
        status, body = reply[:1], reply[1:]
        if status in _ERRORS:
            raise _ERRORS[status](body.decode())
        return body

    async def _aexecute(
        self,
        sparql: str,
        form: str,
        media_type: str,
        dataset: Dataset | None,
        timeout: float,
        *,
        lane: str = SITE,
        max_bytes: int | None = None,
        preparation: Preparation | None = None,
    ) -> bytes:
        """`_execute` on the event loop: the slot waited for as a future, the request written and the
        reply read by the loop, so a cheap query costs no thread hop. A thread only when no worker is
        idle (the site's queries hold them); a task cancelled mid-query (its client left) kills its
        worker, as a timeout does, so no busy worker returns to the idle queue."""
        deadline = time.monotonic() + timeout
        release = self._client_slots.release if lane == CLIENT else None
        if release and not await self._client_slots.aacquire(timeout):
            raise _busy(timeout)
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            worker = None
        if worker is None or not worker.alive():
            if worker is not None:
                self._idle.put(worker)  # _take replaces it
            if release:
                release()
            left = max(0.001, deadline - time.monotonic())
            return await super()._aexecute(
                sparql, form, media_type, dataset, left, lane=lane, max_bytes=max_bytes, preparation=preparation
            )
        loop = asyncio.get_running_loop()
        conn = worker.conn
        assert conn is not None
        try:
            if conn.gettimeout() != 0.0:  # the threads' path sets its own timeouts each time
                conn.setblocking(False)
            async with asyncio.timeout(deadline - time.monotonic()):
                await asend(loop, conn, encode_request((sparql, form, media_type, dataset, max_bytes, preparation)))
                reply = await areceive(loop, conn)
        except BaseException as error:  # noqa: BLE001 -- any interruption leaves the worker busy: _lost raises
            raise self._lost(worker, release, error, timeout) from None
        return self._returned(worker, release, reply)

    def _take(self, deadline: float, timeout: float, release: Callable[[], None] | None) -> _Worker:
        """An idle, living worker: one that died while idle (killed by hand, out of memory) is
        replaced and the next one taken, so its death costs no query a 502."""
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if release:
                    release()
                raise QueryTimeout(f"no query worker became free within {timeout:g} s; try again later") from None
            if worker.alive():
                return worker
            log.warning("query worker %s had died while idle; replacing it", worker.process.pid)
            self._replace(worker)

    def graphs(self) -> list[str]:
        return [g.value for g in ox.Store.read_only(str(self.path)).named_graphs()]

    def _start(self) -> _Worker:
        worker = _Worker(self.path, self._mode, self._gateway)
        self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker, release: Callable[[], None] | None = None) -> None:
        """Kill a worker (freeing its core now) and start its successor off the request path;
        `release` (a client slot) is called once the successor is idle, so that until then client
        queries cannot take the worker kept for the site. A successor that cannot start is reaped,
        reported (`health`) and tried again every RESPAWN_RETRY seconds."""
        worker.process.kill()

        def respawn() -> None:
            try:
                worker.kill()
                self._workers.discard(worker)
                while not self._closed:
                    successor = self._start()
                    if successor.ready(60):
                        self.problem = None
                        self._idle.put(successor)
                        return
                    successor.kill()
                    self._workers.discard(successor)
                    self.problem = f"a replacement query worker could not open the store at {self.path}"
                    log.error("%s; retrying in %g s", self.problem, RESPAWN_RETRY)
                    time.sleep(RESPAWN_RETRY)
            finally:
                if release:
                    release()

        threading.Thread(target=respawn, name="sugraph-respawn", daemon=True).start()

    def close(self) -> None:
        """Stop every worker, busy or idle, and let the store be pruned."""
        self._closed = True
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
        if self._gateway:
            self._gateway.close()
        answers, self.answers = self.answers, None  # answering ahead then finds nothing left to do
        if answers is not None:
            answers.close()
        self._in_use.close()
