"""The embedded engine in this process (tests, small tools), and rdflib graphs loaded into pyoxigraph.

Everything here that needs rdflib (`quads`, `load_into`) serves whoever builds a store;
the query workers never import this module (they import `engine.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..build import KnowledgeGraph
from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from ..terms import to_ox
from .base import SITE, Dataset, Store
from .engine import evaluate
from .prebuilt import LazyKnowledgeGraph, built
from .prepare import Preparation


def quads(graph: Graph, graph_name: URIRef) -> Iterator[ox.Quad]:
    g = ox.NamedNode(str(graph_name))
    for s, p, o in graph:
        subject = to_ox(s)
        if isinstance(subject, ox.Literal):  # rdflib allows it in a Graph; RDF does not
            raise TypeError(f"a literal cannot be the subject of a triple: {s!r}")
        yield ox.Quad(subject, ox.NamedNode(str(p)), to_ox(o), g)


def load_into(store: ox.Store, kg: KnowledgeGraph | LazyKnowledgeGraph) -> None:
    """Asserted and inferred triples into their named graphs (a lazy graph is loaded for it)."""
    kg = built(kg)
    # The parsed triples straight into the store as one N-Quads document: no rdflib graph, no Python
    # object per term, and one document, because Oxigraph gives each document's blank nodes new
    # names: loaded graph by graph, a blank node the inferred graph says more about (a funding's
    # amount) would be two nodes.
    lines = (
        f"{s} {p} {o} <{graph_name}> .\n"
        for graph_name, triples in ((ASSERTED_GRAPH, kg.asserted_triples), (INFERRED_GRAPH, kg.inferred_triples))
        for s, p, o in triples
    )
    store.bulk_load("".join(lines).encode(), format=ox.RdfFormat.N_QUADS)


class OxigraphStore(Store):
    """pyoxigraph in this process. It cannot stop a running query: for a served endpoint use
    `PooledStore`, whose worker processes can be killed at the deadline."""

    name = "oxigraph"

    def __init__(self, store: ox.Store, **options):
        super().__init__(**options)
        self._store = store

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph, **options) -> OxigraphStore:
        store = ox.Store()
        load_into(store, kg)
        return cls(store, **options)

    def _execute(
        self,
        sparql: str,
        form: str,
        media_type: str,
        dataset: Dataset | None,
        timeout: float,
        *,
        lane: str = SITE,
        max_bytes: int | None = None,
        preparation: Preparation | None = None,  # never given: checks_beside_engine is False
    ) -> bytes:
        return evaluate(self._store, sparql, form, media_type, dataset, max_bytes)

    def graphs(self) -> Sequence[str]:
        return [g.value for g in self._store.named_graphs()]
