"""An entity's crowds (a property linking more than CROWD entities to it: the 33,000 measures of a
status at 1000×) are counted and sorted in the snapshot, and its page reads only the members it
shows; the page is the one the store alone gives, to the value, the count, the "more" link and the
picture. On the shipped data with CROWD made small, so that its statuses and threats have crowds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sugraph import snapshot
from sugraph.namespaces import ENTITY_BASE, SUG
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.pages import entity
from sugraph.web.pages.entity import describe_entity
from sugraph.web.pages.site import Site

SMALL = 3  # links past which a property is a crowd here
ANNOUNCED = f"{ENTITY_BASE}status/announced"
CYBERCRIME = f"{ENTITY_BASE}threat/cybercrime"


@pytest.fixture(scope="module")
def plain(store: OxigraphStore) -> Site:
    return Site.from_store(store, {})


@pytest.fixture(scope="module")
def crowded(store: OxigraphStore) -> Site:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot, "CROWD", SMALL)
        return Site.from_store(store, {})


def crowded_entities(site: Site) -> list[str]:
    return [row[0] for row in site.snapshot._query("SELECT DISTINCT iri FROM crowds ORDER BY iri")]


def test_a_status_has_its_measures_as_a_crowd(crowded: Site, plain: Site) -> None:
    (crowd,) = crowded.snapshot.crowds(ANNOUNCED)
    assert (crowd.prop, crowd.n > SMALL, plain.snapshot.crowds(ANNOUNCED)) == (str(SUG.status), True, [])


def test_the_inverse_of_a_threats_crowd_is_skipped_unread(crowded: Site) -> None:
    by_prop = {c.prop: c.skipped for c in crowded.snapshot.crowds(CYBERCRIME)}
    assert by_prop[str(SUG.addresses)] == str(SUG.addressedBy)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("size", [2, entity.GROUP_SIZE])
def test_every_crowded_page_is_the_page_the_store_gives(
    store: OxigraphStore, plain: Site, crowded: Site, lang: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity, "GROUP_SIZE", size)
    iris = crowded_entities(crowded)
    differ = [iri for iri in iris if describe_entity(store, crowded, iri, lang) != describe_entity(store, plain, iri, lang)]
    assert (len(iris) > 10, differ) == (True, [])


def test_a_crowded_page_reads_none_of_its_crowds_links_from_the_store(
    store: OxigraphStore, crowded: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[dict] = []
    select = store.select

    def spy(sparql: str, bindings: dict | None = None, timeout: float | None = None) -> list[dict]:
        rows = select(sparql, bindings, timeout)
        read.extend(rows)
        return rows

    monkeypatch.setattr(store, "select", spy)
    describe_entity(store, crowded, ANNOUNCED, "en")
    status = ox.NamedNode(str(SUG.status))
    assert [r for r in read if "x" in r and r["p"] == status] == []  # incoming rows
