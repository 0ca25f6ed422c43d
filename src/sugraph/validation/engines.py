"""The SHACL engines `validate()` can run, behind one call that returns a pySHACL report graph.

sugraph (the default, `sparql_shacl`) runs each constraint as one SPARQL query over the whole graph on
pyoxigraph; pyshacl-turbo is pySHACL's API and report with the SHACL work done in Rust, and what the
sugraph engine does not translate exactly goes to it; pySHACL stays as the reference (`--engine
pyshacl`). All three write the same report vocabulary, so the results, their locating and every
output format do not depend on the engine; bench/shacl_engines.py measures them and
tests/test_shacl_engines.py keeps them equal.
"""

from __future__ import annotations

from importlib import import_module

from rdflib import Graph

from .sparql_shacl import Data, Untranslatable, compile_shapes
from .sparql_shacl import report_graph as sparql_report

ENGINES = ("sugraph", "pyshacl-turbo", "pyshacl")


class InvalidShapes(Exception):
    """The engine refused the shapes graph: `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def report_graph(data: Graph | Data, shapes: Graph, engine: str | None = None) -> Graph:
    """Validate `data` (data + ontology, no inference) against `shapes` with `engine` (None: the
    default); the data graph is not copied. Shapes the sugraph engine does not translate, or data its
    store would change, go to pyshacl-turbo; shapes pyshacl-turbo refuses go to pySHACL, which either
    validates them or refuses them with the reference's message."""
    engine = engine or ENGINES[0]
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "sugraph":
        if (report := sugraph_report(data, shapes)) is not None:
            return report
        engine = "pyshacl-turbo"
    graph = data.rdflib_graph() if isinstance(data, Data) else data
    if engine == "pyshacl-turbo":
        try:
            return _validated("pyshacl_turbo", graph, shapes)
        except (InvalidShapes, ValueError):  # it says ValueError where pySHACL says ReportableRuntimeError
            pass
    return _validated("pyshacl", graph, shapes)


def sugraph_report(data: Graph | Data, shapes: Graph) -> Graph | None:
    """The sugraph engine's report, or None when it cannot give pySHACL's results exactly."""
    store = data if isinstance(data, Data) else Data.of_graph(data)
    if not store.faithful:
        return None
    try:
        checks = compile_shapes(shapes, store)
    except Untranslatable:
        return None
    try:
        return sparql_report(store, checks, shapes)
    except SyntaxError:  # a sh:sparql query Oxigraph does not read
        return None


def _validated(package: str, data: Graph, shapes: Graph) -> Graph:
    module = import_module(package)  # pyshacl_turbo has pySHACL's signature and report by design
    errors = import_module(f"{package}.errors")
    try:
        _, report, _ = module.validate(data, shacl_graph=shapes, inference="none", inplace=True)
    except errors.ReportableRuntimeError as e:
        raise InvalidShapes(e.message) from None
    return report
