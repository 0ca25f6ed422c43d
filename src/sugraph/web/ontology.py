"""The ontology at its own IRI: RDF by content negotiation and HTML documentation of every term.

`https://w3id.org/sugraph/ontology#Term` is a hash IRI, so a client asks for `/ontology` and finds
the term in the document: by its subject in RDF, by the `#Term` anchor in HTML. The version IRI
(`/ontology/{owl:versionInfo}`) serves the same document while that version is the current one.

The HTML is generated from the ontology graph itself (labels and definitions in fr and en, domains,
ranges, hierarchy), plus how the data uses each term (counts and examples, read from the store).
pyLODE was tried: its newest release fails at import when installed from its wheel, and the
previous one runs the en and fr labels together ("ThreatMenace") and shows neither usage counts nor
examples; hence this small generator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN
from rdflib.term import Identifier, Node

from ..errors import NotFound
from ..iris import PUBLIC_BASE
from ..namespaces import ONTOLOGY_IRI, SUG, sparql_prologue
from ..search import short_name
from ..terms import by_language, to_rdflib
from .context import ServingContext, context
from .display import Value
from .formats import HTML, JSON_LD, N_TRIPLES, RDF_XML, TURTLE, Format, serialize_graph
from .http import get_and_head, represent
from .layout import render_once

ONTOLOGY_FORMATS = (TURTLE, HTML, JSON_LD, RDF_XML, N_TRIPLES)
EXAMPLES = 3
LANGS = ("en", "fr")

CLASS_USAGE = sparql_prologue() + "SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t } GROUP BY ?t"
PROPERTY_USAGE = sparql_prologue() + "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s ?t ?o } GROUP BY ?t"
CLASS_EXAMPLES = (
    sparql_prologue()
    + """
SELECT ?t ?s ?sl WHERE {
  ?s a ?t . FILTER(isIRI(?s) && STRSTARTS(STR(?t), STR(sug:)))
  OPTIONAL { ?s rdfs:label ?sl FILTER(langMatches(lang(?sl), "en")) }
} ORDER BY ?t ?s
"""
)
PROPERTY_EXAMPLES = (
    sparql_prologue()
    + """
