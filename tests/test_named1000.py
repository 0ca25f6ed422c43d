"""The named queries rewritten for 1000× (issue 15, target 4): a copy of an entity (as bench/synth.py
makes them) is answered like the original, and a download that is not sorted gives the IRIs as
written in the query's order, while a sorted one still sorts IRIs by the label the reader sees."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest

from sugraph.build import KnowledgeGraph
from sugraph.namespaces import ID
from sugraph.store.oxigraph import OxigraphStore, load_into
from sugraph.web.tables import text_key

from conftest import ROOT

ASSERTED = ox.NamedNode("https://w3id.org/sugraph/graph/asserted")
MEASURE = ox.NamedNode(f"{ID}measure/joint-eu-efforts-against-terrorism-hate-and-violent-extremism")
NATO = ox.NamedNode(f"{ID}actor/nato")


def with_copies(kg: KnowledgeGraph, entity: ox.NamedNode) -> OxigraphStore:
    """The shipped graph plus two copies of `entity` (`-b` added before `-a`), with all its triples,
    as subject and as object: same label, same links, same counts."""
    store = ox.Store()
    load_into(store, kg)
    for suffix in ("-b", "-a"):
        copy = ox.NamedNode(entity.value + suffix)
        store.extend(
            [ox.Quad(copy, q.predicate, q.object, ASSERTED) for q in store.quads_for_pattern(entity, None, None)]
        )
        store.extend(
            [ox.Quad(q.subject, q.predicate, copy, ASSERTED) for q in store.quads_for_pattern(None, None, entity)]
        )
    return OxigraphStore(store)


def rows(store: OxigraphStore, name: str, **params: ox.NamedNode | ox.Literal) -> list[dict[str, ox.NamedNode]]:
    query = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    return list(store.select(query, {"lang": ox.Literal("en"), **params}))


def test_measures_for_threat_gives_each_copy_of_a_measure_once_per_source(kg: KnowledgeGraph) -> None:
    answer = rows(with_copies(kg, MEASURE), "measures-for-threat", threat=ox.NamedNode(f"{ID}threat/hate"))
    assert sorted((r["measure"].value.removeprefix(MEASURE.value), r["source"].value) for r in answer) == [
        ("", "IP/17/1789"),
        ("-a", "IP/17/1789"),
        ("-b", "IP/17/1789"),
    ]


def test_measures_for_threat_joins_each_copys_quotes_and_actors_like_the_original(kg: KnowledgeGraph) -> None:
    answer = rows(with_copies(kg, MEASURE), "measures-for-threat", threat=ox.NamedNode(f"{ID}threat/hate"))
    assert len({(r["measureLabel"], r["actors"], r["quotes"]) for r in answer}) == 1


def test_most_involved_actors_counts_each_copy_of_an_actor_like_the_original(kg: KnowledgeGraph) -> None:
    answer = rows(with_copies(kg, NATO), "most-involved-actors")
    copies = [r for r in answer if r["actor"].value.startswith(NATO.value)]
    assert sorted(r["actor"].value.removeprefix(NATO.value) for r in copies) == ["", "-a", "-b"]
    assert len({(r["actorLabel"], r["measures"]) for r in copies}) == 1
    at = answer.index(copies[0])
    assert answer[at : at + 3] == copies  # sorted together: same count, same label


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


def test_an_unsorted_download_gives_the_iris_as_written_in_the_querys_order(client: httpx.Client) -> None:
    table = read_csv(client.get("/queries/most-involved-actors", params={"format": "csv"}))
    assert [r["measures"] for r in table] == sorted((r["measures"] for r in table), key=int, reverse=True)
    assert all(r["actor"].startswith(str(ID)) for r in table)


@pytest.mark.usefixtures("no_language_cookie")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_sorted_download_sorts_iris_by_their_label_in_the_readers_language(client: httpx.Client, lang: str) -> None:
    table = read_csv(
        client.get("/queries/most-involved-actors", params={"format": "csv", "_sort": "actor", "lang": lang})
    )
    labels = {r["actor"]: r["actorLabel"] for r in table}
    keys = [text_key(labels[r["actor"]]) for r in table]
    assert keys == sorted(keys)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_the_whole_answer_at_once_is_its_pages_one_after_another(client: httpx.Client, fmt: str) -> None:
    def page(**params: str) -> str:
        response = client.get("/queries/most-involved-actors", params={"format": fmt, **params})
        assert response.status_code == 200
        return response.text

    whole = page(limit="10000")
    pages = [page(limit="10", offset=str(offset)) for offset in (0, 10, 20)]
    if fmt == "json":
        bindings = [row for text in pages for row in json.loads(text)["results"]["bindings"]]
        assert json.loads(whole)["results"]["bindings"] == bindings
    else:
        header, *rest = pages[0].splitlines(keepends=True)
        assert whole == header + "".join(rest) + "".join(p.split("\n", 1)[1] for p in pages[1:])
