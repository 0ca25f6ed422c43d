"""Files → knowledge graph: parse ontology, shapes and data, materialize the OWL 2 RL closure.

This is the one place that reads the Turtle sources; every other part (CLI, store, service, tests)
gets a `KnowledgeGraph` from `load()`. Asserted and inferred triples stay apart so clients can tell
what a person wrote from what the reasoner added.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from . import __version__
from .closure import Triple, Unsupported, closure
from .namespaces import PREFIXES
from .terms import to_ox, to_rdflib

RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}
INFERENCE_MODES = ("none", "rdfs", "owlrl")


class LoadError(Exception):
    """A source file that cannot be read or parsed; carries the file and, when known, line and column."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = Path(path)
        self.message = message
        self.line = line
        self.column = column
        where = f"{self.path}:{line}:{column}" if line and column else f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


def find_root(start: Path | None = None) -> Path:
    """The project folder holding ontology/, shapes/ and data/: $SUGRAPH_ROOT, else the nearest
    ancestor of the working directory that has them, else the checkout this package was installed from."""
    if env := os.environ.get("SUGRAPH_ROOT"):
        return Path(env).resolve()
    candidates = [start or Path.cwd(), Path(__file__).resolve()]
    for base in candidates:
        for folder in [base, *base.parents]:
            if (folder / "ontology" / "sugraph.ttl").is_file() and (folder / "data").is_dir():
                return folder
    raise LoadError(start or Path.cwd(), "no sugraph project found (ontology/sugraph.ttl and data/); set SUGRAPH_ROOT")


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """The RDF files named, or found below the folders named, in a stable order."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.suffix in RDF_SUFFIXES and f.is_file()))
        elif p.exists():
            found.append(p)
        else:
            raise LoadError(p, "no such file or directory")
    return found


def parse_triples(path: Path) -> list[Triple]:
    """One RDF file's triples, each term a string in N-Triples syntax; a syntax error becomes a
    LoadError with the file, line and column.

    Oxigraph parses the file and writes it back as N-Quads without a Python object per term (a
    tenth of the time rdflib takes); the graph name of a quad is dropped, as rdflib's graph did.
    Formats Oxigraph does not read fall back to rdflib."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(path, e.strerror or str(e)) from None
    ox_format = pyoxigraph.RdfFormat.from_extension(path.suffix.lstrip("."))
    if ox_format is None:
        graph = Graph()
        try:
            graph.parse(data=data, format=RDF_SUFFIXES.get(path.suffix, "turtle"), publicID=path.resolve().as_uri())
        except Exception as e:  # noqa: BLE001 -- rdflib raises many types; all mean "cannot read this file"
            raise LoadError(path, _first_line(str(e))) from None
        try:
            return _from_rdflib(graph)
        except (TypeError, ValueError) as e:  # rdflib reads what RDF forbids (a literal subject, a bad IRI)
            raise LoadError(path, _first_line(str(e))) from None
    try:
        text = pyoxigraph.serialize(
            # a blank node's label is scoped to its file: `_:x` in two files is two nodes
            pyoxigraph.parse(data, format=ox_format, base_iri=path.resolve().as_uri(), rename_blank_nodes=True),
            format=pyoxigraph.RdfFormat.N_QUADS,
        )
    except SyntaxError as e:
        raise _located_error(path, e) from None
    return [_triple(line) for line in (text or b"").decode().splitlines()]


def _from_rdflib(triples: Iterable[tuple[Node, Node, Node]]) -> list[Triple]:
    """rdflib triples as parsed triples."""
    text = pyoxigraph.serialize(
        (pyoxigraph.Triple(*map(to_ox, t)) for t in triples),  # type: ignore[arg-type]
        format=pyoxigraph.RdfFormat.N_TRIPLES,
    )
    return [_triple(line) for line in (text or b"").decode().splitlines()]


