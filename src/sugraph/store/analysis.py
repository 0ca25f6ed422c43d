"""What a SPARQL text is and whether it may run, found without a full parse (microseconds, not ms).

pyoxigraph has no parse-only API and *does* fetch `SERVICE <url>` over HTTP, so every query is
checked here before any engine sees it: its form (SELECT/ASK/CONSTRUCT/DESCRIBE, or an update, which
is refused), the endpoints of its SERVICE clauses and the graphs of its FROM clauses (refused unless
allowed), and where a row cap can be added as a top-level LIMIT.

The check works on the query's *code*: the text after SPARQL's codepoint escapes are decoded (as the
engine does before parsing) with comments and string literals blanked out, so a keyword can neither
hide in them nor be faked by them; keywords are never read inside a variable's name, an IRI, or the local part of a prefixed name
(`sd:Service`), where the parser cannot see one either. Any other occurrence of "service", even as
a prefix (`service:x`) or glued to a number, counts as a SERVICE clause: refusing a rare legitimate
query is the safe mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..memo import cache_short
from ..namespaces import PREFIXES
from .errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_ECHAR = r"""\\[tbnrf\\"']"""
_TOKENS = re.compile(
    rf"""(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*\"\"\"
               |'(?:[^'\\\n\r]|{_ECHAR})*'
               |"(?:[^"\\\n\r]|{_ECHAR})*")
    |(?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)""",
    re.VERBOSE,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s*[\w.-]*:\s*<[^>]*>)\s*)*", re.I)
_PREFIX_DECL = re.compile(r"PREFIX\s*([\w.-]*):\s*<([^>]*)>", re.I)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_KEYWORD = r"(?<![\w?$])"  # a keyword starts a word, and is not inside a variable's name
_SERVICE = re.compile(r"service", re.I)
_SERVICE_CLAUSE = re.compile(r"SERVICE\s*(?:SILENT\b\s*)?(<[^>]*>|[\w.-]*:[\w.:-]*)?", re.I)
_INSIDE_NAME = re.compile(r"(?:[?$]\w*|:[A-Za-z0-9_-]*)$")  # in a variable, or a prefixed name's local part
_IRI_START = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*$")
_IRI_END = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*>")
_FROM = re.compile(_KEYWORD + r"FROM\s*(NAMED\b)?\s*(<[^>]*>|[\w.-]*:[\w.:-]*)", re.I)
_TRAILING_VALUES = re.compile(_KEYWORD + r"VALUES\s*(?:[?$]\w+|\((?:\s*[?$]\w+)*\s*\))\s*$", re.I)
_LAST_BLOCK = re.compile(r"\{[^{}]*\}\s*")
_LIMIT = re.compile(_KEYWORD + r"LIMIT\s+(\d+)", re.I)
_SYNTAX_POSITION = re.compile(r"^(?:Parser )?error at (\d+):(\d+): ")


@dataclass(frozen=True)
class QueryInfo:
    """The facts about one query text that decide whether and how it runs."""

    text: str                          # the query with codepoint escapes decoded: what the engine runs
    form: str                          # SELECT, ASK, CONSTRUCT or DESCRIBE
    services: tuple[str | None, ...]   # SERVICE endpoints; None when not a literal IRI
    from_graphs: tuple[str, ...]       # FROM <g>
    from_named: tuple[str, ...]        # FROM NAMED <g>
    limit: int | None                  # the top-level LIMIT, if any
    limit_span: tuple[int, int] | None  # where its number is, in `text`
    insert_at: int | None              # where a top-level LIMIT may be inserted, in `text`


def _code(text: str) -> str:
    """The query with comments and strings blanked (same length, so offsets still match)."""
    if "#" not in text and "'" not in text and '"' not in text:
        return text  # nothing to blank: the common case, and the fast one
    return _TOKENS.sub(lambda m: m.group() if m.lastgroup == "iri" else " " * len(m.group()), text)


def _in_iri(code: str, start: int, end: int) -> bool:
    """Whether code[start:end] lies inside an `<IRI>` (where no keyword can be)."""
    return bool(_IRI_START.search(code, max(0, start - 4000), start) and _IRI_END.match(code, end))


def _services(code: str, prefixes: dict[str, str]) -> list[str | None]:
    """The endpoint of every SERVICE clause (None when it is not a literal IRI)."""
    services: list[str | None] = []
    for m in _SERVICE.finditer(code):
        if _INSIDE_NAME.search(code, max(0, m.start() - 200), m.start()) or _in_iri(code, m.start(), m.end()):
            continue  # part of a variable (?service), a local name (sd:Service) or an IRI
        clause = _SERVICE_CLAUSE.match(code, m.start())
        services.append(_expand(clause.group(1), prefixes) if clause and clause.group(1) else None)
    return services


def _expand(name: str, prefixes: dict[str, str]) -> str | None:
    """`<iri>` or `prefix:local` → the IRI, if the prefix is declared."""
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return prefixes[prefix] + local if prefix in prefixes else None


