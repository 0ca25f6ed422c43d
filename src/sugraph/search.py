"""The label index: every IRI's labels, and the full-text index search answers from.

Pages need a label for each IRI they show: they look it up in the pages' snapshot file
(snapshot.py), one indexed read per label, instead of holding every label in memory. Search must
answer in a few milliseconds, so it reads an SQLite FTS5 file (the engine chosen by measurement:
bench/search_bench.py, bench/RESULTS.md) that covers every entity's names (labels, alternative and
hidden labels), descriptions and the quotes of its qualified derivations, in both languages. That
file is built once per store (`build_index`: beside the prebuilt store, so a restart only opens
it) and then only read, by one connection per thread. Matching is case- and accent-insensitive
(FTS5's own folding) and on word prefixes, so "cyberc" finds "Cybercriminalité" and "otan" finds
"OTAN"; hidden labels are matched too, so a source's misspelling ("Schinias") finds the entity it
names. The reader's words are always text: each becomes a quoted FTS5 string, never FTS5 syntax.
A query reads at most `RANK_BUDGET` matching texts to rank (plus the names equal to it) and
`COUNT_BUDGET` to count, so a one-letter query costs little more than a rare word; the counts then
say they are lower bounds.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from markupsafe import Markup, escape

from .errors import SugraphError, UsageError
from .files import replaced
from .snapshot import ReadOnlyFile, Rows, Snapshot, short_name
from .terms import in_language

F = TypeVar("F", bound=ReadOnlyFile)

log = logging.getLogger(__name__)

QUOTES_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sug: <https://w3id.org/sugraph/ontology#>
SELECT DISTINCT ?s ?quote WHERE {
  ?s prov:qualifiedDerivation ?derivation .
  ?derivation sug:quote ?quote .
  FILTER(isIRI(?s) && isLiteral(?quote))
}
"""
# What a text is to its entity, best first: a name match ranks before a description match, which
# ranks before a quote match.
FIELDS = ("name", "description", "quote")
MAX_QUERY = 200  # characters; a longer query is a 400, not a slow scan
SNIPPET_WORDS = 24  # a longer text is cut to this many words around its first match
# The matching texts a query reads, at most, to rank and to count: the cost of a query grows with
# the texts it reads, so these bound a page to ≤ 17 ms of CPU even at 1000× (bench/RESULTS.md).
# Texts are read names first, so the budget never drops a name for a description, and the names
# equal to the query are always ranked.
RANK_BUDGET = 1_000
COUNT_BUDGET = 2_000
INDEX_FILE = "search-v4.sqlite"  # the version changes with the file's layout: an older file is not read
_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Only the text is in FTS5: reading any other column of a match costs a lookup per row (5 µs, ten
# times the match itself; bench/RESULTS.md), so what ranking needs is in the rowid instead:
# field · entity number (entities numbered in the order of their English label) · serial · kind
# of the entity · field · hidden · language. FTS5 returns matches by rowid, so names come first,
# then descriptions, then quotes; a kind filter is arithmetic on the rowid, not a lookup. `names`
# finds the names equal to the whole query.
_SCHEMA = """
CREATE VIRTUAL TABLE texts USING fts5(
  text, lang UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TABLE names(key TEXT, id INTEGER);
CREATE TABLE entities(n INTEGER PRIMARY KEY, iri TEXT, kind TEXT);
CREATE TABLE meta(key TEXT PRIMARY KEY, value);
"""
# The first RANK_BUDGET matches and the names equal to the query, ranked by rowid only: the best
# text of each entity (SQLite takes the bare `id` from the row that gave min()), by field, then a
# name equal to the query, a text that starts with it, one with the words inside, then a displayed
# name before a hidden one, then the reader's language.
_RANKED = """
WITH hits AS MATERIALIZED (
  SELECT id FROM (SELECT rowid AS id FROM texts WHERE texts MATCH :match {texts_kinds} LIMIT :budget)
  UNION SELECT id FROM (SELECT id FROM names WHERE key = :key {names_kinds} LIMIT :limit)
),
starts AS (SELECT rowid AS id FROM texts WHERE texts MATCH :start {texts_kinds} AND rowid <= (SELECT max(id) FROM hits))
SELECT (id >> :shift) & :mask AS n, min(((id >> 5) & 3) * 100
    + CASE WHEN id IN (SELECT id FROM names WHERE key = :key) THEN 0 WHEN id IN starts THEN 10 ELSE 20 END
    + ((id >> 4) & 1) * 2 + (((id >> 2) & 3) <> :lang)) AS score, id
FROM hits GROUP BY n ORDER BY score, n LIMIT :limit
"""
_KINDS = "AND ({id} >> 7) & :kmask IN ({kinds})"  # 7 is _KIND, where the kind number starts
# One more text than the budget tells whether the budget cut the counts.
_COUNTS = """
WITH hits AS MATERIALIZED (SELECT rowid AS id FROM texts WHERE texts MATCH :match LIMIT :budget + 1)
SELECT (id >> 7) & :kmask AS k, count(DISTINCT (id >> :shift) & :mask), (SELECT count(*) FROM hits) > :budget
FROM hits WHERE k > 0 GROUP BY k
"""
_TEXTS = """
SELECT t.rowid, t.text, t.lang, e.iri FROM texts AS t JOIN entities AS e ON e.n = (t.rowid >> :shift) & :mask
WHERE t.rowid IN ({rowids})
"""
# Distinct keys by skipping from one to the next through the index (a DISTINCT would read every
# duplicate), upwards from `key` and downwards from it.
_NEAR = """
WITH RECURSIVE
  up(key, i) AS (SELECT min(key), 1 FROM names WHERE key >= :key
    UNION ALL SELECT (SELECT min(key) FROM names WHERE key > up.key), i + 1 FROM up
    WHERE up.key IS NOT NULL AND i < :n),
  down(key, i) AS (SELECT max(key), 1 FROM names WHERE key < :key
    UNION ALL SELECT (SELECT max(key) FROM names WHERE key < down.key), i + 1 FROM down
    WHERE down.key IS NOT NULL AND i < :n)
SELECT key FROM up UNION SELECT key FROM down
"""
_NAMED = """
SELECT min(e.iri) FROM names AS k JOIN entities AS e ON e.n = (k.id >> :shift) & :mask WHERE k.key = :key
"""
_LANGS = {"en": 1, "fr": 2}  # any other language is 3, none 0
_FIELD, _HIDDEN, _LANG, _KIND = 5, 4, 2, 7  # bit offsets in the low bits; the serial is above the kind


class SearchError(UsageError):
    """The search cannot be run as asked (a query too long, one the engine refuses)."""


class UnknownKind(SearchError):
    """A kind filter names no kind of entity in the index."""

    def __init__(self, kind: str, known: Collection[str]) -> None:
        super().__init__(f"unknown kind {kind!r}; the kinds are: {', '.join(sorted(known))}")
        self.kind, self.known = kind, sorted(known)


class SearchUnavailable(SugraphError, status=503):
    """The full-text index is still being built (a remote backend's, after start-up), or could not be."""

    retry_after = 10  # seconds


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a text, for matching."""
    if not text.isascii():  # most texts have nothing to decompose; in the others, only non-ASCII can combine
        text = _NON_ASCII.sub(_bare, unicodedata.normalize("NFKD", text))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _bare(char: re.Match[str]) -> str:
    return "" if unicodedata.combining(char.group()) else char.group()


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


class Counts(dict[str, int]):
    """Entities matched per kind; `complete` is False when the budget stopped the count (each
    number is then a lower bound)."""

    def __init__(self, counts: Mapping[str, int], complete: bool = True) -> None:
        super().__init__(counts)
        self.complete = complete


class TextIndex(ReadOnlyFile):
    """The full-text index file (read-only, one connection per thread, like the snapshot's)."""

    def __init__(self, path: Path, keep: object = None) -> None:
        super().__init__(path, keep)
        meta = self.meta
        self.shift, self.mask, self.kmask = int(meta["shift"]), int(meta["mask"]), int(meta["kmask"])  # type: ignore[call-overload]
        self._kind_numbers = {kind: n for n, kind in enumerate(str(meta["kinds"]).split(), start=1)}
        self.kinds = frozenset(self._kind_numbers)

    def _run(self, sql: str, params: Mapping[str, object]) -> list:
        try:
            return self._query(sql, params)
        except sqlite3.Error as error:
            raise SearchError(f"cannot search for this text: {error}") from error

    def search(self, query: str, limit: int, kinds: Collection[str], lang: str) -> list[Hit]:
        key, match = _match(query)
        if not match:
            return []
        chosen = {f"k{i}": self._kind_numbers[k] for i, k in enumerate(sorted(kinds))}
        names = ", ".join(":" + k for k in chosen)
        where = {
            f"{table}_kinds": _KINDS.format(id=column, kinds=names) if chosen else ""
            for table, column in (("texts", "rowid"), ("names", "id"))
        }
        params = {"match": match, "start": f'^"{key}"*', "key": key, "lang": _LANGS.get(lang, 3), "limit": limit}
        bits = {"shift": self.shift, "mask": self.mask, "kmask": self.kmask}
        ranked = self._run(_RANKED.format(**where), {**params, **chosen, **bits, "budget": RANK_BUDGET})
        if not ranked:
            return []
        rowids = {f"r{i}": rowid for i, (_, _, rowid) in enumerate(ranked)}
        # By rowid, not MATCH: FTS5 would run the whole query again for each rowid of the list.
        words = key.split()
        texts = {
            rowid: (iri, text, text_lang)
            for rowid, text, text_lang, iri in self._run(
                _TEXTS.format(rowids=", ".join(":" + r for r in rowids)), {**rowids, **bits}
            )
        }
        return [
            Hit(
                texts[rowid][0],
                texts[rowid][1],
                hit_field(rowid),
                texts[rowid][2],
                Snippet.of(texts[rowid][1], words),
                score,
            )
            for _, score, rowid in ranked
        ]

    def counts(self, query: str) -> Counts:
        _, match = _match(query)
        if not match:
            return Counts({})
        bits = {"shift": self.shift, "mask": self.mask, "kmask": self.kmask}
        rows = self._run(_COUNTS, {"match": match, **bits, "budget": COUNT_BUDGET})
        names = {n: kind for kind, n in self._kind_numbers.items()}
        return Counts(
            {names[k]: n for k, n, _ in sorted(rows, key=lambda row: names[row[0]])},
            complete=not any(cut for _, _, cut in rows),
        )

    def keys_near(self, key: str, n: int) -> list[str]:
        """The `n` distinct name keys (normalised names) sorted just before `key` and the `n` just
        after it: the names sharing its longest prefix. One index seek per key, however many
        entities share a name (2,000 each at 1000×), so the 404 page's suggestions stay bounded."""
        return [row[0] for row in self._run(_NEAR, {"key": key, "n": n}) if row[0] is not None]

    def named(self, key: str) -> str:
        """The first entity IRI (in IRI order) with a name whose key is `key`."""
        bits = {"shift": self.shift, "mask": self.mask}
        return self._run(_NAMED, {"key": key, **bits})[0][0]


def hit_field(rowid: int) -> str:
    """Which field (`name`, `description`, `quote`) the text of `rowid` is."""
    return FIELDS[rowid >> _FIELD & 3]


@dataclass
class LabelIndex:
    """Labels per IRI and language and the names of entities (read from the pages' snapshot file),
    and (once built) the full-text index."""

    snapshot: Snapshot
    texts: TextIndex | None = None  # None until the index is ready
    problem: str | None = None  # why it never will be (the build failed)
    _ready: threading.Event = field(default_factory=threading.Event, repr=False)

    def attach(self, texts: TextIndex) -> None:
        """Answer searches from `texts` from now on (one assignment: a search sees it or not)."""
        self.texts = texts
        self._ready.set()

    def failed(self, problem: str) -> None:
        self.problem = problem
        self._ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the index is ready (or failed) within `timeout` seconds."""
        return self._ready.wait(timeout)

    @property
    def kind_set(self) -> frozenset[str]:
        """The kinds a search can filter by."""
        return self._ready_texts().kinds

    def label(self, iri: str, lang: str) -> str:
        """The label in `lang`, else in English, else in any language, else a prefixed name."""
        return in_language(self.snapshot.labels(iri), lang) or short_name(iri)

    def has_label(self, iri: str) -> bool:
        return self.snapshot.has_label(iri)

    def search(self, query: str, limit: int = 50, kinds: Collection[str] = (), lang: str = "en") -> list[Hit]:
        """Entities (of `kinds`, if any) whose texts contain every word of the query as a word
        prefix, best first: by field (name, description, quote), then a name equal to the query,
        a text beginning with it, a word inside; a displayed name before a hidden one, then a text
        in `lang`, then by English label. Among the first RANK_BUDGET
        matching texts and the names equal to the query."""
        texts = self._ready_texts()
        if unknown := sorted(set(kinds) - texts.kinds):
            raise UnknownKind(unknown[0], texts.kinds)
        return texts.search(query, limit, kinds, lang)

    def counts(self, query: str) -> Counts:
        """How many entities of each kind the query matches (every kind, whatever a search filters)."""
        return self._ready_texts().counts(query)

    def _ready_texts(self) -> TextIndex:
        if self.texts is None:
            raise SearchUnavailable(self.problem or "the search index is being built; try again in a few seconds")
        return self.texts


def _match(query: str) -> tuple[str, str]:
    """The normalised query and its FTS5 expression: every word a quoted string (so `"`, `*`,
    `-`, `NEAR`, `OR` are text), each matched as a word prefix, all of them required."""
    if len(query) > MAX_QUERY:
        raise SearchError(f"a search is at most {MAX_QUERY} characters long; this one has {len(query)}")
    key = normalise(query)
    return key, " ".join('"' + word.replace('"', '""') + '"*' for word in key.split())


# --- building the index file ------------------------------------------------------------------------


def build_index(path: Path, rows: Rows, snapshot: Snapshot, kind: Callable[[str], str | None]) -> Path:
    """Write the full-text index of the entities' names and descriptions in `snapshot` and the
    store's quotes (read by `rows`) to `path`: into a temporary file beside it, then renamed, so a
    reader never opens a half-written index. `kind` names the kind of an entity IRI that searches
    filter and count by."""
    names: dict[str, str] = {}  # entity → its label in English, which numbers the entities
    texts: list[tuple[str, int, bool, str, str]] = []  # iri, field, hidden, lang, text
    for iri, text, lang, preferred in snapshot.names():
        names.setdefault(iri, "")
        texts.append((iri, 0, not preferred, lang, text))
    texts += [(iri, 1, False, lang, text) for iri, lang, text in snapshot.all_descriptions() if iri in names]
    for row in rows(QUOTES_QUERY):
        quote = row["quote"]
        assert isinstance(quote, ox.Literal)
        if row["s"].value in names:
            texts.append((row["s"].value, 2, False, quote.language or "", quote.value))
    entities = snapshot.ordered(names)
    number = {iri: n for n, iri in enumerate(entities)}
    serials: dict[tuple[str, int], int] = defaultdict(int)
    kinds = [kind(iri) for iri in entities]
    kind_list = sorted({k for k in kinds if k})
    kind_number = {k: n for n, k in enumerate(kind_list, start=1)}  # 0: none
    kind_bits = len(kind_list).bit_length()
    coded = []  # (field, entity number, serial, low bits, text, lang)
    for iri, part, hidden, lang, text in sorted(set(texts)):
        low = part << _FIELD | hidden << _HIDDEN | _LANGS.get(lang, 3 if lang else 0) << _LANG
        coded.append(
            (
                part,
                number[iri],
                serials[iri, low],
                low | kind_number.get(kinds[number[iri]] or "", 0) << _KIND,
                text,
                lang,
            )
        )
        serials[iri, low] += 1
    low_bits = _KIND + kind_bits
    shift = low_bits + max(serials.values(), default=0).bit_length()
    top = shift + max(len(entities) - 1, 1).bit_length()
    with replaced(path) as partial:
        with sqlite3.connect(partial) as db:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
            # In rowid order: FTS5 appends to its segments instead of sorting them (2.5× faster).
            ordered = sorted(
                (part << top | n << shift | serial << low_bits | low, part, text, lang)
                for part, n, serial, low, text, lang in coded
            )
            db.executemany(
                "INSERT INTO texts(rowid, text, lang) VALUES (?, ?, ?)", ((r, t, lg) for r, _, t, lg in ordered)
            )
            db.executemany(
                "INSERT INTO names VALUES (?, ?)", ((normalise(t), r) for r, part, t, _ in ordered if part == 0)
            )
            db.execute("CREATE INDEX names_key ON names(key)")
            db.executemany(
                "INSERT INTO entities VALUES (?, ?, ?)", ((n, iri, kinds[n]) for n, iri in enumerate(entities))
            )
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("shift", shift),
                    ("mask", (1 << (top - shift)) - 1),
                    ("kmask", (1 << kind_bits) - 1),
                    ("kinds", " ".join(kind_list)),
                ],
            )
            db.execute("INSERT INTO texts(texts) VALUES ('optimize')")
        db.close()
    return path


def open_or_build(
    folder: Path | None, name: str, build: Callable[[Path], Path], kind: Callable[[Path, object], F]
) -> F:
    """The file `name` of `kind` (the snapshot, the search index) in `folder` if it is there and
    readable, else built there by `build` (in a temporary folder that lives as long as the opened
    file if there is no `folder`, or it cannot be written)."""
    path = folder / name if folder is not None else None
    if path is not None and path.is_file():
        try:
            return kind(path, None)
        except (SearchError, sqlite3.DatabaseError) as error:  # damaged (a disk full when it was copied)
            log.warning("the file %s cannot be read (%s): building it again", path, error)
    if path is not None:
        try:
            return kind(build(path), None)
        except (
            OSError,
            sqlite3.OperationalError,
        ) as error:  # a read-only cache: the file lives as long as this process
            log.warning("cannot write %s (%s): building it in a temporary folder", path, error)
    temporary = tempfile.TemporaryDirectory(prefix="sugraph-search-")
    return kind(build(Path(temporary.name) / name), temporary)


def in_background(labels: LabelIndex, make: Callable[[], TextIndex]) -> threading.Thread:
    """Build the index with `make` in a thread and attach it when done, so a start (a remote
    backend's: no prebuilt store to keep it beside) does not wait for it; searches answer 503 meanwhile."""

    def run() -> None:
        try:
            labels.attach(make())
            log.info("the search index is ready")
        except Exception as error:  # whatever failed, the pages go on without search
            log.exception("the search index could not be built")
            labels.failed(f"the search index could not be built: {error}")

    thread = threading.Thread(target=run, name="search-index", daemon=True)
    thread.start()
    return thread
