"""The label index: every IRI's labels and alternative names, read once from the store.

Pages need a label for each IRI they show and search must answer in well under a millisecond, so
both work from this in-memory snapshot instead of querying the store per request. Matching is on
`normalise`d text, so "cybercriminalite" finds "Cybercriminalité" and "otan" finds "OTAN"; hidden
labels are matched too, so a source's misspelling ("Schinias") finds the entity it names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import ENTITY_BASE, compact_iri
from .store import Store
from .terms import in_language

LABELS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?label WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel }
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLiteral(?label))
}
"""
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
# Hidden labels (a source's misspelling, e.g. "Schinias") are searched but never displayed.
NOT_DISPLAYED = {ALT_LABEL, "http://www.w3.org/2004/02/skos/core#hiddenLabel"}


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a text, for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def short_name(iri: str) -> str:
    """A prefixed name (`sug:Measure`, `actor:nato`) for an IRI without a label, else the IRI itself."""
    return compact_iri(iri) or iri


@dataclass(frozen=True)
class Name:
    """One name of an entity, as written and normalised."""

    text: str
    lang: str
    key: str
    preferred: bool
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    iri: str
    matched: str
    score: int


@dataclass
class LabelIndex:
    """Labels per IRI and language, plus the names search matches against (entities only)."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    names: dict[str, list[Name]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> LabelIndex:
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        names: dict[str, list[Name]] = defaultdict(list)
        rows = []
        for row in store.select(LABELS_QUERY):
            literal = row["label"]
            assert isinstance(literal, ox.Literal)  # the query keeps literals only
            rows.append((row["s"].value, row["p"].value, literal))
        # In one order whatever the store's, so ties (the first label in a language, the name a hit
        # matched) come out the same on every engine.
        for iri, prop, literal in sorted(rows, key=lambda r: (r[0], r[1], r[2].language or "", r[2].value)):
            lang = literal.language or ""
            preferred = prop not in NOT_DISPLAYED
            if preferred:
                labels[iri].setdefault(lang, literal.value)
            if iri.startswith(ENTITY_BASE):
                key = normalise(literal.value)
                names[iri].append(Name(literal.value, lang, key, preferred, tuple(key.split())))
        return cls(dict(labels), dict(names))

    def label(self, iri: str, lang: str) -> str:
        """The label in `lang`, else in English, else in any language, else a prefixed name."""
        return in_language(self.labels.get(iri, {}), lang) or short_name(iri)

    def has_label(self, iri: str) -> bool:
        return iri in self.labels

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Entities whose name matches the query, best first: whole name, then name prefix,
        then word prefix, then any substring, then all query words as word prefixes."""
        key = normalise(query)
        if not key:
            return []
        best: dict[str, Hit] = {}
        parts = key.split()
        for iri, names in self.names.items():
            for name in names:
                score = _score(key, parts, name)
                if score and (iri not in best or score > best[iri].score):
                    best[iri] = Hit(iri, name.text, score)
        ranked = sorted(best.values(), key=lambda h: (-h.score, self.label(h.iri, "en").casefold(), h.iri))
        return ranked[:limit]


def _score(key: str, parts: list[str], name: Name) -> int:
    bonus = 1 if name.preferred else 0
    if key not in name.key:  # most names: two substring tests and out
        if all(part in name.key for part in parts) and all(
            any(w.startswith(part) for w in name.words) for part in parts
        ):
            return 20 + bonus
        return 0
    if name.key == key:
        return 100 + bonus
    if name.key.startswith(key):
        return 80 + bonus
    if any(w.startswith(key) for w in name.words):
        return 60 + bonus
    return 40 + bonus
