"""Subject → file:line: where each node of a set of Turtle files is written.

No RDF parser reports positions (rdflib's and Oxigraph's both drop them), so this is a small
tokenizer-level scan of Turtle/N-Triples. It does not check syntax — `sugraph.build.parse_file`
has already done that — it only follows subjects, predicates, objects and nested `[ … ]` blocks,
enough to say on which line a statement about a node is made. Files in other formats (JSON-LD,
RDF/XML) are parsed instead: they say which file describes a node, without a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.paths import AlternativePath, SequencePath
from rdflib.paths import Path as RdfPath
from rdflib.term import Node

from ..build import parse_file

SCANNED_SUFFIXES = {".ttl", ".nt"}

# The tokens but punctuation. Runs of characters are matched possessively (`++`, `*+`): the same tokens,
# 2–3× faster than a character at a time, and no backtracking on an unterminated quote.
_ALTERNATIVES = [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"\#[^\n]*"),
    ("iri", r"<[^>\s]*>"),
    (
        "string",
        r"""\"\"\"(?:[^"\\]++|\\.|"(?!""))*+\"\"\"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"""
        r"""|"(?:[^"\\\n]++|\\.)*+"|'(?:[^'\\\n]++|\\.)*+'""",
    ),
    ("lang", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("dtype", r"\^\^"),
    ("bnode", r"_:[\w.-]*\w"),
    ("pname", r"(?:[A-Za-z][\w.-]*+)?:(?:[\w:%-]++|\\.|\.(?=[\w:%\\-]))*+"),
    ("number", r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?"),
    ("word", r"[A-Za-z][\w-]*"),
]
_TOKEN = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _ALTERNATIVES) + r"|(?P<punct>[\[\](),;.{}])|(?P<other>.)",
    re.DOTALL,
)
# One statement: the same tokens, any but the `.` that ends it, matched in C in one go. The regex tries
# the alternatives in the tokenizer's order, so it stops exactly where the tokenizer would read that `.`.
_STATEMENT = re.compile(
    "(?:" + "|".join(pattern for _, pattern in _ALTERNATIVES) + r"|[\[\](),;{}]|[^.])*",
    re.DOTALL,
)
_DIRECTIVES = {"@prefix", "prefix", "@base", "base"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        return chr(int(e[1:], 16)) if e[0] in "uU" and len(e) > 1 else _SIMPLE_ESCAPES.get(e, e)

    return _ESCAPE.sub(sub, text)


@dataclass
class Block:
    """What one file says about one subject: where the subject, each predicate and each value is written
    (the first time, if the file says it twice); `line` is None for formats without positions."""

    line: int | None
    predicates: dict[str, int] = field(default_factory=dict)
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    children: dict[str, list[Block]] = field(default_factory=dict)

    def add_predicate(self, predicate: str, line: int) -> None:
        self.predicates.setdefault(predicate, line)

    def add_value(self, predicate: str, key: str, line: int) -> None:
        self.values.setdefault((predicate, key), line)


@dataclass(frozen=True)
class _Statement:
    """Where one top-level statement about a subject IRI is written: from `start` (on `line`) to `end`,
    its subject the token after `skip` others (directives), with the base and prefixes then in force."""

    start: int
    end: int
    line: int
    skip: int
    base: str
    prefixes: dict[str, str]


class FileMap:
    """One file's blocks, by subject IRI, and the first line where each IRI is mentioned at all.

    The file is first only cut into statements (one regex match each, in C) and each statement's subject
    read; a subject's statements are tokenized when a result asks for it. At 100× nearly every file has
    a result but only a few of its subjects do, and tokenizing every statement was most of the time."""

    def __init__(self, path: Path, text: str = "", subjects: dict[str, Block] | None = None):
        self.path = path
        self.text = text
        self.subjects: dict[str, Block] = {} if subjects is None else subjects
        self.statements: dict[str, list[_Statement]] = {}
        if text:
            self._index()

    def _index(self) -> None:
        text, base = self.text, self.path.resolve().as_uri()
        prefixes: dict[str, str] = {}
        pos, line, counted = 0, 1, 0
        while pos < len(text):
            match = _STATEMENT.match(text, pos)
            assert match is not None  # it matches the empty string
            start, end = pos, match.end()
            while (m := _TOKEN.match(text, start, end)) is not None and m.lastgroup in ("ws", "comment"):
                start = m.end()
            pos = end + 1
            if m is None:
                continue
            line += text.count("\n", counted, start)
            counted = start
            kind, value, skip = m.lastgroup or "other", m.group(), 0
            if value.lower() in _DIRECTIVES:  # rare: the scanner reads them, and the statement after
                scanner = _Scanner(text[start:end], line, base, prefixes)
                scanner.directives()
                base, prefixes, skip = scanner.base, scanner.prefixes, scanner.i
                if skip == len(scanner.tokens):
                    continue
                kind, value, _ = scanner.tokens[skip]
            if subject := _iri(kind, value, base, prefixes):
                self.statements.setdefault(subject, []).append(_Statement(start, end, line, skip, base, prefixes))

    def block(self, subject: str) -> Block | None:
        """What the file says about `subject`: its statements, tokenized on this first request."""
        if subject not in self.subjects and subject in self.statements:
            block = None
            for st in self.statements[subject]:
                scanner = _Scanner(self.text[st.start : st.end], st.line, st.base, st.prefixes)
                if block is None:
                    block = self.subjects[subject] = Block(scanner.tokens[st.skip][2])
                scanner.i = st.skip + 1
                scanner.predicate_objects(block)
        return self.subjects.get(subject)

    @cached_property
    def mentions(self) -> dict[str, int]:
        """The whole file tokenized: only for a result whose focus node is no subject anywhere."""
        return _Scanner(self.text, 1, self.path.resolve().as_uri(), {}).scan() if self.text else {}


@dataclass(frozen=True)
class Location:
    file: Path
    line: int | None  # None: the file's format has no positions


def _iri(kind: str, value: str, base: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return urljoin(base, _unescape(value[1:-1]))
    if kind == "pname":
        prefix, _, local = value.partition(":")
        ns = prefixes.get(prefix)
        if ns is None:
            return None
        return ns + (re.sub(r"\\(.)", r"\1", local) if "\\" in local else local)
    if kind == "word" and value == "a":
        return str(RDF.type)
    return None


class _Scanner:
    """A recursive walk over the tokens of some text (a statement, or a whole file for its mentions),
    one method per Turtle production (statement, predicate-object list, object, collection), recording
    the line of each predicate and value, and of each IRI's first mention."""

    def __init__(self, text: str, line: int, base: str, prefixes: dict[str, str]):
        self.base = base
        self.prefixes = prefixes  # replaced, never changed in place: statements share it
        self.mentions: dict[str, int] = {}
        self.tokens = list(self._tokens(text, line))
        self.i = 0

    @staticmethod
    def _tokens(text: str, line: int) -> Iterator[tuple[str, str, int]]:
        counted = 0  # newlines are counted up to each token's start, in C, not token by token
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "other"
            if kind not in ("ws", "comment"):
                start = m.start()
                line += text.count("\n", counted, start)
                counted = start
                yield kind, m.group(), line

    def _next(self) -> tuple[str, str, int] | None:
        if self.i >= len(self.tokens):
            return None
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _iri(self, kind: str, value: str) -> str | None:
        return _iri(kind, value, self.base, self.prefixes)

    def directives(self) -> None:
        """Read the `@prefix`/`PREFIX`/`@base`/`BASE` directives at the current token, if any."""
        while (tok := self._peek()) is not None and (low := tok[1].lower()) in _DIRECTIVES:
            self.i += 1
            if low in ("@prefix", "prefix"):
                name, iri = self._next(), self._next()
                if name and iri:
                    self.prefixes = {**self.prefixes, name[1].rstrip(":"): urljoin(self.base, iri[1][1:-1])}
            elif iri := self._next():
                self.base = urljoin(self.base, iri[1][1:-1])

    def scan(self) -> dict[str, int]:
        """Every statement; the first line each IRI is mentioned on."""
        while True:
            self.directives()
            if (tok := self._next()) is None:
                return self.mentions
            kind, value, line = tok
            if value == "[":
                block = Block(line)
                self.predicate_objects(block)
                self._subject_rest(block)
            elif value == "(":
                self._collection()
                self._subject_rest(Block(line))
            elif (subject := self._iri(kind, value)) is not None:
                self.mentions.setdefault(subject, line)
                self.predicate_objects(Block(line))
            elif kind in ("bnode", "pname"):  # labelled blank node, or a prefix never declared
                self.predicate_objects(Block(line))

    def _subject_rest(self, block: Block) -> None:
        """After a `[ … ]` or `( … )` subject: its predicates, if any, then the final `.`."""
        nxt = self._peek()
        if nxt is not None and nxt[1] == ".":
            self.i += 1
        elif nxt is not None:
            self.predicate_objects(block)

    def predicate_objects(self, block: Block) -> None:
        """Read `p o, o; p o` up to the `.` or `]` that ends it."""
        while (tok := self._next()) is not None:
            kind, value, line = tok
            if value in (".", "]", "}"):
                return
            if value == ";":
                continue
            predicate = self._iri(kind, value)
            if predicate is None:
                continue
            block.add_predicate(predicate, line)
            self._objects(block, predicate)

    def _objects(self, block: Block, predicate: str) -> None:
        while (tok := self._next()) is not None:
            self._object(block, predicate, tok)
            nxt = self._peek()
            if nxt is None or nxt[1] != ",":
                return
            self.i += 1

    def _object(self, block: Block, predicate: str, tok: tuple[str, str, int]) -> None:
        kind, value, line = tok
        if value == "[":
            child = Block(line)
            block.children.setdefault(predicate, []).append(child)
            self.predicate_objects(child)
        elif value == "(":
            self._collection()
        elif kind == "string":
            quote = 3 if value[:3] in ('"""', "'''") else 1
            block.add_value(predicate, _unescape(value[quote:-quote]), line)
            nxt = self._peek()
            if nxt and nxt[0] == "lang":
                self.i += 1
            elif nxt and nxt[0] == "dtype":
                self.i += 2
        elif kind in ("number", "word") and value != "a":
            block.add_value(predicate, value, line)
        elif (iri := self._iri(kind, value)) is not None:
            block.add_value(predicate, iri, line)
            self.mentions.setdefault(iri, line)

    def _collection(self) -> None:
        throwaway = Block(0)
        while (tok := self._next()) is not None and tok[1] != ")":
            self._object(throwaway, "", tok)


def scan_file(path: Path) -> FileMap:
    """Index one Turtle or N-Triples file; other formats only say which subjects they describe."""
    if path.suffix in SCANNED_SUFFIXES:
        return FileMap(path, path.read_text(encoding="utf-8", errors="replace"))
    return FileMap(path, subjects={str(s): Block(None) for s in parse_file(path).subjects() if isinstance(s, URIRef)})


def _value_key(term) -> str | None:
    return str(term) if isinstance(term, (URIRef, Literal)) else None


def _predicates(path) -> list[str]:
    """The predicates whose line best locates a result on this path (the first step of a sequence)."""
    if isinstance(path, URIRef):
        return [str(path)]
    if isinstance(path, AlternativePath):
        return [p for arg in path.args for p in _predicates(arg)]
    if isinstance(path, SequencePath):
        return _predicates(path.args[0])
    return []


class Triples(Protocol):
    """What the line map reads of the graph: an rdflib Graph, or the sugraph engine's store."""

    def predicate_objects(self, subject: Node) -> Iterable[tuple[Node, Node]]: ...

    def subject_predicates(self, obj: Node) -> Iterable[tuple[Node, Node]]: ...


class LineMap:
    """Locate nodes of the union graph in the files they were read from."""

    def __init__(
        self, files: Iterable[Path], graph: Triples, describing: Callable[[Node], Iterable[Path]] | None = None
    ):
        """`describing(node)`, when given, names the files with a triple about the IRI `node`: only those
        are scanned to find it (each file once), instead of every file."""
        self.paths = list(files)
        self.graph = graph
        self.describing = describing
        self.scanned: dict[Path, FileMap] = {}

    def scan(self, path: Path) -> FileMap:
        if path not in self.scanned:
            self.scanned[path] = scan_file(path)
        return self.scanned[path]

    @cached_property
    def files(self) -> list[FileMap]:
        """Scanned on the first lookup that needs every file, so a run without results (clean data in CI)
        never pays for it."""
        return [self.scan(f) for f in self.paths]

    def blocks(self, node) -> list[tuple[Path, Block]]:
        """Every block that describes `node`: by IRI, or for a blank node through the `[ … ]` it was written as."""
        if isinstance(node, URIRef):
            maps = self.files if self.describing is None else [self.scan(f) for f in self.describing(node)]
            return [(f.path, block) for f in maps if (block := f.block(str(node))) is not None]
        if isinstance(node, BNode):
            return self._bnode_block(node, set())
        return []

    def _bnode_block(self, node: BNode, seen: set) -> list[tuple[Path, Block]]:
        """The nested block under the parent's predicate whose values best match the node's own."""
        seen.add(node)
        signature = {(str(p), k) for p, o in self.graph.predicate_objects(node) if (k := _value_key(o))}
        best: tuple[int, Path, Block] | None = None
        for parent, predicate in self.graph.subject_predicates(node):
            if parent in seen:
                continue
            if isinstance(parent, URIRef):
                parents = self.blocks(parent)
            elif isinstance(parent, BNode):
                parents = self._bnode_block(parent, seen)
            else:
                continue
            for path, block in parents:
                for child in block.children.get(str(predicate), []):
                    score = len(signature & child.values.keys())
                    if best is None or score > best[0]:
                        best = (score, path, child)
        return [(best[1], best[2])] if best else []

    def locate(self, focus, path: URIRef | RdfPath | None = None, value=None) -> Location | None:
        """Where a result about `focus` (on `path`, with `value`) is best shown: the line stating that value
        (on the path, else on any property), else that predicate, else where the focus node is typed, else
        where it is first written or mentioned."""
        blocks = self.blocks(focus)
        predicates = _predicates(path)
        key = _value_key(value)
        if key is not None:
            for file, block in blocks:
                for p in predicates:
                    if (p, key) in block.values:
                        return Location(file, block.values[(p, key)])
            for file, block in blocks:  # e.g. sh:equals: the value may be stated under the other property
                if lines := [line for (_, k), line in block.values.items() if k == key]:
                    return Location(file, min(lines))
        for file, block in blocks:
            for p in predicates:
                if p in block.predicates:
                    return Location(file, block.predicates[p])
        for file, block in blocks:
            if str(RDF.type) in block.predicates:
                return Location(file, block.line)
        if blocks:
            return Location(blocks[0][0], blocks[0][1].line)
        for f in self.files:
            if str(focus) in f.mentions:
                return Location(f.path, f.mentions[str(focus)])
        return None
