"""The remote backend: any SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB…) behind the same interface.

Queries are checked and capped exactly as for the embedded engine (by `Store.run`), and what leaves
is their canonical text, re-written from SPARQL 1.1 tokens: no vendor pragma (`DEFINE …` is not a
query form), no undeclared prefix (`bif:`), no comment. Syntax errors are the remote engine's own;
no client text is parsed by evaluating it in this process. Results are asked
for in one format the library reads (SPARQL JSON, N-Triples), parsed by pyoxigraph (garbage becomes
BackendError) and re-serialized in the format the client negotiated.

`push_graphs` loads the built graph into such a store with the SPARQL 1.1 Graph Store HTTP
Protocol: one PUT of N-Triples per named graph, which keeps blank nodes intact (batched INSERT DATA
would split them); `graph_store_for` finds that service beside the query endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from .. import __version__
from ..namespaces import PREFIXES, sparql_prologue
from .base import SITE, Dataset, Store
from .errors import BackendError, QueryError, UpstreamTimeout, answer_too_large

log = logging.getLogger(__name__)

_NTRIPLES = "application/n-triples"
_RESULTS_JSON = "application/sparql-results+json"


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
                        headers={"User-Agent": f"sugraph/{__version__}"}, follow_redirects=False)


class RemoteStore(Store):
    """Queries a remote SPARQL 1.1 endpoint over HTTP."""

    name = "remote"

    def __init__(self, endpoint: str, **options):
        super().__init__(**options)
        self.endpoint = endpoint
        self._http = _client(self.timeout)
        self._prologue = sparql_prologue()

    isolation = "remote: the SPARQL endpoint's own"

    def service_iri(self, index: int) -> str | None:
        return self.allowed_endpoints[index]  # the remote engine calls it, from its own network

    def _execute(self, sparql: str, form: str, media_type: str, dataset: Dataset | None,
                 timeout: float, *, lane: str = SITE, max_bytes: int | None = None) -> bytes:
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        params = [("query", self._prologue + sparql)]
        if dataset is not None:
            params += [("default-graph-uri", g) for g in dataset.default_graphs]
            params += [("named-graph-uri", g) for g in dataset.named_graphs or ()]
        try:
            response = self._http.post(self.endpoint, content=urlencode(params), timeout=timeout, headers={
                "Accept": _NTRIPLES if graph_result else _RESULTS_JSON,
                "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"the SPARQL endpoint did not answer within {timeout:g} s") from None
        except httpx.HTTPError as e:
            log.warning("SPARQL endpoint %s unreachable: %s", self.endpoint, e)
            raise BackendError("the SPARQL endpoint could not be reached") from None
        if response.status_code == 400:  # the engine's parser refused it: the client's mistake, in its words
            reason = response.text.strip().splitlines()[0][:300] if response.text.strip() else "no reason given"
            raise QueryError(f"the SPARQL endpoint refused the query: {reason}")
        if response.status_code != 200:
            log.warning("SPARQL endpoint %s answered %s: %.500s", self.endpoint, response.status_code, response.text)
            raise BackendError(f"the SPARQL endpoint answered HTTP {response.status_code}")
        body = _reserialize(response.content, form, media_type)
        if body is None:  # raised here, outside any `except`, so no parser travels with the exception
            log.warning("unreadable results from %s: %.500s", self.endpoint, response.text)
            raise BackendError("the SPARQL endpoint returned results that could not be read")
        if max_bytes is not None and len(body) > max_bytes:
            raise answer_too_large(max_bytes)
        return body

    def close(self) -> None:
        self._http.close()


def _reserialize(content: bytes, form: str, media_type: str) -> bytes | None:
    """The endpoint's answer (SPARQL JSON, or N-Triples for CONSTRUCT/DESCRIBE) in `media_type`, or
    None if it cannot be read.

    pyoxigraph's parsers and result iterators are bound to the thread that made them (dropping one
    elsewhere is an 'unsendable' error), so they live only in this call: only bytes leave it, and a
    parse error is swallowed here rather than carried off, with the parser in its traceback, to the
    thread that handles the failure."""
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = (quad.triple for quad in ox.parse(content, format=ox.RdfFormat.N_TRIPLES))
            return ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type), prefixes=PREFIXES)
        results = ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
        if form == "ASK" and isinstance(results, ox.QuerySolutions):
            results = _ask_answer(results)
        return results.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
    except (SyntaxError, ValueError, TypeError):
        return None


def _ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso answers ASK with a one-column result set (`__ASK_RETVAL`: 1, or no row at all)."""
    answer = any(s[0] is not None and s[0].value != "0" for s in solutions)
    return ox.parse_query_results(f'{{"head":{{}},"boolean":{str(answer).lower()}}}', ox.QueryResultsFormat.JSON)


# Where each engine's Graph Store service lives beside its query endpoint, by its own documentation:
# (endpoint suffix, Graph Store suffix, the same with authentication).
_GRAPH_STORES = (
    ("/sparql", "/sparql-graph-crud", "/sparql-graph-crud-auth"),  # Virtuoso (digest auth on -auth)
    ("/query", "/store", "/store"),                                # Oxigraph server
)


def graph_store_for(endpoint: str, authenticated: bool = False) -> str | None:
    """The Graph Store Protocol address beside a query `endpoint`, by the engine's convention;
    None if the endpoint's path follows no convention known here."""
    for query_suffix, store_suffix, auth_suffix in _GRAPH_STORES:
        if endpoint.endswith(query_suffix):
            return endpoint.removesuffix(query_suffix) + (auth_suffix if authenticated else store_suffix)
    return None


def push_graphs(store_path: Path, graph_store_url: str, graphs: Iterable[str], timeout: float = 600,
                auth: tuple[str, str] | None = None) -> dict[str, int]:
    """Replace each named graph at a Graph Store Protocol service with the prebuilt store's (one PUT
    of N-Triples per graph: atomic in the engines tested), then read it back; answers the number of
    triples per graph. `auth` is (user, password) for digest authentication. Raises
    BackendError if the service refuses, or holds another number of triples afterwards."""
    source = ox.Store.read_only(str(store_path))
    loaded: dict[str, int] = {}
    with _client(timeout) as http:
        http.auth = httpx.DigestAuth(*auth) if auth else None  # Virtuoso's -auth services ask digest
        for graph in graphs:
            name = ox.NamedNode(graph)
            expected = sum(1 for _ in source.quads_for_pattern(None, None, None, name))
            body = source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
            _graph_store(http, "PUT", graph_store_url, graph, content=body, headers={"Content-Type": _NTRIPLES})
            held = _graph_store(http, "GET", graph_store_url, graph, headers={"Accept": _NTRIPLES})
            count = sum(1 for _ in ox.parse(held.content, format=ox.RdfFormat.N_TRIPLES))
            if count != expected:
                raise BackendError(f"the graph store holds {count} triples in <{graph}> after loading {expected}")
            loaded[graph] = expected
    return loaded


def _graph_store(http: httpx.Client, method: str, url: str, graph: str, **request) -> httpx.Response:
    try:
        response = http.request(method, url, params={"graph": graph}, **request)
    except httpx.HTTPError as e:
        raise BackendError(f"cannot reach the graph store at {url}: {e}") from None
    if response.status_code not in (200, 201, 204):
        raise BackendError(f"the graph store refused {method} <{graph}>: HTTP {response.status_code} "
                           f"{response.text[:300]}")
    return response

