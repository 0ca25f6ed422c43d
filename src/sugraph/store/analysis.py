"""What a SPARQL text is and whether it may run, decided on the very tokens the engine will run.

pyoxigraph has no parse-only API and *does* fetch `SERVICE <url>` over HTTP, so every query is
read here (`lexer.tokens`) before any engine sees it: its form (SELECT/ASK/CONSTRUCT/DESCRIBE, or
an update, which is refused), the endpoints of its SERVICE clauses and the graphs of its FROM
clauses (refused unless allowed), and its top-level LIMIT. The engine is then given the tokens'
canonical text (`lexer.canonical`), not the client's: a SERVICE keyword it parses is a SERVICE
token here, so no spelling of a query can show the check one thing and the engine another.
Syntax errors the engine finds are placed back in the client's own text, token by token. (A query
worker may skip all this for a text whose characters alone rule every check out: prepare.py.)
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..iris import PREFIXES
from ..memo import MAX_LENGTH, cache_short
from .errors import QueryError
from .lexer import Token, canonical, plain_keyword, position, starts, tokens

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_PLACED = re.compile(r"^syntax error at line 1, column (\d+): ")


@dataclass(frozen=True)
class Rewritten:
    """A text for the engine, made of tokens of the client's text (and perhaps added modifiers)."""

    text: str
    source: str
    tokens: tuple[Token, ...]

    def place(self, error: QueryError) -> QueryError:
        """The engine's syntax error, moved from `text` to where it is in the client's text: at the
        token it points into (or the next one), or just after the last token at the end."""
        m = _PLACED.match(str(error))
        if not m or not self.tokens:
            return error
        offset = int(m.group(1)) - 1
        where = starts(self.tokens)
        index = next((i for i, start in enumerate(where) if start + len(self.tokens[i].text) > offset), None)
        if index is None:
            at = self.tokens[-1].end
        elif (
            where[index] <= offset
            and self.tokens[index].text == self.source[self.tokens[index].start : self.tokens[index].end]
        ):
            at = self.tokens[index].start + offset - where[index]  # inside a token written as sent
        else:
            at = self.tokens[index].start
        line, column = position(self.source, at)
        return QueryError(f"syntax error at line {line}, column {column}: {str(error)[m.end() :]}")


@dataclass(frozen=True)
class QueryInfo:
    """The facts about one query text that decide whether and how it runs."""

    query: Rewritten  # the canonical text: what the engine runs
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    services: tuple[str | None, ...]  # SERVICE endpoints; None when not an IRI
    service_tokens: tuple[int, ...]  # which token names each (the one after SERVICE [SILENT])
    from_graphs: tuple[str, ...]  # FROM <g>
    from_named: tuple[str, ...]  # FROM NAMED <g>
    limit: int | None  # the top-level LIMIT, if any
    limit_index: int | None  # which token is its number
    insert_index: int  # where top-level modifiers may be added (before a trailing VALUES)

    @property
    def text(self) -> str:
        return self.query.text


_LONG = threading.Lock()
_RECENT_LONG: OrderedDict[str, QueryInfo] = OrderedDict()


def analyse(text: str) -> QueryInfo:
    """Classify a query; QueryError if it is an update, not a query at all, or not SPARQL.

    Short texts are memoized by `cache_short`. Long ones (up to the query length limit, tens of ms
    to read) are read one at a time, so however many arrive at once only one thread competes with
    the event loop for the interpreter, and the last few are kept: the HTTP layer and the store
    both ask about the same text."""
    if len(text) <= MAX_LENGTH:
        return _analyse_short(text)
    with _LONG:
        info = _RECENT_LONG.pop(text, None) or _analyse(text)
        _RECENT_LONG[text] = info
        while len(_RECENT_LONG) > 4:
            _RECENT_LONG.popitem(last=False)
        return info


