"""sugraph: the Security Union knowledge graph.

The Python API: `load()` builds the `KnowledgeGraph`, whose graphs are `ontology` and `data`,
`asserted` (the two together, as written), `inferred` (what the reasoner adds to them) and `shapes`;
unreadable files raise `LoadError`:

>>> import sugraph
>>> kg = sugraph.load()
>>> set(kg.asserted) == set(kg.ontology) | set(kg.data), set(kg.asserted) & set(kg.inferred)
(True, set())

`validate()` checks RDF against the shapes and returns a `Report` of `Result`s by `Severity`:

>>> report = sugraph.validate(["tests/fixtures/shapes/conforming.ttl", "tests/fixtures/shapes/violating/label.ttl"])
>>> report.conforms, report.exit_code(), report.count("violation"), report.count(sugraph.Severity.WARNING)
(False, 1, 1, 0)
>>> [(r.severity.value, r.file.name, r.line) for r in report.results]
[('violation', 'label.ttl', 11)]

These names are imported on first use, so `import sugraph` (and every query worker, which lives in
this package) loads no rdflib, pyshacl or web framework until one is asked for."""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "KnowledgeGraph": "build",
    "LoadError": "build",
    "load": "build",
    "Report": "validation.report",
    "Result": "validation.report",
    "Severity": "validation.report",
    "validate": "validation.shacl",
}
__all__ = ["KnowledgeGraph", "LoadError", "Report", "Result", "Severity", "__version__", "load", "validate"]


def __getattr__(name: str) -> object:
    """A name of the API, from the module that defines it (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_API[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
