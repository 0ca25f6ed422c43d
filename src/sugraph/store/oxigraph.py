"""The embedded engine: pyoxigraph, in memory (tests, small tools) or opened from the prebuilt store.

`evaluate` is the one place a query meets pyoxigraph; both the in-process `OxigraphStore` and the
worker processes of `PooledStore` call it. Results go straight from pyoxigraph's own serializers to
bytes: no per-term Python objects on the hot path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from ..build import KnowledgeGraph
from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES
from .analysis import syntax_message
from .base import SITE, Dataset, Store, Term
from .errors import BackendError, QueryError, QueryTooLarge, answer_too_large

log = logging.getLogger(__name__)

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


def quads(graph: Graph, graph_name: URIRef) -> Iterator[ox.Quad]:
    g = ox.NamedNode(str(graph_name))
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)


def load_into(store: ox.Store, kg: KnowledgeGraph) -> None:
    """Asserted and inferred triples into their named graphs."""
    store.extend(quads(kg.asserted(), ASSERTED_GRAPH))
    store.extend(quads(kg.inferred, INFERRED_GRAPH))


@lru_cache(maxsize=64)
def _dataset_arguments(dataset: Dataset | None) -> dict:
    if dataset is None:
        return {}
    if dataset == Dataset():
        # The store holds exactly the asserted and inferred graphs (see load_into), so the default
        # dataset is the union of all its graphs, which pyoxigraph evaluates faster than a list.
        return {"use_default_graph_as_union": True}
    named = None if dataset.named_graphs is None else [ox.NamedNode(g) for g in dataset.named_graphs]
    return {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs], "named_graphs": named}


class _Bounded:
    """A serializer's output that refuses to grow past `limit` bytes, so an answer too large to
    send is stopped while it is written, not after it has filled the memory."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        if self.limit is not None and len(self.data) > self.limit:
            raise answer_too_large(self.limit)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the bytes are kept here."""


def evaluate(store: ox.Store, sparql: str, form: str, media_type: str, dataset: Dataset | None,
             max_bytes: int | None = None) -> bytes:
    """Run one checked query and serialize its results; QueryError for the client's mistakes
    (QueryTooLarge past `max_bytes`), BackendError (with the detail only in the log) for anything else."""
    out = _Bounded(max_bytes)
    try:
        result = store.query(sparql, prefixes=PREFIXES, **_dataset_arguments(dataset))
        if form in ("SELECT", "ASK"):
            result.serialize(out, format=ox.QueryResultsFormat.from_media_type(media_type))
        else:
            ox.serialize(result, out, format=ox.RdfFormat.from_media_type(media_type), prefixes=PREFIXES)
        return bytes(out.data)
    except SyntaxError as e:
        raise QueryError(syntax_message(e)) from None
    except QueryTooLarge:
        raise
    except Exception:  # a failed SERVICE call (only with isolation off), a storage error, …
        log.exception("query evaluation failed")
        raise BackendError("the query engine failed while evaluating this query") from None


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

    def _execute(self, sparql: str, form: str, media_type: str, dataset: Dataset | None,
                 timeout: float, *, lane: str = SITE, max_bytes: int | None = None) -> bytes:
        return evaluate(self._store, sparql, form, media_type, dataset, max_bytes)

    def graphs(self) -> Sequence[str]:
        return [g.value for g in self._store.named_graphs()]
