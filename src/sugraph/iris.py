"""sugraph's IRIs as plain strings, without rdflib: query workers import only this.

`namespaces.py` builds rdflib namespaces from these, so each IRI is still spelled once."""

from __future__ import annotations

# The base of every IRI sugraph mints, whichever host serves them: a server serves `{PUBLIC_BASE}/X`
# at its own `/X` (w3id redirects there), and its RDF keeps these IRIs.
PUBLIC_BASE = "https://w3id.org/sugraph"
ONTOLOGY_IRI = f"{PUBLIC_BASE}/ontology"
ENTITY_BASE = f"{PUBLIC_BASE}/id/"
GRAPH_BASE = f"{PUBLIC_BASE}/graph/"

# Named graphs of the built knowledge graph: what was written by people vs. what the reasoner added.
ASSERTED_GRAPH_IRI = f"{GRAPH_BASE}asserted"
INFERRED_GRAPH_IRI = f"{GRAPH_BASE}inferred"

PREFIXES: dict[str, str] = {
    "sug": f"{ONTOLOGY_IRI}#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    **{
        name: f"{ENTITY_BASE}{kind}/"
        for name, kind in [
            ("threat", "threat"),
            ("measure", "measure"),
            ("instrument", "instrument"),
            ("actor", "actor"),
            ("person", "person"),
            ("post", "post"),
            ("role", "role"),
            ("strategy", "strategy"),
            ("priority", "priority"),
            ("doc", "document"),
            ("event", "event"),
            ("statement", "statement"),
            ("term", "term"),
            ("status", "status"),
            ("scheme", "scheme"),
        ]
    },
}


def kind_of(iri: str) -> str | None:
    """The kind segment of an entity IRI (`actor` for …/id/actor/nato), None for other IRIs."""
    if not iri.startswith(ENTITY_BASE):
        return None
    kind, _, slug = iri[len(ENTITY_BASE) :].partition("/")
    return kind if slug else None
