"""The label index: every IRI's labels, and the full-text index search answers from, read once from the store.

Pages need a label for each IRI they show and search must answer in a few milliseconds, so both
work from this in-memory snapshot instead of querying the store per request. Search covers every
entity's names (labels, alternative and hidden labels), descriptions and the quotes of its
qualified derivations, in both languages, in an SQLite FTS5 table in memory (the engine chosen by
measurement: bench/search_bench.py, bench/RESULTS.md). Matching is case- and accent-insensitive and
on word prefixes, so "cyberc" finds "Cybercriminalité" and "otan" finds "OTAN"; hidden labels are
matched too, so a source's misspelling ("Schinias") finds the entity it names. The reader's words
are always text: each becomes a quoted FTS5 string, never FTS5 syntax.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from markupsafe import Markup, escape

from .errors import UsageError
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
QUOTES_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sug: <https://w3id.org/sugraph/ontology#>
SELECT DISTINCT ?s ?quote WHERE {
  ?s prov:qualifiedDerivation ?derivation .
  ?derivation sug:quote ?quote .
  FILTER(isIRI(?s) && isLiteral(?quote))
}
"""
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
# Hidden labels (a source's misspelling, e.g. "Schinias") are searched but never displayed.
NOT_DISPLAYED = {ALT_LABEL, "http://www.w3.org/2004/02/skos/core#hiddenLabel"}

# What a text is to its entity, best first: a name match ranks before a description match, which
# ranks before a quote match.
FIELDS = ("name", "description", "quote")
MAX_QUERY = 200  # characters; a longer query is a 400, not a slow scan
SNIPPET_WORDS = 24  # a longer text is cut to this many words around its first match
_WORD = re.compile(r"\w+")

# Only the text is in FTS5: reading any other column of a match costs a lookup per row (5 µs, ten
# times the match itself; bench/RESULTS.md), so what ranking needs is in the rowid instead:
# entity number (entities numbered in the order of their English label) · field · hidden ·
# language · a serial number. `names` finds the names equal to the whole query.
_SCHEMA = """
CREATE VIRTUAL TABLE texts USING fts5(
  text, lang UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TABLE names(key TEXT, id INTEGER);
CREATE TABLE entities(n INTEGER PRIMARY KEY, kind TEXT);
"""
# Ranking reads rowids only: the best text of each entity (SQLite takes the bare `rowid` from the
# row that gave min()), by field, then a name equal to the query, a text that starts with it, one
# with the words inside, then a displayed name before a hidden one, then the reader's language.
_RANKED = """
SELECT rowid >> :shift AS n, min(((rowid >> 5) & 3) * 100
    + CASE WHEN rowid IN (SELECT id FROM names WHERE key = :key) THEN 0
           WHEN rowid IN (SELECT rowid FROM texts WHERE texts MATCH :start) THEN 10 ELSE 20 END
    + ((rowid >> 4) & 1) * 2 + (((rowid >> 2) & 3) <> :lang)) AS score, rowid
FROM texts WHERE texts MATCH :match {kinds}
GROUP BY n ORDER BY score, n LIMIT :limit
"""
_COUNTS = """
SELECT kind, count(*) FROM (SELECT DISTINCT rowid >> :shift AS n FROM texts WHERE texts MATCH :match)
JOIN entities USING (n) WHERE kind IS NOT NULL GROUP BY kind ORDER BY kind
"""
_TEXTS = "SELECT rowid, text, lang FROM texts WHERE rowid IN ({rowids})"
_LANGS = {"en": 1, "fr": 2}  # any other language is 3, none 0
_FIELD, _HIDDEN, _LANG = 5, 4, 2  # bit offsets in the low bits; the serial takes the rest above


class SearchError(UsageError):
    """The search cannot be run as asked (a query too long, one the engine refuses)."""