@cache_short(maxsize=4096)
def analyse(text: str) -> QueryInfo:
    """Classify a query; QueryError if it is an update, or not a query at all."""
    decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if decoded != text and _UNICODE_ESCAPE.search(decoded):
        raise QueryError("codepoint escapes that produce further escapes are not supported")
    code = _code(decoded)
    prologue = _PROLOGUE.match(code)
    word = _FIRST_WORD.match(code, prologue.end() if prologue else 0)
    form = word.group().upper() if word else ""
    if form in UPDATE_KEYWORDS:
        raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
    if form not in QUERY_FORMS:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    prefixes = {**PREFIXES, **dict(_PREFIX_DECL.findall(code, 0, prologue.end() if prologue else 0))}
    lowered = code.lower()
    services = _services(code, prefixes) if "service" in lowered else []  # a cheap test first
    from_graphs: list[str] = []
    from_named: list[str] = []
    for m in _FROM.finditer(code) if "from" in lowered else ():
        if _in_iri(code, m.start(), m.start() + 4):
            continue
        iri = _expand(m.group(2), prefixes)
        if iri is None:
            raise QueryError(f"undeclared prefix in FROM {m.group(2)}")
        (from_named if m.group(1) else from_graphs).append(iri)
    limit, limit_span, insert_at = _top_level_limit(code, form)
    return QueryInfo(decoded, form, tuple(services), tuple(from_graphs), tuple(from_named), limit, limit_span, insert_at)


def _top_level_limit(code: str, form: str) -> tuple[int | None, tuple[int, int] | None, int | None]:
    """The solution modifiers follow the last top-level `}` (or a trailing VALUES block)."""
    if form == "ASK":
        return None, None, None
    end = len(code)
    brace = code.rfind("{")
    if brace >= 0 and _LAST_BLOCK.fullmatch(code, brace):  # the last `{…}` ends the query: perhaps a trailing VALUES
        trailing = _TRAILING_VALUES.search(code, max(0, brace - 500), brace)
        if trailing:
            end = trailing.start()
    tail_start = code.rfind("}", 0, end) + 1
    m = _LIMIT.search(code, tail_start, end)
    if m:
        return int(m.group(1)), m.span(1), None
    return None, None, end


def check(info: QueryInfo, known_graphs: frozenset[str], allowed_endpoints: tuple[str, ...]) -> None:
    """Refuse what would reach outside the store: SERVICE, and FROM to graphs it does not hold."""
    for endpoint in info.services:
        if endpoint is None or endpoint not in allowed_endpoints:
            raise QueryError("SERVICE (federated query) is not allowed on this endpoint"
                             + (f": {endpoint} is not an allowed endpoint" if endpoint else ""))
    for graph in (*info.from_graphs, *info.from_named):
        if graph not in known_graphs and graph not in allowed_endpoints:
            raise QueryError(f"FROM <{graph}>: no such graph here, and remote graphs are never fetched")


def capped(info: QueryInfo, max_rows: int | None) -> str:
    """The query with its top-level LIMIT lowered to `max_rows` (or added), so the engine stops early."""
    if max_rows is None or info.form == "ASK":
        return info.text
    if info.limit_span is not None:
        start, stop = info.limit_span
        return f"{info.text[:start]}{min(info.limit or 0, max_rows)}{info.text[stop:]}"
    return _insert(info, f"LIMIT {max_rows}")


def paged(info: QueryInfo, limit: int, offset: int) -> str:
    """The query with a top-level LIMIT and OFFSET (for a SELECT that has no LIMIT of its own)."""
    return _insert(info, f"LIMIT {limit} OFFSET {offset}")


def _insert(info: QueryInfo, modifiers: str) -> str:
    at = info.insert_at if info.insert_at is not None else len(info.text)
    return f"{info.text[:at]}\n{modifiers}\n{info.text[at:]}"


def syntax_message(error: SyntaxError, text: str | None = None) -> str:
    """pyoxigraph's 'error at 2:5: expected …' → 'syntax error at line 2, column 5: expected …'.

    With the parsed `text`, an error at the end of the query is placed just after its last token:
    pyoxigraph places it past the whitespace it skipped, so a one-line query ending with a line
    break (as a form or a file sends it) was reported at "line 2, column 1"."""
    m = _SYNTAX_POSITION.match(error.msg)
    if not m:
        return "syntax error: " + error.msg.splitlines()[0][:300]
    line, column = int(m.group(1)), int(m.group(2))
    if text is not None:
        line, column = _end_of_query(text, line, column)
    return f"syntax error at line {line}, column {column}: {error.msg[m.end():].splitlines()[0][:300]}"


def _end_of_query(text: str, line: int, column: int) -> tuple[int, int]:
    """(line, column) moved back to just after the last token when only whitespace and comments
    follow it. Lines are counted as pyoxigraph does (at LF), columns in characters, from 1."""
    if line < 1 or column < 1:
        return line, column
    line_start = 0
    for _ in range(line - 1):
        line_start = text.find("\n", line_start) + 1
        if line_start == 0:  # past the last line
            line_start = len(text) + 1
            break
    code = _TOKENS.sub(lambda m: " " * len(m.group()) if m.lastgroup == "comment" else m.group(), text) \
        if "#" in text else text
    end = len(code.rstrip(" \t\r\n"))
    if line_start + column - 1 <= end:
        return line, column
    last_line_start = text.rfind("\n", 0, end) + 1
    return text.count("\n", 0, end) + 1, end - last_line_start + 1


def syntax_error(text: str) -> QueryError | None:
    """The error pyoxigraph's parser finds in `text` (parsed against an empty store), if any."""
    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as e:
        return QueryError(syntax_message(e, text))
    return None
