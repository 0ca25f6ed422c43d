"""The remote backend: any SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB…) behind the same interface.

Queries are checked and capped exactly as for the embedded engine (by `Store.run`), and what leaves
is their canonical text, re-written from SPARQL 1.1 tokens: no vendor pragma (`DEFINE …` is not a
query form), no undeclared prefix (`bif:`), no comment. Syntax errors are the remote engine's own;
no client text is parsed by evaluating it in this process. Results are asked
for in one format the library reads (SPARQL JSON, N-Triples), parsed by pyoxigraph (garbage becomes
BackendError; `terms.read_results` first makes the blank nodes of Virtuoso and others standard) and
re-serialized in the format the client negotiated.

`push_graphs` loads the built graph into such a store with SPARQL 1.1 Update, keeping the blank nodes
the two graphs share intact; `update_endpoint_for` finds the update address beside the query endpoint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from .. import __version__
from ..namespaces import PREFIXES, sparql_prologue
from ..terms import read_results
from .base import SITE, Dataset, Store
from .engine import DEFAULT_GRAPHS
from .errors import BackendError, QueryError, UpstreamTimeout, answer_too_large
from .prepare import Preparation

log = logging.getLogger(__name__)

_NTRIPLES = "application/n-triples"
_RESULTS_JSON = "application/sparql-results+json"


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
        headers={"User-Agent": f"sugraph/{__version__}"},
        follow_redirects=False,
    )


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
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        params = [("query", self._prologue + sparql)]
        if dataset is not None:
            params += [("default-graph-uri", g) for g in dataset.default_graphs]
            # None is every graph sugraph loaded; the protocol has no word for that, and an engine that
            # follows it (Oxigraph) gives a query with default-graph-uri alone no named graph at all.
            named = DEFAULT_GRAPHS if dataset.named_graphs is None else dataset.named_graphs
            params += [("named-graph-uri", g) for g in named]
        deadline = time.monotonic() + timeout
        try:
            with self._http.stream(
                "POST",
                self.endpoint,
                content=urlencode(params),
                timeout=timeout,
                headers={
                    "Accept": _NTRIPLES if graph_result else _RESULTS_JSON,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            ) as response:
                content = _read_before(response, deadline)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"the SPARQL endpoint did not answer within {timeout:g} s") from None
        except (httpx.ReadError, httpx.RemoteProtocolError) as e:  # it answered, then the connection dropped
            log.warning("SPARQL endpoint %s broke off: %s", self.endpoint, e)
            raise BackendError("the SPARQL endpoint broke off its answer") from None
        except httpx.HTTPError as e:
            log.warning("SPARQL endpoint %s unreachable: %s", self.endpoint, e)
            raise BackendError("the SPARQL endpoint could not be reached") from None
        text = content.decode("utf-8", "replace")
        if response.status_code == 400:  # the engine's parser refused it: the client's mistake, in its words
            reason = text.strip().splitlines()[0][:300] if text.strip() else "no reason given"
            raise QueryError(f"the SPARQL endpoint refused the query: {reason}")
        if response.status_code != 200:
            log.warning("SPARQL endpoint %s answered %s: %.500s", self.endpoint, response.status_code, text)
            raise BackendError(f"the SPARQL endpoint answered HTTP {response.status_code}")
        body = _reserialize(content, form, media_type)
        if body is None:  # raised here, outside any `except`, so no parser travels with the exception
            log.warning("unreadable results from %s: %.500s", self.endpoint, text)
            raise BackendError("the SPARQL endpoint returned results that could not be read")
        if max_bytes is not None and len(body) > max_bytes:
            raise answer_too_large(max_bytes)
        return body

    def close(self) -> None:
        self._http.close()


def _read_before(response: httpx.Response, deadline: float) -> bytes:
    """The body, unless it is still arriving at `deadline` (time.monotonic()): httpx's timeout bounds
    each read, not the whole answer, so an endpoint sending a few bytes at a time would hold the
    request for ever (ReadTimeout, as for an endpoint that sends nothing)."""
    chunks = []
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the answer was still arriving at the time limit")
        chunks.append(chunk)
    return b"".join(chunks)


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
        results = read_results(content)
        if form == "ASK" and isinstance(results, ox.QuerySolutions):
            results = _ask_answer(results)
        return results.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
    except (SyntaxError, ValueError, TypeError, RecursionError):
        return None


def _ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso answers ASK with a one-column result set (`__ASK_RETVAL`: 1, or no row at all). Every
    row is read before the answer is given, so a result set broken off after its first row is an
    unreadable answer (SyntaxError), not `true`."""
    rows = list(solutions)
    answer = any(s[0] is not None and s[0].value != "0" for s in rows)
    return ox.parse_query_results(f'{{"head":{{}},"boolean":{str(answer).lower()}}}', ox.QueryResultsFormat.JSON)