class UnknownKind(SearchError):
    """A kind filter names no kind of entity in the index."""

    def __init__(self, kind: str, known: Collection[str]) -> None:
        super().__init__(f"unknown kind {kind!r}; the kinds are: {', '.join(sorted(known))}")
        self.kind, self.known = kind, sorted(known)


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a text, for matching."""
    if text.isascii():  # most texts: nothing to decompose (a third of the index's build time)
        bare = text.casefold()
    else:
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


@dataclass(frozen=True)
class Snippet:
    """The part of a text that matched, as pieces, each marked if it is one of the query's words."""

    parts: tuple[tuple[str, bool], ...]

    @classmethod
    def of(cls, text: str, words: Sequence[str], size: int = SNIPPET_WORDS) -> Snippet:
        """`text` with each word that starts with one of the (normalised) `words` marked; cut
        to `size` words from a little before its first marked word, with "…" where it was cut."""
        found = list(_WORD.finditer(text))
        marked = [m for m in found if any(normalise(m.group()).startswith(w) for w in words)]
        start, end = 0, len(text)
        if len(found) > size:
            first = found.index(marked[0]) if marked else 0
            low = max(0, min(first - size // 4, len(found) - size))
            start = found[low].start() if low else 0
            end = found[low + size - 1].end() if low + size < len(found) else len(text)
        parts = [("…", False)] if start else []
        position = start
        for m in marked:
            if start <= m.start() and m.end() <= end:
                parts += [(text[position : m.start()], False), (m.group(), True)]
                position = m.end()
        parts.append((text[position:end] + ("…" if end < len(text) else ""), False))
        return cls(tuple(part for part in parts if part[0]))

    def __str__(self) -> str:
        return "".join(text for text, _ in self.parts)

    def html(self) -> Markup:
        """The snippet with each matched word in `<mark>`, everything else escaped."""
        return Markup("").join(Markup("<mark>{}</mark>").format(t) if mark else escape(t) for t, mark in self.parts)


@dataclass(frozen=True)
class Hit:
    """An entity that matched, with the text it matched best: its field (`name`, `description`,
    `quote`), language and the snippet around the matched words."""

    iri: str
    matched: str
    field: str
    lang: str
    snippet: Snippet
    score: int


@dataclass
class LabelIndex:
    """Labels per IRI and language, the names of entities, and the full-text index over their texts."""

    labels: dict[str, dict[str, str]]
    names: dict[str, list[Name]]
    texts: sqlite3.Connection  # the FTS5 table `texts` and the table `names`
    entities: list[str]  # by entity number
    kinds: list[str | None]  # by entity number
    shift: int  # where the entity number starts in a rowid
    kind_set: frozenset[str] = frozenset()  # the kinds a search can filter by
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # one connection, many threads

    @classmethod
    def from_store(
        cls, store: Store, descriptions: Mapping[str, Mapping[str, str]], kind: Callable[[str], str | None]
    ) -> LabelIndex:
        """Read the labels and quotes; `descriptions` (IRI → language → text) are the pages' own,
        `kind` names the kind of an entity IRI that the search filters and counts by."""
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
                names[iri].append(Name(literal.value, lang, normalise(literal.value), preferred))
        texts: list[tuple[str, int, bool, str, str, str]] = [  # iri, field, hidden, lang, text, key of a name
            (iri, 0, not name.preferred, name.lang, name.text, name.key)
            for iri, entity in names.items()
            for name in entity
        ]
        texts += [
            (iri, 1, False, lang, text, "")
            for iri, by_lang in descriptions.items()
            if iri in names
            for lang, text in by_lang.items()
        ]
        for row in store.select(QUOTES_QUERY):
            quote = row["quote"]
            assert isinstance(quote, ox.Literal)
            if row["s"].value in names:
                texts.append((row["s"].value, 2, False, quote.language or "", quote.value, ""))
        index = cls(dict(labels), dict(names), sqlite3.connect(":memory:", check_same_thread=False), [], [], 0)
        index._fill(sorted(set(texts)), kind)
        return index

    def _fill(self, texts: list[tuple[str, int, bool, str, str, str]], kind: Callable[[str], str | None]) -> None:
        self.entities = sorted(self.names, key=lambda iri: (self.label(iri, "en").casefold(), iri))
        self.kinds = [kind(iri) for iri in self.entities]
        self.kind_set = frozenset(k for k in self.kinds if k)
        number = {iri: n for n, iri in enumerate(self.entities)}
        serials: dict[tuple, int] = defaultdict(int)
        coded = []
        for iri, part, hidden, lang, text, key in texts:
            low = part << _FIELD | hidden << _HIDDEN | _LANGS.get(lang, 3 if lang else 0) << _LANG
            serial = serials[iri, low]
            serials[iri, low] += 1
            coded.append((number[iri], serial, low, key, lang, text))
        self.shift = 7 + max(serials.values(), default=0).bit_length()
        self.texts.executescript(_SCHEMA)
        self.texts.executemany(
            "INSERT INTO texts(rowid, text, lang) VALUES (?, ?, ?)",
            ((n << self.shift | serial << 7 | low, text, lang) for n, serial, low, _, lang, text in coded),
        )
        self.texts.executemany(
            "INSERT INTO names VALUES (?, ?)",
            ((key, n << self.shift | serial << 7 | low) for n, serial, low, key, _, _ in coded if key),
        )
        self.texts.execute("CREATE INDEX names_key ON names(key)")
        self.texts.executemany("INSERT INTO entities VALUES (?, ?)", enumerate(self.kinds))
        self.texts.execute("INSERT INTO texts(texts) VALUES ('optimize')")

    def label(self, iri: str, lang: str) -> str:
        """The label in `lang`, else in English, else in any language, else a prefixed name."""
        return in_language(self.labels.get(iri, {}), lang) or short_name(iri)

    def has_label(self, iri: str) -> bool:
        return iri in self.labels

    def search(self, query: str, limit: int = 50, kinds: Collection[str] = (), lang: str = "en") -> list[Hit]:
        """Entities (of `kinds`, if any) whose texts contain every word of the query as a word
        prefix, best first: by field (name, description, quote), then a name equal to the query,
        a text beginning with it, a word inside; a displayed name before a hidden one, then a text
        in `lang`, then by English label."""
        if unknown := sorted(set(kinds) - self.kind_set):
            raise UnknownKind(unknown[0], self.kind_set)
        key, match = _match(query)
        if not match:
            return []
        chosen = {f"k{i}": k for i, k in enumerate(sorted(kinds))}
        where = f"AND rowid >> :shift IN (SELECT n FROM entities WHERE kind IN ({', '.join(':' + k for k in chosen)}))"
        params = {"match": match, "start": f'^"{key}"*', "key": key, "lang": _LANGS.get(lang, 3), "limit": limit}
        ranked = self._run(_RANKED.format(kinds=where if chosen else ""), {**params, **chosen, "shift": self.shift})
        if not ranked:
            return []
        rowids = {f"r{i}": rowid for i, (_, _, rowid) in enumerate(ranked)}
        # By rowid, not MATCH: FTS5 would run the whole query again for each rowid of the list.
        words = key.split()
        snippets = {
            rowid: (text, text_lang, Snippet.of(text, words))
            for rowid, text, text_lang in self._run(_TEXTS.format(rowids=", ".join(":" + r for r in rowids)), rowids)
        }
        return [
            Hit(self.entities[n], snippets[rowid][0], self.hit_field(rowid), *snippets[rowid][1:], score)
            for n, score, rowid in ranked
        ]

    @staticmethod
    def hit_field(rowid: int) -> str:
        """Which field (`name`, `description`, `quote`) the text of `rowid` is."""
        return FIELDS[rowid >> _FIELD & 3]

    def counts(self, query: str) -> dict[str, int]:
        """How many entities of each kind the query matches (every kind, whatever a search filters)."""
        _, match = _match(query)
        if not match:
            return {}
        return dict(self._run(_COUNTS, {"match": match, "shift": self.shift}))

    def _run(self, sql: str, params: Mapping[str, object]) -> list:
        try:
            with self.lock:
                return self.texts.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise SearchError(f"cannot search for this text: {error}") from error


def _match(query: str) -> tuple[str, str]:
    """The normalised query and its FTS5 expression: every word a quoted string (so `"`, `*`,
    `-`, `NEAR`, `OR` are text), each matched as a word prefix, all of them required."""
    if len(query) > MAX_QUERY:
        raise SearchError(f"a search is at most {MAX_QUERY} characters long; this one has {len(query)}")
    key = normalise(query)
    return key, " ".join('"' + word.replace('"', '""') + '"*' for word in key.split())
