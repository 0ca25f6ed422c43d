"""The one conversion of terms between rdflib and pyoxigraph, the one choice of a text's language,
the one reader of SPARQL JSON results, the one pair that writes an IRI with a prefix and reads it back,
and the one reader of a query file's `#+` header."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from sugraph.named_queries import read_header
from sugraph.namespaces import compact_iri, expand_iri
from sugraph.store.remote import RemoteStore
from sugraph.terms import by_language, in_language, read_results, to_ox, to_rdflib

NATO = "https://w3id.org/sugraph/id/actor/nato"

PAIRS = [
    (URIRef(NATO), ox.NamedNode(NATO)),
    (BNode("b1"), ox.BlankNode("b1")),
    (Literal("OTAN", lang="fr"), ox.Literal("OTAN", language="fr")),
    (Literal("2020-07-24", datatype=XSD.date), ox.Literal("2020-07-24", datatype=ox.NamedNode(str(XSD.date)))),
]


@pytest.mark.parametrize(("rdflib_term", "ox_term"), PAIRS, ids=lambda t: repr(t)[:30])
def test_terms_cross_between_the_libraries_unchanged(rdflib_term, ox_term) -> None:
    assert to_ox(rdflib_term) == ox_term
    assert to_rdflib(ox_term) == rdflib_term


def test_a_simple_literal_is_an_xsd_string_in_pyoxigraph_and_untyped_in_rdflib() -> None:
    assert to_ox(Literal("NATO")) == ox.Literal("NATO", datatype=ox.NamedNode(str(XSD.string)))
    assert to_rdflib(ox.Literal("NATO")) == Literal("NATO")
    assert to_rdflib(ox.Literal("NATO")).datatype is None


def test_what_is_no_term_is_refused() -> None:
    with pytest.raises(TypeError, match="not an RDF term"):
        to_ox("https://example.org/")
    with pytest.raises(TypeError, match="not an RDF term"):
        to_rdflib(URIRef(NATO))  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "expected"), [("fr", "OTAN"), ("en", "NATO"), ("de", "NATO")])
def test_the_text_in_the_language_else_in_english(lang: str, expected: str) -> None:
    assert in_language({"fr": "OTAN", "en": "NATO"}, lang) == expected


def test_without_english_the_untagged_text_then_any() -> None:
    assert in_language({"fr": "OTAN", "": "Nato"}, "de") == "Nato"
    assert in_language({"fr": "OTAN"}, "de") == "OTAN"


def test_an_empty_text_counts_as_none_and_nothing_gives_the_default() -> None:
    assert in_language({"en": "", "fr": "OTAN"}, "en") == "OTAN"
    assert in_language({"en": ""}, "en", "nato") == "nato"
    assert in_language({}, "en") == ""


def test_texts_by_language_from_either_library_keeping_only_literals() -> None:
    terms = [
        Literal("OTAN", lang="fr"),
        ox.Literal("NATO", language="en"),
        Literal("Nato"),
        URIRef(NATO),
        ox.NamedNode(NATO),
        Literal("Organisation", lang="fr"),
    ]
    assert by_language(terms) == {"fr": "OTAN", "en": "NATO", "": "Nato"}


def _results(*terms: dict) -> bytes:
    return json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": t} for t in terms]}}).encode()


def test_results_are_read_as_pyoxigraph_terms() -> None:
    solutions = read_results(
        _results(
            {"type": "uri", "value": NATO},
            {"type": "bnode", "value": "b0"},
            {"type": "literal", "value": "OTAN", "xml:lang": "fr"},
        )
    )
    assert isinstance(solutions, ox.QuerySolutions)
    assert [row["x"] for row in solutions] == [
        ox.NamedNode(NATO),
        ox.BlankNode("b0"),
        ox.Literal("OTAN", language="fr"),
    ]


def test_a_blank_node_written_with_its_turtle_prefix_is_a_blank_node() -> None:
    assert [row["x"] for row in read_results(_results({"type": "bnode", "value": "_:b0"}))] == [ox.BlankNode("b0")]


def test_a_virtuoso_blank_node_is_a_blank_node() -> None:
    solutions = read_results(_results({"type": "bnode", "value": "nodeID://b10037"}))
    assert [row["x"] for row in solutions] == [ox.BlankNode("b10037")]


def test_a_virtuoso_blank_node_written_as_an_iri_is_a_blank_node() -> None:
    solutions = read_results(_results({"type": "uri", "value": "nodeID://b10037"}))
    assert [row["x"] for row in solutions] == [ox.BlankNode("b10037")]


def test_a_boolean_answer_is_read() -> None:
    answer = read_results(b'{"head": {}, "boolean": true}')
    assert isinstance(answer, ox.QueryBoolean) and bool(answer) is True


@pytest.mark.parametrize(
    "content",
    [b"not json", _results({"type": "uri"}), _results({"type": "bnode", "value": "nodeID://"})],
    ids=["not-json", "no-value", "empty-virtuoso-id"],
)
def test_unreadable_results_are_a_syntax_or_value_error(content: bytes) -> None:
    with pytest.raises((SyntaxError, ValueError)):
        list(read_results(content))  # pyoxigraph reads the rows as they are asked for


def test_an_iri_is_compacted_with_the_longest_namespace_that_fits() -> None:
    assert compact_iri(NATO) == "actor:nato"
    assert compact_iri("https://w3id.org/sugraph/ontology#Measure") == "sug:Measure"
    assert (
        compact_iri("https://w3id.org/sugraph/shapes#Threat", {"sugsh": "https://w3id.org/sugraph/shapes#"})
        == "sugsh:Threat"
    )


@pytest.mark.parametrize(
    "iri", ["https://example.org/x", "https://w3id.org/sugraph/id/actor/", "https://w3id.org/sugraph/id/actor/nato?x=1"]
)
def test_an_iri_without_a_readable_prefixed_name_is_not_compacted(iri: str) -> None:
    assert compact_iri(iri) is None


def test_a_prefixed_name_is_expanded_and_anything_else_left_alone() -> None:
    assert expand_iri("actor:nato") == NATO
    assert expand_iri(NATO) == NATO
    assert expand_iri("unknown:nato") == "unknown:nato"
    assert expand_iri("<actor:nato>") == "<actor:nato>"


def test_the_header_is_the_first_lines_that_start_with_hash_plus() -> None:
    text = "#+ title:\n#+   en: Measures\n#+\n#+ severity: info\n# a comment\nSELECT * {}\n#+ not: header\n"
    assert read_header(text) == (
        {"title": {"en": "Measures"}, "severity": "info"},
        "# a comment\nSELECT * {}\n#+ not: header\n",
    )


def test_a_query_without_a_header_has_an_empty_one() -> None:
    assert read_header("SELECT * {}\n") == ({}, "SELECT * {}\n")


def test_a_header_that_is_no_mapping_is_refused() -> None:
    with pytest.raises(ValueError, match="must be a YAML mapping"):
        read_header("#+ - a list\nASK {}\n")


@pytest.mark.parametrize(
    "term",
    [
        {"type": "bnode", "value": "nodeID://b10037"},
        {"type": "uri", "value": "nodeID://b10037"},
        {"type": "bnode", "value": "_:b10037"},
    ],
    ids=["virtuoso-bnode", "virtuoso-uri", "prefixed"],
)
def test_a_remote_endpoint_s_blank_nodes_reach_clients_as_blank_nodes(term: dict) -> None:
    store = RemoteStore("http://sparql.invalid/sparql", timeout=5)
    answer = httpx.Response(200, content=_results(term))
    store._http = httpx.Client(transport=httpx.MockTransport(lambda request: answer))
    try:
        assert store.select("SELECT ?x WHERE { ?x ?p ?o }") == [{"x": ox.BlankNode("b10037")}]
    finally:
        store.close()
