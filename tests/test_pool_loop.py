"""Queries from the event loop (`PooledStore.arun`): through the loop's socket polling when a worker
is free, else waiting on a thread; the same answers, time limit and worker slots either way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.store import QueryTimeout, open_store
from sugraph.store.base import CLIENT
from sugraph.store.pool import PooledStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def pool(kg: KnowledgeGraph, tmp_path_factory) -> Iterator[PooledStore]:
    store = open_store(Settings(cache_dir=tmp_path_factory.mktemp("cache"), query_workers=1), kg)
    assert isinstance(store, PooledStore) and store.client_slots == 1
    store.known_graphs()
    yield store
    store.close()


def test_more_client_queries_at_once_than_workers_are_all_answered(pool: PooledStore) -> None:
    async def many() -> list[bytes]:
        asks = [pool.arun(f"ASK {{ ?s ?p ?o }} # {i}", lane=CLIENT) for i in range(20)]
        return await asyncio.gather(*asks)

    assert asyncio.run(many()) == [pool.run("ASK { ?s ?p ?o }")] * 20


def test_a_query_queued_behind_a_runaway_times_out_within_its_own_limit(pool: PooledStore) -> None:
    async def behind_a_runaway() -> tuple[BaseException | bytes, ...]:
        runaway = asyncio.ensure_future(pool.arun(RUNAWAY, lane=CLIENT, timeout=2))
        await asyncio.sleep(0.2)  # the runaway holds the one client worker
        started = time.monotonic()
        queued = await asyncio.gather(
            pool.arun("ASK { ?s ?p 'queued' }", lane=CLIENT, timeout=0.5), return_exceptions=True
        )
        assert time.monotonic() - started < 1.5
        return (*queued, *(await asyncio.gather(runaway, return_exceptions=True)))

    queued, runaway = asyncio.run(behind_a_runaway())
    assert isinstance(queued, QueryTimeout) and "stayed busy for 0.5 s" in str(queued)
    assert isinstance(runaway, QueryTimeout) and "time limit of 2 s" in str(runaway)
    assert pool.run("ASK { ?s ?p 'after' }", lane=CLIENT)  # its worker was replaced: the pool is whole
