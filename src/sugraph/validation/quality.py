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
from itertools import takewhile
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..namespaces import GRAPH
from ..store.oxigraph import quads
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
    """One check file; ValueError (naming the file) when its `#+ ` YAML header is incomplete."""
    text = path.read_text(encoding="utf-8")
    header_lines = takewhile(lambda line: line.startswith("#+ "), text.splitlines())
    header = yaml.safe_load("\n".join(line[3:] for line in header_lines))
    try:
        title, message = dict(header["title"]), dict(header["message"])
        return Check(path.stem, Severity(header["severity"]), title, message, text)
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"{path}: the header needs a title and a message (en, fr) and a severity "
                         f"({', '.join(s.value for s in Severity)})") from None


@cache
def load_checks() -> tuple[Check, ...]:
    return tuple(load_check(p) for p in sorted(CHECKS_DIR.glob("*.rq")))


def run_checks(data: Graph, ontology: Graph, lang: str = "en") -> list[Result]:
    """Run every check and return the findings as results without file and line (the caller locates them).
    Oxigraph evaluates them: far faster than rdflib's engine on these whole-graph queries."""
    store = ox.Store()
    store.extend(quads(data, DATA_GRAPH))
    store.extend(quads(ontology, ONTOLOGY_GRAPH))
    store.load(path=CHECKS_DIR / "vocabularies.ttl", format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
    results = []
    for check in load_checks():
        solutions = store.query(check.query, use_default_graph_as_union=True)
        projected = {v.value for v in solutions.variables}  # a check need not give a path or a value
        for row in solutions:
            results.append(Result(
                severity=check.severity,
                focus=_rdflib(row["focus"]),
                path=_rdflib(row["path"]) if "path" in projected else None,
                value=_rdflib(row["value"]) if "value" in projected else None,
                source=check.iri,
                source_name=check.title.get(lang) or check.title["en"],
                message=check.message.get(lang) or check.message["en"],
            ))
    return results


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):  # RDF 1.1 simple literals are xsd:string; rdflib leaves those untyped
        datatype = None if term.language or term.datatype.value == str(XSD.string) else URIRef(term.datatype.value)
        return Literal(term.value, lang=term.language, datatype=datatype)
    return None
