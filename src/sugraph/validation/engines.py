"""The SHACL engines `validate()` can run, behind one call that returns a pySHACL report graph.

pyshacl-turbo (the default) is pySHACL's API and report with the SHACL work done in Rust; pySHACL stays
as the reference (`--engine pyshacl`). Both read the same rdflib graphs and write the same report
vocabulary, so the results, their locating and every output format do not depend on the engine;
bench/shacl_engines.py measured the candidates and tests/test_shacl_engines.py keeps the two equal.
"""

from __future__ import annotations

from importlib import import_module

from rdflib import Graph

ENGINES = ("pyshacl-turbo", "pyshacl")


class InvalidShapes(Exception):
    """The engine refused the shapes graph: `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def report_graph(data: Graph, shapes: Graph, engine: str | None = None) -> Graph:
    """Validate `data` (data + ontology, no inference) against `shapes` with `engine` (None: the
    default); the data graph is not copied. Shapes pyshacl-turbo refuses go to pySHACL, which either
    validates them or refuses them with the reference's message."""
    engine = engine or ENGINES[0]
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "pyshacl-turbo":
        try:
            return _validated("pyshacl_turbo", data, shapes)
        except (InvalidShapes, ValueError):  # it says ValueError where pySHACL says ReportableRuntimeError
            pass
    return _validated("pyshacl", data, shapes)


def _validated(package: str, data: Graph, shapes: Graph) -> Graph:
    module = import_module(package)  # pyshacl_turbo has pySHACL's signature and report by design
    errors = import_module(f"{package}.errors")
    try:
        _, report, _ = module.validate(data, shacl_graph=shapes, inference="none", inplace=True)
    except errors.ReportableRuntimeError as e:
        raise InvalidShapes(e.message) from None
    return report
