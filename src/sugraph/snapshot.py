"""The pages' snapshot as a file: labels, descriptions, types, counts per class, sources and
inverse properties, read on demand by indexed lookups instead of held in memory.

Every page needs a label for each IRI it shows, the types of an entity, the members of a class;
reading all of that from the store at start-up took 169 s at 1000× (bench/RESULTS.md) and held it
in the server's memory. So it is written once per store into an SQLite file (`build_snapshot`:
beside the prebuilt store, like the search index, so a restart only opens it) and each answer is
one lookup by primary key or index (a few µs). The file never changes once written: it is opened
read-only and `immutable`, one connection per thread, and its name carries the layout's version,
so a file of another layout is never read. The full-text index is built from this file (and the
store's quotes), not from the store again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pyoxigraph as ox

from .files import replaced
from .namespaces import ASSERTED_GRAPH, ENTITY_BASE, compact_iri
from .terms import Term, in_language

SNAPSHOT_FILE = "snapshot-v1.sqlite"  # the version changes with the file's layout: an older file is not read
SORTED_LANGUAGES = ("en", "fr")  # `members` is sorted by the file in these; by Python in any other
CACHED = 4096  # IRIs whose labels are kept once read (a few hundred bytes each)

# What the build reads of the store: rows of a SELECT, an unbound variable absent from its row.
Rows = Callable[[str], Iterable[Mapping[str, Term]]]

LABELS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?label WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel }
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLiteral(?label))
}
"""
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
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
# Hidden labels (a source's misspelling, e.g. "Schinias") are searched but never displayed.
NOT_DISPLAYED = {ALT_LABEL, "http://www.w3.org/2004/02/skos/core#hiddenLabel"}

# `entities` holds every entity IRI (typed or named) with its label casefolded in each sorted
# language: members of a class are read in that order, so no request sorts thousands of labels.
_SCHEMA = """
CREATE TABLE labels(iri TEXT, lang TEXT, label TEXT, position INTEGER, PRIMARY KEY (iri, lang)) WITHOUT ROWID;
CREATE TABLE names(iri TEXT, position INTEGER, text TEXT, lang TEXT, preferred INTEGER,
  PRIMARY KEY (iri, position)) WITHOUT ROWID;
CREATE TABLE descriptions(iri TEXT, lang TEXT, text TEXT, PRIMARY KEY (iri, lang)) WITHOUT ROWID;
CREATE TABLE types(iri TEXT, class TEXT, asserted INTEGER, PRIMARY KEY (iri, class)) WITHOUT ROWID;
CREATE TABLE entities(iri TEXT PRIMARY KEY, en TEXT, fr TEXT) WITHOUT ROWID;
CREATE TABLE counts(class TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE sources(position INTEGER PRIMARY KEY, iri TEXT, identifier TEXT, issued TEXT, page TEXT, title TEXT);
CREATE TABLE inverses(p TEXT PRIMARY KEY, q TEXT) WITHOUT ROWID;
CREATE TABLE meta(key TEXT PRIMARY KEY, value);
"""
_INDEXES = """
CREATE INDEX types_class ON types(class, iri);
CREATE INDEX entities_en ON entities(en, iri);
CREATE INDEX entities_fr ON entities(fr, iri);
INSERT INTO counts SELECT t.class, count(*) FROM types AS t JOIN entities AS e ON e.iri = t.iri GROUP BY t.class;
"""


def short_name(iri: str) -> str:
    """A prefixed name (`sug:Measure`, `actor:nato`) for an IRI without a label, else the IRI itself."""
    return compact_iri(iri) or iri


@dataclass(frozen=True)
class Source:
    """A source document, with what a citation needs."""

    iri: str
    identifier: str
    issued: str
    page: str | None
    title: str = ""  # as the original is titled, in its language


class ReadOnlyFile:
    """An SQLite file that never changes once written, opened read-only (a file open, whatever its
    size), one connection per thread: the threads share nothing. Opening reads its `meta` table, so
    a damaged file fails here (sqlite3.DatabaseError), not on a page."""

    def __init__(self, path: Path, keep: object = None) -> None:
        self.path = path
        self._keep = keep  # what must live as long as the file is read (its temporary folder)
        self._local = threading.local()
        self.meta: dict[str, object] = dict(self._query("SELECT key, value FROM meta"))

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            connection = self._local.connection = sqlite3.connect(uri, uri=True)
        return connection

    def _query(self, sql: str, params: Mapping[str, object] | tuple = ()) -> list:
        return self._connection().execute(sql, params).fetchall()


