"""An entity's crowds (a property linking more than CROWD entities to it: the 33,000 measures of a
status at 1000×) are counted and sorted in the snapshot, and its page reads only the members it
shows; so is its evidence when it has more than CROWD quotes (2,000 on a shared threat). The page
is the one the store alone gives, to the value, the count, the "more" link, the picture and the
citation. On the shipped data with CROWD made small, so that its statuses and threats have crowds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sugraph import snapshot
from sugraph.build import KnowledgeGraph
from sugraph.namespaces import ASSERTED_GRAPH, ENTITY_BASE, INFERRED_GRAPH, PROV, RDFS, SUG
from sugraph.store.oxigraph import OxigraphStore, load_into
from sugraph.web.pages import entity
from sugraph.web.pages.entity import describe_entity, quoted_by
from sugraph.web.pages.site import Site

SMALL = 3  # links past which a property is a crowd here
ANNOUNCED = f"{ENTITY_BASE}status/announced"
CYBERCRIME = f"{ENTITY_BASE}threat/cybercrime"
STRATEGY = f"{ENTITY_BASE}strategy/eu-security-union-strategy"


ORGANISED_CRIME = f"{ENTITY_BASE}threat/organised-crime"
COST = "https://w3id.org/sugraph/ontology#estimatedCost"


@pytest.fixture(scope="module")
def estimates(kg: KnowledgeGraph) -> OxigraphStore:
    """The shipped data with organised crime's estimated cost stated 6 times more, as each copy of
    the data states it at 1000×: alike (one of them derived from another document), one with
    another label, and one a super-property also reaches (in the inferred graph)."""
    graph = ox.Store()
    load_into(graph, kg)
    (cost,) = [q.object for q in graph.quads_for_pattern(ox.NamedNode(ORGANISED_CRIME), ox.NamedNode(COST), None)]
    facts = list(graph.quads_for_pattern(cost, None, None))
    asserted = ox.NamedNode(str(ASSERTED_GRAPH))
    for i in range(6):
        copy = ox.BlankNode()
        graph.add(ox.Quad(ox.NamedNode(ORGANISED_CRIME), ox.NamedNode(COST), copy, asserted))
        for q in facts:
            value = q.object
            if i == 1 and q.predicate.value.endswith("wasDerivedFrom"):
                value = ox.NamedNode(f"{ENTITY_BASE}document/ip-17-1789")
            if i == 2 and q.predicate == ox.NamedNode(str(RDFS.label)) and value.language == "en":
                value = ox.Literal("Another estimate", language="en")
            graph.add(ox.Quad(copy, q.predicate, value, q.graph_name))
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    graph.add(
        ox.Quad(
            ox.NamedNode(ORGANISED_CRIME),
            ox.NamedNode("https://w3id.org/sugraph/ontology#monetaryAmount"),
            copy,
            inferred,
        )
    )
    return OxigraphStore(graph)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_alike_blank_nodes_past_the_crowd_are_the_page_the_store_gives(estimates: OxigraphStore, lang: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot, "CROWD", SMALL)
        crowded = Site.from_store(estimates, {})
    plain = Site.from_store(estimates, {})
    page = describe_entity(estimates, crowded, ORGANISED_CRIME, lang)
    costs = [g for g in page.groups if g.prop == COST] if page else []
    assert (
        crowded.snapshot.blank_crowds(ORGANISED_CRIME),
        len(costs[0].values) if costs else 0,
        page == describe_entity(estimates, plain, ORGANISED_CRIME, lang),
    ) == ({COST}, 2 if lang == "en" else 1, True)


@pytest.fixture(scope="module")
def plain(store: OxigraphStore) -> Site:
    return Site.from_store(store, {})


@pytest.fixture(scope="module")
def crowded(store: OxigraphStore) -> Site:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot, "CROWD", SMALL)
        return Site.from_store(store, {})


def crowded_entities(site: Site) -> list[str]:
    sql = "SELECT iri FROM crowds UNION SELECT iri FROM evidenced ORDER BY iri"
    return [row[0] for row in site.snapshot._query(sql)]


def test_a_status_has_its_measures_as_a_crowd(store: OxigraphStore, crowded: Site, plain: Site) -> None:
    (counted,) = store.select(f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m <{SUG.status}> <{ANNOUNCED}> }}")
    n = int(counted["n"].value)
    assert (crowded.snapshot.crowds(ANNOUNCED), n > SMALL, plain.snapshot.crowds(ANNOUNCED)) == (
        [snapshot.Crowd(str(SUG.status), n, None)],
        True,
        [],
    )


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
    differ = [
        iri for iri in iris if describe_entity(store, crowded, iri, lang) != describe_entity(store, plain, iri, lang)
    ]
    assert (len(iris) > 10, differ) == (True, [])


@pytest.fixture
def read(store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every row the store answers from now on."""
    rows_read: list[dict] = []
    select = store.select

    def spy(sparql: str, bindings: dict | None = None, timeout: float | None = None) -> list[dict]:
        rows = select(sparql, bindings, timeout)
        rows_read.extend(rows)
        return rows

    monkeypatch.setattr(store, "select", spy)
    return rows_read


