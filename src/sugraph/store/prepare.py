"""Every check and rewrite a client's text gets before an engine sees it, as one function of the text
and the store's rules: read-only, SERVICE and FROM, the media type, the dataset's graphs, the row cap.

The server runs it for an in-process or remote engine (`Store._prepare`); a query worker runs it
beside its own engine (pool.py, worker.py), so for the embedded store the server's event loop
never reads a client's text, and the text the checks passed is the one that runs, in one process.

A worker first tries `Preparation.verbatim`: the client's own text, capped, for pyoxigraph to read,
when its characters alone prove that no check could refuse it (no SERVICE, FROM or escape can be
in it, and it is too small to nest past the parser's stack). Reading such a text token by token
cost as much as evaluating the headline question; any error sends it down the checked path,
which gives the error it always gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import QueryInfo, Rewritten, analyse, capped, check
from .engine import Dataset, media_types_for
from .errors import QueryError
from .lexer import CHAIN_PUNCT, CHAIN_WORDS, MAX_CHAIN, MAX_DEPTH


@dataclass(frozen=True)
class Rules:
    """What a store allows: the graphs a query may name, the SERVICE endpoints it may call, the IRI
    its engine calls for each (None: not safely, and `isolation` says why)."""

    known_graphs: frozenset[str]
    allowed_endpoints: tuple[str, ...]
    service_iris: tuple[str | None, ...]
    isolation: str


@dataclass(frozen=True)
class Prepared:
    """A checked query: the canonical text to run (which also places the engine's syntax errors back
    in the client's text), its form, the media type to answer in, and its dataset. A verbatim one's
    form is "" (what the engine parses decides), and so is its media type if the request named none."""

    query: Rewritten
    form: str
    media_type: str
    dataset: Dataset | None


@dataclass(frozen=True)
class Preparation:
    """A request's own part of the checks: what it asks for, with the rules of the store it asks."""

    media_type: str | None
    dataset: Dataset | None
    max_rows: int | None
    rules: Rules

    def apply(self, sparql: str) -> Prepared:
        """The checked query, or QueryError: an update, not a query, a refused SERVICE or FROM, a
        media type the form cannot be answered in, a graph the store does not hold."""
        info = analyse(sparql)
        rules = self.rules
        check(info, rules.known_graphs, rules.allowed_endpoints)
        offered = media_types_for(info.form)
        media_type = self.media_type or offered[0]
        if media_type not in offered:
            raise QueryError(f"a {info.form} query cannot be answered as {media_type}")
        self._check_dataset()
        dataset = self.dataset
        if dataset is None and not (info.from_graphs or info.from_named):
            dataset = Dataset()
        return Prepared(capped(info, self.max_rows, _routes(info, rules)), info.form, media_type, dataset)

    def verbatim(self, sparql: str) -> Prepared | None:
        """The client's own text with `LIMIT max_rows` appended, for pyoxigraph (never a remote
        engine: Virtuoso reads extensions of its own), when `runs_as_written` holds; else None.

        The engine then decides what the text is: an update or a second top-level LIMIT (or one
        before a trailing VALUES) is a syntax error for it, and an undeclared default prefix too, and
        on any QueryError the caller runs `apply`'s checked text instead. `LIMIT n` (n ≥ 1) changes
        no ASK, so it is appended whatever the form."""
        if (self.max_rows is not None and self.max_rows < 1) or not runs_as_written(sparql):
            return None
        try:
            self._check_dataset()
        except QueryError:
            return None  # apply() gives the error, after any it finds first
        limit = "" if self.max_rows is None else f"\nLIMIT {self.max_rows}"  # a line of its own: a comment ends
        return Prepared(Rewritten(sparql + limit, sparql, ()), "", self.media_type or "", self.dataset or Dataset())

    def _check_dataset(self) -> None:
        for graph in (self.dataset.default_graphs + (self.dataset.named_graphs or ())) if self.dataset else ():
            if graph not in self.rules.known_graphs:
                raise QueryError(f"no graph <{graph}> here, and remote graphs are never fetched")


_COMMENT_LINES = re.compile(rb"^[ \t]*#[^\r\n]*", re.MULTILINE)  # `^` is after LF only: a CR ends a comment too
_CHAIN_BYTES = [bytes([byte]) for byte in sorted(set("".join(CHAIN_PUNCT).encode()))]  # | & + - * / = ! < > ^ { (
_CHAIN_WORDS = [word.lower().encode() for word in sorted(CHAIN_WORDS)]


def runs_as_written(text: str) -> bool:
    """Whether pyoxigraph may read this text exactly as the client wrote it, because counting its
    characters proves what the lexer would otherwise check token by token:
    - no SERVICE (pyoxigraph calls it over HTTP) anywhere outside whole-line comments, not even in
      a name, string or trailing comment, and no FROM there but at the end of a longer word
      (`prov:wasDerivedFrom`);
    - no backslash (pyoxigraph reads an escape such as \\u0053 before the keywords), no `<<`
      (SPARQL 1.2's nested triple terms, which the lexer does not read), no lone surrogate;
    - fewer brackets, `!`, operators and clauses than the lexer allows on one nesting path
      (MAX_DEPTH, MAX_CHAIN), which keeps the engine's parser within its stack.
    Cheap (C-level scans of the UTF-8 bytes, no tokens), and conservative: a text it refuses is
    merely checked."""
    try:
        data = text.encode()
    except UnicodeEncodeError:
        return False
    if b"'''" not in data and b'"""' not in data:  # else a line may start inside a long string
        data = _COMMENT_LINES.sub(b"", data)  # no token there: a short string or an IRI holds no line break
    # ASCII letters only: the keywords are ASCII, and a byte of a multi-byte character stays itself
    lowered = data.lower()
    if b"service" in lowered or not _ends_of_words(lowered, b"from") or b"\\" in data or b"<<" in data:
        return False
    if data.count(b"{") + data.count(b"[") + data.count(b"(") > MAX_DEPTH or data.count(b"!") > MAX_DEPTH:
        return False
    if len(data) <= MAX_CHAIN:  # each operator or clause takes at least one byte
        return True
    return sum(map(data.count, _CHAIN_BYTES)) + sum(map(lowered.count, _CHAIN_WORDS)) <= MAX_CHAIN


def _ends_of_words(lowered: bytes, word: bytes) -> bool:
    """Whether every occurrence of `word` follows an ASCII letter or digit: it then ends a longer
    name, variable, keyword or language tag, each read greedily, and is no keyword of its own."""
    at = lowered.find(word)
    while at != -1:
        if not lowered[at - 1 : at].isalnum():  # b"".isalnum() is False: the text's first word counts
            return False
        at = lowered.find(word, at + 1)
    return True


def _routes(info: QueryInfo, rules: Rules) -> dict[int, str]:
    """SERVICE endpoint tokens → what the engine is to call instead (check() allowed them)."""
    routes = {}
    for endpoint, index in zip(info.services, info.service_tokens, strict=True):
        iri = rules.service_iris[rules.allowed_endpoints.index(endpoint)] if endpoint else None
        if iri is None:
            raise QueryError(
                "SERVICE (federated query) is refused: this server cannot keep its query "
                f"engine off the network ({rules.isolation.removeprefix('none: ')})"
            )
        routes[index] = iri
    return routes
