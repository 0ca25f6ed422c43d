"""A query's round trip on the event loop (`Store.arun` → `PooledStore._aexecute`): no thread per
query, and the same guarantees as the threads' path: a time limit that frees the core, one count of
client slots for both paths, and a client that leaves mid-query leaves no busy worker behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.store import open_store, prepare
from sugraph.store.analysis import query_form
from sugraph.store.base import CLIENT, INLINE_TEXT, BackendError, QueryError, QueryTimeout, Store
from sugraph.store.pipe import areceive, asend
from sugraph.store.pool import PooledStore, Slots

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TRUE = b'{"head":{},"boolean":true}'
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture(scope="module")
def pool(kg: KnowledgeGraph, tmp_path_factory) -> Iterator[PooledStore]:
    """One client slot (and one worker kept for the site)."""
    store = open_store(Settings(cache_dir=tmp_path_factory.mktemp("cache"), query_workers=1), kg)
    assert isinstance(store, PooledStore)
    store.known_graphs()
    yield store
    store.close()


def pids(store: PooledStore) -> set[int]:
    return {worker.process.pid for worker in store._workers}


def wait_for_workers(store: PooledStore, count: int) -> None:
    deadline = time.monotonic() + 30
    while store._idle.qsize() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store._idle.qsize() == count


def test_a_timeout_on_the_loop_kills_the_worker_and_frees_the_slot(pool: PooledStore) -> None:
    before = pids(pool)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        asyncio.run(pool.arun(RUNAWAY + " # timeout", timeout=1, lane=CLIENT))
    assert time.monotonic() - started < 2
    wait_for_workers(pool, pool.size)
    assert len(before - pids(pool)) == 1  # the runaway's worker was replaced
    assert asyncio.run(pool.arun("ASK { ?s ?p ?o } # after a timeout", lane=CLIENT, timeout=5)) == TRUE


def test_a_query_cancelled_mid_run_leaves_no_busy_worker_idle(pool: PooledStore) -> None:
    before = pids(pool)

    async def leave() -> None:
        task = asyncio.create_task(pool.arun(RUNAWAY + " # cancelled", lane=CLIENT))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(leave())
    wait_for_workers(pool, pool.size)
    assert len(before - pids(pool)) == 1  # killed, not returned busy to the idle queue
    started = time.monotonic()
    assert asyncio.run(pool.arun("ASK { ?s ?p ?o } # after a cancel", lane=CLIENT, timeout=5)) == TRUE
    assert time.monotonic() - started < 1


def test_a_thread_query_holds_the_slot_an_async_one_waits_for(pool: PooledStore) -> None:
    with ThreadPoolExecutor(1) as threads:
        runaway = threads.submit(pool.run, RUNAWAY + " # sync holds", timeout=2, lane=CLIENT)
        time.sleep(0.3)
        with pytest.raises(QueryTimeout, match=r"stayed busy for 0\.5 s"):
            asyncio.run(pool.arun("ASK { ?s ?p ?o } # sync holds", timeout=0.5, lane=CLIENT))
        with pytest.raises(QueryTimeout):
            runaway.result()
    wait_for_workers(pool, pool.size)


def test_an_async_query_holds_the_slot_a_thread_one_waits_for(pool: PooledStore) -> None:
    async def both() -> None:
        runaway = asyncio.create_task(pool.arun(RUNAWAY + " # async holds", timeout=2, lane=CLIENT))
        await asyncio.sleep(0.3)
        with pytest.raises(QueryTimeout, match=r"stayed busy for 0\.5 s"):
            await asyncio.to_thread(pool.run, "ASK { ?s ?p ?o } # async holds", timeout=0.5, lane=CLIENT)
        with pytest.raises(QueryTimeout):
            await runaway

    asyncio.run(both())
    wait_for_workers(pool, pool.size)


def test_site_queries_pass_while_the_client_slot_is_held(pool: PooledStore) -> None:
    async def both() -> bytes:
        runaway = asyncio.create_task(pool.arun(RUNAWAY + " # site passes", timeout=2, lane=CLIENT))
        await asyncio.sleep(0.3)
        answer = await pool.arun("ASK { ?s ?p ?o } # site passes", timeout=1)
        with pytest.raises(QueryTimeout):
            await runaway
        return answer

    assert asyncio.run(both()) == TRUE
    wait_for_workers(pool, pool.size)


def test_slots_are_granted_first_come_first_served_to_threads_and_tasks() -> None:
    slots, order = Slots(1), []
    assert slots.acquire(0)

    async def scenario() -> None:
        thread = threading.Thread(target=lambda: order.append(("thread", slots.acquire(5))))
        thread.start()
        while not slots._waiters:
            await asyncio.sleep(0.01)
        task = asyncio.create_task(slots.aacquire(5))
        await asyncio.sleep(0.05)
        slots.release()  # to the thread, which came first
        await asyncio.to_thread(thread.join)
        assert not task.done()
        slots.release()  # to the task
        order.append(("task", await task))

    asyncio.run(scenario())
    assert order == [("thread", True), ("task", True)]
    assert slots._free == 0


def test_a_cancelled_wait_for_a_slot_takes_none() -> None:
    slots = Slots(1)
    assert slots.acquire(0)

    async def scenario() -> bool:
        task = asyncio.create_task(slots.aacquire(5))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        slots.release()
        return await slots.aacquire(0)

    assert asyncio.run(scenario())
    assert not slots._waiters and slots._free == 0


def test_a_wait_for_a_slot_ends_at_its_timeout() -> None:
    slots = Slots(1)
    assert slots.acquire(0)
    assert asyncio.run(slots.aacquire(0.05)) is False
    assert slots.acquire(0.05) is False
    assert not slots._waiters


@pytest.mark.parametrize("length, on_loop", [(100, True), (INLINE_TEXT + 1, False)])
def test_a_long_text_is_prepared_off_the_loop(store: Store, monkeypatch, length: int, on_loop: bool) -> None:
    store.rules()
    prepared_on = []
    prepare = store._prepare

    def spy(*args, **kwargs):
        prepared_on.append(threading.current_thread())
        return prepare(*args, **kwargs)

    monkeypatch.setattr(store, "_prepare", spy)
    text = "ASK { ?s ?p ?o } #" + "x" * (length - len("ASK { ?s ?p ?o } #"))

    async def ask() -> threading.Thread:
        await store.arun(text)
        return threading.current_thread()

    loop_thread = asyncio.run(ask())
    assert (prepared_on == [loop_thread]) is on_loop and len(prepared_on) == 1


LONG_SELECT = "PREFIX ex: <http://example.org/>\n" + "# a comment\n" * 400 + "SELECT ?n WHERE { BIND(1 AS ?n) }"


def test_the_server_reads_only_a_client_texts_prologue_the_worker_checks_it(pool: PooledStore, monkeypatch) -> None:
    read_here: list[str] = []
    monkeypatch.setattr(prepare, "analyse", lambda text: read_here.append(text))  # the server's own copy
    body = asyncio.run(pool.arun(LONG_SELECT, lane=CLIENT))
    assert json.loads(body)["results"]["bindings"] == [
        {"n": {"type": "literal", "value": "1", "datatype": XSD_INTEGER}}
    ]
    assert read_here == [] and query_form(LONG_SELECT) == "SELECT"


@pytest.mark.parametrize("run_on", ["loop", "thread"])
def test_a_worker_refuses_what_the_checks_refuse(pool: PooledStore, run_on: str) -> None:
    text = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryError, match=r"^SERVICE \(federated query\) is not allowed on this endpoint"):
        asyncio.run(pool.arun(text, lane=CLIENT)) if run_on == "loop" else pool.run(text, lane=CLIENT)


def test_a_worker_places_the_engines_syntax_error_in_the_clients_text(pool: PooledStore) -> None:
    text = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}"  # the engine, not the lexer, refuses it
    with pytest.raises(QueryError, match=r"^syntax error at line 4, column 2: "):  # where pyoxigraph puts it
        asyncio.run(pool.arun(text, lane=CLIENT))


def test_a_worker_that_dies_mid_query_on_the_loop_is_a_backend_error(pool: PooledStore) -> None:
    async def die() -> None:
        task = asyncio.create_task(pool.arun(RUNAWAY + " # dies", lane=CLIENT))
        await asyncio.sleep(0.3)
        idle = {pool._idle.get() for _ in range(pool._idle.qsize())}
        for worker in idle:
            pool._idle.put(worker)
        (busy,) = pool._workers - idle
        os.kill(busy.process.pid, signal.SIGKILL)
        with pytest.raises(BackendError, match="stopped unexpectedly"):
            await task

    asyncio.run(die())
    wait_for_workers(pool, pool.size)


def test_the_loop_reads_and_writes_the_pipes_framing() -> None:
    big = bytes(range(256)) * 8192  # 2 MB: more than the socket buffers, so sent and read in parts

    async def exchange() -> list[bytes]:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        theirs.setblocking(False)
        answers = []
        for payload in (b"", b"0yes", big):  # one at a time: each side waits for the other's answer
            writing = asyncio.create_task(asend(loop, ours, payload))
            answers.append(await areceive(loop, theirs))
            await writing
        return answers

    assert asyncio.run(exchange()) == [b"", b"0yes", big]


def test_the_loop_refuses_a_second_message_sent_before_the_answer() -> None:
    async def twice() -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        theirs.setblocking(False)
        ours.sendall(b"\0\0\0\0\0\0\0\x02ok\0\0\0\0\0\0\0\x02ok")
        with pytest.raises(OSError, match="more than one message"):
            await areceive(loop, theirs)

    asyncio.run(twice())


def test_a_message_cut_off_is_an_end_of_file_on_the_loop() -> None:
    async def cut() -> None:
        ours, theirs = socket.socketpair()
        theirs.setblocking(False)
        ours.sendall(b"\0\0\0\0\0\0\0\x10only six")
        ours.close()
        with pytest.raises(EOFError):
            await areceive(asyncio.get_running_loop(), theirs)

    asyncio.run(cut())
