"""The representations the service can serve, and how RDF is written in each.

Every router takes its formats from here, so a format is named, typed and serialized one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import PREFIXES


@dataclass(frozen=True)
class Format:
    """One representation: extension, media type and name (pyoxigraph's own, for RDF and results),
    the other names `?format=` accepts, and what serializes it (neither, for HTML)."""

    ext: str
    media_type: str
    name: str
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    rdflib: str | None = None
    names: tuple[str, ...] = ()
    dataset: bool = False  # keeps named graphs; JSON-LD could, but its clients expect one graph

    @property
    def short(self) -> str:
        """The name documentation gives for `?format=`."""
        return (self.names or (self.ext,))[0]

    @property
    def label(self) -> str:
        """The name a reader knows the format by (pyoxigraph's, without "SPARQL Results in")."""
        return self.name.removeprefix("SPARQL Results in ")


def _rdf(fmt: ox.RdfFormat, rdflib: str, *names: str) -> Format:
    dataset = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
    return Format(fmt.file_extension, fmt.media_type, fmt.name, rdf=fmt, rdflib=rdflib, names=names, dataset=dataset)


def _results(fmt: ox.QueryResultsFormat, *names: str) -> Format:
    return Format(fmt.file_extension, fmt.media_type.split(";")[0], fmt.name, results=fmt, names=names)


TURTLE = _rdf(ox.RdfFormat.TURTLE, "turtle", "turtle")
N_TRIPLES = _rdf(ox.RdfFormat.N_TRIPLES, "nt", "ntriples", "n-triples")
JSON_LD = _rdf(ox.RdfFormat.JSON_LD, "json-ld", "json-ld")
RDF_XML = _rdf(ox.RdfFormat.RDF_XML, "xml", "rdfxml", "rdf+xml")
TRIG = _rdf(ox.RdfFormat.TRIG, "trig")
N_QUADS = _rdf(ox.RdfFormat.N_QUADS, "nquads", "nquads", "n-quads")
RESULTS_JSON = _results(ox.QueryResultsFormat.JSON, "json")
RESULTS_XML = _results(ox.QueryResultsFormat.XML, "xml")
CSV = _results(ox.QueryResultsFormat.CSV)
TSV = _results(ox.QueryResultsFormat.TSV)
HTML = Format("html", "text/html", "HTML")
TEXT = Format("txt", "text/plain", "Text", names=("text",))
# Citations (web/citation.py): BibTeX as reference managers import it, CSL-JSON as citeproc reads it.
BIBTEX = Format("bib", "application/x-bibtex", "BibTeX", names=("bibtex",))
CSL_JSON = Format("csl.json", "application/vnd.citationstyles.csl+json", "CSL-JSON", names=("csl-json",))
# SPARQL JSON results labelled as plain JSON, for the clients of named queries that ask for that.
JSON = Format("json", "application/json", "JSON", results=ox.QueryResultsFormat.JSON)

RESULT_FORMATS = (RESULTS_JSON, RESULTS_XML, CSV, TSV)
GRAPH_FORMATS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
# An entity's description, in the server's order of preference: */* (curl) gets Turtle.
ENTITY_FORMATS = (TURTLE, HTML, JSON_LD, RDF_XML, N_TRIPLES, TRIG, N_QUADS)
CITATION_FORMATS = (TEXT, BIBTEX, CSL_JSON)
FORMATS = (*RESULT_FORMATS, *GRAPH_FORMATS, HTML, JSON, TEXT, BIBTEX, CSL_JSON)
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}

# Short names accepted by `?format=` (a full media type is accepted as well); the first format
# to claim a name keeps it, so `json` is SPARQL JSON.
FORMAT_NAMES: dict[str, str] = {}
for _format in FORMATS:
    for _name in (_format.ext, *_format.names):
        FORMAT_NAMES.setdefault(_name, _format.media_type)

# Media types some clients ask for instead: N-Triples' historical one (still what rdflib sends for
# format="nt"), and plain JSON, which JSON-LD is.
ALIASES = {"text/plain": N_TRIPLES, "application/json": JSON_LD}


def formats_for(media_types: Sequence[str]) -> tuple[Format, ...]:
    """The registry's formats for media types (what a store can produce), in the same order."""
    return tuple(BY_MEDIA_TYPE[t] for t in media_types)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text is always UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def serialize(quads: Sequence[ox.Quad], fmt: Format) -> bytes:
    """Quads in the order given. Quad formats keep the asserted/inferred graphs (one block per
    graph); triple formats merge them."""
    assert fmt.rdf is not None
    if fmt.dataset:
        statements: list = sorted(dict.fromkeys(quads), key=lambda q: str(q.graph_name))
    else:
        statements = list(dict.fromkeys(q.triple for q in quads))
    # pyoxigraph's stub lacks the overload that says so: without an output, the result is bytes.
    return ox.serialize(statements, format=fmt.rdf, prefixes=used_prefixes(statements))  # type: ignore[return-value]


def used_prefixes(statements: Sequence[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The known prefixes that some IRI in the statements starts with, to keep headers short."""
    iris = {t.value for s in statements for t in s if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """rdflib's serializers, for the small graphs people read (ontology, VoID): they nest blank
    nodes and write RDF lists as ( … )."""
    assert fmt.rdflib is not None
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")
