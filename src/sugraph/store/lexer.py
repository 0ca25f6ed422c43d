"""SPARQL 1.1 tokens, read as the grammar's terminals, and written back in one unambiguous form.

A checked query runs as `canonical(tokens)`, never the client's text: the tokens this module read,
each written so that any SPARQL parser reads the same token back, whatever state it is in:
- on one line, tokens separated by one space (none between a function's name and its `(`),
  comments dropped;
- strings always in double quotes, every quote, backslash and line break escaped, so a string
  cannot end early or late, and no raw `'` or newline exists outside an IRI;
- prefixed names expanded to full IRIs (no local-name escapes such as `\\#` survive), and `'` in
  an IRI written `\\u0027`;
- `<` as less-than followed by a space (an IRI never contains one), so it cannot open an IRI.
A keyword, SERVICE included, is therefore a keyword for the engine exactly when it is one here:
what the checks see is what runs, even where this reading of an ambiguous text differs from
another parser's (it then fails as a syntax error instead of hiding a clause).

Reading is linear: one regular-expression match per token, and a syntax error stops at once.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import QueryError

MAX_DEPTH = 64  # nesting of { ( [ and chains of `!`: pyoxigraph's parser overflows its stack in the thousands
# Operators and clauses that each add a level to the engine's algebra tree (a chain of 4,000
# OPTIONALs or BINDs, or 10,000 `+`, overflows its stack), counted along the nesting path.
MAX_CHAIN = 1000
CHAIN_PUNCT = frozenset({"||", "&&", "+", "-", "*", "/", "=", "!=", "<", ">", "<=", ">=", "|", "^", "!", "{", "("})
CHAIN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE", "VALUES"})

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = rf"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_ESCAPE = r"\\(?:[tbnrf\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_IRI_CHAR = r"[^<>\"{}|^`\\\x00-\x20]"

# Spaces and comments, then one token (none at the end of the text, or before a character no
# token starts with): one match per token, the token's group named by its kind.
_TOKEN = re.compile(
    rf"""
    (?:[ \t\r\n]+|\#[^\r\n]*)*
    (?:
    (?P<iri><(?:{_IRI_CHAR}++|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*+>)
  | (?P<long>'''(?:(?:'|'')?(?:[^'\\]|{_ESCAPE}))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|{_ESCAPE}))*\"\"\")
  | (?P<short>'(?:[^'\\\n\r]++|{_ESCAPE})*+'|"(?:[^"\\\n\r]++|{_ESCAPE})*+")
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?=[{_CHARS}.]*+:)(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+
                      |[0-9]*\.[0-9]+|[0-9]+))
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\],.;*=<>!+\-/^|?])
    )?
""",
    re.VERBOSE,
)
_ESCAPES = re.compile(_ESCAPE)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_WRITE_ESCAPES = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r"[\\\"'\x00-\x1f\x7f]")
_BAD_IRI_CHAR = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_OPENER = {")": "(", "]": "[", "}": "{"}
_OPERAND_ENDS = frozenset({"var", "string", "langtag", "number", "iri", ")", "true", "false"})
_LIST_WORDS = frozenset({"VALUES", "a"})
_MODIFIER_WORDS = frozenset({"SELECT", "BY", "HAVING"})  # a `(` in their clause holds an expression
_CLAUSE_ENDS = frozenset({"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"})


class Token(NamedTuple):
    """One terminal: its kind, how it is written for the engine, and where it starts and ends in
    the client's text. Kinds: iri, string, langtag, var, bnode, number, word, punct."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword, for a bare word (never part of a name, IRI or string)."""
        return self.text.upper() if self.kind == "word" else None


def tokens(text: str, prefixes: dict[str, str], *, prologue: bool = False) -> list[Token]:
    """The query's tokens, prefixed names expanded with `prefixes` and the query's own PREFIX
    declarations; QueryError (with a position) for anything the grammar does not allow. With
    `prologue`, only up to the first token after the BASE and PREFIX declarations (the form)."""
    try:
        text.encode()  # 2 µs for the headline question, where a search for surrogates takes 12
    except UnicodeEncodeError as e:
        raise _error(text, e.start, "a lone surrogate code point is not a character") from None
    declared = dict(prefixes)
    out: list[Token] = []
    stack: list[str] = []  # open brackets: "{", "[", "(expr" or "(list"
    chains = [0]  # operators and clauses counted on the path to each open bracket
    modifiers = False  # inside SELECT's projection, GROUP BY, ORDER BY or HAVING
    negations = 0  # a run of `!`
    pos, end = 0, len(text)
    match = _TOKEN.match
    new = tuple.__new__  # Token(…) without NamedTuple's Python-level __new__: a third of a token's cost
    declaration = 0 if prologue else -1  # where the next BASE or PREFIX declaration may start
    while pos < end:
        m = match(text, pos)
        kind = m.lastgroup  # type: ignore[union-attr]  # every part of the pattern is optional
        if kind is None:  # only spaces and comments: the end, or a character no token starts with
            pos = m.end()  # type: ignore[union-attr]
            if pos < end:
                raise _error(text, pos, _unexpected(text, pos))
            break
        pos, stop = m.span(kind)  # type: ignore[union-attr]
        value = text[pos:stop]
        if kind == "iri" and _less_than(stack, out):
            kind, value = "punct", "<=" if text.startswith("<=", pos) else "<"
            stop = pos + len(value)
        chained = False  # a clause or signed number that adds a level (punctuation counts its own)
        if kind == "punct":
            token = new(Token, (kind, value, pos, stop))
            if value in CHAIN_PUNCT:
                chains[-1] += 1
                if chains[-1] > MAX_CHAIN:
                    raise _chain_error(text, pos)
            if value == "(":
                stack.append("(expr" if _opens_expression(stack, out, modifiers) else "(list")
                chains.append(chains[-1])
            elif value == "{" or value == "[":
                stack.append(value)
                chains.append(chains[-1])
                modifiers = modifiers and value == "["
            elif value == ")" or value == "]" or value == "}":
                if not stack or stack.pop()[0] != _OPENER[value]:
                    raise _error(text, pos, f"unbalanced '{value}'")
                chains.pop()
                modifiers = modifiers and value != "}"
            negations = negations + 1 if value == "!" else 0
            if len(stack) > MAX_DEPTH or negations > MAX_DEPTH:
                raise _error(text, pos, f"the query is nested deeper than {MAX_DEPTH} levels")
        else:
            negations = 0
            if kind == "word":
                token = new(Token, (kind, value, pos, stop))
                word = value.upper()
                if word in _MODIFIER_WORDS:
                    modifiers = True
                elif word in _CLAUSE_ENDS:
                    modifiers = False
                chained = word in CHAIN_WORDS
            elif kind == "iri":
                if "\\" in value or "'" in value:
                    value = _iri(_decode(text, pos + 1, value[1:-1], iri=True), text, pos)
                token = new(Token, ("iri", value, pos, stop))  # as written: the pattern admits no bad character
            elif kind == "long" or kind == "short":
                quotes = 3 if kind == "long" else 1
                body = _decode(text, pos + quotes, value[quotes:-quotes], iri=False)
                token = new(Token, ("string", _string(body), pos, stop))
            elif kind == "pname":
                token = _expand(value, declared, out, text, pos)
            else:
                token = new(Token, (kind, value, pos, stop))
                chained = kind == "number" and value[0] in "+-"
        if chained:
            chains[-1] += 1
            if chains[-1] > MAX_CHAIN:
                raise _chain_error(text, pos)
        out.append(token)
        pos = stop
        if len(out) - 1 == declaration:
            keyword = token.keyword
            if keyword != "BASE" and keyword != "PREFIX":
                return out
            declaration += 2 if keyword == "BASE" else 3
    return out


_GLUING = frozenset({"word", "iri"})


def canonical(toks: list[Token] | tuple[Token, ...]) -> str:
    """The text the engine runs: the tokens, one space apart."""
    parts: list[str] = []
    glue = False
    for token in toks:
        # `f(` and `COALESCE(` stay glued: pyoxigraph reads some calls only so (`COALESCE (1)` fails).
        if glue and token.text == "(":
            parts[-1] += "("
        else:
            parts.append(token.text)
        glue = token.kind in _GLUING
    return " ".join(parts)


def starts(toks: list[Token] | tuple[Token, ...]) -> list[int]:
    """Where each token starts in `canonical(toks)` (asked only to place a syntax error)."""
    out: list[int] = []
    at, glue = -1, False
    for token in toks:
        at += 0 if glue and token.text == "(" else 1
        out.append(at)
        at += len(token.text)
        glue = token.kind in _GLUING
    return out


def _less_than(stack: list[str], out: list[Token]) -> bool:
    """Whether a `<` that could open an IRI is the less-than operator: in an expression, after an
    operand (`?a<?b && ?c>?d` compares; `?s <p> ?o` and `FILTER(?a = <x>)` name IRIs)."""
    if not stack or stack[-1] != "(expr" or not out:
        return False
    last = out[-1]
    return last.kind in _OPERAND_ENDS or last.text in _OPERAND_ENDS or last.text.lower() in ("true", "false")


def _opens_expression(stack: list[str], out: list[Token], modifiers: bool) -> bool:
    """Whether a `(` opens an expression (FILTER(…), BIND(…), f(…), (… AS ?x)) rather than an RDF
    collection or a VALUES row, which hold terms."""
    if stack and stack[-1] == "(expr":
        return True
    last = out[-1] if out else None
    if last is None:
        return False
    if last.kind == "word":
        return last.text not in _LIST_WORDS and last.text.upper() != "VALUES"
    if last.kind == "iri" and len(out) > 1 and out[-2].keyword == "FILTER":
        return True  # FILTER ex:f(…)
    return modifiers and stack[-1:] != ["(list"]


def _decode(text: str, offset: int, body: str, *, iri: bool) -> str:
    """A string's or IRI's content with its escapes read (in an IRI only \\u and \\U exist)."""
    if "\\" not in body:
        return body

    def one(m: re.Match[str]) -> str:
        escape = m.group()
        if escape[1] in "uU":
            code = int(escape[2:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise _error(text, offset + m.start(), f"{escape} is not a Unicode character")
            return chr(code)
        if iri:
            raise _error(text, offset + m.start(), f"{escape} is not allowed in an IRI")
        return _ECHARS[escape[1]]

    return _ESCAPES.sub(one, body)


def _string(value: str) -> str:
    if not _NEEDS_ESCAPE.search(value):
        return f'"{value}"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _WRITE_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), value) + '"'


def _iri(value: str, text: str, pos: int) -> str:
    if m := _BAD_IRI_CHAR.search(value):
        raise _error(text, pos, f"{m.group()!r} is not allowed in an IRI")
    return "<" + value.replace("'", "\\u0027") + ">"


_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _expand(name: str, declared: dict[str, str], out: list[Token], text: str, pos: int) -> Token:
    """`ex:a\\#b` → `<…a#b>`; in `PREFIX ex: <…>` the name is declared, and kept as written."""
    prefix, _, local = name.partition(":")
    stop = pos + len(name)
    if out and out[-1].keyword == "PREFIX":
        if local:
            raise _error(text, pos, f"PREFIX declares a name ending with ':', not {name}")
        iri_match = _TOKEN.match(text, _skip_space(text, stop))
        if iri_match and iri_match.lastgroup == "iri":
            declared[prefix] = _decode(text, iri_match.start("iri") + 1, iri_match.group("iri")[1:-1], iri=True)
        return Token("pname", name, pos, stop)
    if prefix not in declared:
        raise _error(text, pos, f"the prefix '{prefix}:' is not declared")
    if "\\" in local:
        local = _LOCAL_ESCAPE.sub(r"\1", local)
    return Token("iri", _iri(declared[prefix] + local, text, pos), pos, stop)


_SPACE_OR_COMMENT = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")


def _either_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)  # IGNORECASE would slow every character


_SPACE = r"(?:[ \t\r\n]++|\#[^\r\n]*+)*+"
# Declarations with ASCII prefixes and IRIs without escapes, then an ASCII word, each keyword followed
# by what cannot continue a prefixed name (`PREFIXex:` is one name): exactly what `tokens(prologue=True)`
# reads in such a text. Anything else is left to `tokens`.
_PLAIN_PROLOGUE = re.compile(
    rf"""{_SPACE}(?:(?:{_either_case("PREFIX")}(?=[ \t\r\n\#]){_SPACE}(?:[A-Za-z](?:[A-Za-z0-9_.-]*+(?<!\.))?)?:
                   |{_either_case("BASE")}(?=[ \t\r\n\#<])){_SPACE}<{_IRI_CHAR}*+>{_SPACE})*+
    (?P<word>[A-Za-z]++)(?=[ \t\r\n*?$({{<\#]|\Z)""",
    re.VERBOSE,
)


def plain_keyword(text: str) -> str | None:
    """The upper-cased word after a plain prologue (one pattern, no tokens), or None: the text's
    prologue needs `tokens`, or a lone surrogate makes the whole text a syntax error."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return None
    m = _PLAIN_PROLOGUE.match(text)
    return m.group("word").upper() if m else None


def _skip_space(text: str, pos: int) -> int:
    return _SPACE_OR_COMMENT.match(text, pos).end()  # type: ignore[union-attr]


def _unexpected(text: str, pos: int) -> str:
    char = text[pos]
    if char in "'\"":
        return "unterminated string"
    if char == "\\":
        return "a backslash is only allowed in strings, IRIs and escaped local names"
    if char == "<":
        return "'<' opens an IRI that is not closed, or holds a character IRIs cannot"
    return f"unexpected character {char!r}"


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of an offset, counted as pyoxigraph counts: lines at LF, columns in characters."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _chain_error(text: str, offset: int) -> QueryError:
    return _error(text, offset, f"more than {MAX_CHAIN} operators and clauses in one expression or group")


def _error(text: str, offset: int, message: str) -> QueryError:
    line, column = position(text, offset)
    return QueryError(f"syntax error at line {line}, column {column}: {message}")