def _triple(line: str) -> Triple:
    """The subject, predicate and object of an N-Quads line (its graph name dropped). Subjects,
    predicates, IRIs and blank nodes hold no space; a literal ends at its last quote, then its
    language tag or datatype."""
    s, p, rest = line[:-2].split(" ", 2)
    if rest.startswith("<<"):  # an RDF 1.2 triple term
        return s, p, rest[: rest.rindex(")>>") + 3]
    if rest[0] == '"':
        end = rest.rindex('"')
        return s, p, rest[:end] + rest[end:].split(" ", 1)[0]
    return s, p, rest.split(" ", 1)[0]


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """One RDF file as an rdflib graph (LoadError as `parse_triples` says)."""
    graph = into if into is not None else Graph()
    graph.addN((*t, graph) for t in _rdflib_triples(parse_triples(path)))
    return graph


def ntriples(triples: Iterable[Triple]) -> bytes:
    """The triples as an N-Triples document, for Oxigraph to load or parse."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode()


def _rdflib_triples(triples: Iterable[Triple]) -> Iterable[tuple[Node, Node, Node]]:
    for t in pyoxigraph.parse(ntriples(triples), format=pyoxigraph.RdfFormat.N_TRIPLES):
        yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)


def _located_error(path: Path, error: SyntaxError) -> LoadError:
    """Oxigraph's message without its position prefix; the position goes in line and column."""
    message = re.sub(r"^Parser error (between|at) line \d+ column \d+( and line \d+ column \d+)?: ", "", error.msg)
    return LoadError(path, message, error.lineno, error.offset)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


@dataclass(frozen=True)
class SourceSet:
    """The files a knowledge graph is built from."""

    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    data: tuple[Path, ...]

    @classmethod
    def of(cls, root: Path) -> SourceSet:
        return cls(
            tuple(rdf_files([root / "ontology"])),
            tuple(rdf_files([root / "shapes"])),
            tuple(rdf_files([root / "data"])),
        )

    def content_hash(self) -> str:
        """Hash of every source byte plus the builder's version: the key of any cached build."""
        h = hashlib.sha256(f"sugraph {__version__}\n".encode())
        for kind, files in (("ontology", self.ontology), ("shapes", self.shapes), ("data", self.data)):
            for f in files:
                h.update(f"{kind}:{f.name}\n".encode())
                h.update(f.read_bytes())
        return h.hexdigest()


