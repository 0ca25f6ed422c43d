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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import pyoxigraph as ox

from .files import replaced
from .iris import kind_of
from .namespaces import ASSERTED_GRAPH, ENTITY_BASE, FOAF, PROV, SUG, compact_iri
from .terms import Term, by_language, fold, in_language

SNAPSHOT_FILE = "snapshot-v3.sqlite"  # the version changes with the file's layout: an older file is not read
SORTED_LANGUAGES = ("en", "fr")  # `members` is sorted by the file in these; by Python in any other
EVERY = 1 << 62  # a LIMIT for no limit
CACHED = 4096  # IRIs whose labels are kept once read (a few hundred bytes each)
COUNTED = 256  # filtered facets whose first values are kept once counted (30 values each)
CROWD = 200  # an entity's incoming links of one property past this many are read from the file (`crowds`)

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
# The classes a reader browses, by IRI kind (see CONVENTIONS.md), in the order pages list them:
# their members are the browse lists (`listed`).
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
# Every measure with the values it has for each facet of the measures' list, and the threats it
# addresses (a column); a value counts only if it has the facet's class (MEASURE_FACETS).
FACETS_QUERY = """
PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?measure ?facet ?value WHERE {
  ?measure a sug:Measure .
  OPTIONAL {
    { ?measure sug:addresses/skos:broaderTransitive* ?value BIND("threat" AS ?facet) }
    UNION { ?measure sug:involves ?value BIND("actor" AS ?facet) }
    UNION { ?measure sug:implements/(^sug:hasPriority)? ?value BIND("strategy" AS ?facet) }
    UNION { ?measure sug:implements ?value BIND("priority" AS ?facet) }
    UNION { ?measure prov:wasDerivedFrom ?value BIND("source" AS ?facet) }
    UNION { ?measure sug:status ?value BIND("status" AS ?facet) }
    UNION { ?measure sug:addresses ?value BIND("addresses" AS ?facet) }
  }
}
"""
MEASURE_FACETS: dict[str, str | None] = {  # facet → the class its values have (None: any)
    "threat": str(SUG.Threat),
    "actor": str(SUG.Actor),
    "strategy": str(SUG.Strategy),
    "priority": str(SUG.StrategicPriority),
    "source": str(SUG.SourceDocument),
    "status": str(SUG.Status),
    "addresses": None,
}
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Hidden labels (a source's misspelling, e.g. "Schinias") are searched but never displayed.
NOT_DISPLAYED = {ALT_LABEL, "http://www.w3.org/2004/02/skos/core#hiddenLabel"}

# `entities` holds every entity IRI (typed or named) with its label folded (`fold`) in each sorted
# language: members of a class are read in that order, so no request sorts thousands of labels.
# `listed` holds the members of each kind's class (KINDS) with what their list sorts them by, in one
# row (a page sorts 28,000 actors without a lookup each): their label, their main class (the
# alphabetically first people gave them), their description per sorted language, folded. The
# measures' list: `measures` numbers them, `measure_orders` holds their position in each order a
# page sorts them in (by label, status or threats, each way, per sorted language), `facet_values`
# each facet's values with their count over the whole list and their rank by label in each sorted
# language (`en`, `fr`), and `facets` each measure's values by those ranks (small integers: a page
# counts them by the thousand). `member_types` is the other lists' facet (the classes people gave
# the members of a class) counted. An entity page lists each property's values by label: `crowds` holds
# the properties that link more than CROWD entities to one (the measures of a status, a threat's),
# with how many and the inverse property whose inferred values the page can skip (see
# `_inverse_kept_query`); `crowd_members` each member with its rank, per sorted language, among the
# members of its kind in the page's order; `linked_by` every property linking to a crowded entity,
# so its page asks the store for the others only. Likewise `evidence` holds, in the page's order
# (`Derivation`), the quotes of the entities with more than CROWD of them (2,000 on a shared threat
# at 1000×: 2.7 MB of answer to read for each page), `evidenced` how many and whether every source
# they are derived from is one a quote cites (then the page need not read those either). And
# `blanks` holds, for an entity's property with more than CROWD blank nodes (1,000 estimates of one
# cost on a shared threat, one per copy of the data), per sorted language and label, the facts of
# the one the page shows (`blank_key`): a page shows one blank node per label.
_SCHEMA = """
CREATE TABLE labels(iri TEXT, lang TEXT, label TEXT, position INTEGER, PRIMARY KEY (iri, lang)) WITHOUT ROWID;
CREATE TABLE names(iri TEXT, position INTEGER, text TEXT, lang TEXT, preferred INTEGER,
  PRIMARY KEY (iri, position)) WITHOUT ROWID;
CREATE TABLE descriptions(iri TEXT, lang TEXT, text TEXT, PRIMARY KEY (iri, lang)) WITHOUT ROWID;
CREATE TABLE types(iri TEXT, class TEXT, asserted INTEGER, PRIMARY KEY (iri, class)) WITHOUT ROWID;
CREATE TABLE entities(iri TEXT PRIMARY KEY, en TEXT, fr TEXT) WITHOUT ROWID;
CREATE TABLE listed(class TEXT, iri TEXT, en TEXT, fr TEXT, main TEXT, text_en TEXT, text_fr TEXT,
  PRIMARY KEY (class, iri)) WITHOUT ROWID;
CREATE TABLE measures(id INTEGER PRIMARY KEY, iri TEXT UNIQUE);
CREATE TABLE measure_orders(key TEXT, position INTEGER, measure INTEGER, PRIMARY KEY (key, position)) WITHOUT ROWID;
CREATE TABLE facet_values(facet TEXT, value TEXT, en INTEGER, fr INTEGER, n INTEGER, rank_en INTEGER,
  rank_fr INTEGER, label_en TEXT, label_fr TEXT, PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE TABLE facets(facet TEXT, en INTEGER, fr INTEGER, measure INTEGER, PRIMARY KEY (facet, en, measure))
  WITHOUT ROWID;
CREATE TABLE co_values(facet TEXT, en INTEGER, other TEXT, other_en INTEGER, n INTEGER, rank_en INTEGER,
  rank_fr INTEGER, PRIMARY KEY (facet, en, other, other_en)) WITHOUT ROWID;
CREATE TABLE member_types(class TEXT, type TEXT, n INTEGER, PRIMARY KEY (class, type)) WITHOUT ROWID;
CREATE TABLE counts(class TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE sources(position INTEGER PRIMARY KEY, iri TEXT, identifier TEXT, issued TEXT, page TEXT, title TEXT);
CREATE TABLE inverses(p TEXT PRIMARY KEY, q TEXT) WITHOUT ROWID;
CREATE TABLE crowds(iri TEXT, prop TEXT, n INTEGER, skipped TEXT, PRIMARY KEY (iri, prop)) WITHOUT ROWID;
CREATE TABLE crowd_members(iri TEXT, prop TEXT, member TEXT, en INTEGER, fr INTEGER,
  PRIMARY KEY (iri, prop, member)) WITHOUT ROWID;
CREATE TABLE linked_by(iri TEXT, prop TEXT, PRIMARY KEY (iri, prop)) WITHOUT ROWID;
CREATE TABLE crowded(iri TEXT PRIMARY KEY, members INTEGER) WITHOUT ROWID;
CREATE TABLE evidenced(iri TEXT PRIMARY KEY, n INTEGER, all_cited INTEGER) WITHOUT ROWID;
CREATE TABLE evidence(iri TEXT, position INTEGER, issued TEXT, quote TEXT, lang TEXT, document TEXT,
  PRIMARY KEY (iri, position)) WITHOUT ROWID;
CREATE TABLE blanks(iri TEXT, prop TEXT, lang TEXT, text TEXT, position INTEGER, part TEXT, kind TEXT,
  value TEXT, datatype TEXT, language TEXT, PRIMARY KEY (iri, prop, lang, text, position)) WITHOUT ROWID;
CREATE TABLE blank_owners(iri TEXT PRIMARY KEY, inferred_stated INTEGER) WITHOUT ROWID;
CREATE TABLE own_properties(iri TEXT, graph TEXT, prop TEXT, blanks INTEGER, PRIMARY KEY (iri, graph, prop))
  WITHOUT ROWID;
CREATE TABLE meta(key TEXT PRIMARY KEY, value);
"""
_INDEXES = """
CREATE INDEX types_class ON types(class, iri);
CREATE INDEX entities_en ON entities(en, iri);
CREATE INDEX entities_fr ON entities(fr, iri);
CREATE INDEX listed_en ON listed(class, en, iri);
CREATE INDEX listed_fr ON listed(class, fr, iri);
INSERT INTO counts SELECT t.class, count(*) FROM types AS t JOIN entities AS e ON e.iri = t.iri GROUP BY t.class;
INSERT INTO member_types SELECT t.class, a.class, count(*) FROM types AS t JOIN entities AS e ON e.iri = t.iri
  JOIN types AS a ON a.iri = t.iri AND a.asserted GROUP BY t.class, a.class;
CREATE INDEX facet_values_en ON facet_values(facet, en);
CREATE INDEX facet_values_fr ON facet_values(facet, fr);
CREATE INDEX facet_values_rank_en ON facet_values(facet, rank_en);
CREATE INDEX facet_values_rank_fr ON facet_values(facet, rank_fr);
CREATE INDEX facets_fr ON facets(facet, fr, measure);
CREATE INDEX co_values_rank_en ON co_values(facet, en, other, rank_en);
CREATE INDEX co_values_rank_fr ON co_values(facet, en, other, rank_fr);
CREATE INDEX crowd_members_en ON crowd_members(iri, prop, en);
CREATE INDEX crowd_members_fr ON crowd_members(iri, prop, fr);
CREATE INDEX crowd_members_member ON crowd_members(iri, member);
INSERT INTO crowded SELECT iri, count(DISTINCT member) FROM crowd_members GROUP BY iri;
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

    def _query(self, sql: str, params: Mapping[str, object] | Sequence[object] = ()) -> list:
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
        # Counting a facet over a broad filter (29,000 announced measures at 1000×) takes 20–60 ms:
        # a reader who pages or sorts the list asks the same counts again.
        self._counted = lru_cache(maxsize=COUNTED)(self._count_values)

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
        """`iris` (entities) sorted by their English label, folded, then by IRI."""
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
        """The entities of a class, sorted by their label in `lang` (folded), then by IRI."""
        if lang in SORTED_LANGUAGES:
            sql = f"""SELECT e.iri FROM types AS t JOIN entities AS e ON e.iri = t.iri
                WHERE t.class = ? ORDER BY e.{lang}, e.iri"""
            return [row[0] for row in self._query(sql, (class_iri,))]
        sql = "SELECT e.iri FROM types AS t JOIN entities AS e ON e.iri = t.iri WHERE t.class = ?"
        found = [row[0] for row in self._query(sql, (class_iri,))]
        return sorted(found, key=lambda iri: (_label_key(iri, self.labels(iri), lang), iri))

    def members_types(self, class_iri: str) -> dict[str, int]:
        """How many entities of a class have each class people gave them (asserted): the facet
        of a browse list, counted when the file was written."""
        return dict(self._query("SELECT type, n FROM member_types WHERE class = ?", (class_iri,)))

    def members_count(self, class_iri: str, types: Collection[str]) -> int:
        """How many entities of a kind's class have one of `types` (asserted; any if none)."""
        if not types:
            return self.count(class_iri)
        where, params = _members(class_iri, types)
        return self._query(f"SELECT count(*) FROM listed WHERE {where}", params)[0][0]

    def members_page(self, class_iri: str, types: Collection[str], lang: str, order: Order) -> list[str]:
        """The entities of a kind's class that have one of `types` (asserted; any if none) that
        `order` puts on its page: by label, else by `order.key`, `main` (their main class's key in
        `order.keys`) or `text` (their description), then by label and IRI."""
        where, params = _members(class_iri, types)
        lang = _sorted_language(lang)
        key, keys = lang, []
        if order.key == "main":
            pairs = sorted(order.keys.items())
            key = f"CASE main {' '.join('WHEN ? THEN ?' for _ in pairs)} END" if pairs else "NULL"
            keys = [v for pair in pairs for v in pair]
        elif order.key == "text":
            key = f"text_{lang}"
        by = _ordered("sort_key", order.descending, f"{lang}, iri") if order.key or order.descending else f"{lang}, iri"
        sql = f"SELECT iri, {key} AS sort_key FROM listed WHERE {where} ORDER BY {by} LIMIT ? OFFSET ?"
        return [row[0] for row in self._query(sql, (*keys, *params, order.limit, order.offset))]

    def measures_count(self, chosen: Mapping[str, Collection[str]]) -> int:
        """How many measures have, for each facet chosen, one of its values (`chosen`: facet → values)."""
        kept, params = _kept(chosen)
        return self._query(f"SELECT count(*) FROM {f'({kept})' if kept else 'measures'}", params)[0][0]

    def measures_page(self, chosen: Mapping[str, Collection[str]], lang: str, order: Order) -> list[str]:
        """The measures `chosen` keeps (see `measures_count`) that `order` puts on its page: by
        label, else by `order.key`, `status` or `threats` (their cells' text), then by label and IRI."""
        kept, params = _kept(chosen)
        key = order_key(f"{order.key or 'label'}_{_sorted_language(lang)}", order.descending)
        sql = f"""SELECT m.iri FROM measure_orders AS o JOIN measures AS m ON m.id = o.measure
            WHERE o.key = ? {f"AND o.measure IN ({kept})" if kept else ""} ORDER BY o.position LIMIT ? OFFSET ?"""
        return [row[0] for row in self._query(sql, (key, *params, order.limit, order.offset))]

    def facet_values(
        self, facet: str, others: Mapping[str, Collection[str]], lang: str, size: int | None, picked: Collection[str]
    ) -> tuple[list[tuple[str, int, bool, str]], int]:
        """A facet of the measures' list over the measures the `others` facets' choices keep: its
        values with a count, best first (by count, then label, then IRI) as (value, count, among
        the first `size`, or all if None, its label in `lang`), the `picked` ones also when past
        them; and how many values have a count. A filtered facet's first values are kept."""
        lang = _sorted_language(lang)
        if not others:  # the whole list's, ranked when the file was written
            limit = EVERY if size is None else size
            sql = f"""SELECT value, n, rank_{lang}, label_{lang} FROM facet_values WHERE facet = ?
                AND (rank_{lang} <= ? OR value IN ({_marks(picked)})) ORDER BY rank_{lang}"""
            found = self._query(sql, (facet, limit, *sorted(picked)))
            total = self._query("SELECT count(*) FROM facet_values WHERE facet = ?", (facet,))[0][0]
            return [(value, n, rank <= limit, label) for value, n, rank, label in found], total
        chosen = tuple(sorted((name, tuple(sorted(values))) for name, values in others.items()))
        if size is None:  # every value: too many to keep
            return self._count_values(facet, chosen, lang, size, tuple(sorted(picked)))
        return self._counted(facet, chosen, lang, size, tuple(sorted(picked)))

    def _count_values(
        self, facet: str, others: tuple[tuple[str, tuple[str, ...]], ...], lang: str, size: int | None, picked: tuple
    ) -> tuple[list[tuple[str, int, bool, str]], int]:
        limit = EVERY if size is None else size
        if len(others) == 1 and len(others[0][1]) == 1:  # one value chosen: counted when the file was written
            (chosen, (value,)), marks = others[0], _marks(picked)
            pairs = """FROM facet_values AS a
                CROSS JOIN co_values AS c ON c.facet = a.facet AND c.en = a.en AND c.other = ?"""
            sql = f"""SELECT v.value, c.n, c.rank_{lang}, v.label_{lang} {pairs}
                CROSS JOIN facet_values AS v INDEXED BY facet_values_en ON v.facet = c.other AND v.en = c.other_en
                WHERE a.facet = ? AND a.value = ? AND (c.rank_{lang} <= ? OR v.value IN ({marks}))
                ORDER BY c.rank_{lang}"""
            found = self._query(sql, (facet, chosen, value, limit, *picked))
            total = self._query(f"SELECT count(*) {pairs} WHERE a.facet = ? AND a.value = ?", (facet, chosen, value))
            return [(iri, n, rank <= limit, label) for iri, n, rank, label in found], total[0][0]
        kept, params = _kept(dict(others))
        counted = f"""SELECT {lang} AS label, count(*) AS n FROM facets WHERE facet = ? AND measure IN ({kept})
            GROUP BY {lang}"""
        picks = f"SELECT {lang} FROM facet_values WHERE facet = ? AND value IN ({_marks(picked)})"
        sql = f"""WITH counted AS ({counted}),
            ranked AS (SELECT label, n, row_number() OVER (ORDER BY n DESC, label) AS rank, count(*) OVER () AS total
              FROM counted)
            SELECT v.value, r.n, r.rank, v.label_{lang}, r.total FROM ranked AS r
            CROSS JOIN facet_values AS v INDEXED BY facet_values_{lang} ON v.facet = ? AND v.{lang} = r.label
            WHERE r.rank <= ? OR r.label IN ({picks}) ORDER BY r.rank"""
        found = self._query(sql, (facet, *params, facet, limit, facet, *picked))
        return [(value, n, rank <= limit, label) for value, n, rank, label, _ in found], found[0][4] if found else 0

    def facets_of(self, iri: str, facets: Collection[str]) -> dict[str, list[str]]:
        """A measure's values of `facets`, by facet, each list by IRI."""
        found: dict[str, list[str]] = {}
        sql = f"""SELECT f.facet, v.value FROM measures AS m JOIN facets AS f ON f.measure = m.id
            JOIN facet_values AS v ON v.facet = f.facet AND v.en = f.en
            WHERE m.iri = ? AND f.facet IN ({_marks(facets)}) ORDER BY f.facet, v.value"""
        for facet, value in self._query(sql, (iri, *sorted(facets))):
            found.setdefault(facet, []).append(value)
        return found

    def count(self, class_iri: str) -> int:
        """How many entities have the class."""
        found = self._query("SELECT n FROM counts WHERE class = ?", (class_iri,))
        return found[0][0] if found else 0

    def sources(self) -> list[Source]:
        """The source documents, by date of issue."""
        sql = "SELECT iri, identifier, issued, page, title FROM sources ORDER BY position"
        return [Source(*row) for row in self._query(sql)]

    def crowds(self, iri: str) -> list[Crowd]:
        """The properties that link more than CROWD entities to `iri` (none for most), by IRI."""
        sql = "SELECT prop, n, skipped FROM crowds WHERE iri = ? ORDER BY prop"
        return [Crowd(*row) for row in self._query(sql, (iri,))]

    def linked_by(self, iri: str) -> set[str]:
        """Every property linking to `iri` in the stated graph, if it has a crowd (else empty)."""
        return {row[0] for row in self._query("SELECT prop FROM linked_by WHERE iri = ?", (iri,))}

    def crowd_members(self, iri: str, prop: str, lang: str, first: int) -> list[str]:
        """The first `first` members of each kind of the crowd `prop` of `iri` (unordered): what the
        page shows of it and what its picture's inner ring may draw. `lang` is a sorted language."""
        if lang not in SORTED_LANGUAGES:  # a column's name: never a reader's value
            raise ValueError(f"members are ranked in {', '.join(SORTED_LANGUAGES)}, not {lang!r}")
        sql = f"SELECT member FROM crowd_members WHERE iri = ? AND prop = ? AND {lang} <= ?"
        return [row[0] for row in self._query(sql, (iri, prop, first))]

    def crowd_linked(self, iri: str, iris: Collection[str]) -> set[str]:
        """Those of `iris` that are members of a crowd of `iri` (they link to it)."""
        sql = f"SELECT DISTINCT member FROM crowd_members WHERE iri = ? AND member IN ({_marks(iris)})"
        return {row[0] for row in self._query(sql, (iri, *sorted(iris)))} if iris else set()

    def own_properties(self, iri: str) -> list[tuple[str, str, bool]]:
        """(graph, property, whether some values are blank nodes) of the triples of `iri`, if it has
        crowds, evidence or blank nodes the file holds (else none): what its page looks up
        instead of reading them all."""
        sql = "SELECT graph, prop, blanks FROM own_properties WHERE iri = ? ORDER BY graph, prop"
        return [(g, p, bool(b)) for g, p, b in self._query(sql, (iri,))]

    def crowded(self, iris: Collection[str], more_than: int) -> set[str]:
        """Those of `iris` whose crowds have more than `more_than` members (so as many links)."""
        sql = f"SELECT iri FROM crowded WHERE members > ? AND iri IN ({_marks(iris)})"
        return {row[0] for row in self._query(sql, (more_than, *sorted(iris)))} if iris else set()

    def crowds_others(self, iri: str, props: Collection[str], known: Collection[str]) -> int:
        """How many members of the crowds `props` of `iri` are not among `known`: all of them (for
        all its crowds, counted when the file was written: 11,000 at 1000× took 11 ms), less
        those known."""
        marks, chosen = _marks(props), sorted(props)
        if set(props) == {c.prop for c in self.crowds(iri)}:
            total = self._query("SELECT members FROM crowded WHERE iri = ?", (iri,))[0][0]
        else:
            sql = f"SELECT count(DISTINCT member) FROM crowd_members WHERE iri = ? AND prop IN ({marks})"
            total = self._query(sql, (iri, *chosen))[0][0]
        sql = f"""SELECT count(DISTINCT member) FROM crowd_members
            WHERE iri = ? AND prop IN ({marks}) AND member IN ({_marks(known)})"""
        return total - (self._query(sql, (iri, *chosen, *sorted(known)))[0][0] if known else 0)

    def evidenced(self, iri: str) -> tuple[int, bool] | None:
        """For an entity with more than CROWD quotes: how many, and whether every source it is
        derived from is one of theirs; None for the others (their pages read their quotes)."""
        found = self._query("SELECT n, all_cited FROM evidenced WHERE iri = ?", (iri,))
        return (found[0][0], bool(found[0][1])) if found else None

    def evidence(self, iri: str) -> list[Derivation]:
        """The quotes of an entity `evidenced` counts, by date."""
        sql = "SELECT issued, quote, lang, document FROM evidence WHERE iri = ? ORDER BY position"
        return [Derivation(*row) for row in self._query(sql, (iri,))]

    def blank_crowds(self, iri: str) -> set[str]:
        """The properties of `iri` with more than CROWD blank nodes (see `blanks`)."""
        return {row[0] for row in self._query("SELECT DISTINCT prop FROM blanks WHERE iri = ?", (iri,))}

    def inferred_blanks_stated(self, iri: str) -> bool:
        """Whether every blank node an inferred link of `iri` reaches is one of its stated links'
        (a super-property's: "monetary amount" for "estimated cost"), for an entity with blank crowds."""
        found = self._query("SELECT inferred_stated FROM blank_owners WHERE iri = ?", (iri,))
        return bool(found and found[0][0])

    def blanks(self, iri: str, lang: str) -> list[tuple[str, list[Part]]]:
        """(property, facts) of the blank nodes the page of `iri` shows of its `blank_crowds`, one
        per property and label in `lang` (a sorted language), facts sorted."""
        sql = """SELECT prop, text, part, kind, value, datatype, language FROM blanks
            WHERE iri = ? AND lang = ? ORDER BY prop, text, position"""
        found: dict[tuple[str, str], list[Part]] = {}
        for prop, text, part, kind, value, datatype, language in self._query(sql, (iri, lang)):
            parts = found.setdefault((prop, text), [])
            if part is not None:
                parts.append((part, _term(kind, value, datatype, language)))
        return [(prop, parts) for (prop, _), parts in found.items()]

    def inverses(self) -> dict[str, str]:
        """Property → its owl:inverseOf, both ways (a few dozen: held by the pages)."""
        return dict(self._query("SELECT p, q FROM inverses"))


class Derivation(NamedTuple):
    """A qualified derivation of an entity: a verbatim quote and the source it comes from."""

    issued: str  # the source's date, as written (ISO 8601): what the evidence is sorted by
    quote: str
    lang: str | None
    document: str


def derivation(issued: str, document: str, quote: Term | None) -> Derivation:
    return Derivation(
        issued,
        quote.value if quote is not None else "",
        quote.language if isinstance(quote, ox.Literal) else None,
        document,
    )


def by_date(derivations: Iterable[Derivation]) -> list[Derivation]:
    """The evidence in the order pages show it: by its source's date, then quote (the one order,
    whether a page sorts it or the file holds it sorted)."""
    return sorted(derivations, key=lambda d: (d.issued, d.quote, d.lang or "", d.document))


Part = tuple[str, Term]  # a blank node's property and value


def facts_in_order(parts: Iterable[Part]) -> list[Part]:
    """A blank node's facts in one order, whatever the store's: the label a page shows of it (the
    first in its language) does not depend on the engine."""
    return sorted(parts, key=lambda part: (part[0], str(part[1])))


def blank_key(parts: Iterable[Part]) -> tuple[tuple[str, str], ...]:
    """What picks the blank node a page shows among those of one property with one label: the
    least by its facts (blank nodes among them left out: their names are the engine's)."""
    return tuple(sorted((p, str(o)) for p, o in parts if not isinstance(o, ox.BlankNode)))


def blank_label(parts: Iterable[Part], lang: str) -> str:
    """A blank node's label in `lang` (as `in_language` chooses), "" if it has none."""
    return in_language(by_language(o for p, o in parts if p == RDFS_LABEL), lang)


@dataclass(frozen=True)
class Crowd:
    """A property linking more than CROWD entities to one: how many (as its page counts them), and
    the inverse property whose inferred values of the entity are all those links read the other
    way (None if it has none, or if some are not)."""

    prop: str
    n: int
    skipped: str | None


@dataclass(frozen=True)
class Order:
    """Which page of a list, in which order: by label (`key` None) or by another sort key, which
    way; `keys` are the sort keys of values the file does not know (a class's label)."""

    key: str | None
    descending: bool
    offset: int
    limit: int
    keys: Mapping[str, str] = field(default_factory=dict)


def _sorted_language(lang: str) -> str:
    """The language whose sort keys the file holds that sorts a reader's language best."""
    return lang if lang in SORTED_LANGUAGES else SORTED_LANGUAGES[0]


def _marks(values: Collection[object]) -> str:
    return ", ".join("?" * len(values))


def _ordered(key: str, descending: bool, then: str) -> str:
    """An ORDER BY as web/tables.py `arrange` sorts: by `key`, rows without one last either way,
    rows with equal keys in the list's own order (`then`) either way."""
    return f"{key} IS NULL, {key}{' DESC' if descending else ''}, {then}"


def order_key(column: str, descending: bool) -> str:
    """The name of an order of the measures in `measure_orders`: a sort key's column, which way."""
    return column + (" desc" if descending else "")


def _members(class_iri: str, types: Collection[str]) -> tuple[str, list[str]]:
    """The WHERE of a kind's members (`listed`) that have one of `types` (asserted; any if none)."""
    if not types:
        return "class = ?", [class_iri]
    asserted = f"SELECT iri FROM types WHERE class IN ({_marks(types)}) AND asserted"
    return f"class = ? AND iri IN ({asserted})", [class_iri, *sorted(types)]


def _kept(chosen: Mapping[str, Collection[str]]) -> tuple[str, list[str]]:
    """A SELECT of the measures (their numbers) that have, for each chosen facet, one of its
    values ("" if none is chosen), with its parameters."""
    parts, params = [], []
    for facet, values in sorted(chosen.items()):
        ranks = f"SELECT en FROM facet_values WHERE facet = ? AND value IN ({_marks(values)})"
        parts.append(f"SELECT measure FROM facets WHERE facet = ? AND en IN ({ranks})")
        params += [facet, facet, *sorted(values)]
    return " INTERSECT ".join(parts), params


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
            _measures(db, rows)
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
            _crowds(db, rows, inverses)
            _evidence(db, rows)
            _blanks(db, rows)
            _own_properties(db, rows)
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
    language, folded: the order `members` reads them in; then the members of each kind's class
    with their main class and their description in each sorted language (as `in_language`
    chooses it), folded: what their list sorts them by."""
    low, high = ENTITY_BASE, ENTITY_BASE[:-1] + chr(ord(ENTITY_BASE[-1]) + 1)
    found = db.execute(
        """SELECT e.iri, l.lang, l.label FROM (
             SELECT iri FROM types WHERE iri >= :low AND iri < :high
             UNION SELECT iri FROM names
           ) AS e LEFT JOIN labels AS l ON l.iri = e.iri ORDER BY e.iri, l.position""",
        {"low": low, "high": high},
    )
    entities = [(iri, *(_label_key(iri, labels, lang) for lang in SORTED_LANGUAGES)) for iri, labels in _by_iri(found)]
    db.executemany("INSERT INTO entities(iri, en, fr) VALUES (?, ?, ?)", entities)
    db.create_function("fold", 1, lambda text: None if text is None else fold(text), deterministic=True)
    described = """fold((SELECT text FROM descriptions AS d WHERE d.iri = e.iri AND d.text <> ''
        ORDER BY d.lang = '{lang}' DESC, d.lang = 'en' DESC, d.lang = '' DESC, d.lang LIMIT 1))"""
    db.execute(
        f"""INSERT INTO listed SELECT t.class, e.iri, {", ".join(f"e.{lang}" for lang in SORTED_LANGUAGES)},
          (SELECT min(class) FROM types AS a WHERE a.iri = e.iri AND a.asserted),
          {", ".join(described.format(lang=lang) for lang in SORTED_LANGUAGES)}
        FROM types AS t JOIN entities AS e ON e.iri = t.iri WHERE t.class IN ({_marks(KINDS)})""",
        tuple(KINDS.values()),
    )


def _by_iri(rows: Iterable[tuple[str, str | None, str | None]]) -> Iterator[tuple[str, dict[str, str]]]:
    """(iri, language, label) rows, by IRI in the order of their labels' positions, as each IRI's
    labels (a row without a language: an IRI without labels)."""
    current: str | None = None
    labels: dict[str, str] = {}
    for iri, lang, label in rows:
        if iri != current:
            if current is not None:
                yield current, labels
            current, labels = iri, {}
        if lang is not None and label is not None:
            labels[lang] = label
    if current is not None:
        yield current, labels


def _label_key(iri: str, labels: Mapping[str, str], lang: str) -> str:
    """What an IRI sorts by in `lang`: its label there, as `LabelIndex.label` chooses it, folded."""
    return fold(in_language(labels, lang) or short_name(iri))


def _measures(db: sqlite3.Connection, rows: Rows) -> None:
    """The measures' list: every measure's facet values (those of the facet's class), numbered by
    label per facet, counted over the whole list; and each measure's position in every order a
    page sorts by (as web/tables.py `arrange` sorts the cells: their text folded, unbound last,
    ties by label and IRI): its label, its statuses (by IRI) and the threats it addresses (by label)."""
    db.execute("CREATE TEMP TABLE raw(iri TEXT, facet TEXT, value TEXT)")
    db.executemany(
        "INSERT INTO raw VALUES (?, ?, ?)",
        (
            (r["measure"].value, r["facet"].value if "facet" in r else None, r["value"].value if "value" in r else None)
            for r in rows(FACETS_QUERY)
        ),
    )
    db.execute("INSERT INTO measures(iri) SELECT DISTINCT iri FROM raw ORDER BY iri")
    db.execute("CREATE TEMP TABLE classes(facet TEXT PRIMARY KEY, class TEXT)")
    db.executemany("INSERT INTO classes VALUES (?, ?)", MEASURE_FACETS.items())
    db.execute("CREATE TEMP TABLE kept(measure INTEGER, facet TEXT, value TEXT, PRIMARY KEY (measure, facet, value))")
    db.execute(
        """INSERT OR IGNORE INTO kept SELECT m.id, r.facet, r.value
        FROM raw AS r JOIN classes AS c ON c.facet = r.facet JOIN measures AS m ON m.iri = r.iri
        WHERE c.class IS NULL OR EXISTS (SELECT 1 FROM types AS t WHERE t.iri = r.value AND t.class = c.class)"""
    )
    db.execute("DROP TABLE raw")
    db.execute("DROP TABLE classes")
    by_label = ", ".join(
        f"row_number() OVER (PARTITION BY c.facet ORDER BY coalesce(e.{lang}, c.value), c.value) AS {lang}"
        for lang in SORTED_LANGUAGES
    )
    by_count = ", ".join(f"row_number() OVER (PARTITION BY facet ORDER BY n DESC, {lang})" for lang in SORTED_LANGUAGES)
    db.execute(
        f"""INSERT INTO facet_values SELECT facet, value, {", ".join(SORTED_LANGUAGES)}, n, {by_count},
          {", ".join("NULL" for _ in SORTED_LANGUAGES)}
        FROM (SELECT c.facet, c.value, c.n, {by_label}
          FROM (SELECT facet, value, count(*) AS n FROM kept GROUP BY facet, value) AS c
          LEFT JOIN entities AS e ON e.iri = c.value)"""
    )
    db.execute(
        """INSERT INTO facets SELECT k.facet, v.en, v.fr, k.measure FROM kept AS k
        JOIN facet_values AS v ON v.facet = k.facet AND v.value = k.value"""
    )
    db.execute("CREATE INDEX facets_measure ON facets(measure, facet, en)")  # the pairs below are joined on it
    by_count = ", ".join(
        f"row_number() OVER (PARTITION BY facet, en, other ORDER BY n DESC, other_{lang})" for lang in SORTED_LANGUAGES
    )
    others = ", ".join(f"b.{lang} AS other_{lang}" for lang in SORTED_LANGUAGES)
    db.execute(
        f"""INSERT INTO co_values SELECT facet, en, other, other_en, n, {by_count}
        FROM (SELECT a.facet, a.en, b.facet AS other, {others}, count(*) AS n
          FROM facets AS a JOIN facets AS b ON b.measure = a.measure AND b.facet <> a.facet
          WHERE a.facet <> 'addresses' AND b.facet <> 'addresses' GROUP BY a.facet, a.en, b.facet, b.en)"""
    )
    shown = db.execute(
        """SELECT v.value, l.lang, l.label FROM (SELECT DISTINCT value FROM facet_values) AS v
        LEFT JOIN labels AS l ON l.iri = v.value ORDER BY v.value, l.position"""
    ).fetchall()  # the values' labels (60,000 at 1000×), read before they are written beside
    db.executemany(
        f"""UPDATE facet_values SET {", ".join(f"label_{lang} = ?" for lang in SORTED_LANGUAGES)}
        WHERE facet IN ({_marks(MEASURE_FACETS)}) AND value = ?""",
        (
            (*(in_language(labels, lang) or short_name(iri) for lang in SORTED_LANGUAGES), *MEASURE_FACETS, iri)
            for iri, labels in _by_iri(shown)
        ),
    )
    labels: dict[str, dict[str, str]] = {}
    for iri, lang, label in db.execute(
        """SELECT iri, lang, label FROM labels
        WHERE iri IN (SELECT value FROM kept WHERE facet IN ('status', 'addresses')) ORDER BY iri, position"""
    ):
        labels.setdefault(iri, {})[lang] = label

    def keys(measure: tuple, values: dict[str, list[str]]) -> tuple[str | int | None, ...]:
        number, iri, *own = measure
        found: list[str | int | None] = [number, iri]
        found += [key or _label_key(iri, {}, lang) for key, lang in zip(own, SORTED_LANGUAGES, strict=True)]
        for facet, by_label in (("status", False), ("addresses", True)):
            for lang in SORTED_LANGUAGES:
                shown = [in_language(labels.get(v, {}), lang) or short_name(v) for v in values.get(facet, [])]
                found.append(fold(", ".join(sorted(shown, key=fold) if by_label else shown)) if shown else None)
        return tuple(found)

    def measures() -> Iterator[tuple[str | int | None, ...]]:
        current: tuple = ()
        values: dict[str, list[str]] = {}
        for number, iri, *label_keys, facet, value in db.execute(
            f"""SELECT m.id, m.iri, {", ".join(f"e.{lang}" for lang in SORTED_LANGUAGES)}, k.facet, k.value
            FROM measures AS m LEFT JOIN entities AS e ON e.iri = m.iri
            LEFT JOIN kept AS k ON k.measure = m.id AND k.facet IN ('status', 'addresses')
            ORDER BY m.id, k.facet, k.value"""
        ):
            if not current or number != current[0]:
                if current:
                    yield keys(current, values)
                current, values = (number, iri, *label_keys), {}
            if facet is not None:
                values.setdefault(facet, []).append(value)
        if current:
            yield keys(current, values)

    columns = [f"{column}_{lang}" for column in ("label", "status", "threats") for lang in SORTED_LANGUAGES]
    db.execute(f"CREATE TEMP TABLE sort_keys(id INTEGER PRIMARY KEY, iri TEXT, {', '.join(columns)})")
    db.executemany(f"INSERT INTO sort_keys VALUES ({_marks(['id', 'iri', *columns])})", measures())
    for column in columns:
        lang = column.rsplit("_", 1)[1]
        for descending in (False, True):
            db.execute(
                f"""INSERT INTO measure_orders SELECT ?, row_number() OVER (ORDER BY {
                    _ordered(column, descending, f"label_{lang}, iri")
                }), id FROM sort_keys""",
                (order_key(column, descending),),
            )
    db.execute("DROP TABLE sort_keys")
    db.execute("DROP TABLE kept")


def _crowds(db: sqlite3.Connection, rows: Rows, inverses: Mapping[str, str]) -> None:
    """Each crowd (a property linking more than CROWD entities to an entity, counted as the
    entity's page lists its incoming links: from IRIs it does not link back to) with its members
    ranked, per sorted language, among those of their kind as the page sorts a property's values
    (by label as `LabelIndex.label` gives it, casefolded, then as written, then by IRI). Only
    crowds of entities, whose labels the file holds."""
    for r in list(rows(_crowds_query())):  # read whole: each crowd is read by its own query
        o, p = r["o"].value, r["p"].value
        members = [x["x"].value for x in rows(_crowd_query(o, p))]
        if len(members) <= CROWD or not all(kind_of(m) for m in members):
            continue  # the page reads them from the store, as it does any property's
        q = inverses.get(p)
        skipped = q if q and not any(True for _ in rows(_inverse_kept_query(o, q))) else None
        db.execute("INSERT INTO crowds VALUES (?, ?, ?, ?)", (o, p, len(members), skipped))
        db.executemany(
            "INSERT OR IGNORE INTO linked_by VALUES (?, ?)", ((o, x["p"].value) for x in rows(_linked_by_query(o)))
        )
        ranks = {m: [0] * len(SORTED_LANGUAGES) for m in members}
        labels = dict(_by_iri(_labels_of(db, members)))
        for i, lang in enumerate(SORTED_LANGUAGES):
            shown = {m: in_language(labels.get(m, {}), lang) or short_name(m) for m in members}
            counted: dict[str | None, int] = {}
            for m in sorted(members, key=lambda m: (shown[m].casefold(), shown[m], m)):
                kind = kind_of(m)
                counted[kind] = ranks[m][i] = counted.get(kind, 0) + 1
        db.executemany(
            "INSERT INTO crowd_members VALUES (?, ?, ?, ?, ?)", ((o, p, m, *by_lang) for m, by_lang in ranks.items())
        )


def _labels_of(db: sqlite3.Connection, iris: Collection[str]) -> list[tuple[str, str | None, str | None]]:
    """(iri, language, label) of `iris`, by IRI in the order of their labels' positions."""
    db.execute("CREATE TEMP TABLE wanted(iri TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((iri,) for iri in iris))
    found = db.execute(
        """SELECT w.iri, l.lang, l.label FROM wanted AS w LEFT JOIN labels AS l ON l.iri = w.iri
        ORDER BY w.iri, l.position"""
    ).fetchall()
    db.execute("DROP TABLE wanted")
    return found


def _crowds_query() -> str:
    """The candidates: an entity and a property linking more than CROWD IRIs to it in the stated
    graph (CROWD read now: tests make it small), counted before `_crowd_query` drops those the
    entity links back to."""
    return f"""SELECT ?o ?p WHERE {{
  GRAPH <{ASSERTED_GRAPH}> {{ ?x ?p ?o }}
  FILTER(isIRI(?x) && isIRI(?o) && STRSTARTS(STR(?o), "{ENTITY_BASE}"))
}}
GROUP BY ?o ?p HAVING (COUNT(*) > {CROWD})"""


def _crowd_query(o: str, p: str) -> str:
    """The members of a crowd: as an entity page's incoming links (web/pages/entity.py)."""
    return f"""SELECT DISTINCT ?x WHERE {{
  GRAPH <{ASSERTED_GRAPH}> {{ ?x <{p}> <{o}> }}
  FILTER(isIRI(?x))
  FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ <{o}> ?back ?x }} }}
}}"""


def _linked_by_query(o: str) -> str:
    return f"SELECT DISTINCT ?p WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?x ?p <{o}> }} }}"


def _inverse_kept_query(o: str, q: str) -> str:
    """An inferred value of the crowd's inverse property (a threat "addressed by" a measure) that the
    page shows because it is not a crowd member's link read the other way: with none, the page
    need not read them (thousands) only to drop them all."""
    return f"""SELECT ?y WHERE {{
  GRAPH ?g {{ <{o}> <{q}> ?y }}
  FILTER(?g != <{ASSERTED_GRAPH}>)
  FILTER(!isIRI(?y) || NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?y ?back <{o}> }} }})
}}
LIMIT 1"""


def _evidence(db: sqlite3.Connection, rows: Rows) -> None:
    """The quotes of each entity with more than CROWD of them, as its page reads them (every
    quote of every source of each blank node it is qualifiedly derived from, in any graph), by date."""
    issued: dict[str, str] = {}
    for iri, date in db.execute("SELECT iri, issued FROM sources ORDER BY position"):
        issued.setdefault(iri, date)  # the first, as the pages' `Site.source`
    for r in list(rows(_evidenced_query())):
        s = r["s"].value
        found = [
            derivation(issued.get(x["document"].value, ""), x["document"].value, x.get("quote"))
            for x in rows(_quotes_query(s))
        ]
        ordered = by_date(found)
        derived = {x["document"].value for x in rows(_derived_query(s))}
        db.execute(
            "INSERT INTO evidenced VALUES (?, ?, ?)", (s, len(ordered), derived <= {d.document for d in ordered})
        )
        db.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?)", ((s, i, *d) for i, d in enumerate(ordered)))


def _evidenced_query() -> str:
    """The entities with more than CROWD qualified derivations (CROWD read now: tests make it small)."""
    return f"""SELECT ?s WHERE {{
  ?s <{PROV.qualifiedDerivation}> ?d
  FILTER(isBlank(?d) && STRSTARTS(STR(?s), "{ENTITY_BASE}"))
}}
GROUP BY ?s HAVING (COUNT(DISTINCT ?d) > {CROWD})"""


def _quotes_query(s: str) -> str:
    return f"""SELECT DISTINCT ?d ?document ?quote WHERE {{
  <{s}> <{PROV.qualifiedDerivation}> ?d .
  FILTER(isBlank(?d))
  ?d <{PROV.entity}> ?document .
  OPTIONAL {{ ?d <{SUG.quote}> ?quote }}
}}"""


def _derived_query(s: str) -> str:
    return f"SELECT DISTINCT ?document WHERE {{ <{s}> <{PROV.wasDerivedFrom}> ?document }}"


def _blanks(db: sqlite3.Connection, rows: Rows) -> None:
    """For each entity's property with more than CROWD blank nodes (as its page reads them: stated,
    or inferred and not also stated), per sorted language and label, the facts of the one with
    the least `blank_key`."""
    for r in list(rows(_blank_crowds_query())):
        s, p = r["s"].value, r["p"].value
        if not db.execute("SELECT 1 FROM blank_owners WHERE iri = ?", (s,)).fetchone():  # once per entity
            stated = not any(True for _ in rows(_inferred_blank_query(s)))
            db.execute("INSERT INTO blank_owners VALUES (?, ?)", (s, stated))
        parts: dict[str, dict[Part, None]] = {}  # blank node → its facts (a fact in two graphs comes twice)
        for x in rows(_blank_parts_query(s, p)):
            facts = parts.setdefault(x["b"].value, {})
            if "bp" in x and x["bp"].value != RDF_TYPE:
                facts[(x["bp"].value, x["bo"])] = None
        for lang in SORTED_LANGUAGES:
            chosen: dict[str, tuple[tuple[tuple[str, str], ...], list[Part]]] = {}
            for facts in parts.values():
                sorted_facts = facts_in_order(facts)
                text, key = blank_label(sorted_facts, lang), blank_key(sorted_facts)
                if text not in chosen or key < chosen[text][0]:
                    chosen[text] = (key, sorted_facts)
            db.executemany(
                "INSERT INTO blanks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (s, p, lang, text, i, *part)
                    for text, (_, kept) in chosen.items()
                    for i, part in enumerate(_stored(kept))
                ),
            )


def _stored(parts: list[Part]) -> list[tuple[str | None, str | None, str | None, str | None, str | None]]:
    """A blank node's facts as rows (property, kind, value, datatype, language); one empty row for
    a blank node without any, so that it is still shown."""
    found: list[tuple[str | None, str | None, str | None, str | None, str | None]] = []
    for prop, term in parts:
        if isinstance(term, ox.Literal):
            language = term.language
            found.append((prop, "literal", term.value, None if language else term.datatype.value, language))
        elif isinstance(term, ox.NamedNode):
            found.append((prop, "iri", term.value, None, None))
        # a nested blank node is not shown (it has no page to link to)
    return found or [(None, None, None, None, None)]


def _term(kind: str, value: str, datatype: str | None, language: str | None) -> Term:
    if kind == "iri":
        return ox.NamedNode(value)
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype or "http://www.w3.org/2001/XMLSchema#string"))


