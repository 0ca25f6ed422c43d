"""Every namespace sugraph uses, in one place, so modules never spell an IRI twice."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

SUG = Namespace("https://w3id.org/sugraph/ontology#")
ID = Namespace("https://w3id.org/sugraph/id/")
GRAPH = Namespace("https://w3id.org/sugraph/graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_IRI = "https://w3id.org/sugraph/ontology"
ENTITY_BASE = str(ID)

# Named graphs of the built knowledge graph: what was written by people vs. what the reasoner added.
ASSERTED_GRAPH = GRAPH["asserted"]
INFERRED_GRAPH = GRAPH["inferred"]

PREFIXES: dict[str, str] = {
    "sug": str(SUG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "vann": str(VANN),
    "void": str(VOID),
    "dcat": str(DCAT),
    "eli": str(ELI),
    "sh": str(SH),
    "threat": f"{ID}threat/",
    "measure": f"{ID}measure/",
    "instrument": f"{ID}instrument/",
    "actor": f"{ID}actor/",
    "person": f"{ID}person/",
    "post": f"{ID}post/",
    "role": f"{ID}role/",
    "strategy": f"{ID}strategy/",
    "priority": f"{ID}priority/",
    "doc": f"{ID}document/",
    "event": f"{ID}event/",
    "statement": f"{ID}statement/",
    "term": f"{ID}term/",
    "status": f"{ID}status/",
    "scheme": f"{ID}scheme/",
}


def sparql_prologue() -> str:
    """PREFIX lines for every known prefix, for queries written without them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
