"""Full dumps at stable URLs and the VoID + DCAT description, against the real server."""

from __future__ import annotations

import gzip
from datetime import date

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from sugraph.namespaces import ASSERTED_GRAPH, DCAT, INFERRED_GRAPH, SUG, VOID

BASE = "https://w3id.org/sugraph"
DATASET = URIRef(f"{BASE}/.well-known/void#dataset")
TRIPLE_DUMPS = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
}
QUAD_DUMPS = {"trig": ("application/trig", "trig"), "nq": ("application/n-quads", "nquads")}


@pytest.fixture(scope="module")
def void(client) -> Graph:
    return Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, format="turtle")


@pytest.mark.parametrize("ext", list(TRIPLE_DUMPS))
def test_triple_dumps_hold_asserted_and_inferred_triples(client, kg, ext):
    media_type, rdflib_name = TRIPLE_DUMPS[ext]
    r = client.get(f"/dumps/sugraph.{ext}")
    assert r.headers["content-type"].split(";")[0] == media_type
    assert len(Graph().parse(data=r.content, format=rdflib_name)) == len(kg.union())
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(media_type)))) == len(kg.union())


@pytest.mark.parametrize("ext", list(QUAD_DUMPS))
def test_quad_dumps_keep_inferred_triples_in_their_own_graph(client, kg, ext):
    _, rdflib_name = QUAD_DUMPS[ext]
    ds = Dataset().parse(data=client.get(f"/dumps/sugraph.{ext}").content, format=rdflib_name)
    assert len(ds.graph(ASSERTED_GRAPH)) == len(kg.asserted)
    assert len(ds.graph(INFERRED_GRAPH)) == len(kg.inferred)


@pytest.mark.parametrize("ext", list(QUAD_DUMPS))
def test_quad_dumps_parse_with_oxigraph(client, kg, ext):
    media_type, _ = QUAD_DUMPS[ext]
    quads = list(ox.parse(client.get(f"/dumps/sugraph.{ext}").content, format=ox.RdfFormat.from_media_type(media_type)))
    assert len(quads) == len(kg.asserted) + len(kg.inferred)


@pytest.mark.parametrize("ext", [*TRIPLE_DUMPS, *QUAD_DUMPS])
def test_gzip_dump_is_the_compressed_plain_dump(client, ext):
    compressed = client.get(f"/dumps/sugraph.{ext}.gz")
    assert compressed.headers["content-type"] == "application/gzip"
    assert gzip.decompress(compressed.content) == client.get(f"/dumps/sugraph.{ext}").content


def test_dump_index_lists_every_dump(client):
    lines = client.get("/dumps/").text.splitlines()
    assert [line.split("\t")[0] for line in lines[1:]] == [
        f"/dumps/sugraph.{ext}{gz}" for ext in [*TRIPLE_DUMPS, *QUAD_DUMPS] for gz in ("", ".gz")
    ]


def test_unknown_dump_is_404(client):
    assert client.get("/dumps/sugraph.xml").status_code == 404


def test_void_is_negotiated(client):
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.headers["content-location"] == "/.well-known/void.jsonld"
    assert len(Graph().parse(data=r.content, format="json-ld")) > 0


def test_void_titles_and_describes_in_french_and_english(void):
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in void.objects(DATASET, prop)} == {"en", "fr"}


def test_void_licence_and_creator_come_from_the_ontology(void, kg):
    ontology = URIRef("https://w3id.org/sugraph/ontology")
    for prop in (DCTERMS.license, DCTERMS.creator):
        assert set(void.objects(DATASET, prop)) == set(kg.ontology.objects(ontology, prop))


def test_void_dates_and_version(void, kg):
    created = kg.ontology.value(URIRef("https://w3id.org/sugraph/ontology"), DCTERMS.created)
    assert void.value(DATASET, DCTERMS.issued) == created
    assert void.value(DATASET, DCTERMS.modified) == Literal(date(2026, 11, 25))  # an xsd:date
    assert void.value(DATASET, DCAT.version) == Literal(kg.version)


def test_void_counts_triples(void, kg):
    assert void.value(DATASET, VOID.triples).toPython() == len(kg.union())


def test_void_describes_both_named_graphs(void, kg):
    sizes = {g: void.value(g, VOID.triples).toPython() for g in void.objects(DATASET, VOID.subset)}
    assert sizes == {ASSERTED_GRAPH: len(kg.asserted), INFERRED_GRAPH: len(kg.inferred)}


def test_void_class_partition_counts_entities(void, store):
    part = next(p for p in void.objects(DATASET, VOID.classPartition) if void.value(p, VOID["class"]) == SUG.Threat)
    count = int(store.select("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a sug:Threat }")[0]["n"].value)
    assert void.value(part, VOID.entities).toPython() == count


def test_void_property_partition_counts_triples(void, store):
    part = next(p for p in void.objects(DATASET, VOID.propertyPartition) if void.value(p, VOID.property) == SUG.ledBy)
    count = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s sug:ledBy ?o }")[0]["n"].value)
    assert void.value(part, VOID.triples).toPython() == count


def test_void_endpoint_and_uri_space(void):
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{BASE}/sparql")
    assert void.value(DATASET, VOID.uriSpace) == Literal(f"{BASE}/id/")


def test_void_distributions_download_from_this_server(client, void):
    urls = sorted(void.value(d, DCAT.downloadURL) for d in void.objects(DATASET, DCAT.distribution))
    assert len(urls) == 10 and sorted(void.objects(DATASET, VOID.dataDump)) == urls
    assert all(client.get(url.removeprefix(BASE)).status_code == 200 for url in urls)


def test_void_gzip_distributions_name_their_compression(void):
    gz = [d for d in void.objects(DATASET, DCAT.distribution) if str(void.value(d, DCAT.downloadURL)).endswith(".gz")]
    assert len(gz) == 5
    assert all(
        void.value(d, DCAT.compressFormat) == URIRef("http://www.iana.org/assignments/media-types/application/gzip")
        for d in gz
    )


def test_void_example_resources_dereference(client, void):
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert examples and all(
        client.get(str(e).removeprefix(BASE), follow_redirects=True).status_code == 200 for e in examples
    )


def test_void_is_a_dcat_dataset(void):
    assert (DATASET, RDF.type, DCAT.Dataset) in void and (DATASET, RDF.type, VOID.Dataset) in void


def test_named_graph_iris_redirect_to_the_description(client):
    r = client.get("/graph/inferred")
    assert (r.status_code, r.headers["location"]) == (303, "/.well-known/void")


def test_unknown_named_graph_is_404(client):
    assert client.get("/graph/other").status_code == 404
