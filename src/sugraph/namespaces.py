"""Every namespace sugraph uses, as rdflib namespaces over the strings of `iris.py`, so no IRI is spelled twice;
and the one way an IRI is written with a prefix (`actor:nato`) and read back."""

from collections.abc import Mapping

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .iris import ASSERTED_GRAPH_IRI, ENTITY_BASE, GRAPH_BASE, INFERRED_GRAPH_IRI, ONTOLOGY_IRI, PREFIXES

__all__ = [
    "ASSERTED_GRAPH",
    "DCAT",
    "DCTERMS",
    "ELI",
    "ENTITY_BASE",
    "FOAF",
    "GRAPH",
    "ID",
    "INFERRED_GRAPH",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SUG",
    "VANN",
    "VOID",
    "XSD",
    "compact_iri",
    "expand_iri",
    "sparql_prologue",
]

SUG = Namespace(PREFIXES["sug"])
ID = Namespace(ENTITY_BASE)
GRAPH = Namespace(GRAPH_BASE)
ORG = Namespace(PREFIXES["org"])
SCHEMA = Namespace(PREFIXES["schema"])
VANN = Namespace(PREFIXES["vann"])
VOID = Namespace(PREFIXES["void"])
DCAT = Namespace(PREFIXES["dcat"])
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ELI = Namespace(PREFIXES["eli"])
SH = Namespace(PREFIXES["sh"])

# Named graphs of the built knowledge graph: what was written by people vs. what the reasoner added.
ASSERTED_GRAPH = URIRef(ASSERTED_GRAPH_IRI)
INFERRED_GRAPH = URIRef(INFERRED_GRAPH_IRI)


def sparql_prologue() -> str:
    """PREFIX lines for every known prefix, for queries written without them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def compact_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """`actor:nato` for an IRI in one of the namespaces (the longest that fits); None when none fits or
    the rest is empty or more than letters, digits and `-_.` (it would not read as a prefixed name)."""
    for prefix, base in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(base) :]
        if iri.startswith(base) and local:
            return f"{prefix}:{local}" if all(c.isalnum() or c in "-_." for c in local) else None
    return None


def expand_iri(name: str) -> str:
    """The IRI of a prefixed name with a known prefix (`threat:hybrid-threats`); anything else unchanged."""
    prefix, colon, local = name.partition(":")
    return PREFIXES[prefix] + local if colon and prefix in PREFIXES else name
