"""One format registry, built from pyoxigraph's own format objects, and one answer to a `?format=`
no route serves: 406, naming what that route offers. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sugraph.store.base import GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from sugraph.web.formats import FORMAT_NAMES, GRAPH_FORMATS, RESULT_FORMATS, TURTLE, formats_for

ASK = "ASK { ?s ?p ?o }"
UNKNOWN_FORMAT = [
    (
        "/doc/threat/terrorism",
        {},
        "ttl (text/turtle), html (text/html), jsonld (application/ld+json), "
        "rdf (application/rdf+xml), nt (application/n-triples), trig (application/trig), nq (application/n-quads)",
    ),
    (
        "/id/threat/terrorism",
        {},
        "ttl (text/turtle), html (text/html), jsonld (application/ld+json), "
        "rdf (application/rdf+xml), nt (application/n-triples), trig (application/trig), nq (application/n-quads)",
    ),
    (
        "/ontology",
        {},
        "ttl (text/turtle), html (text/html), jsonld (application/ld+json), "
        "rdf (application/rdf+xml), nt (application/n-triples)",
    ),
    (
        "/.well-known/void",
        {},
        "ttl (text/turtle), jsonld (application/ld+json), rdf (application/rdf+xml), nt (application/n-triples)",
    ),
    (
        "/sparql",
        {"query": ASK},
        "srj (application/sparql-results+json), srx (application/sparql-results+xml), "
        "csv (text/csv), tsv (text/tab-separated-values)",
    ),
    ("/sparql", {}, "ttl (text/turtle), jsonld (application/ld+json), html (text/html)"),
    (
        "/queries/deadlines",
        {},
        "srj (application/sparql-results+json), json (application/json), csv (text/csv), "
        "tsv (text/tab-separated-values), html (text/html)",
    ),
    ("/dumps/", {}, "txt (text/plain), html (text/html)"),
]


def test_the_registry_is_pyoxigraphs_formats():
    assert TURTLE.rdf is ox.RdfFormat.TURTLE
    assert (TURTLE.ext, TURTLE.media_type, TURTLE.name) == ("ttl", "text/turtle", "Turtle")
    assert [f.results for f in RESULT_FORMATS] == [
        ox.QueryResultsFormat.JSON,
        ox.QueryResultsFormat.XML,
        ox.QueryResultsFormat.CSV,
        ox.QueryResultsFormat.TSV,
    ]


def test_the_registry_has_a_format_for_all_the_store_writes():
    assert formats_for(RESULTS_MEDIA_TYPES) == RESULT_FORMATS
    assert formats_for(GRAPH_MEDIA_TYPES) == GRAPH_FORMATS


def test_short_names_are_the_extensions_and_the_usual_spellings():
    assert FORMAT_NAMES == {
        "srj": "application/sparql-results+json",
        "json": "application/sparql-results+json",
        "srx": "application/sparql-results+xml",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "ttl": "text/turtle",
        "turtle": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "n-triples": "application/n-triples",
        "jsonld": "application/ld+json",
        "json-ld": "application/ld+json",
        "rdf": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "trig": "application/trig",
        "nq": "application/n-quads",
        "nquads": "application/n-quads",
        "n-quads": "application/n-quads",
        "html": "text/html",
        "txt": "text/plain",
        "text": "text/plain",
        "bib": "application/x-bibtex",
        "bibtex": "application/x-bibtex",
        "csl.json": "application/vnd.citationstyles.csl+json",
        "csl-json": "application/vnd.citationstyles.csl+json",
    }


@pytest.mark.parametrize(("path", "params", "available"), UNKNOWN_FORMAT)
def test_an_unknown_format_is_406_naming_the_available_ones(client, path, params, available):
    r = client.get(path, params={**params, "format": "xls"})
    assert r.status_code == 406
    assert f"; available: {available}" in r.text