# Where each engine takes SPARQL 1.1 Update beside its query endpoint, by its own documentation:
# (endpoint suffix, update suffix, the same with authentication).
_UPDATE_ENDPOINTS = (
    ("/sparql", "/sparql", "/sparql-auth"),  # Virtuoso (the anonymous user needs SPARQL_UPDATE; -auth asks digest)
    ("/query", "/update", "/update"),  # Oxigraph server, Fuseki
)


def update_endpoint_for(endpoint: str, authenticated: bool = False) -> str | None:
    """The SPARQL Update address beside a query `endpoint`, by the engine's convention; None if the
    endpoint's path follows no convention known here."""
    for query_suffix, update_suffix, auth_suffix in _UPDATE_ENDPOINTS:
        if endpoint.endswith(query_suffix):
            return endpoint.removesuffix(query_suffix) + (auth_suffix if authenticated else update_suffix)
    return None


def push_graphs(
    store_path: Path,
    update_url: str,
    endpoint: str,
    graphs: Iterable[str],
    timeout: float = 600,
    auth: tuple[str, str] | None = None,
    batch: int = 200,
) -> dict[str, int]:
    """Replace the named `graphs` of a remote store with the prebuilt store's by SPARQL 1.1 Update,
    then count each graph's triples at the query `endpoint`; answers them. `auth` is (user, password)
    for digest authentication. Raises BackendError if the store refuses, or holds another number of
    triples.

    The drop and the inserts go first as one request, which a transactional store (the Oxigraph
    server) applies atomically. A store that refuses it (Virtuoso 7.2 refuses long updates, SP031) gets
    them again one by one, the drop first, inserts of about `batch` triples each: not atomic, so a
    failure leaves the graphs partly loaded until the next `sugraph load`. An insert is
    `INSERT { … } WHERE {}`: its one solution makes each blank
    node label one fresh node across the graphs (a Graph Store PUT per graph would split the nodes the
    inferred graph shares with the asserted one), and Virtuoso refuses blank nodes in INSERT DATA.
    So the triples joined by blank nodes always travel in the same request."""
    source = ox.Store.read_only(str(store_path))
    names = [ox.NamedNode(g) for g in graphs]
    quads = [q for n in names for q in source.quads_for_pattern(None, None, None, n)]
    expected = {n.value: sum(1 for q in quads if q.graph_name == n) for n in names}
    updates = [" ;\n".join(f"DROP SILENT GRAPH {n}" for n in names)]
    for group in _batches(quads, batch):
        body = " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {_written(q.object)} }}" for q in group)
        updates.append(f"INSERT {{ {body} }} WHERE {{}}")
    with _client(timeout) as http:

        def send(update: str) -> httpx.Response:
            try:
                return http.post(
                    update_url,
                    data={"update": update},
                    auth=httpx.DigestAuth(*auth) if auth else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.HTTPError as e:
                raise BackendError(f"cannot reach the update endpoint {update_url}: {e}") from None

        whole = send(" ;\n".join(updates))
        if whole.status_code not in _UPDATED:
            log.info(
                "the update endpoint refused the load as one request (HTTP %s); sending it in parts", whole.status_code
            )
            for update in updates:
                response = send(update)
                if response.status_code not in _UPDATED:
                    raise BackendError(
                        f"the update endpoint refused the graphs: HTTP {response.status_code} {response.text[:300]}"
                    )
    remote = RemoteStore(endpoint, timeout=timeout)
    try:
        rows = remote.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    finally:
        remote.close()
    held = {r["g"].value: int(r["n"].value) for r in rows}
    for graph, count in expected.items():
        if held.get(graph, 0) != count:
            raise BackendError(f"the store holds {held.get(graph, 0)} triples in <{graph}> after loading {count}")
    return expected


_UPDATED = (200, 201, 204)
_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _written(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term in an update's template. A decimal keeps a fraction ("10800000.0"): the store's
    canonical "10800000"^^xsd:decimal is stored by Virtuoso 7.2 as an xsd:integer when it comes
    through an INSERT template (not through INSERT DATA, which refuses blank nodes there)."""
    if isinstance(term, ox.Literal) and term.datatype == _DECIMAL and not any(c in term.value for c in ".eE"):
        return str(ox.Literal(term.value + ".0", datatype=_DECIMAL))
    return str(term)


def _batches(quads: list[ox.Quad], size: int) -> list[list[ox.Quad]]:
    """The quads in groups of about `size`, never parting two that share a blank node."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for q in quads:
        if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.BlankNode):
            parent[root(q.subject)] = root(q.object)
    components: dict[object, list[ox.Quad]] = {}
    for i, q in enumerate(quads):
        blank = q.subject if isinstance(q.subject, ox.BlankNode) else q.object
        components.setdefault(root(blank) if isinstance(blank, ox.BlankNode) else i, []).append(q)
    batches: list[list[ox.Quad]] = [[]]
    for component in components.values():
        if batches[-1] and len(batches[-1]) + len(component) > size:
            batches.append([])
        batches[-1].extend(component)
    return batches
