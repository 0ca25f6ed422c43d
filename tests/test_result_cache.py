"""The result cache stays within its byte budget, counting its keys (the query text) as well as answers."""

from __future__ import annotations

import gc
import tracemalloc

from sugraph.store import Dataset
from sugraph.store.base import ResultCache
from sugraph.store.oxigraph import OxigraphStore

BUDGET = 1 << 20
ANSWER = b'{"head":{},"boolean":true}'


def ask(i: int) -> str:
    """A distinct ASK query of about 4 KB: the comment makes it long, the number makes it new."""
    return f"ASK {{ ?s ?p ?o }} # {i} {'x' * 4000}"


def test_memory_held_by_the_cache_stays_within_budget_with_large_keys() -> None:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache = ResultCache(BUDGET)
        for i in range(2000):  # ~8 MB of keys offered to a 1 MiB cache
            cache.put((ask(i), "application/sparql-results+json", Dataset(), None), ANSWER + str(i).encode())
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache.size <= BUDGET
    assert held <= BUDGET * 1.1, f"{held} bytes held for a budget of {BUDGET}"


def test_store_cache_counts_query_text(store: OxigraphStore) -> None:
    small = OxigraphStore(store._store, cache_bytes=256 << 10)
    for i in range(200):  # ~800 KB of query text, one-line answers
        small.run(ask(i))
    assert small.cache.size <= 256 << 10 and len(small.cache) < 64