@dataclass
class KnowledgeGraph:
    """The built graph: ontology + data as asserted, the reasoner's additions, and the shapes.

    Each part is kept as the parsed triples (N-Triples terms, what the store is filled from); its
    rdflib graph is made the first time something asks for it (pages, dumps, VoID, tests)."""

    sources: SourceSet
    ontology_triples: set[Triple]
    data_triples: set[Triple]
    inferred_triples: set[Triple]
    shapes_triples: set[Triple]
    content_hash: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Short data version, used in ETags and dataset metadata."""
        return self.content_hash[:16]

    @cached_property
    def asserted_triples(self) -> set[Triple]:
        return self.ontology_triples | self.data_triples

    @cached_property
    def ontology(self) -> Graph:
        return _graph(self.ontology_triples)

    @cached_property
    def data(self) -> Graph:
        return _graph(self.data_triples)

    @cached_property
    def inferred(self) -> Graph:
        return _graph(self.inferred_triples)

    @cached_property
    def shapes(self) -> Graph:
        return _graph(self.shapes_triples)

    @cached_property
    def asserted(self) -> Graph:
        """Ontology and data together, as written: built once, shared, so copy it before changing it."""
        return _graph(self.asserted_triples)

    def union(self) -> Graph:
        """Everything: asserted plus inferred, a new graph each call."""
        return _graph(self.asserted_triples | self.inferred_triples)


def _new_graph() -> Graph:
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g


def _graph(triples: Iterable[Triple]) -> Graph:
    g = _new_graph()
    g.addN((*t, g) for t in _rdflib_triples(triples))
    return g


def parse_all(files: Iterable[Path]) -> Graph:
    """The files as one rdflib graph."""
    return _graph(parse_triples_of(files))


def parse_triples_of(files: Iterable[Path]) -> set[Triple]:
    return {t for f in files for t in parse_triples(f)}


_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
_REFLEXIVE = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs}


def is_useful_inference(s, p, o) -> bool:
    """Keep what queries can use; drop the reasoner's bookkeeping (owl:Thing types, reflexive
    axioms, re-typed literals, types pointing at anonymous class expressions)."""
    if isinstance(o, Literal) or isinstance(s, Literal):
        return False
    if s in (OWL.Thing, OWL.Nothing) or (p in _REFLEXIVE and s == o) or p == OWL.sameAs:
        return False
    if p == RDF.type and (isinstance(o, BNode) or o in _TRIVIAL_OBJECTS):
        return False
    return True


def reason(asserted: Graph, mode: str = "owlrl") -> Graph:
    """The triples the OWL 2 RL (or RDFS) closure adds to an rdflib graph (`closure_of` for parsed triples)."""
    if mode not in INFERENCE_MODES:
        raise ValueError(f"unknown inference mode {mode!r}; choose one of {', '.join(INFERENCE_MODES)}")
    if mode == "owlrl":
        return _graph(closure_of(set(_from_rdflib(asserted))))
    inferred = _new_graph()
    if mode == "rdfs":
        import owlrl

        expanded = Graph()
        expanded += asserted
        owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(expanded)
        known = set(asserted)  # a set lookup is ~4x faster than rdflib's graph membership test
        inferred.addN((*t, inferred) for t in expanded if t not in known and is_useful_inference(*t))
    return inferred


def closure_of(asserted: set[Triple], mode: str = "owlrl") -> set[Triple]:
    """The triples the closure adds to `asserted`: OWL 2 RL by `closure.py` (measured the fastest;
    bench/RESULTS.md), or by the `reasonable` engine for graphs using axioms it does not handle;
    RDFS by owlrl's rules."""
    if mode == "none":
        return set()
    if mode == "rdfs":
        return set(_from_rdflib(reason(_graph(asserted), "rdfs")))
    try:
        return closure(asserted)
    except Unsupported:
        return reasonable_closure(asserted)


def reasonable_closure(asserted: set[Triple]) -> set[Triple]:
    """The `reasonable` engine's OWL 2 RL closure, filtered by `is_useful_inference`: the reference
    `closure.py` is tested against, and the engine of graphs with axioms it does not handle."""
    import reasonable

    graph = _graph(asserted)
    r = reasonable.PyReasoner()
    r.from_graph(graph)
    known = set(graph)  # a set lookup is ~4x faster than rdflib's graph membership test
    return set(_from_rdflib(t for t in r.reason() if t not in known and is_useful_inference(*t)))


@contextmanager
def without_gc() -> Iterator[None]:
    """The cyclic garbage collector off while millions of tuples of strings are made: they hold no
    cycle, and its passes over them took 13 of the 20 s of the closure at 1000× (bench/RESULTS.md).
    Also a decorator (`@without_gc()`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(root: Path | None = None, *, inference: str = "owlrl", data: Iterable[Path] | None = None) -> KnowledgeGraph:
    """Build the whole knowledge graph. Fails with LoadError on any unreadable file: a partial
    graph is never returned."""
    root = root or find_root()
    sources = SourceSet.of(root)
    if data is not None:
        sources = SourceSet(sources.ontology, sources.shapes, tuple(rdf_files(list(data))))
    if inference not in INFERENCE_MODES:
        raise ValueError(f"unknown inference mode {inference!r}; choose one of {', '.join(INFERENCE_MODES)}")
    timings: dict[str, float] = {}
    with without_gc():
        t = time.perf_counter()
        ontology = parse_triples_of(sources.ontology)
        data_triples = parse_triples_of(sources.data)
        shapes = parse_triples_of(sources.shapes)
        timings["parse"] = time.perf_counter() - t
        t = time.perf_counter()
        inferred = closure_of(ontology | data_triples, inference)
        timings["reason"] = time.perf_counter() - t
    return KnowledgeGraph(sources, ontology, data_triples, inferred, shapes, sources.content_hash(), timings)