SELECT ?t ?s ?sl ?o ?ol WHERE {
  ?s ?t ?o . FILTER(STRSTARTS(STR(?t), STR(sug:)))
  OPTIONAL { ?s rdfs:label ?sl FILTER(langMatches(lang(?sl), "en")) }
  OPTIONAL { ?o rdfs:label ?ol FILTER(langMatches(lang(?ol), "en")) }
} ORDER BY isBlank(?s) isBlank(?o) ?t ?s ?o
"""
)


@dataclass
class TermDoc:
    iri: str
    anchor: str
    kind: str
    labels: dict[str, str]
    definitions: dict[str, str]
    facts: list[tuple[str, list[list[Value]]]]  # heading → values; a value with several links is a union
    usage: int = 0
    examples: list[list[Value]] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    version: str
    version_iri: str
    header: list[tuple[str, list[Value]]]
    sections: list[tuple[str, str, list[TermDoc]]]  # (anchor, title, terms)


def current_version(ontology: Graph) -> str:
    return str(ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo) or "")


def _ordered(nodes: Iterable[Node]) -> list[Identifier]:
    """Terms in rdflib's order (IRIs by text, literals by value). A parsed graph holds Identifiers
    only, but rdflib types what it yields as Node, which has no order."""
    return sorted(n for n in nodes if isinstance(n, Identifier))


class _Docs:
    """Turns the ontology graph into the documentation model."""

    def __init__(self, ontology: Graph):
        self.g = ontology

    def link(self, node) -> Value:
        if isinstance(node, Literal):
            return Value(str(node), lang=node.language)
        if isinstance(node, BNode):
            return Value("[ ]")
        iri = str(node)
        if iri.startswith(str(SUG)):
            return Value(short_name(iri), "#" + iri[len(str(SUG)) :])
        if iri.startswith(PUBLIC_BASE + "/"):  # served here: link to this server's copy
            return Value(short_name(iri), iri[len(PUBLIC_BASE) :])
        return Value(short_name(iri), iri)

    def members(self, node) -> list:
        """The classes a class expression is made of: itself, or those of its owl:unionOf."""
        union = self.g.value(node, OWL.unionOf) if isinstance(node, BNode) else None
        return list(Collection(self.g, union)) if union is not None else [node]

    def values(self, subject, prop) -> list[list[Value]]:
        return [[self.link(m) for m in self.members(o)] for o in _ordered(self.g.objects(subject, prop))]

    def inverse_values(self, subject, prop) -> list[list[Value]]:
        subjects = (s for s in self.g.subjects(prop, subject) if isinstance(s, URIRef))
        return [[self.link(s)] for s in sorted(subjects)]

    def by_lang(self, subject, prop) -> dict[str, str]:
        return by_language(self.g.objects(subject, prop))

    def terms(self, rdf_type: URIRef) -> Iterator[URIRef]:
        yield from sorted(
            t for t in self.g.subjects(RDF.type, rdf_type) if isinstance(t, URIRef) and t.startswith(str(SUG))
        )

    def mentions(self, prop: URIRef, term: URIRef) -> list[list[Value]]:
        """Properties whose domain or range is `term`, alone or in a union."""
        return [
            [self.link(p)]
            for p, o in sorted(self.g.subject_objects(prop))
            if str(p).startswith(str(SUG)) and term in self.members(o)
        ]

    def term(self, iri: URIRef, kind: str, facts: list[tuple[str, list[list[Value]]]]) -> TermDoc:
        facts += [("See also", self.values(iri, RDFS.seeAlso))]
        return TermDoc(
            str(iri),
            str(iri)[len(str(SUG)) :],
            kind,
            self.by_lang(iri, RDFS.label),
            self.by_lang(iri, SKOS.definition),
            [(h, v) for h, v in facts if v],
        )

    def class_doc(self, iri: URIRef) -> TermDoc:
        return self.term(
            iri,
            "Class",
            [
                ("Subclass of", self.values(iri, RDFS.subClassOf)),
                ("Superclass of", self.inverse_values(iri, RDFS.subClassOf)),
                ("In the domain of", self.mentions(RDFS.domain, iri)),
                ("In the range of", self.mentions(RDFS.range, iri)),
            ],
        )

    def property_doc(self, iri: URIRef, kind: str) -> TermDoc:
        characteristics = [
            [self.link(t)]
            for t in _ordered(self.g.objects(iri, RDF.type))
            if t not in (OWL.ObjectProperty, OWL.DatatypeProperty)
        ]
        return self.term(
            iri,
            kind,
            [
                ("Domain", self.values(iri, RDFS.domain)),
                ("Range", self.values(iri, RDFS.range)),
                ("Subproperty of", self.values(iri, RDFS.subPropertyOf)),
                ("Superproperty of", self.inverse_values(iri, RDFS.subPropertyOf)),
                ("Inverse of", self.values(iri, OWL.inverseOf) + self.inverse_values(iri, OWL.inverseOf)),
                ("Characteristics", characteristics),
            ],
        )

    def header(self) -> list[tuple[str, list[Value]]]:
        o = URIRef(ONTOLOGY_IRI)
        rows = [
            ("IRI", [Value(ONTOLOGY_IRI, "/ontology")]),
            ("Version IRI", [self.link(v) for v in self.g.objects(o, OWL.versionIRI)]),
            ("Version", [self.link(v) for v in self.g.objects(o, OWL.versionInfo)]),
            ("Title", [self.link(v) for v in _ordered(self.g.objects(o, DCTERMS.title))]),
            ("Description", [self.link(v) for v in _ordered(self.g.objects(o, DCTERMS.description))]),
            ("Created", [self.link(v) for v in self.g.objects(o, DCTERMS.created)]),
            ("Creator", [self.link(v) for v in self.g.objects(o, DCTERMS.creator)]),
            ("Licence", [self.link(v) for v in self.g.objects(o, DCTERMS.license)]),
            ("Namespace", [self.link(v) for v in self.g.objects(o, VANN.preferredNamespaceUri)]),
            ("Prefix", [self.link(v) for v in self.g.objects(o, VANN.preferredNamespacePrefix)]),
        ]
        return [(h, v) for h, v in rows if v]

    def document(self) -> OntologyDoc:
        version = current_version(self.g)
        sections = [
            ("classes", "Classes", [self.class_doc(c) for c in self.terms(OWL.Class)]),
            (
                "object-properties",
                "Object properties",
                [self.property_doc(p, "Object property") for p in self.terms(OWL.ObjectProperty)],
            ),
            (
                "datatype-properties",
                "Datatype properties",
                [self.property_doc(p, "Datatype property") for p in self.terms(OWL.DatatypeProperty)],
            ),
        ]
        version_iri = str(self.g.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) or "")
        return OntologyDoc(ONTOLOGY_IRI, version, version_iri, self.header(), sections)

    def add_usage(self, doc: OntologyDoc, rows: dict[str, list[dict]]) -> None:
        """Usage counts and examples from the data (asserted and inferred): `rows` from `usage_rows`."""
        counts = {row["t"].value: int(row["n"].value) for query in (CLASS_USAGE, PROPERTY_USAGE) for row in rows[query]}
        examples: dict[str, list[list[Value]]] = defaultdict(list)
        for row in _in_one_order(rows[CLASS_EXAMPLES], "t", "s"):
            examples[row["t"].value].append([self._example_link(row["s"], row.get("sl"))])
        for row in _in_one_order(rows[PROPERTY_EXAMPLES], "t", "s", "o"):
            examples[row["t"].value].append(
                [self._example_link(row["s"], row.get("sl")), self._example_link(row["o"], row.get("ol"))]
            )
        for _, _, terms in doc.sections:
            for term in terms:
                term.usage = counts.get(term.iri, 0)
                term.examples = examples.get(term.iri, [])[:EXAMPLES]

    def _example_link(self, node: ox.NamedNode | ox.BlankNode | ox.Literal, label: ox.Literal | None) -> Value:
        link = self.link(to_rdflib(node))
        return Value(label.value, link.href) if label is not None and isinstance(node, ox.NamedNode) else link


def _in_one_order(rows: list[dict], *variables: str) -> list[dict]:
    """Rows sorted here rather than by ORDER BY, which engines apply differently to literals and
    blank nodes: named terms first, then by text (a blank node's label is the engine's own, so it
    does not count), so every engine shows the same examples."""

    def key(row: dict) -> tuple:
        return tuple((True, "") if isinstance(row[v], ox.BlankNode) else (False, str(row[v])) for v in variables)

    return sorted(rows, key=key)


def usage_rows(store) -> dict[str, list[dict]]:
    """What the usage queries answer, by query."""
    return {query: store.select(query) for query in (CLASS_USAGE, PROPERTY_USAGE, CLASS_EXAMPLES, PROPERTY_EXAMPLES)}


def ontology_html(ctx: ServingContext) -> bytes:
    rows = usage_rows(ctx.store)  # first: a store that fails fails the page at once, not once it is built
    docs = _Docs(ctx.kg.ontology)
    doc = docs.document()
    docs.add_usage(doc, rows)
    formats = [f for f in ONTOLOGY_FORMATS if f is not HTML]
    return render_once(ctx, "ontology.html", "/ontology", doc=doc, formats=formats, langs=LANGS)


def ontology_bytes(ctx: ServingContext, fmt: Format) -> bytes:
    if fmt is HTML:
        return ctx.once("ontology:html", lambda: ontology_html(ctx))
    return ctx.once(f"ontology:{fmt.ext}", lambda: serialize_graph(ctx.kg.ontology, fmt))


router = APIRouter(tags=["ontology"])


def _serve(request: Request, base_path: str, ext: str | None):
    ctx = context(request)
    return represent(request, base_path, ONTOLOGY_FORMATS, ext, lambda fmt: ontology_bytes(ctx, fmt))


@get_and_head(router, "/ontology", summary="The ontology (content negotiation)")
async def ontology(request: Request) -> Response:
    return await _serve(request, "/ontology", None)


@get_and_head(router, "/ontology.{ext}", summary="The ontology in one format")
async def ontology_in(request: Request, ext: str) -> Response:
    return await _serve(request, "/ontology", ext)


@get_and_head(router, "/ontology/{name}", summary="A version of the ontology")
async def ontology_version(request: Request, name: str) -> Response:
    """`/ontology/1.0.0` (negotiated) or `/ontology/1.0.0.ttl`; only the current version is served."""
    stem, _, ext = name.rpartition(".")
    if ext not in {f.ext for f in ONTOLOGY_FORMATS}:
        stem, ext = name, ""
    version = current_version(context(request).kg.ontology)
    if stem != version:
        raise NotFound(f"no ontology version {stem!r}; the current version is {version}")
    return await _serve(request, f"/ontology/{version}", ext or None)
