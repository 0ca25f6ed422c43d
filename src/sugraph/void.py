"""The dataset's description of itself, in VoID and DCAT, built from the knowledge graph.

Catalogues and crawlers read it to learn what sugraph holds (sizes, classes, properties), where the
dumps and the SPARQL endpoint are, and under which licence it may be reused. Everything that can be
is derived from the graph (counts, licence and creator from the ontology header, source documents),
so the description cannot drift from the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF
from rdflib.term import IdentifiedNode

from .build import KnowledgeGraph
from .namespaces import ASSERTED_GRAPH, DCAT, INFERRED_GRAPH, ONTOLOGY_IRI, PREFIXES, SUG, VOID

TITLE = {"en": "Security Union knowledge graph", "fr": "Graphe de connaissances de l'union de la sécurité"}
DESCRIPTION = {
    "en": "Threats, measures, instruments, actors and strategies of the EU Security Union, as stated in "
    "European Commission press releases, with the provenance of every fact and the OWL 2 RL inferences.",
    "fr": "Menaces, mesures, instruments, acteurs et stratégies de l'union de la sécurité de l'UE, tels que "
    "les communiqués de presse de la Commission européenne les présentent, avec la provenance de chaque "
    "fait et les inférences OWL 2 RL.",
}
LANGUAGES = (
    "http://publications.europa.eu/resource/authority/language/ENG",
    "http://publications.europa.eu/resource/authority/language/FRA",
)
IANA = "http://www.iana.org/assignments/media-types/"
GRAPH_TITLES = {
    ASSERTED_GRAPH: {
        "en": "Asserted triples: the ontology and the data as written",
        "fr": "Triplets déclarés : l'ontologie et les données telles qu'écrites",
    },
    INFERRED_GRAPH: {
        "en": "Inferred triples: what the OWL 2 RL reasoner adds",
        "fr": "Triplets inférés : ce que le raisonneur OWL 2 RL ajoute",
    },
}


@dataclass(frozen=True)
class Distribution:
    """One downloadable dump: where it is and what it contains."""

    url: str
    media_type: str
    title: str
    gzip: bool = False


def dataset_iri(public_base: str) -> URIRef:
    return URIRef(f"{public_base}/.well-known/void#dataset")


def void_graph(kg: KnowledgeGraph, public_base: str, distributions: Sequence[Distribution]) -> Graph:
    """The VoID + DCAT description of the dataset served under `public_base`."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    ds = dataset_iri(public_base)
    union = kg.union()
    ontology = URIRef(ONTOLOGY_IRI)
    uri_space = f"{public_base}/id/"

    description = URIRef(f"{public_base}/.well-known/void")
    g.add((description, RDF.type, VOID.DatasetDescription))
    g.add((description, FOAF.primaryTopic, ds))

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for lang, text in TITLE.items():
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        g.add((ds, DCTERMS.description, Literal(text, lang=lang)))
    for prop in (DCTERMS.license, DCTERMS.creator):
        for value in kg.ontology.objects(ontology, prop):
            g.add((ds, prop, value))
    # Dates come from the ontology header, which is versioned with the data: dct:created is the
    # first release, dct:modified the last change (file times would say "the checkout day").
    for source, target in ((DCTERMS.created, DCTERMS.issued), (DCTERMS.modified, DCTERMS.modified)):
        for value in kg.ontology.objects(ontology, source):
            g.add((ds, target, value))
    g.add((ds, DCAT.version, Literal(kg.version)))
    g.add((ds, OWL.versionInfo, Literal(kg.version)))
    for lang in LANGUAGES:
        g.add((ds, DCTERMS.language, URIRef(lang)))
    documents = (s for s in kg.data.subjects(RDF.type, SUG.SourceDocument) if isinstance(s, IdentifiedNode))
    for document in sorted(documents):  # IRIs (or blank nodes): rdflib types subjects as unordered Nodes
        g.add((ds, DCTERMS.source, document))
    g.add((ds, DCAT.landingPage, URIRef(f"{public_base}/")))
    g.add((ds, FOAF.homepage, URIRef(f"{public_base}/")))

    endpoint = URIRef(f"{public_base}/sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = BNode()
    g.add((ds, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((ds, VOID.uriSpace, Literal(uri_space)))
    g.add((ds, VOID.vocabulary, URIRef(str(SUG))))
    for example in example_resources(kg):
        g.add((ds, VOID.exampleResource, example))

    _add_statistics(g, ds, union, uri_space)
    for graph_iri, graph in ((ASSERTED_GRAPH, kg.asserted), (INFERRED_GRAPH, kg.inferred)):
        _add_named_graph(g, ds, graph_iri, len(graph))
    for dist in distributions:
        _add_distribution(g, ds, dist)
    return g


def example_resources(kg: KnowledgeGraph) -> list[URIRef]:
    """One entity per sugraph class that the data uses: the first by IRI."""
    first: dict[URIRef, URIRef] = {}
    for s, cls in sorted(kg.data.subject_objects(RDF.type)):
        if isinstance(s, URIRef) and isinstance(cls, URIRef) and cls.startswith(str(SUG)):
            first.setdefault(cls, s)
    return sorted(first.values())


def _add_statistics(g: Graph, ds: URIRef, union: Graph, uri_space: str) -> None:
    """Sizes, and one class partition (entities) and property partition (triples) per term used."""
    classes = Counter(cls for _, cls in union.subject_objects(RDF.type) if isinstance(cls, URIRef))
    properties = Counter(p for _, p, _ in union)
    g.add((ds, VOID.triples, Literal(len(union))))
    g.add((ds, VOID.entities, Literal(len({s for s in union.subjects() if str(s).startswith(uri_space)}))))
    g.add((ds, VOID.classes, Literal(len(classes))))
    g.add((ds, VOID.properties, Literal(len(properties))))
    for cls, count in sorted(classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))


def _add_named_graph(g: Graph, ds: URIRef, graph_iri: URIRef, triples: int) -> None:
    """The asserted and inferred named graphs of the TriG/N-Quads dumps, as subsets."""
    g.add((ds, VOID.subset, graph_iri))
    g.add((graph_iri, RDF.type, VOID.Dataset))
    for lang, text in GRAPH_TITLES[graph_iri].items():
        g.add((graph_iri, DCTERMS.title, Literal(text, lang=lang)))
    g.add((graph_iri, VOID.triples, Literal(triples)))


def _add_distribution(g: Graph, ds: URIRef, dist: Distribution) -> None:
    url = URIRef(dist.url)
    g.add((ds, VOID.dataDump, url))
    node = BNode()
    g.add((ds, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(dist.title, lang="en")))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.mediaType, URIRef(IANA + dist.media_type)))
    if dist.gzip:
        g.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    for license_ in g.objects(ds, DCTERMS.license):
        g.add((node, DCTERMS.license, license_))