class Snapshot(ReadOnlyFile):
    """The snapshot file, read by lookups."""

    def __init__(self, path: Path, keep: object = None) -> None:
        super().__init__(path, keep)
        if self.meta.get("layout") != SNAPSHOT_FILE:  # renamed by hand, or written by another version
            raise sqlite3.DatabaseError(f"{path} has the layout {self.meta.get('layout')!r}, not {SNAPSHOT_FILE!r}")
        # A page asks the label of the same few IRIs (its properties, classes, linked entities)
        # again and again: 344 lookups of 78 IRIs on the European Commission's page at 1000×, of which
        # 58 are new on the next entity's page (bench/RESULTS.md).
        self._labels = lru_cache(maxsize=CACHED)(self._read_labels)

    def labels(self, iri: str) -> Mapping[str, str]:
        """The displayed label of `iri` per language ("" for none), in the order `in_language`
        falls back on: the order they come in the store, sorted by property, language, text."""
        return self._labels(iri)

    def _read_labels(self, iri: str) -> Mapping[str, str]:
        return MappingProxyType(
            dict(self._query("SELECT lang, label FROM labels WHERE iri = ? ORDER BY position", (iri,)))
        )

    def has_label(self, iri: str) -> bool:
        return bool(self.labels(iri))

    def names(self) -> Iterator[tuple[str, str, str, bool]]:
        """Every entity's names (iri, text, language, displayed), by IRI: labels, alternative and
        hidden labels, what search matches."""
        for iri, text, lang, preferred in self._query(
            "SELECT iri, text, lang, preferred FROM names ORDER BY iri, position"
        ):
            yield iri, text, lang, bool(preferred)

    def ordered(self, iris: Collection[str]) -> list[str]:
        """`iris` (entities) sorted by their English label, casefolded, then by IRI."""
        return [row[0] for row in self._query("SELECT iri FROM entities ORDER BY en, iri") if row[0] in iris]

    def descriptions(self, iri: str) -> dict[str, str]:
        return dict(self._query("SELECT lang, text FROM descriptions WHERE iri = ?", (iri,)))

    def all_descriptions(self) -> Iterator[tuple[str, str, str]]:
        """(iri, language, text) of every described IRI, for the search index's build."""
        yield from self._query("SELECT iri, lang, text FROM descriptions ORDER BY iri, lang")

    def types(self, iri: str, asserted: bool = False) -> set[str]:
        """The classes of `iri`: every one, or only those people wrote (`asserted`)."""
        sql = "SELECT class FROM types WHERE iri = ?" + (" AND asserted" if asserted else "")
        return {row[0] for row in self._query(sql, (iri,))}

    def classes(self) -> set[str]:
        """Every class some IRI has."""
        return {row[0] for row in self._query("SELECT DISTINCT class FROM types")}

    def typed(self, classes: Iterable[str]) -> set[str]:
        """The IRIs that have one of `classes`."""
        chosen = sorted(classes)
        marks = ", ".join("?" * len(chosen))
        return {
            row[0] for row in self._query(f"SELECT DISTINCT iri FROM types WHERE class IN ({marks})", tuple(chosen))
        }

    def members(self, class_iri: str, lang: str) -> list[str]:
        """The entities of a class, sorted by their label in `lang` (casefolded), then by IRI."""
        if lang in SORTED_LANGUAGES:
            sql = f"""SELECT e.iri FROM types AS t JOIN entities AS e ON e.iri = t.iri
                WHERE t.class = ? ORDER BY e.{lang}, e.iri"""
            return [row[0] for row in self._query(sql, (class_iri,))]
        sql = "SELECT e.iri FROM types AS t JOIN entities AS e ON e.iri = t.iri WHERE t.class = ?"
        found = [row[0] for row in self._query(sql, (class_iri,))]
        return sorted(found, key=lambda iri: ((in_language(self.labels(iri), lang) or short_name(iri)).casefold(), iri))

    def members_types(self, class_iri: str) -> dict[str, set[str]]:
        """The classes people gave each entity of a class (asserted), in one query: a browse list's
        facet needs those of all its members (28,000 actors at 1000×, 0.35 s one lookup each)."""
        found: dict[str, set[str]] = {}
        sql = """SELECT a.iri, a.class FROM types AS t JOIN types AS a ON a.iri = t.iri AND a.asserted
            WHERE t.class = ?"""
        for iri, cls in self._query(sql, (class_iri,)):
            found.setdefault(iri, set()).add(cls)
        return found

    def count(self, class_iri: str) -> int:
        """How many entities have the class."""
        found = self._query("SELECT n FROM counts WHERE class = ?", (class_iri,))
        return found[0][0] if found else 0

    def sources(self) -> list[Source]:
        """The source documents, by date of issue."""
        sql = "SELECT iri, identifier, issued, page, title FROM sources ORDER BY position"
        return [Source(*row) for row in self._query(sql)]

    def inverses(self) -> dict[str, str]:
        """Property → its owl:inverseOf, both ways (a few dozen: held by the pages)."""
        return dict(self._query("SELECT p, q FROM inverses"))


# --- building the file ------------------------------------------------------------------------------


