"""Operations probes answer on a real server."""

import httpx

from sugraph.build import KnowledgeGraph


def test_health_reports_ok_and_data_version(server, kg: KnowledgeGraph) -> None:
    r = httpx.get(f"{server.url}/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": kg.version}


def test_ready_reports_the_backend(server, kg: KnowledgeGraph) -> None:
    r = httpx.get(f"{server.url}/ready")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"
