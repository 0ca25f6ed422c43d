"""Every namespace sugraph uses, as rdflib namespaces over the strings of `iris.py`, so no IRI is spelled twice."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .iris import ASSERTED_GRAPH_IRI, ENTITY_BASE, GRAPH_BASE, INFERRED_GRAPH_IRI, ONTOLOGY_IRI, PREFIXES

__all__ = ["ASSERTED_GRAPH", "DCAT", "DCTERMS", "ELI", "ENTITY_BASE", "FOAF", "GRAPH", "ID", "INFERRED_GRAPH",
           "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SD", "SH", "SKOS", "SUG",
           "VANN", "VOID", "XSD", "sparql_prologue"]

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
