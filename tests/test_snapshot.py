"""The pages' snapshot as a file: built once beside the prebuilt store and then only opened, never
read when it is of another layout, and answering what the store answers (labels, descriptions,
types, members and counts, sources, inverses) on the shipped data."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from sugraph.config import Settings
from sugraph.namespaces import ASSERTED_GRAPH, ENTITY_BASE, compact_iri
from sugraph.search import INDEX_FILE, open_or_build, short_name
from sugraph.snapshot import (
    DESCRIPTIONS_QUERY,
    INVERSES_QUERY,
    LABELS_QUERY,
    NOT_DISPLAYED,
    SNAPSHOT_FILE,
    SOURCES_QUERY,
    TYPES_QUERY,
    Snapshot,
    build_snapshot,
)
from sugraph.store.oxigraph import OxigraphStore
from sugraph.terms import fold, in_language
from sugraph.web.app import create_app
from sugraph.web.context import context_of
from sugraph.web.pages.site import KINDS, Site
from sugraph.web.pages.vocabulary import CLASS_TYPES, PROPERTY_TYPES, vocabulary

from conftest import FIXTURES, ROOT, LiveServer, serve
from sandbox import copy_project

NATO = f"{ENTITY_BASE}actor/nato"


@pytest.fixture(scope="module")
def site(store: OxigraphStore) -> Site:
    return Site.from_store(store, {})


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(root=ROOT, cache_dir=tmp_path_factory.mktemp("cache"), query_workers=1, isolation="off")
    with serve(settings) as live:
        yield live


def never(_: Path) -> Path:
    pytest.fail("built again")


# --- one file per store, built once ----------------------------------------------------------------------


@pytest.mark.slow  # query worker processes
def test_the_snapshot_is_a_file_in_the_prebuilt_stores_folder(pooled: LiveServer) -> None:
    ctx = context_of(pooled.server.config.app)
    assert (ctx.site.snapshot.path, ctx.site.label(NATO, "en")) == (
        ctx.store.path / SNAPSHOT_FILE,
        "North Atlantic Treaty Organization",
    )


@pytest.mark.slow  # query worker processes
def test_a_second_start_opens_the_files_and_builds_nothing(pooled: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sugraph.web.pages.site.build_snapshot", never)
    monkeypatch.setattr("sugraph.web.pages.site.build_index", never)
    again = Site.from_store(context_of(pooled.server.config.app).store, {})
    assert (again.snapshot.path.name, again.labels.texts and again.labels.texts.path.name) == (
        SNAPSHOT_FILE,
        INDEX_FILE,
    )


def test_a_snapshot_file_that_is_there_is_opened_not_built(store: OxigraphStore, tmp_path: Path) -> None:
    built = build_snapshot(tmp_path / SNAPSHOT_FILE, store.select)
    assert open_or_build(tmp_path, SNAPSHOT_FILE, never, Snapshot).path == built


def test_a_file_of_another_layout_is_not_read_but_built_again(store: OxigraphStore, tmp_path: Path) -> None:
    path = build_snapshot(tmp_path / SNAPSHOT_FILE, store.select)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'snapshot-v0.sqlite' WHERE key = 'layout'")
        db.execute("DELETE FROM labels")
    db.close()
    snapshot = open_or_build(tmp_path, SNAPSHOT_FILE, lambda to: build_snapshot(to, store.select), Snapshot)
    assert snapshot.labels(NATO) == {
        "en": "North Atlantic Treaty Organization",
        "fr": "Organisation du traité de l'Atlantique nord",
    }


def test_a_damaged_snapshot_file_is_built_again(store: OxigraphStore, tmp_path: Path) -> None:
    (tmp_path / SNAPSHOT_FILE).write_bytes(b"not a snapshot")
    snapshot = open_or_build(tmp_path, SNAPSHOT_FILE, lambda to: build_snapshot(to, store.select), Snapshot)
    assert snapshot.labels(NATO) == {
        "en": "North Atlantic Treaty Organization",
        "fr": "Organisation du traité de l'Atlantique nord",
    }


def test_a_build_writes_the_file_whole_or_not_at_all(tmp_path: Path) -> None:
    def failing(sparql: str) -> Iterator[dict]:
        raise RuntimeError("the store went away")
        yield {}

    with pytest.raises(RuntimeError):
        build_snapshot(tmp_path / SNAPSHOT_FILE, failing)
    assert list(tmp_path.iterdir()) == []


def test_a_store_without_a_folder_has_its_snapshot_in_a_temporary_one(site: Site) -> None:
    assert (site.snapshot.path.name, site.snapshot.path.parent.name.startswith("sugraph-search-")) == (
        SNAPSHOT_FILE,
        True,
    )


# --- the same answers as the store -----------------------------------------------------------------------


def test_every_label_is_the_stores_first_displayed_one_per_language(site: Site, store: OxigraphStore) -> None:
    expected: dict[str, dict[str, str]] = defaultdict(dict)
    rows = sorted(
        (r["s"].value, r["p"].value, getattr(r["label"], "language", None) or "", r["label"].value)
        for r in store.select(LABELS_QUERY)
    )
    for iri, prop, lang, text in rows:
        if prop not in NOT_DISPLAYED:
            expected[iri].setdefault(lang, text)
    found = {iri: {lang: site.label(iri, lang) for lang in ("en", "fr")} for iri in expected}
    wanted = {iri: {lang: in_language(labels, lang) for lang in ("en", "fr")} for iri, labels in expected.items()}
    assert (found, len(found) > 100) == (wanted, True)


def test_an_iri_without_a_label_is_shown_by_its_short_name(site: Site) -> None:
    assert site.label(f"{ENTITY_BASE}actor/nobody", "en") == short_name(f"{ENTITY_BASE}actor/nobody")


def test_every_description_is_one_of_the_stores_in_its_language(site: Site, store: OxigraphStore) -> None:
    expected: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in store.select(DESCRIPTIONS_QUERY):
        expected[r["s"].value][getattr(r["text"], "language", None) or ""].add(r["text"].value)
    assert (
        all(
            site.snapshot.descriptions(iri) == {lang: min(texts) for lang, texts in by_lang.items()}
            for iri, by_lang in expected.items()
        )
        and len(expected) > 50
    )


def test_types_asserted_and_inferred_are_the_stores(site: Site, store: OxigraphStore) -> None:
    every: dict[str, set[str]] = defaultdict(set)
    asserted: dict[str, set[str]] = defaultdict(set)
    for r in store.select(TYPES_QUERY):
        every[r["s"].value].add(r["class"].value)
        if r["g"].value == str(ASSERTED_GRAPH):
            asserted[r["s"].value].add(r["class"].value)
    assert (
        {iri: site.types.get(iri, set()) for iri in every},
        {iri: site.asserted_types.get(iri, set()) for iri in every if iri in asserted},
        site.types.get(f"{ENTITY_BASE}actor/nobody", None),
    ) == (dict(every), dict(asserted), None)


def test_counts_per_kind_are_the_stores(site: Site, store: OxigraphStore) -> None:
    query = 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> FILTER(STRSTARTS(STR(?s), "{base}")) }}'
    expected = {
        kind: int(store.select(query.format(cls=cls, base=ENTITY_BASE))[0]["n"].value) for kind, cls in KINDS.items()
    }
    assert ({kind: site.count(kind) for kind in KINDS}, expected["actor"] > 10) == (expected, True)


def test_members_are_the_classes_entities_sorted_by_label_in_the_readers_language(
    site: Site, store: OxigraphStore
) -> None:
    """As a reader alphabetises: case and accents ignored ("Écoles" among the e's)."""
    query = 'SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> FILTER(STRSTARTS(STR(?s), "{base}")) }}'
    members = {row["s"].value for row in store.select(query.format(cls=KINDS["actor"], base=ENTITY_BASE))}
    assert {lang: site.members(KINDS["actor"], lang) for lang in ("en", "fr", "de")} == {
        lang: sorted(members, key=lambda iri: (fold(site.label(iri, lang)), iri)) for lang in ("en", "fr", "de")
    }


def test_sources_are_the_stores_by_date_of_issue(site: Site, store: OxigraphStore) -> None:
    expected = [r["doc"].value for r in store.select(SOURCES_QUERY)]
    assert ([s.iri for s in site.sources], site.source(expected[0]), site.source(NATO)) == (
        expected,
        site.sources[0],
        None,
    )


def test_inverses_go_both_ways(site: Site, store: OxigraphStore) -> None:
    pairs = [(r["p"].value, r["q"].value) for r in store.select(INVERSES_QUERY)]
    assert (all(site.inverses[p] == q and site.inverses[q] == p for p, q in pairs), len(pairs) > 0) == (True, True)


# --- what the editor completes ---------------------------------------------------------------------------


def test_the_editors_vocabulary_has_every_class_used_or_declared_and_every_declared_property(
    site: Site, store: OxigraphStore
) -> None:
    every: dict[str, set[str]] = defaultdict(set)
    for r in store.select(TYPES_QUERY):
        every[r["s"].value].add(r["class"].value)
    classes = {c for types in every.values() for c in types} | {i for i, t in every.items() if t & CLASS_TYPES}
    properties = {iri for iri, types in every.items() if types & PROPERTY_TYPES}
    terms = json.loads(vocabulary(site, set(), "en"))["terms"]
    assert (
        {t["name"] for t in terms if t["kind"] == "class"},
        {t["name"] for t in terms if t["kind"] == "property"},
    ) == ({n for c in classes if (n := compact_iri(c))}, {n for p in properties if (n := compact_iri(p))})


# --- a reload ---------------------------------------------------------------------------------------------


@pytest.mark.slow  # query worker processes
def test_a_reload_serves_the_new_stores_snapshot(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    app = create_app(Settings(root=project, cache_dir=tmp_path / "cache", query_workers=1, isolation="off"))
    with LiveServer(app):
        before = context_of(app).site.snapshot.path
        shutil.copy(FIXTURES / "hardening" / "xss.ttl", project / "data" / "zz-xss.ttl")
        assert app.state.reloader.reload() is True
        site = context_of(app).site
        assert (
            before.is_file(),
            site.snapshot.path == context_of(app).store.path / SNAPSHOT_FILE != before,
            site.label(f"{ENTITY_BASE}threat/xss-probe", "en"),
        ) == (True, True, "<script>alert('label-en')</script>")
