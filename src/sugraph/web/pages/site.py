"""What every page needs to know about the graph (and the named questions), read once at startup.

Labels, descriptions, types, counts and sources change only when the graph is rebuilt (and the
service restarted), so pages read them from this snapshot and query the store only for what is
specific to one page. The full-text index is a file: beside the prebuilt store (opened, or built
once if missing), else built after start-up in the background (a remote backend) while searches
answer 503.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial

import pyoxigraph as ox

from ...named_queries import NamedQuery
from ...namespaces import ASSERTED_GRAPH, ENTITY_BASE, FOAF, SUG
from ...search import LabelIndex, build_index, in_background, open_or_build
from ...store import Store
from ...store.pool import PooledStore
from ...store.prebuilt import index_path
from ...terms import in_language
from ..i18n import TERM_LABELS, interface_text

# The classes a reader browses, by IRI kind (see CONVENTIONS.md), in the order pages list them.
KINDS: dict[str, str] = {
    "threat": str(SUG.Threat),
    "measure": str(SUG.Measure),
    "instrument": str(SUG.Instrument),
    "actor": str(SUG.Actor),
    "strategy": str(SUG.Strategy),
    "priority": str(SUG.StrategicPriority),
    "document": str(FOAF.Document),
    "event": str(SUG.Event),
    "person": str(FOAF.Person),
    "statement": str(SUG.Statement),
}

DESCRIPTIONS_QUERY = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?text WHERE {
  { ?s dct:description ?text } UNION { ?s skos:definition ?text }
  FILTER(isIRI(?s))
}
"""

TYPES_QUERY = """
SELECT ?s ?class ?g WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER(isIRI(?s) && isIRI(?class))
}
"""

INVERSES_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?p ?q WHERE { ?p owl:inverseOf ?q FILTER(isIRI(?p) && isIRI(?q)) }
"""

SOURCES_QUERY = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX sug: <https://w3id.org/sugraph/ontology#>
SELECT ?doc ?identifier ?issued ?page ?title WHERE {
  ?doc a sug:SourceDocument .
  OPTIONAL { ?doc dct:identifier ?identifier }
  OPTIONAL { ?doc dct:title ?title }
  OPTIONAL { ?doc dct:issued ?issued }
  OPTIONAL { ?doc foaf:page ?page }
}
ORDER BY ?issued
"""


@dataclass(frozen=True)
class Source:
    """A source document, with what a citation needs."""

    iri: str
    identifier: str
    issued: str
    page: str | None
    title: str = ""  # as the original is titled, in its language


@dataclass
class Site:
    labels: LabelIndex
    descriptions: dict[str, dict[str, str]]
    types: dict[str, set[str]]  # every type, asserted or inferred
    asserted_types: dict[str, set[str]]  # the types people wrote (the most specific ones)
    sources: list[Source]
    inverses: dict[str, str]  # property → its owl:inverseOf, both ways
    queries: dict[str, NamedQuery]  # the named questions, for the workbench

    @classmethod
    def from_store(cls, store: Store, queries: dict[str, NamedQuery]) -> Site:
        descriptions: dict[str, dict[str, str]] = defaultdict(dict)
        for row in store.select(DESCRIPTIONS_QUERY):
            text = row["text"]
            lang = text.language if isinstance(text, ox.Literal) and text.language else ""
            descriptions[row["s"].value].setdefault(lang, text.value)
        types: dict[str, set[str]] = defaultdict(set)
        asserted: dict[str, set[str]] = defaultdict(set)
        for row in store.select(TYPES_QUERY):
            subject, cls_iri = row["s"].value, row["class"].value
            types[subject].add(cls_iri)
            if row["g"].value == str(ASSERTED_GRAPH):
                asserted[subject].add(cls_iri)
        sources = [
            Source(
                r["doc"].value,
                r["identifier"].value if "identifier" in r else "",
                r["issued"].value if "issued" in r else "",
                r["page"].value if "page" in r else None,
                r["title"].value if "title" in r else "",
            )
            for r in store.select(SOURCES_QUERY)
        ]
        inverses: dict[str, str] = {}
        for row in store.select(INVERSES_QUERY):
            inverses.setdefault(row["p"].value, row["q"].value)
            inverses.setdefault(row["q"].value, row["p"].value)
        labels = LabelIndex.from_store(store)
        path = index_path(store.path) if isinstance(store, PooledStore) else None
        texts = partial(open_or_build, path, lambda to: build_index(to, store, labels, descriptions, kind_of))
        if store.name == "remote":
            in_background(labels, texts)
        else:
            labels.attach(texts())
        return cls(labels, dict(descriptions), dict(types), dict(asserted), sources, inverses, queries)

    def label(self, iri: str, lang: str) -> str:
        return self.labels.label(iri, lang)

    def description(self, iri: str, lang: str) -> str:
        return in_language(self.descriptions.get(iri, {}), lang)

    def members(self, class_iri: str, lang: str) -> list[str]:
        """The entities of a class (asserted or inferred), sorted by label in `lang`."""
        found = [iri for iri, classes in self.types.items() if class_iri in classes and iri.startswith(ENTITY_BASE)]
        return sorted(found, key=lambda iri: self.label(iri, lang).casefold())

    def count(self, kind: str) -> int:
        return sum(1 for iri, classes in self.types.items() if KINDS[kind] in classes and iri.startswith(ENTITY_BASE))

    def main_type(self, iri: str) -> str | None:
        """The most specific class people gave the entity (alphabetically first if several)."""
        classes = sorted(self.asserted_types.get(iri, ()))
        return classes[0] if classes else None

    def source(self, iri: str) -> Source | None:
        return next((s for s in self.sources if s.iri == iri), None)


def kind_of(iri: str) -> str | None:
    """The kind segment of an entity IRI (`actor` for …/id/actor/nato), None for other IRIs."""
    if not iri.startswith(ENTITY_BASE):
        return None
    kind, _, slug = iri[len(ENTITY_BASE) :].partition("/")
    return kind if slug else None


def entity_iri(kind: str, slug: str) -> str:
    return f"{ENTITY_BASE}{kind}/{slug}"


def href(iri: str) -> str:
    """Where a page links for an IRI: this server's page for graph entities and ontology terms,
    else the IRI itself."""
    if iri.startswith(ENTITY_BASE):
        return "/id/" + iri[len(ENTITY_BASE) :]
    if iri.startswith(str(SUG)):
        return "/ontology#" + iri[len(str(SUG)) :]
    return iri


def term_label(site: Site, iri: str, lang: str) -> str:
    """A human label for a class or property: the ontology's, else the interface's, else a short name."""
    if iri in TERM_LABELS and not site.labels.has_label(iri):
        return interface_text(TERM_LABELS[iri], lang)
    return site.label(iri, lang)
