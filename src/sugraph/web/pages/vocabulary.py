"""What the workbench's SPARQL editor completes, as one small JSON document: the known prefixes,
the classes and properties of the graph by prefixed name (each with its label and definition in the
reader's language), and the editor's own interface words.

Classes come from the pages' snapshot file (the ontology's and every type the graph uses, each an
indexed query); properties are the ontology's and every predicate the graph uses, asked of the
store once per graph.
"""

from __future__ import annotations

import json

from ...iris import PREFIXES
from ...namespaces import OWL, RDF, RDFS, compact_iri
from ...store import Store
from ..i18n import translator
from .site import Site, term_label

CLASS_TYPES = {str(OWL.Class), str(RDFS.Class)}
PROPERTY_TYPES = {str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(OWL.AnnotationProperty), str(RDF.Property)}
PREDICATES_QUERY = "SELECT DISTINCT ?p WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
WORDS = ("history", "clear")  # the editor's keys in i18n, under "editor."


def predicates(store: Store) -> set[str]:
    """Every predicate the graph uses, in any graph."""
    return {row["p"].value for row in store.select(PREDICATES_QUERY)}


def vocabulary(site: Site, used: set[str], lang: str) -> bytes:
    """The editor's vocabulary in `lang`. Terms outside the known prefixes are left out: the editor
    offers names it can declare a PREFIX for."""
    classes = site.snapshot.classes() | site.snapshot.typed(CLASS_TYPES)
    properties = used | site.snapshot.typed(PROPERTY_TYPES)
    terms = []
    for kind, iris in (("class", classes), ("property", properties)):
        for iri in iris:
            name = compact_iri(iri)
            if name is not None:
                terms.append(
                    {
                        "name": name,
                        "kind": kind,
                        "label": term_label(site, iri, lang),
                        "description": site.description(iri, lang),
                    }
                )
    terms.sort(key=lambda t: (t["name"].casefold(), t["kind"]))
    _ = translator(lang)
    document = {
        "prefixes": PREFIXES,
        "terms": terms,
        "words": {word: _(f"editor.{word}") for word in WORDS},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