def _blank_crowds_query() -> str:
    """An entity's properties with more than CROWD blank nodes (CROWD read now: tests make it
    small); its evidence is another matter (`_evidence`)."""
    return f"""SELECT ?s ?p WHERE {{
  GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?b }}
  FILTER(isBlank(?b) && ?p != <{PROV.qualifiedDerivation}> && STRSTARTS(STR(?s), "{ENTITY_BASE}"))
}}
GROUP BY ?s ?p HAVING (COUNT(*) > {CROWD})"""


def _inferred_blank_query(s: str) -> str:
    """A blank node an inferred link of `s` reaches and no stated one does."""
    return f"""SELECT ?b WHERE {{
  GRAPH ?g {{ <{s}> ?q ?b }}
  FILTER(?g != <{ASSERTED_GRAPH}> && isBlank(?b))
  FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ <{s}> ?p ?b }} }}
}}
LIMIT 1"""


def _blank_parts_query(s: str, p: str) -> str:
    """The blank nodes of a property as the entity's page reads them (`outgoing_query`), with their facts."""
    return f"""SELECT DISTINCT ?b ?bp ?bo WHERE {{
  GRAPH ?g {{ <{s}> <{p}> ?b }}
  FILTER(isBlank(?b))
  FILTER(?g = <{ASSERTED_GRAPH}> || NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ <{s}> ?stated ?b }} }})
  OPTIONAL {{ ?b ?bp ?bo }}
}}"""


def _own_properties(db: sqlite3.Connection, rows: Rows) -> None:
    """The (graph, property) pairs of the triples of every entity the file holds crowds, evidence
    or blank nodes of, and whether some of their values are blank nodes."""
    owners = db.execute("SELECT iri FROM crowds UNION SELECT iri FROM evidenced UNION SELECT iri FROM blank_owners")
    for (iri,) in owners.fetchall():
        blanks = "(SUM(IF(isBlank(?o), 1, 0)) AS ?blanks)"
        found = rows(f"SELECT ?g ?p {blanks} WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} GROUP BY ?g ?p")
        db.executemany(
            "INSERT INTO own_properties VALUES (?, ?, ?, ?)",
            ((iri, r["g"].value, r["p"].value, int(r["blanks"].value) > 0) for r in found),
        )
