"""Ontology and data quality checks beyond SHACL, in the spirit of ROBOT `report` and OOPS!.

Each check is one SPARQL file in `checks/` with a `#+ ` header (title and message in en/fr, a
severity) and a SELECT of `?focus` and optionally `?path` and `?value`. Queries see the data and the
ontology as two named graphs, `graph:data` and `graph:ontology` (which also holds the term lists of
the reused vocabularies, `checks/vocabularies.ttl`), and their union as the default graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files as package_files
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ..named_queries import read_header
from ..namespaces import GRAPH
from ..store.oxigraph import quads
from ..terms import in_language, to_rdflib
from .report import CHECKS_NS, Result, Severity

CHECKS_DIR = Path(str(package_files("sugraph") / "validation" / "checks"))
DATA_GRAPH = GRAPH["data"]
ONTOLOGY_GRAPH = GRAPH["ontology"]


@dataclass(frozen=True)
class Check:
    name: str
    severity: Severity
    title: dict[str, str]
    message: dict[str, str]
    query: str

    @property
    def iri(self) -> URIRef:
        return URIRef(CHECKS_NS + self.name)


def load_check(path: Path) -> Check:
    """One check file; ValueError (naming the file) when its `#+` YAML header is incomplete."""
    text = path.read_text(encoding="utf-8")
    try:
        header, _ = read_header(text)
        title, message = dict(header["title"]), dict(header["message"])
        return Check(path.stem, Severity(header["severity"]), title, message, text)
    except (TypeError, KeyError, ValueError):
        raise ValueError(
            f"{path}: the header needs a title and a message (en, fr) and a severity "
            f"({', '.join(s.value for s in Severity)})"
        ) from None


@cache
def load_checks() -> tuple[Check, ...]:
    return tuple(load_check(p) for p in sorted(CHECKS_DIR.glob("*.rq")))


def run_checks(data: Graph, ontology: Graph, lang: str = "en") -> list[Result]:
    """Run every check and return the findings as results without file and line (the caller locates them).
    Oxigraph evaluates them: far faster than rdflib's engine on these whole-graph queries."""
    store = ox.Store()
    store.extend(quads(data, DATA_GRAPH))
    store.extend(quads(ontology, ONTOLOGY_GRAPH))
    store.load(
        path=CHECKS_DIR / "vocabularies.ttl", format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH))
    )
    results = []
    for check in load_checks():
        solutions = store.query(check.query, use_default_graph_as_union=True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise ValueError(f"{check.iri}: a check is a SELECT query")
        projected = {v.value for v in solutions.variables}  # a check need not give a path or a value
        for row in solutions:
            focus, path = _node(row, "focus", projected), _node(row, "path", projected)
            if focus is None or not (path is None or isinstance(path, URIRef)):
                raise ValueError(f"{check.iri}: every row needs a ?focus, and a ?path is a property IRI")
            results.append(
                Result(
                    severity=check.severity,
                    focus=focus,
                    path=path,
                    value=_node(row, "value", projected),
                    source=check.iri,
                    source_name=in_language(check.title, lang),
                    message=in_language(check.message, lang),
                )
            )
    return results


def _node(row: ox.QuerySolution, variable: str, projected: set[str]) -> Node | None:
    """The row's value of `variable` as rdflib reads it; None when unbound or not selected."""
    term = row[variable] if variable in projected else None
    return None if term is None else to_rdflib(term)
