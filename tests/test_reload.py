"""Reloading the graph in a running server (what SIGHUP triggers): a broken source changes nothing,
a good change is served at once, graph and store together. A real server on 127.0.0.1 over a private
copy of the project; `Reloader.reload` is called directly (test_hardening sends the real signal)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sugraph.build import LoadError
from sugraph.config import Settings
from sugraph.web.app import create_app
from sugraph.web.context import ServingContext, context_of

from conftest import FIXTURES, LiveServer
from sandbox import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def live(project: Path, tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(Settings(root=project, cache_dir=tmp_path / "cache", query_timeout=2))
    with LiveServer(app) as server:
        yield server


def reloader(live: LiveServer):
    return live.server.config.app.state.reloader


def serving(live: LiveServer) -> ServingContext:
    return context_of(live.server.config.app)


def version(live: LiveServer) -> str:
    return httpx.get(f"{live.url}/health").json()["version"]


def test_a_broken_source_keeps_the_old_graph_and_store(live: LiveServer, project: Path) -> None:
    before = (version(live), serving(live).store)
    shutil.copy(FIXTURES / "build" / "broken.ttl", project / "data" / "zz-broken.ttl")
    assert reloader(live).reload() is False
    assert (version(live), serving(live).store) == before


def test_a_good_change_is_served_at_once(live: LiveServer, project: Path) -> None:
    before = version(live)
    shutil.copy(FIXTURES / "hardening" / "xss.ttl", project / "data" / "zz-xss.ttl")
    assert reloader(live).reload() is True
    assert version(live) != before
    assert httpx.get(f"{live.url}/id/threat/xss-probe").status_code == 303


def test_caches_built_from_the_old_graph_are_dropped(live: LiveServer, project: Path) -> None:
    assert httpx.get(f"{live.url}/search.json", params={"q": "label-en"}).json()["results"] == []
    assert f'"{version(live)}"' in httpx.get(f"{live.url}/.well-known/void.nt").text
    shutil.copy(FIXTURES / "hardening" / "xss.ttl", project / "data" / "zz-xss.ttl")
    reloader(live).reload()
    hits = httpx.get(f"{live.url}/search.json", params={"q": "label-en"}).json()["results"]
    assert [h["iri"] for h in hits] == ["https://w3id.org/sugraph/id/threat/xss-probe"]
    assert f'"{version(live)}"' in httpx.get(f"{live.url}/.well-known/void.nt").text


def test_unchanged_sources_keep_the_same_store(live: LiveServer) -> None:
    before = serving(live)
    assert reloader(live).reload() is True
    assert serving(live) is before


UNLABELLED = "<https://w3id.org/sugraph/id/measure/zz-unlabelled> a <https://w3id.org/sugraph/ontology#Measure> .\n"


@pytest.fixture
def strict(project: Path, tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(Settings(root=project, cache_dir=tmp_path / "cache", query_timeout=2, strict=True))
    with LiveServer(app) as server:
        yield server


def test_strict_reload_keeps_the_old_graph_when_the_new_data_violates_a_shape(
    strict: LiveServer, project: Path
) -> None:
    before = version(strict)
    (project / "data" / "zz-unlabelled.ttl").write_text(UNLABELLED)
    assert reloader(strict).reload() is False
    assert version(strict) == before


def test_a_lenient_reload_serves_data_with_violations(live: LiveServer, project: Path) -> None:
    (project / "data" / "zz-unlabelled.ttl").write_text(UNLABELLED)
    assert reloader(live).reload() is True  # the default: validation is `sugraph validate`'s job, in CI


def test_strict_startup_refuses_data_with_violations(project: Path, tmp_path: Path) -> None:
    (project / "data" / "zz-unlabelled.ttl").write_text(UNLABELLED)
    with pytest.raises(LoadError, match=r"the data does not conform: \d+ SHACL violation"):
        create_app(Settings(root=project, cache_dir=tmp_path / "cache", strict=True))
