"""The search index off the start-up path: a file beside the prebuilt store, built once and then only
opened; a remote backend's built in the background, with /search answering 503 + Retry-After and
/ready saying "building" until it is ready; a reload swaps in the new graph with its index."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.iris import kind_of
from sugraph.namespaces import ENTITY_BASE
from sugraph.search import COUNT_BUDGET, INDEX_FILE, QUOTES_QUERY, LabelIndex, TextIndex, build_index, open_or_build
from sugraph.snapshot import Snapshot
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.app import create_app
from sugraph.web.context import context_of
from sugraph.web.pages.site import Site

from conftest import FIXTURES, ROOT, LiveServer, serve
from sandbox import copy_project

NATO = f"{ENTITY_BASE}actor/nato"


class GatedRemote(OxigraphStore):
    """A store that calls itself remote and answers the index's quotes query only once `gate` is
    set, so a test sees the index while it is being built."""

    name = "remote"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def select(self, sparql: str, *args, **kwargs):
        if sparql == QUOTES_QUERY:
            self.gate.wait(30)
        return super().select(sparql, *args, **kwargs)


@pytest.fixture(scope="module")
def pooled(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(root=ROOT, cache_dir=tmp_path_factory.mktemp("cache"), query_workers=1, isolation="off")
    with serve(settings, kg=kg) as live:
        yield live


@pytest.fixture
def remote(kg: KnowledgeGraph) -> Iterator[tuple[LiveServer, GatedRemote]]:
    store = GatedRemote.from_graph(kg)
    assert isinstance(store, GatedRemote)
    try:
        with serve(Settings(root=ROOT), kg=kg, store=store) as live:
            yield live, store
    finally:
        store.gate.set()


def snapshot_of(store: OxigraphStore) -> Snapshot:
    return Site.from_store(store, {}).snapshot


def labels_of(live: LiveServer) -> LabelIndex:
    return context_of(live.server.config.app).site.labels


# --- beside the prebuilt store -----------------------------------------------------------------------


@pytest.mark.slow  # query worker processes
def test_the_index_is_a_file_in_the_prebuilt_stores_folder(pooled: LiveServer) -> None:
    texts = labels_of(pooled).texts
    assert texts is not None and texts.path == context_of(pooled.server.config.app).store.path / INDEX_FILE


@pytest.mark.slow  # query worker processes
def test_an_index_file_that_is_there_is_opened_not_built(pooled: LiveServer) -> None:
    path = context_of(pooled.server.config.app).store.path / INDEX_FILE
    texts = open_or_build(path.parent, INDEX_FILE, lambda _: pytest.fail("built again"), TextIndex)
    assert (texts.path, texts.kinds) == (path, labels_of(pooled).kind_set)


def test_a_damaged_index_file_is_built_again(store: OxigraphStore, tmp_path: Path) -> None:
    (tmp_path / INDEX_FILE).write_bytes(b"not an index")
    build = partial(build_index, rows=store.select, snapshot=snapshot_of(store), kind=kind_of)
    texts = open_or_build(tmp_path, INDEX_FILE, build, TextIndex)
    assert (texts.path, [hit.iri for hit in texts.search("otan", 1, (), "en")]) == (tmp_path / INDEX_FILE, [NATO])


def test_an_index_without_a_folder_of_its_own_is_built_in_a_temporary_one(store: OxigraphStore) -> None:
    build = partial(build_index, rows=store.select, snapshot=snapshot_of(store), kind=kind_of)
    texts = open_or_build(None, INDEX_FILE, build, TextIndex)
    assert (texts.path.name, texts.path.parent.name.startswith("sugraph-search-")) == (INDEX_FILE, True)


@pytest.mark.slow  # query worker processes
def test_the_pooled_server_searches_from_the_file(pooled: LiveServer) -> None:
    body = httpx.get(f"{pooled.url}/search.json", params={"q": "otan", "limit": 1}).json()
    assert (body["results"][0]["iri"], body["counts_complete"]) == (NATO, True)


@pytest.mark.slow  # query worker processes
def test_ready_says_search_is_ready(pooled: LiveServer) -> None:
    assert httpx.get(f"{pooled.url}/ready").json()["search"] == "ready"


def test_a_build_writes_the_file_whole_or_not_at_all(store: OxigraphStore, tmp_path: Path) -> None:
    path = build_index(tmp_path / INDEX_FILE, store.select, snapshot_of(store), kind_of)
    assert ([p.name for p in tmp_path.iterdir()], TextIndex(path).kinds >= {"actor", "threat"}) == ([INDEX_FILE], True)


# --- a remote backend: built after start-up ----------------------------------------------------------


def test_search_answers_503_with_retry_after_while_the_index_is_built(remote: tuple[LiveServer, GatedRemote]) -> None:
    live, _ = remote
    r = httpx.get(f"{live.url}/search", params={"q": "otan", "lang": "fr"})
    assert (r.status_code, r.headers["retry-after"], "La recherche n&#39;est pas encore prête" in r.text) == (
        503,
        "10",
        True,
    )


def test_search_json_answers_503_in_the_readers_language_while_the_index_is_built(
    remote: tuple[LiveServer, GatedRemote],
) -> None:
    live, _ = remote
    r = httpx.get(f"{live.url}/search.json", params={"q": "otan", "lang": "en"})
    assert (r.status_code, r.headers["retry-after"], r.json()["detail"]) == (
        503,
        "10",
        "Search is not ready yet: its index is being built. Try again in a few seconds.",
    )


def test_pages_serve_while_the_index_is_built(remote: tuple[LiveServer, GatedRemote]) -> None:
    live, _ = remote
    assert (
        httpx.get(f"{live.url}/id/actor/nato", follow_redirects=True).status_code,
        httpx.get(f"{live.url}/id/actor/natoo").status_code,
    ) == (
        200,
        404,
    )


def test_ready_says_building_then_ready(remote: tuple[LiveServer, GatedRemote]) -> None:
    live, store = remote
    before = httpx.get(f"{live.url}/ready").json()["search"]
    store.gate.set()
    labels_of(live).wait(30)
    assert (before, httpx.get(f"{live.url}/ready").json()["search"]) == ("building", "ready")


def test_search_answers_once_the_index_is_built(remote: tuple[LiveServer, GatedRemote]) -> None:
    live, store = remote
    store.gate.set()
    labels_of(live).wait(30)
    body = httpx.get(f"{live.url}/search.json", params={"q": "otan", "limit": 1}).json()
    assert body["results"][0]["iri"] == NATO


# --- the budget -----------------------------------------------------------------------------------------


def test_counts_beyond_the_budget_say_they_are_lower_bounds(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = Site.from_store(store, {}).labels
    monkeypatch.setattr("sugraph.search.COUNT_BUDGET", 10)
    monkeypatch.setattr("sugraph.search.RANK_BUDGET", 10)
    counts = labels.counts("e")
    assert (counts.complete, sum(counts.values()) <= 11, len(labels.search("e", 50)) <= 10) == (False, True, True)


def test_counts_within_the_budget_are_exact(store: OxigraphStore) -> None:
    counts = Site.from_store(store, {}).labels.counts("WannaCry")
    assert (counts, counts.complete, COUNT_BUDGET) == ({"actor": 2, "event": 1, "measure": 1}, True, 2_000)


def test_a_name_equal_to_the_query_ranks_first_whatever_the_budget(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = Site.from_store(store, {}).labels
    monkeypatch.setattr("sugraph.search.RANK_BUDGET", 1)
    assert [(hit.iri, hit.matched) for hit in labels.search("otan", 1)] == [(NATO, "OTAN")]


# --- a reload ---------------------------------------------------------------------------------------


@pytest.mark.slow  # query worker processes
def test_a_reload_searches_the_new_graph_from_the_new_stores_index(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    app = create_app(Settings(root=project, cache_dir=tmp_path / "cache", query_workers=1, isolation="off"))
    with LiveServer(app) as live:
        before = context_of(app).store.path
        shutil.copy(FIXTURES / "hardening" / "xss.ttl", project / "data" / "zz-xss.ttl")
        assert app.state.reloader.reload() is True
        after = context_of(app).store.path
        hits = httpx.get(f"{live.url}/search.json", params={"q": "alert label"}).json()["results"]
        assert (
            [hit["iri"] for hit in hits],
            (before / INDEX_FILE).is_file(),
            labels_of(live).texts.path == after / INDEX_FILE,  # type: ignore[union-attr]
        ) == ([f"{ENTITY_BASE}threat/xss-probe"], True, True)
