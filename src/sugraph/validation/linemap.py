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

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+) | (?P<comment>\#[^\n]*)
  | (?P<iri><[^>\s]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dtype>\^\^)
  | (?P<bnode>_:[\w.-]*\w)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w:%-]|\\.|\.(?=[\w:%\\-]))*)
  | (?P<number>[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z][\w-]*)
  | (?P<punct>[\[\](),;.{}])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
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


@dataclass
class FileMap:
    """The blocks of one file, by subject IRI, and the first line where each IRI is mentioned at all."""

    path: Path
    subjects: dict[str, Block] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Location:
    file: Path
    line: int | None  # None: the file's format has no positions


class _Scanner:
    """A recursive walk over the tokens, one method per Turtle production (statement, predicate-object
    list, object, collection), recording the line of each subject, predicate and value."""

    def __init__(self, path: Path, text: str):
        self.map = FileMap(path)
        self.base = path.resolve().as_uri()
        self.prefixes: dict[str, str] = {}
        self.tokens = list(self._tokens(text))
        self.i = 0

    def _tokens(self, text: str) -> Iterator[tuple[str, str, int]]:
        line, counted = 1, 0  # newlines are counted up to each token's start, in C, not token by token
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
        if kind == "iri":
            return urljoin(self.base, _unescape(value[1:-1]))
        if kind == "pname":
            prefix, _, local = value.partition(":")
            ns = self.prefixes.get(prefix)
            if ns is None:
                return None
            return ns + (re.sub(r"\\(.)", r"\1", local) if "\\" in local else local)
        if kind == "word" and value == "a":
            return str(RDF.type)
        return None

    def scan(self) -> FileMap:
        while (tok := self._next()) is not None:
            kind, value, line = tok
            low = value.lower()
            if low in ("@prefix", "prefix"):
                name, iri = self._next(), self._next()
                if name and iri:
                    self.prefixes[name[1].rstrip(":")] = urljoin(self.base, iri[1][1:-1])
            elif low in ("@base", "base"):
                if iri := self._next():
                    self.base = urljoin(self.base, iri[1][1:-1])
            elif value == "[":
                block = Block(line)
                self._predicate_objects(block)
                self._subject_rest(block)
            elif value == "(":
                self._collection()
                self._subject_rest(Block(line))
            elif (subject := self._iri(kind, value)) is not None:
                self.map.mentions.setdefault(subject, line)
                self._predicate_objects(self.map.subjects.setdefault(subject, Block(line)))
            elif kind in ("bnode", "pname"):  # labelled blank node, or a prefix never declared
                self._predicate_objects(Block(line))
        return self.map

    def _subject_rest(self, block: Block) -> None:
        """After a `[ … ]` or `( … )` subject: its predicates, if any, then the final `.`."""
        nxt = self._peek()
        if nxt is not None and nxt[1] == ".":
            self.i += 1
        elif nxt is not None:
            self._predicate_objects(block)

    def _predicate_objects(self, block: Block) -> None:
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
            self._predicate_objects(child)
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
            self.map.mentions.setdefault(iri, line)

    def _collection(self) -> None:
        throwaway = Block(0)
        while (tok := self._next()) is not None and tok[1] != ")":
            self._object(throwaway, "", tok)


def scan_file(path: Path) -> FileMap:
    """Scan one Turtle or N-Triples file; other formats only say which subjects they describe."""
    if path.suffix in SCANNED_SUFFIXES:
        return _Scanner(path, path.read_text(encoding="utf-8", errors="replace")).scan()
    return FileMap(path, {str(s): Block(None) for s in parse_file(path).subjects() if isinstance(s, URIRef)})


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
            return [(f.path, f.subjects[str(node)]) for f in maps if str(node) in f.subjects]
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
