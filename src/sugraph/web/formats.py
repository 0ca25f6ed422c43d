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
    """One representation: its file extension, media type, name and serializers (None for HTML)."""

    ext: str
    media_type: str
    name: str
    rdf: ox.RdfFormat | None
    rdflib: str | None
    dataset: bool = False  # keeps named graphs (TriG, N-Quads)


TURTLE = Format("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE, "turtle")
HTML = Format("html", "text/html", "HTML", None, None)
JSON_LD = Format("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD, "json-ld")
RDF_XML = Format("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML, "xml")
N_TRIPLES = Format("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES, "nt")
TRIG = Format("trig", "application/trig", "TriG", ox.RdfFormat.TRIG, "trig", dataset=True)
N_QUADS = Format("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS, "nquads", dataset=True)

# Media types some clients ask for instead: N-Triples' historical one (still what rdflib sends for
# format="nt"), and plain JSON, which JSON-LD is.
ALIASES = {"text/plain": N_TRIPLES, "application/json": JSON_LD}


def serialize(quads: Sequence[ox.Quad], fmt: Format) -> bytes:
    """Quads in the order given. Quad formats keep the asserted/inferred graphs (one block per
    graph); triple formats merge them."""
    assert fmt.rdf is not None
    if fmt.dataset:
        statements: list = sorted(dict.fromkeys(quads), key=lambda q: str(q.graph_name))
    else:
        statements = list(dict.fromkeys(q.triple for q in quads))
    return ox.serialize(statements, format=fmt.rdf, prefixes=used_prefixes(statements))


def used_prefixes(statements: Sequence[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The known prefixes that some IRI in the statements starts with, to keep headers short."""
    iris = {t.value for s in statements for t in s if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """rdflib's serializers, for the small graphs people read (ontology, VoID): they nest blank
    nodes and write RDF lists as ( … )."""
    assert fmt.rdflib is not None
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")