def test_a_crowded_page_reads_none_of_its_crowds_links_from_the_store(
    store: OxigraphStore, crowded: Site, read: list[dict]
) -> None:
    describe_entity(store, crowded, ANNOUNCED, "en")
    status = ox.NamedNode(str(SUG.status))
    assert [r for r in read if "x" in r and r["p"] == status] == []  # incoming rows


def quoted_derivations(store: OxigraphStore, site: Site, iri: str) -> list[snapshot.Derivation]:
    """The evidence as the page reads it from the store."""
    return entity._derivations(site, store.select(entity.outgoing_query(), {"s": ox.NamedNode(iri)}))


def test_an_entity_with_many_quotes_has_them_in_the_snapshot(store: OxigraphStore, crowded: Site, plain: Site) -> None:
    (counted,) = store.select(
        f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ <{STRATEGY}> <{PROV.qualifiedDerivation}> ?d }}"
    )
    n = int(counted["n"].value)
    assert (
        n > SMALL,
        crowded.snapshot.evidenced(STRATEGY),
        crowded.snapshot.evidence(STRATEGY) == quoted_derivations(store, plain, STRATEGY),
        plain.snapshot.evidenced(STRATEGY),
    ) == (True, (n, True), True, None)


def test_every_citation_quotes_what_the_store_gives(store: OxigraphStore, plain: Site, crowded: Site) -> None:
    iris = crowded_entities(crowded)
    assert [i for i in iris if quoted_by(store, crowded, i) != quoted_by(store, plain, i)] == []


def test_a_page_with_its_evidence_in_the_snapshot_reads_no_quote_from_the_store(
    store: OxigraphStore, crowded: Site, read: list[dict]
) -> None:
    describe_entity(store, crowded, STRATEGY, "en")
    derivation = ox.NamedNode(str(PROV.qualifiedDerivation))
    assert [r for r in read if r.get("p") == derivation] == []


def test_an_entity_with_crowds_is_known_a_hub_by_its_members(crowded: Site) -> None:
    (announced,) = crowded.snapshot.crowds(ANNOUNCED)
    assert (
        crowded.snapshot.crowded([ANNOUNCED, CYBERCRIME, STRATEGY], announced.n - 1) >= {ANNOUNCED},
        crowded.snapshot.crowded([ANNOUNCED], announced.n),
    ) == (True, set())


def test_a_crowds_members_are_ranked_in_the_sorted_languages_only(crowded: Site) -> None:
    with pytest.raises(ValueError, match="not 'en; DROP TABLE crowds'"):
        crowded.snapshot.crowd_members(ANNOUNCED, str(SUG.status), "en; DROP TABLE crowds", 3)
