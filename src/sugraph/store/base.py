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
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

import anyio.to_thread
import pyoxigraph as ox

from ..terms import Term, read_results
from .analysis import Rewritten, query_form
from .answers import AnswerFile
from .engine import DEFAULT_GRAPHS, GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES, Dataset, media_types_for
from .errors import BackendError, QueryError, QueryTimeout, UpstreamTimeout
from .prepare import Preparation, Rules

__all__ = [
    "CLIENT",
    "GRAPH_MEDIA_TYPES",
    "RESULTS_MEDIA_TYPES",
    "SITE",
    "BackendError",
    "Dataset",
    "QueryError",
    "QueryTimeout",
    "Store",
    "UpstreamTimeout",
    "bind_values",
    "media_types_for",
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


_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
PROBE_QUERY = "ASK { ?s ?p ?o }"

# Who asks: the site itself (named queries, pages, probes: queries the project wrote), or a client's
# own SPARQL (/sparql, the workbench), which may be arbitrarily expensive. A backend with a bounded
# pool (PooledStore) never lets client queries take its last worker, so the site stays responsive.
SITE, CLIENT = "site", "client"


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
    """A query ready for the backend: `_execute`'s positional arguments, and either the rewritten text
    that places the engine's syntax errors back where the client wrote them (checked here) or the
    checks the backend is to run beside its engine (`preparation`, with the client's own text)."""

    query: Rewritten | None
    args: tuple[str, str, str, Dataset | None, float]  # text, form, media type, dataset, time limit
    preparation: Preparation | None = None

    def place(self, error: QueryError) -> QueryError:
        return self.query.place(error) if self.query else error  # a backend that checks places its own


class Store(ABC):
    """A read-only SPARQL engine over the built knowledge graph (asserted + inferred).

    Backends implement `_execute` (run a checked query, answer serialized bytes) and may override
    `graphs`; everything else is shared, so the safety checks and the result parsing exist once.
    """

    name: str = "store"
    # Whether the backend runs the checks itself, beside its engine (`Preparation.apply`), so the
    # caller passes the client's text with them: PooledStore's workers do.
    checks_beside_engine: bool = False
    # How this backend's engine is kept off the network: the embedded engine in this process is not
    # (SERVICE is then refused); PooledStore isolates its workers; a remote engine is its own.
    isolation: str = "none: the engine runs in the server's own process"

    def __init__(self, *, timeout: float = 10.0, allowed_endpoints: tuple[str, ...] = (), cache_bytes: int = 64 << 20):
        self.timeout = timeout
        self.allowed_endpoints = allowed_endpoints
        self.cache = ResultCache(cache_bytes)
        # The site's slow answers on disk (answers.py): a backend over a store that never changes sets it.
        self.answers: AnswerFile | None = None
        self._known_graphs: frozenset[str] | None = None
        self._rules: Rules | None = None

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
        preparation: Preparation | None = None,
    ) -> bytes:
        """Run a query already checked by `_prepare`; `dataset` None means the query's FROM clauses decide;
        `lane` says who asks (SITE or CLIENT); an answer over `max_bytes` is QueryTooLarge. With a
        `preparation` (only for a backend that `checks_beside_engine`), `sparql` is the client's
        text, and the backend runs `preparation.apply` on it before its engine sees anything."""

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

    def rules(self) -> Rules:
        """What this store allows, for the checks (read once, like its graphs)."""
        if self._rules is None:
            endpoints = self.allowed_endpoints
            iris = tuple(self.service_iri(i) for i in range(len(endpoints)))
            self._rules = Rules(self.known_graphs(), endpoints, iris, self.isolation)
        return self._rules

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
        cached = self._recall(key, lane)
        if cached is not None:
            return cached
        job = self._prepare(sparql, media_type, dataset, timeout, max_rows)
        started = time.monotonic()
        try:
            body = self._execute(*job.args, lane=lane, max_bytes=max_bytes, preparation=job.preparation)
        except QueryError as error:
            raise job.place(error) from None  # where the client wrote it, not in the canonical text
        self._remember(key, lane, body, time.monotonic() - started)
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
        """`run` without blocking the event loop: a cached answer at once; a text the backend checks
        beside its engine, or a short one (lexing the 2.4 kB headline question takes ~250 µs, two
        thread hops cost more), prepared on the loop, and a long one on a thread; then `_aexecute`."""
        key = (sparql, media_type, dataset, max_rows, max_bytes)
        cached = self.cache.get(key)
        if cached is None and self._kept(key, lane):  # read and inflated off the loop (megabytes at 1000x)
            cached = await anyio.to_thread.run_sync(self._recall, key, lane)
        if cached is not None:
            return cached
        prepare = functools.partial(self._prepare, sparql, media_type, dataset, timeout, max_rows)
        # The first query reads the store's graph names: a blocking call, so on a thread as well.
        inline = self._rules is not None and (self.checks_beside_engine or len(sparql) <= INLINE_TEXT)
        job = prepare() if inline else await anyio.to_thread.run_sync(prepare)
        started = time.monotonic()
        try:
            body = await self._aexecute(*job.args, lane=lane, max_bytes=max_bytes, preparation=job.preparation)
        except QueryError as error:
            raise job.place(error) from None
        seconds = time.monotonic() - started
        answers = self._answer_file(key, lane)
        if answers is not None and seconds >= answers.min_seconds:
            await anyio.to_thread.run_sync(self._remember, key, lane, body, seconds)  # compressed off the loop
        else:
            self.cache.put(key, body)
        return body

    def _answer_file(self, key: tuple, lane: str) -> AnswerFile | None:
        """The answer file, for a query whose answer may be kept there: only the site's queries
        (clients' own texts are unbounded, and would push the named questions' answers out), and none
        that may call a SERVICE (its answer is another endpoint's, which changes)."""
        if lane == SITE and self.answers is not None and "service" not in key[0].lower():
            return self.answers
        return None

    def _kept(self, key: tuple, lane: str) -> bool:
        answers = self._answer_file(key, lane)
        return answers is not None and key in answers

    def _recall(self, key: tuple, lane: str) -> bytes | None:
        """The answer from the result cache, else from the answer file (then cached in memory too)."""
        cached = self.cache.get(key)
        answers = self._answer_file(key, lane)
        if cached is None and answers is not None:
            cached = answers.get(key)
            if cached is not None:
                self.cache.put(key, cached)
        return cached

    def _remember(self, key: tuple, lane: str, body: bytes, seconds: float) -> None:
        """Cache an answer the engine just gave in memory and, for a slow site query, on disk."""
        self.cache.put(key, body)
        answers = self._answer_file(key, lane)
        if answers is not None:
            answers.put(key, body, seconds)

    def answer_ahead(self, sparql: str, media_type: str | None = None, *, max_rows: int | None = None) -> bool:
        """Run a site query before any reader asks, so a slow answer is on disk when one does: as
        `run` would for a page (same key), but kept only in the answer file, not in memory, and kept
        however fast, so a restart runs none of them again. Whether the engine ran it: not without an
        answer file, nor for an answer already kept, or in the result cache (then kept from there)."""
        key = (sparql, media_type, None, max_rows, None)
        answers = self._answer_file(key, SITE)
        if answers is None or key in answers:
            return False
        body, started = self.cache.get(key), time.monotonic()
        ran = body is None
        if body is None:
            job = self._prepare(sparql, media_type, None, None, max_rows)
            body = self._execute(*job.args, preparation=job.preparation)
        answers.put(key, body, time.monotonic() - started, ahead=True)
        return ran

    def _prepare(
        self,
        sparql: str,
        media_type: str | None,
        dataset: Dataset | None,
        timeout: float | None,
        max_rows: int | None,
    ) -> Job:
        """Every check and rewrite before the engine, once for `run` and `arun` (prepare.py): here, or
        handed to a backend that runs them beside its engine. The time limit is always the server's."""
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        preparation = Preparation(media_type, dataset, max_rows, self.rules())
        if self.checks_beside_engine:
            return Job(None, (sparql, "", media_type or "", dataset, limit), preparation)
        prepared = preparation.apply(sparql)
        query = prepared.query
        return Job(query, (query.text, prepared.form, prepared.media_type, prepared.dataset, limit))

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
        preparation: Preparation | None = None,
    ) -> bytes:
        """`_execute` awaited: on a worker thread, unless the backend can wait for its engine on the loop."""
        execute = functools.partial(self._execute, lane=lane, max_bytes=max_bytes, preparation=preparation)
        return await anyio.to_thread.run_sync(execute, sparql, form, media_type, dataset, timeout)

    def select(self, sparql: str, bindings: Bindings | None = None, timeout: float | None = None) -> list[Row]:
        """Rows of a SELECT query; an unbound variable is absent from its row."""
        text = self._expect(sparql, bindings, "SELECT")
        result = _solutions(self.run(text, timeout=timeout))
        names = [v.value for v in result.variables]
        # zip over a solution's values: 2.5x faster than looking each variable up twice by name
        # (4,000 rows of a threat's own triples at 1000x: 190 -> 75 ms)
        return [{n: v for n, v in zip(names, s, strict=True) if v is not None} for s in result]

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
        if query_form(text) not in forms:
            raise QueryError(f"not a {' or '.join(forms)} query")
        return text

    def close(self) -> None:  # noqa: B027 -- optional: a store that holds resources overrides it
        """Release resources; the default store holds none."""
