"""The backend interface every store implements; the web and CLI layers only ever see this.

Terms are pyoxigraph terms (NamedNode, BlankNode, Literal) whatever the backend, so callers never
convert between term models.

Parameters are bound as RDF terms, never pasted into query text by hand: a query marks where a
parameter goes with a placeholder `VALUES ?name { UNDEF }` inside its WHERE clause, and
`bind_values` fills it with the terms serialized by pyoxigraph (which escapes them), so a value can
never change the query's structure. A parameter left unbound keeps UNDEF: unconstrained.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

import anyio.to_thread
import pyoxigraph as ox

from ..terms import Term, read_results
from .analysis import QueryInfo, Rewritten, analyse, capped, check
from .engine import DEFAULT_GRAPHS, Dataset
from .errors import BackendError, QueryError, QueryTimeout, UpstreamTimeout

__all__ = [
    "CLIENT",
    "SITE",
    "BackendError",
    "Dataset",
    "QueryError",
    "QueryTimeout",
    "Store",
    "UpstreamTimeout",
    "bind_values",
    "placeholders",
]

Row = dict[str, Term]
Bindings = Mapping[str, Term | Sequence[Term]]

_PLACEHOLDER = r"VALUES\s+\?{name}\s*\{{\s*UNDEF\s*\}}"


def _solutions(body: bytes) -> ox.QuerySolutions:
    """The rows of a SELECT answer in SPARQL JSON; an engine that answers with a boolean fails."""
    result = read_results(body)
    if not isinstance(result, ox.QuerySolutions):
        raise BackendError("the engine answered a SELECT query with a boolean")
    return result


def placeholders(sparql: str) -> list[str]:
    """Names of the parameters a query declares with `VALUES ?name { UNDEF }`."""
    return re.findall(r"VALUES\s+\?(\w+)\s*\{\s*UNDEF\s*\}", sparql)


def bind_values(sparql: str, bindings: Bindings | None) -> str:
    """Fill each `VALUES ?name { UNDEF }` placeholder with the given term(s)."""
    for name, value in (bindings or {}).items():
        terms = [value] if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)) else list(value)
        if not all(isinstance(t, (ox.NamedNode, ox.Literal)) for t in terms):
            raise QueryError(f"parameter {name!r} must be bound to IRIs or literals")
        pattern = re.compile(_PLACEHOLDER.format(name=re.escape(name)))
        if not pattern.search(sparql):
            raise QueryError(f"the query has no placeholder 'VALUES ?{name} {{ UNDEF }}'")
        block = f"VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}"
        sparql = pattern.sub(lambda _m, block=block: block, sparql)  # type: ignore[misc]  # as is: no \1
    return sparql


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
_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
PROBE_QUERY = "ASK { ?s ?p ?o }"

# Who asks: the site itself (named queries, pages, probes: queries the project wrote), or a client's
# own SPARQL (/sparql, the workbench), which may be arbitrarily expensive. A backend with a bounded
# pool (PooledStore) never lets client queries take its last worker, so the site stays responsive.
SITE, CLIENT = "site", "client"


def media_types_for(form: str) -> tuple[str, ...]:
    """What a query of this form can be answered in: result sets for SELECT/ASK, RDF otherwise."""
    return RESULTS_MEDIA_TYPES if form in ("SELECT", "ASK") else GRAPH_MEDIA_TYPES


ENTRY_OVERHEAD = 200  # bytes per cache entry beyond its key and value: the dict slot, list node, tuple


def footprint(obj: object) -> int:
    """Bytes a cache key holds: its strings (the query text above all), tuples and datasets."""
    if isinstance(obj, (str, bytes)):
        return sys.getsizeof(obj)
    if isinstance(obj, tuple):
        return sys.getsizeof(obj) + sum(footprint(item) for item in obj)
    if isinstance(obj, Dataset):
        return sys.getsizeof(obj) + footprint(obj.default_graphs) + footprint(obj.named_graphs)
    return 0  # None, small ints, shared singletons


class ResultCache:
    """Serialized results by request, least recently used first out, bounded in bytes: the keys
    (query text, format, dataset) count as well as the answers, since a distinct query of a few
    kilobytes with a one-line answer is mostly key.

    Safe because a store never changes while it is open (a new data version is a new store), and
    worth it because a service answers the same few questions again and again."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[bytes, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes accounted for: keys, values and per-entry overhead."""
        return self._size

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: bytes) -> None:
        size = sys.getsizeof(value) + footprint(key) + ENTRY_OVERHEAD
        if size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size += size - (old[1] if old is not None else 0)
            self._items[key] = (value, size)
            while self._size > self.max_bytes:
                self._size -= self._items.popitem(last=False)[1][1]


