"""Where a query meets pyoxigraph: `evaluate`, which the in-process `OxigraphStore` and the query
workers of `PooledStore` both call. Results go straight from pyoxigraph's own serializers to bytes:
no per-term Python objects on the hot path.

A worker imports only this (with `errors` and `isolation`): pyoxigraph and the standard
library, no rdflib, so starting or respawning one is cheap (bench/RESULTS.md)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ..iris import ASSERTED_GRAPH_IRI, INFERRED_GRAPH_IRI, PREFIXES
from .errors import BackendError, QueryError, answer_too_large, syntax_message

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a worker's imports are its start-up cost
if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

DEFAULT_GRAPHS = (ASSERTED_GRAPH_IRI, INFERRED_GRAPH_IRI)
RESULTS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)


def media_types_for(form: str) -> tuple[str, ...]:
    """What a query of this form can be answered in: result sets for SELECT/ASK, RDF otherwise."""
    return RESULTS_MEDIA_TYPES if form in ("SELECT", "ASK") else GRAPH_MEDIA_TYPES


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over (SPARQL 1.1 Protocol `default-graph-uri`/`named-graph-uri`)."""

    default_graphs: tuple[str, ...] = DEFAULT_GRAPHS
    named_graphs: tuple[str, ...] | None = None  # None: every named graph of the store


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


class _Bounded(io.BytesIO):
    """A serializer's output that refuses to grow past `limit` bytes, so an answer too large to
    send is stopped while it is written, not after it has filled the memory."""

    def __init__(self, limit: int | None):
        super().__init__()
        self.limit = limit

    def write(self, chunk: ReadableBuffer, /) -> int:
        written = super().write(chunk)
        if self.limit is not None and self.tell() > self.limit:
            raise answer_too_large(self.limit)
        return written


def evaluate(
    store: ox.Store, sparql: str, form: str, media_type: str, dataset: Dataset | None, max_bytes: int | None = None
) -> bytes:
    """Run one checked query and serialize its results; QueryError for the client's mistakes
    (QueryTooLarge past `max_bytes`), BackendError (with the detail only in the log) for anything else.

    `form` "" leaves the form to what the engine parsed (a text run as the client wrote it,
    `Preparation.verbatim`): then a `media_type` that form cannot be answered in is a QueryError,
    raised before the engine reads any row, and "" means the form's first media type."""
    out = _Bounded(max_bytes)
    try:
        # No `prefixes`: a checked text is the analyser's canonical one, every prefixed name already
        # expanded (lexer.canonical), and handing pyoxigraph the 31 default prefixes costs 70 µs a query.
        result = store.query(sparql, **_dataset_arguments(dataset))
        offered = GRAPH_MEDIA_TYPES if isinstance(result, ox.QueryTriples) else RESULTS_MEDIA_TYPES
        assert not form or offered == media_types_for(form)  # the checked form decides the kind of result
        if media_type not in offered:
            if media_type:
                raise QueryError(f"this query's form cannot be answered as {media_type}")
            media_type = offered[0]
        if isinstance(result, ox.QueryTriples):
            ox.serialize(result, out, format=ox.RdfFormat.from_media_type(media_type), prefixes=PREFIXES)
        else:
            result.serialize(out, format=ox.QueryResultsFormat.from_media_type(media_type))
        return out.getvalue()
    except SyntaxError as e:
        raise QueryError(syntax_message(e)) from None
    except QueryError:  # QueryTooLarge, or a media type the parsed form cannot be answered in
        raise
    except Exception:  # a failed SERVICE call (only with isolation off), a storage error, …
        import logging  # here, not at the top: a worker's imports are its start-up cost

        logging.getLogger(__name__).exception("query evaluation failed")
        raise BackendError("the query engine failed while evaluating this query") from None
