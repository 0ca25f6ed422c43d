"""The ontology resolves at its IRI and its version IRI, as RDF by negotiation and as HTML docs
generated from the ontology itself."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from sugraph.namespaces import SUG

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}


@pytest.fixture(scope="module")
def docs(client) -> str:
    return client.get("/ontology.html").text


def article(docs: str, anchor: str) -> str:
    """The HTML section documenting one term."""
    m = re.search(rf'<article id="{anchor}" class="term">(.*?)</article>', docs, re.S)
    assert m, anchor
    return m.group(1)


def sug_terms(kg) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted(s for k in kinds for s in kg.ontology.subjects(RDF.type, k) if s.startswith(str(SUG)))


def test_ontology_is_negotiated_with_a_content_location(client):
    r = client.get("/ontology", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/ld+json"
    assert r.headers["content-location"] == "/ontology.jsonld"
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]


def test_ontology_defaults_to_turtle(client):
    assert client.get("/ontology").headers["content-type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_format_holds_the_whole_ontology(client, kg, ext):
    media_type, rdflib_name = FORMATS[ext]
    body = client.get(f"/ontology.{ext}").content
    assert Graph().parse(data=body, format=rdflib_name).isomorphic(kg.ontology)
    assert len(list(ox.parse(body, format=ox.RdfFormat.from_media_type(media_type)))) == len(kg.ontology)


def test_browsers_get_the_documentation(client):
    r = client.get("/ontology", headers={"Accept": BROWSER})
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-location"] == "/ontology.html"


def test_version_iri_serves_the_current_version(client, kg):
    r = client.get("/ontology/1.0.0", headers={"Accept": "text/turtle"})
    assert r.headers["content-location"] == "/ontology/1.0.0.ttl"
    assert Graph().parse(data=r.text, format="turtle").isomorphic(kg.ontology)


def test_unknown_version_is_404(client):
    assert client.get("/ontology/0.9.0").status_code == 404


def test_every_term_has_an_anchor(docs, kg):
    for term in sug_terms(kg):
        article(docs, term.removeprefix(str(SUG)))


def test_every_term_shows_its_labels_and_definitions_in_french_and_english(docs, kg):
    for term in sug_terms(kg):
        section = article(docs, term.removeprefix(str(SUG)))
        for prop in (RDFS.label, SKOS.definition):
            for lang in ("en", "fr"):
                text = next(
                    str(o) for o in kg.ontology.objects(term, prop) if isinstance(o, Literal) and o.language == lang
                )
                assert f'<dd lang="{lang}">{escape(text)} <small>({lang})</small></dd>' in section


def test_union_domains_are_shown_as_alternatives(docs):
    assert (
        '<dt>Domain</dt>\n<dd><a href="#Measure">sug:Measure</a> or <a href="#Instrument">sug:Instrument</a></dd>'
        in article(docs, "addresses")
    )


def test_class_usage_counts_instances_with_inference(docs, store):
    count = int(store.select("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a sug:Actor }")[0]["n"].value)
    assert f'<dd class="usage">{count} instances</dd>' in article(docs, "Actor")


def test_property_usage_counts_triples(docs, store):
    count = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s sug:addresses ?o }")[0]["n"].value)
    assert f'<dd class="usage">{count} triples</dd>' in article(docs, "addresses")


def test_examples_link_to_entities_served_here(docs):
    assert re.search(r'<dt>Examples</dt>\n<dd><a href="/id/threat/[a-z0-9-]+">', article(docs, "Threat"))


def test_definitions_are_escaped(docs):
    assert "prov:entity &lt;document&gt;" in article(docs, "quote")