INLINE_TEXT = 4096  # characters: a text up to this long is prepared on the event loop (`Store.arun`)


class Job(NamedTuple):
    """A checked query ready for the engine: `_execute`'s positional arguments, and the rewritten
    text that places the engine's syntax errors back where the client wrote them."""

    query: Rewritten
    args: tuple[str, str, str, Dataset | None, float]  # text, form, media type, dataset, time limit


class Store(ABC):
    """A read-only SPARQL engine over the built knowledge graph (asserted + inferred).

    Backends implement `_execute` (run a checked query, answer serialized bytes) and may override
    `graphs`; everything else is shared, so the safety checks and the result parsing exist once.
    """

    name: str = "store"
    # How this backend's engine is kept off the network: the embedded engine in this process is not
    # (SERVICE is then refused); PooledStore isolates its workers; a remote engine is its own.
    isolation: str = "none: the engine runs in the server's own process"

    def __init__(self, *, timeout: float = 10.0, allowed_endpoints: tuple[str, ...] = (), cache_bytes: int = 64 << 20):
        self.timeout = timeout
        self.allowed_endpoints = allowed_endpoints
        self.cache = ResultCache(cache_bytes)
        self._known_graphs: frozenset[str] | None = None

    @abstractmethod
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
    ) -> bytes:
        """Run a query already checked by `_prepare`; `dataset` None means the query's FROM clauses decide;
        `lane` says who asks (SITE or CLIENT); an answer over `max_bytes` is QueryTooLarge."""

    def service_iri(self, index: int) -> str | None:
        """The IRI the engine is to call for allowed SERVICE endpoint number `index`, or None
        when this backend cannot call it safely (then SERVICE is refused)."""
        return None

    def health(self) -> str | None:
        """What stops this backend from serving fully (e.g. a worker that cannot start), if anything."""
        return None

    def graphs(self) -> Sequence[str]:
        """IRIs of the named graphs in the store."""
        body = self._execute(_GRAPHS_QUERY, "SELECT", RESULTS_MEDIA_TYPES[0], None, self.timeout)
        return [s["g"].value for s in _solutions(body) if s["g"]]

    def known_graphs(self) -> frozenset[str]:
        """The graphs a FROM clause or `default-graph-uri` may name (read once: the data never changes)."""
        if self._known_graphs is None:
            self._known_graphs = frozenset(self.graphs()) | frozenset(DEFAULT_GRAPHS)
        return self._known_graphs

    def probe(self, timeout: float) -> None:
        """Ask the backend itself a trivial question, bypassing the result cache (a cached answer
        says nothing about whether the backend answers now); raises on any failure or after
        `timeout` seconds (never more than the store's own limit)."""
        body = self._execute(PROBE_QUERY, "ASK", RESULTS_MEDIA_TYPES[0], Dataset(), min(timeout, self.timeout))
        bool(read_results(body))  # garbage raises

    def run(
        self,
        sparql: str,
        media_type: str | None = None,
        *,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        lane: str = SITE,
        max_bytes: int | None = None,
    ) -> bytes:
        """Run a query, answer its results serialized in `media_type` (the form's first type by default).

        Refuses updates, SERVICE and FROM outside the store (QueryError) before the engine sees it;
        `timeout` may only lower the store's limit; `max_rows` caps SELECT/CONSTRUCT/DESCRIBE;
        `lane` is CLIENT for a query a client wrote (see SITE, CLIENT); an answer over `max_bytes`
        is QueryTooLarge, refused where it is made."""
        key = (sparql, media_type, dataset, max_rows, max_bytes)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        job = self._prepare(sparql, media_type, dataset, timeout, max_rows)
        try:
            body = self._execute(*job.args, lane=lane, max_bytes=max_bytes)
        except QueryError as error:
            raise job.query.place(error) from None  # where the client wrote it, not in the canonical text
        self.cache.put(key, body)
        return body

    async def arun(
        self,
        sparql: str,
        media_type: str | None = None,
        *,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        lane: str = SITE,
        max_bytes: int | None = None,
    ) -> bytes:
        """`run` without blocking the event loop: a cached answer at once; a short text prepared on
        the loop (lexing a few kB takes ~30 µs, a thread hop costs more) and a long one on a thread;
        then the backend's `_aexecute`."""
        key = (sparql, media_type, dataset, max_rows, max_bytes)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        prepare = functools.partial(self._prepare, sparql, media_type, dataset, timeout, max_rows)
        # The first query reads the store's graph names: a blocking call, so on a thread as well.
        inline = len(sparql) <= INLINE_TEXT and self._known_graphs is not None
        job = prepare() if inline else await anyio.to_thread.run_sync(prepare)
        try:
            body = await self._aexecute(*job.args, lane=lane, max_bytes=max_bytes)
        except QueryError as error:
            raise job.query.place(error) from None
        self.cache.put(key, body)
        return body

    def _prepare(
        self,
        sparql: str,
        media_type: str | None,
        dataset: Dataset | None,
        timeout: float | None,
        max_rows: int | None,
    ) -> Job:
        """Every check and rewrite before the engine, once for `run` and `arun`: read-only, SERVICE
        and FROM rules, the media type, the dataset's graphs, the time limit and the row cap."""
        info = analyse(sparql)
        check(info, self.known_graphs(), self.allowed_endpoints)
        offered = media_types_for(info.form)
        if media_type is None:
            media_type = offered[0]
        elif media_type not in offered:
            raise QueryError(f"a {info.form} query cannot be answered as {media_type}")
        for graph in (dataset.default_graphs + (dataset.named_graphs or ())) if dataset else ():
            if graph not in self.known_graphs():
                raise QueryError(f"no graph <{graph}> here, and remote graphs are never fetched")
        if dataset is None and not (info.from_graphs or info.from_named):
            dataset = Dataset()
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        query = capped(info, max_rows, self._routes(info))
        return Job(query, (query.text, info.form, media_type, dataset, limit))

    def _routes(self, info: QueryInfo) -> dict[int, str]:
        """SERVICE endpoint tokens → what the engine is to call instead (check() allowed them)."""
        routes = {}
        for endpoint, index in zip(info.services, info.service_tokens, strict=True):
            iri = self.service_iri(self.allowed_endpoints.index(endpoint)) if endpoint else None
            if iri is None:
                raise QueryError(
                    "SERVICE (federated query) is refused: this server cannot keep its query "
                    f"engine off the network ({self.isolation.removeprefix('none: ')})"
                )
            routes[index] = iri
        return routes

    async def _aexecute(
        self,
        sparql: str,
        form: str,
        media_type: str,
        dataset: Dataset | None,
        timeout: float,
        *,
        lane: str = SITE,
        max_bytes: int | None = None,
    ) -> bytes:
        """`_execute` awaited: on a worker thread, unless the backend can wait for its engine on the loop."""
        return await anyio.to_thread.run_sync(
            functools.partial(self._execute, sparql, form, media_type, dataset, timeout, lane=lane, max_bytes=max_bytes)
        )

    def select(self, sparql: str, bindings: Bindings | None = None, timeout: float | None = None) -> list[Row]:
        """Rows of a SELECT query; an unbound variable is absent from its row."""
        text = self._expect(sparql, bindings, "SELECT")
        result = _solutions(self.run(text, timeout=timeout))
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def ask(self, sparql: str, bindings: Bindings | None = None, timeout: float | None = None) -> bool:
        """The answer of an ASK query."""
        text = self._expect(sparql, bindings, "ASK")
        return bool(read_results(self.run(text, timeout=timeout)))

    def construct(self, sparql: str, bindings: Bindings | None = None, timeout: float | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        text = self._expect(sparql, bindings, "CONSTRUCT", "DESCRIBE")
        body = self.run(text, "application/n-triples", timeout=timeout)
        return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    @staticmethod
    def _expect(sparql: str, bindings: Bindings | None, *forms: str) -> str:
        text = bind_values(sparql, bindings)
        if analyse(text).form not in forms:
            raise QueryError(f"not a {' or '.join(forms)} query")
        return text

    def close(self) -> None:  # noqa: B027 -- optional: a store that holds resources overrides it
        """Release resources; the default store holds none."""