def build_snapshot(path: Path, rows: Rows) -> Path:
    """Write the snapshot of what `rows` reads of the store to `path`: into a temporary file beside
    it, then renamed, so a reader never opens a half-written one. The rows are streamed into the
    file and sorted there, so the build holds no table in Python's memory."""
    with replaced(path) as partial:
        with sqlite3.connect(partial) as db:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
            _labels(db, rows)
            _descriptions(db, rows)
            db.executemany(
                "INSERT INTO types VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET asserted = asserted OR excluded.asserted",
                ((r["s"].value, r["class"].value, r["g"].value == str(ASSERTED_GRAPH)) for r in rows(TYPES_QUERY)),
            )
            _entities(db)
            db.executemany(
                "INSERT INTO sources(iri, identifier, issued, page, title) VALUES (?, ?, ?, ?, ?)",
                (
                    (
                        r["doc"].value,
                        r["identifier"].value if "identifier" in r else "",
                        r["issued"].value if "issued" in r else "",
                        r["page"].value if "page" in r else None,
                        r["title"].value if "title" in r else "",
                    )
                    for r in rows(SOURCES_QUERY)
                ),
            )
            inverses: dict[str, str] = {}
            for r in rows(INVERSES_QUERY):
                inverses.setdefault(r["p"].value, r["q"].value)
                inverses.setdefault(r["q"].value, r["p"].value)
            db.executemany("INSERT INTO inverses VALUES (?, ?)", inverses.items())
            db.executescript(_INDEXES)
            db.execute("INSERT INTO meta VALUES ('layout', ?)", (SNAPSHOT_FILE,))
        db.close()
    return path


def _text(term: Term) -> tuple[str, str]:
    """A literal's language ("" for none) and text."""
    return (term.language or "" if isinstance(term, ox.Literal) else ""), term.value


def _labels(db: sqlite3.Connection, rows: Rows) -> None:
    """The displayed label per IRI and language (the first, in one order whatever the store's:
    property, language, text) and every entity's names, in that order."""
    db.execute("CREATE TEMP TABLE raw(iri TEXT, prop TEXT, lang TEXT, text TEXT)")
    db.executemany(
        "INSERT INTO raw VALUES (?, ?, ?, ?)",
        ((r["s"].value, r["p"].value, *_text(r["label"])) for r in rows(LABELS_QUERY)),
    )
    labels: list[tuple[str, str, str, int]] = []
    names: list[tuple[str, int, str, str, bool]] = []
    seen: set[str] = set()
    current, position = "", 0
    for iri, prop, lang, text in db.execute(
        "SELECT DISTINCT iri, prop, lang, text FROM raw ORDER BY iri, prop, lang, text"
    ):
        if iri != current:
            current, position = iri, 0
            seen.clear()
        preferred = prop not in NOT_DISPLAYED
        if preferred and lang not in seen:
            seen.add(lang)
            labels.append((iri, lang, text, len(seen)))
        if iri.startswith(ENTITY_BASE):
            names.append((iri, position, text, lang, preferred))
            position += 1
    db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?)", labels)
    db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", names)
    db.execute("DROP TABLE raw")


def _descriptions(db: sqlite3.Connection, rows: Rows) -> None:
    """One description per IRI and language: the first by text, whatever the store's order."""
    db.execute("CREATE TEMP TABLE raw(iri TEXT, lang TEXT, text TEXT)")
    db.executemany(
        "INSERT INTO raw VALUES (?, ?, ?)", ((r["s"].value, *_text(r["text"])) for r in rows(DESCRIPTIONS_QUERY))
    )
    db.execute("INSERT OR IGNORE INTO descriptions SELECT iri, lang, text FROM raw ORDER BY iri, lang, text")
    db.execute("DROP TABLE raw")


def _entities(db: sqlite3.Connection) -> None:
    """Every entity IRI, typed or named (names hold entities only), with its label in each sorted
    language, casefolded: the order `members` reads them in."""
    low, high = ENTITY_BASE, ENTITY_BASE[:-1] + chr(ord(ENTITY_BASE[-1]) + 1)
    found = db.execute(
        """SELECT e.iri, l.lang, l.label FROM (
             SELECT iri FROM types WHERE iri >= :low AND iri < :high
             UNION SELECT iri FROM names
           ) AS e LEFT JOIN labels AS l ON l.iri = e.iri ORDER BY e.iri, l.position""",
        {"low": low, "high": high},
    )
    entities: list[tuple[str, ...]] = []
    current: str | None = None
    labels: dict[str, str] = {}

    def keys(iri: str, labels: dict[str, str]) -> tuple[str, ...]:
        return (iri, *((in_language(labels, lang) or short_name(iri)).casefold() for lang in SORTED_LANGUAGES))

    for iri, lang, label in found:
        if iri != current:
            if current is not None:
                entities.append(keys(current, labels))
            current, labels = iri, {}
        if lang is not None:
            labels[lang] = label
    if current is not None:
        entities.append(keys(current, labels))
    db.executemany("INSERT INTO entities VALUES (?, ?, ?)", entities)