@cache_short(maxsize=4096)
def _analyse_short(text: str) -> QueryInfo:
    return _analyse(text)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read from the prologue and the next token only (what the
    web layer negotiates a format by, without reading the whole text); for anything else, the
    error `analyse` gives (the first syntax error of the whole text, or the update or non-query)."""
    return plain_form(text) or lexed_form(text)


def plain_form(text: str) -> str | None:
    """The form of a text with a plain prologue, read by one pattern (`lexer.plain_keyword`: 14 µs
    for the headline question, where the lexer takes 41); None for any other text."""
    keyword = plain_keyword(text)
    return keyword if keyword in QUERY_FORMS else None


def lexed_form(text: str) -> str:
    """`query_form` by the lexer: any prologue."""
    toks = tokens(text, PREFIXES, prologue=True)
    index = _prologue_end(toks)
    form = toks[index].keyword if index < len(toks) else None
    if form not in QUERY_FORMS:
        return analyse(text).form  # raises: the first syntax error, or the update or non-query
    return form


def _analyse(text: str) -> QueryInfo:
    toks = tokens(text, PREFIXES)
    index = _prologue_end(toks)
    form = toks[index].keyword if index < len(toks) else None
    if form in UPDATE_KEYWORDS:
        raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
    if form not in QUERY_FORMS:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    services: list[str | None] = []
    service_tokens: list[int] = []
    from_graphs: list[str] = []
    from_named: list[str] = []
    depth, limit, limit_index, insert_index, closed = 0, None, None, len(toks), False
    for i, (kind, value, _, _) in enumerate(toks):
        if kind == "punct":
            if value in "{[(":
                depth += 1
            elif value in "}])":
                depth -= 1
                closed = closed or (depth == 0 and value == "}")
            continue
        if kind != "word":
            continue
        word = value.upper()
        if word == "SERVICE":
            target = i + 2 if _at(toks, i + 1).keyword == "SILENT" else i + 1
            by_iri = _at(toks, target).kind == "iri"
            services.append(toks[target].text[1:-1].replace("\\u0027", "'") if by_iri else None)
            service_tokens.append(target)
        elif word == "FROM":
            named = _at(toks, i + 1).keyword == "NAMED"
            graph = _at(toks, i + 2 if named else i + 1)
            if graph.kind != "iri":
                raise QueryError("FROM must name a graph by its IRI")
            (from_named if named else from_graphs).append(graph.text[1:-1])
        elif depth == 0 and word == "LIMIT" and _at(toks, i + 1).kind == "number":
            limit, limit_index = int(toks[i + 1].text), i + 1
        elif depth == 0 and closed and word == "VALUES" and insert_index == len(toks):
            insert_index = i
    rewritten = _rewrite(text, toks)
    return QueryInfo(
        rewritten,
        form or "",
        tuple(services),
        tuple(service_tokens),
        tuple(from_graphs),
        tuple(from_named),
        limit,
        limit_index,
        insert_index,
    )


_NOTHING = Token("", "", 0, 0)


def _at(toks: list[Token], i: int) -> Token:
    return toks[i] if i < len(toks) else _NOTHING


def _prologue_end(toks: list[Token]) -> int:
    """The index of the first token after the BASE and PREFIX declarations."""
    i = 0
    while i < len(toks):
        if toks[i].keyword == "BASE":
            i += 2
        elif toks[i].keyword == "PREFIX":
            i += 3
        else:
            break
    return i


def _rewrite(source: str, toks: list[Token] | tuple[Token, ...]) -> Rewritten:
    return Rewritten(canonical(toks), source, tuple(toks))


def check(info: QueryInfo, known_graphs: frozenset[str], allowed_endpoints: tuple[str, ...]) -> None:
    """Refuse what would reach outside the store: SERVICE, and FROM to graphs it does not hold."""
    for endpoint in info.services:
        if endpoint is None or endpoint not in allowed_endpoints:
            raise QueryError(
                "SERVICE (federated query) is not allowed on this endpoint"
                + (f": {endpoint} is not an allowed endpoint" if endpoint else "")
            )
    for graph in (*info.from_graphs, *info.from_named):
        if graph not in known_graphs and graph not in allowed_endpoints:
            raise QueryError(f"FROM <{graph}>: no such graph here, and remote graphs are never fetched")


def capped(info: QueryInfo, max_rows: int | None, routes: dict[int, str] | None = None) -> Rewritten:
    """The query with its top-level LIMIT lowered to `max_rows` (or added), so the engine stops early,
    and each SERVICE endpoint token in `routes` replaced by the IRI it maps to."""
    if (max_rows is None or info.form == "ASK") and not routes:
        return info.query
    toks = list(info.query.tokens)
    for index, iri in (routes or {}).items():
        toks[index] = Token("iri", f"<{iri}>", toks[index].start, toks[index].end)
    if max_rows is None or info.form == "ASK":
        return _rewrite(info.query.source, toks)
    if info.limit_index is not None:
        number = toks[info.limit_index]
        toks[info.limit_index] = Token("number", str(min(info.limit or 0, max_rows)), number.start, number.end)
        return _rewrite(info.query.source, toks)
    return _insert(info, ("LIMIT", str(max_rows)), toks)


def paged(info: QueryInfo, limit: int, offset: int) -> str:
    """The query with a top-level LIMIT and OFFSET (for a SELECT that has no LIMIT of its own)."""
    return _insert(info, ("LIMIT", str(limit), "OFFSET", str(offset))).text


def _insert(info: QueryInfo, words: tuple[str, ...], toks: list[Token] | None = None) -> Rewritten:
    toks = list(info.query.tokens) if toks is None else toks
    at = toks[info.insert_index].start if info.insert_index < len(toks) else (toks[-1].end if toks else 0)
    added = [Token("word" if w.isalpha() else "number", w, at, at) for w in words]
    return _rewrite(info.query.source, toks[: info.insert_index] + added + toks[info.insert_index :])


@cache_short(maxsize=1024)
def column_order(text: str) -> tuple[str, ...]:
    """The variables of a query in the order its author wrote them: the projection's (`?v`, or the
    `AS ?v` of an expression), then every other by first appearance, which is what `SELECT *`
    means to a reader (engines list its variables in an order of their own, pyoxigraph sorted)."""
    toks = tokens(text, PREFIXES)
    i = _prologue_end(toks) + 1
    projected: list[str] = []
    depth = 0
    while i < len(toks) and not (depth == 0 and (toks[i].keyword in ("WHERE", "FROM") or toks[i].text == "{")):
        token = toks[i]
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
        elif token.kind == "var" and (depth == 0 or toks[i - 1].keyword == "AS"):
            projected.append(token.text[1:])
        i += 1
    return tuple(dict.fromkeys([*projected, *(t.text[1:] for t in toks if t.kind == "var")]))
