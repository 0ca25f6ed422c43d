"""Operations probes answer on a real server."""

import httpx

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.store.oxigraph import OxigraphStore

from conftest import ROOT, serve


def test_health_reports_ok_and_data_version(server, kg: KnowledgeGraph) -> None:
    r = httpx.get(f"{server.url}/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": kg.version}


def test_ready_reports_the_backend(server, kg: KnowledgeGraph) -> None:
    r = httpx.get(f"{server.url}/ready")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"


class CountingStore(OxigraphStore):
    """The embedded store, counting the queries that reach the engine."""

    executed = 0

    def _execute(self, *args, **kwargs) -> bytes:
        self.executed += 1
        return super()._execute(*args, **kwargs)


def test_ready_asks_the_backend_every_time_not_the_result_cache(kg: KnowledgeGraph, store: OxigraphStore) -> None:
    counting = CountingStore(store._store)
    with serve(Settings(root=ROOT), kg=kg, store=counting) as live:
        before = counting.executed  # startup's own queries
        for _ in range(3):
            assert httpx.get(f"{live.url}/ready").status_code == 200
        assert counting.executed - before == 3
