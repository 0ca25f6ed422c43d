"""The embedded default backend: pyoxigraph, loaded from the built knowledge graph."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from ..build import KnowledgeGraph
from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES
from .base import Bindings, QueryError, Row, Store, Term, bind_values


def to_ox(term) -> Term:
    """rdflib term → pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def quads(graph: Graph, graph_name: URIRef):
    g = ox.NamedNode(str(graph_name))
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)


def load_into(store: ox.Store, kg: KnowledgeGraph) -> None:
    """Asserted and inferred triples into their named graphs."""
    store.extend(quads(kg.asserted(), ASSERTED_GRAPH))
    store.extend(quads(kg.inferred, INFERRED_GRAPH))


class OxigraphStore(Store):
    """Queries see the union of all named graphs as their default graph."""

    name = "oxigraph"

    def __init__(self, store: ox.Store):
        self._store = store

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> OxigraphStore:
        store = ox.Store()
        load_into(store, kg)
        return cls(store)

    def _run(self, sparql: str, bindings: Bindings | None):
        try:
            return self._store.query(bind_values(sparql, bindings), prefixes=PREFIXES,
                                     use_default_graph_as_union=True)
        except SyntaxError as e:
            raise QueryError(str(e)) from None

    def select(self, sparql: str, bindings: Bindings | None = None,
               timeout: float | None = None) -> list[Row]:
        result = self._run(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def ask(self, sparql: str, bindings: Bindings | None = None,
            timeout: float | None = None) -> bool:
        result = self._run(sparql, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    def construct(self, sparql: str, bindings: Bindings | None = None,
                  timeout: float | None = None) -> list[ox.Triple]:
        result = self._run(sparql, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("not a CONSTRUCT or DESCRIBE query")
        return list(result)

    def graphs(self) -> Sequence[str]:
        return [g.value for g in self._store.named_graphs()]
