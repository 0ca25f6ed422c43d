"""Every route a user reaches while the remote store fails after startup: down (connection refused),
slow (silent past the time limit, or sending a byte at a time), or answering garbage (200 with an
HTML page, or its results cut in half).

A route that needs the store answers 502, 503 or 504 with the failure in its own error shape (plain
text for /sparql, the site's error page for HTML, problem+json for the rest) within its time limit.
A route answered from what the server holds (the pages' snapshot read at startup, the built graph)
answers exactly as when the store is up, and /health stays 200 (liveness; /ready is what says 503).
Never a 500, never a 200 with an empty table. A store down at startup stops the start instead.

The store is a fake SPARQL endpoint on 127.0.0.1 (pyoxigraph behind http.server), so this runs in
seconds; tests/test_remote_faults.py keeps a real Virtuoso, frozen and restarted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.named_queries import load_queries, queries_folder
from sugraph.store.analysis import analyse
from sugraph.store.errors import BackendError
from sugraph.store.oxigraph import load_into
from sugraph.store.remote import RemoteStore
from sugraph.web.app import create_app
from sugraph.web.formats import ENTITY_FORMATS, GRAPH_FORMATS, HTML, RESULT_FORMATS
from sugraph.web.health import READY_TIMEOUT
from sugraph.web.ontology import ONTOLOGY_FORMATS
from sugraph.web.pages.site import KINDS
from sugraph.web.queries import OFFERED

from conftest import ROOT, LiveServer, serve

pytestmark = pytest.mark.slow  # about 40 s: the slow modes wait out their time limit on every route

LIMIT = 2.0  # the service's query time limit here, in seconds
BOUND = 3 * LIMIT  # what a loaded 2-core machine may take at most; a hang was for ever
GARBAGE = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"

UNREACHABLE = "the SPARQL endpoint could not be reached"
TIMED_OUT = f"the SPARQL endpoint did not answer within {LIMIT:g} s"
UNREADABLE = "the SPARQL endpoint returned results that could not be read"
FAILURES = {  # mode → (status, message)
    "down": (502, UNREACHABLE),
    "slow": (504, TIMED_OUT),
    "dribbling": (504, TIMED_OUT),
    "garbage": (502, UNREADABLE),
    "truncated": (502, UNREADABLE),
}


class FakeEndpoint:
    """A SPARQL endpoint over `data` on 127.0.0.1 whose `mode` a test sets: "up" answers; "slow"
    says nothing for longer than the time limit; "dribbling" sends its headers, then a byte now and
    then; "garbage" answers 200 with an HTML page; "truncated" sends the first half of an answer
    (results or triples, as asked). `stop()` closes the port (connection refused), `start()` opens it."""

    def __init__(self, data: ox.Store) -> None:
        self.mode = "up"
        self._released = threading.Event()  # ends a slow or dribbling answer when the test is over
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                params = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                mode = endpoint.mode
                if mode == "slow":
                    endpoint._released.wait(LIMIT + 3)
                if mode == "dribbling":
                    self._start(200, "application/sparql-results+json")
                    while not endpoint._released.wait(0.2):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    return
                if mode in ("garbage", "truncated"):  # made in advance: a failure costs the fake nothing
                    form = analyse(params["query"][0]).form
                    body, content_type = endpoint.broken[mode, "SELECT" if form == "DESCRIBE" else form]
                else:
                    body, content_type = endpoint.answer(params)
                self._start(200, content_type, len(body))
                self.wfile.write(body)

            def _start(self, status: int, content_type: str, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

            def handle(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the service gave up on it
                    super().handle()

            def log_message(self, *args: object) -> None:
                pass

        self._handler = Handler
        self._data = data
        answers = {  # a whole answer to each form, cut in half; N-Triples inside an IRI, not at a line's end
            form: self.answer({"query": [query]})
            for form, query in (
                ("SELECT", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 50"),
                ("ASK", "ASK { ?s ?p ?o }"),
                ("CONSTRUCT", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 50"),
            )
        }
        self.broken = {("garbage", form): (GARBAGE, content_type) for form, (_, content_type) in answers.items()} | {
            ("truncated", form): (
                body[: body.index(b" <", len(body) // 2) + 2 if form == "CONSTRUCT" else len(body) // 2],
                content_type,
            )
            for form, (body, content_type) in answers.items()
        }
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._serve()

    def answer(self, params: dict[str, list[str]]) -> tuple[bytes, str]:
        graphs = lambda name: [ox.NamedNode(g) for g in params.get(name, [])] or None  # noqa: E731
        result = self._data.query(
            params["query"][0], default_graph=graphs("default-graph-uri"), named_graphs=graphs("named-graph-uri")
        )
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
        return result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"

    def _serve(self) -> None:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def start(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        self._serve()

    def release(self) -> None:
        """End the answers a slow or dribbling mode holds, and answer normally from now on."""
        self.mode = "up"
        self._released.set()
        self._released = threading.Event()


@pytest.fixture(scope="module")
def endpoint(kg: KnowledgeGraph) -> Iterator[FakeEndpoint]:
    data = ox.Store()
    load_into(data, kg)
    fake = FakeEndpoint(data)
    yield fake
    fake.release()
    fake.stop()


@pytest.fixture(scope="module")
def live(endpoint: FakeEndpoint, kg: KnowledgeGraph) -> Iterator[LiveServer]:
    """A server on the fake endpoint, started while it is up, whose store keeps no answers: every
    route that needs the store asks it each time (a cached answer would hide the failure)."""
    store = RemoteStore(endpoint.url, timeout=LIMIT, cache_bytes=0)
    with serve(Settings(root=ROOT, endpoint=endpoint.url, query_timeout=LIMIT), kg=kg, store=store) as server:
        wait_for_search(server)
        yield server
    store.close()


def wait_for_search(server: LiveServer) -> None:
    """Until the search index a remote store's server builds after start-up is ready (/ready says so):
    what it holds then includes search, which is the case these tests compare."""
    deadline = time.monotonic() + 60
    while httpx.get(f"{server.url}/ready", timeout=10).json().get("search") != "ready":
        assert time.monotonic() < deadline, "the search index was not built within 60 s"
        time.sleep(0.1)


WORKBENCH_QUERY = "SELECT ?m ?label WHERE { ?m a sug:Measure ; rdfs:label ?label } LIMIT 5"
_QUERY_NAMES = sorted(load_queries(queries_folder(Settings(root=ROOT))))


def _routes() -> Iterator[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of every route that needs the store: pages, entity documents in every
    format, every named query and one in every format, the workbench, SPARQL in every form."""
    page = {"Accept": HTML.media_type}
    yield "GET", "/browse/threat", page
    yield "GET", "/id/threat/terrorism", page
    yield "GET", "/doc/threat/terrorism", page
    yield "GET", "/doc/threat/no-such-threat", page
    for fmt in ENTITY_FORMATS:
        yield "GET", f"/doc/threat/terrorism.{fmt.ext}", {}
        if fmt is not HTML:
            yield "GET", "/doc/threat/terrorism", {"Accept": fmt.media_type}
    yield "GET", "/id/threat/terrorism", {"Accept": "text/turtle"}
    yield "GET", "/ontology", page
    yield "GET", "/ontology.html", {}
    for name in _QUERY_NAMES:  # each with its defaults; the one with a required parameter given it
        yield "GET", f"/queries/{name}" + ("?threat=threat:terrorism" if name == "measures-for-threat" else ""), {}
    for fmt in OFFERED:
        yield "GET", f"/queries/deadlines?format={fmt.short}", page if fmt is HTML else {}
    yield "GET", "/workbench?" + urlencode({"query": WORKBENCH_QUERY}), page
    yield "GET", "/workbench?name=measures-for-threat&threat=threat:terrorism", page
    for fmt in RESULT_FORMATS:
        yield "GET", "/sparql?" + urlencode({"query": WORKBENCH_QUERY}), {"Accept": fmt.media_type}
    yield "GET", "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}), {}
    yield "GET", "/sparql?" + urlencode({"query": "DESCRIBE <https://w3id.org/sugraph/id/threat/terrorism>"}), {}
    yield "POST", "/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s a sug:Threat } LIMIT 3"}), {}  # as a form


def _held() -> Iterator[tuple[str, dict[str, str]]]:
    """(path, headers) of every route answered from what the server holds: the pages' snapshot
    (home, lists, search), the built graph (ontology in RDF, VoID, dumps), the service description."""
    page = {"Accept": HTML.media_type}
    yield "/", page
    for kind in KINDS:
        if kind != "threat":  # its tree is read from the store
            yield f"/browse/{kind}", page
    yield "/browse/measure?threat=terrorism&actor=europol", page  # facets and rows from the snapshot too
    yield "/search?q=terror", page
    yield "/search.json?q=terror", {}
    for fmt in ONTOLOGY_FORMATS:
        if fmt is not HTML:
            yield f"/ontology.{fmt.ext}", {}
    for fmt in GRAPH_FORMATS[:4]:
        yield "/.well-known/void", {"Accept": fmt.media_type}
    yield "/sparql", {"Accept": "text/turtle"}
    yield "/sparql", page
    yield "/queries", {}
    yield "/dumps/", {}
    yield "/health", {}


ROUTES = list(_routes())
HELD = list(_held())


def fetch(base: str, method: str, path: str, headers: dict[str, str]) -> tuple[httpx.Response, float]:
    """The answer and how long it took; a POST sends the path's parameters as its form instead."""
    if method == "POST":
        path, _, form = path.partition("?")
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    start = time.monotonic()
    response = httpx.request(
        method, base + path, headers=headers, content=form if method == "POST" else None, timeout=30
    )
    return response, time.monotonic() - start


def fetch_all(base: str, requests: list[tuple[str, str, dict[str, str]]]) -> list[tuple[httpx.Response, float]]:
    """Some at a time, as clients would: each is timed from its own start."""
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda r: fetch(base, *r), requests))


def failure_shown(response: httpx.Response, path: str, headers: dict[str, str], status: int, message: str) -> bool:
    """The failure in the route's error shape, with exactly this status and message."""
    media_type = response.headers.get("content-type", "").split(";")[0]
    if response.status_code != status:
        return False
    if path.startswith("/sparql"):
        return (media_type, response.text) == ("text/plain", message)
    if headers.get("Accept") == HTML.media_type:
        return media_type == "text/html" and shown_on_page(response.text) == message
    problem = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": message}
    return (media_type, response.json()) == ("application/problem+json", problem)


def shown_on_page(html: str) -> str | None:
    """The message of a page's alert: the error page's, or the workbench's under its heading (the
    workbench keeps the query to edit)."""
    found = re.search(r'class="error" role="alert">(?:<h2>[^<]*</h2>)?([^<]*)<', html)
    return found.group(1) if found else None


def comparable(response: httpx.Response) -> tuple[int, list[bytes]]:
    """Status and body lines, blank node labels left out (the service description makes new ones)."""
    return response.status_code, sorted(re.sub(rb"_:\w+", b"_:", response.content).splitlines())


@pytest.fixture(scope="module")
def healthy(live: LiveServer) -> dict[str, tuple[int, list[bytes]]]:
    """What the held routes answer while the store is up."""
    return {
        path + repr(headers): comparable(r)
        for (path, headers), (r, _) in zip(HELD, fetch_all(live.url, [("GET", p, h) for p, h in HELD]), strict=True)
    }


@pytest.fixture(params=list(FAILURES))
def failing(request, endpoint: FakeEndpoint) -> Iterator[str]:
    mode = request.param
    if mode == "down":
        endpoint.stop()
    else:
        endpoint.mode = mode
    try:
        yield mode
    finally:
        if mode == "down":
            endpoint.start()
        endpoint.release()


def test_every_route_that_needs_the_store_fails_clearly_within_its_time_limit(live, failing) -> None:
    status, message = FAILURES[failing]
    answers = fetch_all(live.url, ROUTES)
    wrong = [
        f"{method} {path} {headers}: {r.status_code} {r.text[:200]!r}"
        for (method, path, headers), (r, _) in zip(ROUTES, answers, strict=True)
        if not failure_shown(r, path, headers, status, message)
    ]
    late = [
        f"{path}: {seconds:.1f} s"
        for (_, path, _), (_, seconds) in zip(ROUTES, answers, strict=True)
        if seconds > BOUND
    ]
    assert (wrong, late) == ([], [])


def test_every_route_answered_from_what_the_server_holds_is_unchanged(live, healthy, failing) -> None:
    answers = fetch_all(live.url, [("GET", path, headers) for path, headers in HELD])
    changed = [
        f"{path} {headers}: {r.status_code}"
        for (path, headers), (r, _) in zip(HELD, answers, strict=True)
        if comparable(r) != healthy[path + repr(headers)]
    ]
    assert changed == []
    assert {status for status, _ in healthy.values()} == {200}


def test_ready_says_the_store_does_not_answer(live, failing) -> None:
    r, seconds = fetch(live.url, "GET", "/ready", {})
    assert (r.status_code, r.json()["status"], r.json()["message"]) == (
        503,
        "unavailable",
        "the query backend does not answer",
    )
    assert seconds < 3 * READY_TIMEOUT


def test_ready_gives_up_after_its_own_limit_not_the_query_limit(endpoint, kg) -> None:
    with serve(Settings(root=ROOT, endpoint=endpoint.url, query_timeout=30), kg=kg) as server:
        endpoint.mode = "slow"
        try:
            r, seconds = fetch(server.url, "GET", "/ready", {})
        finally:
            endpoint.release()
    assert r.status_code == 503 and seconds < 2 * READY_TIMEOUT


def test_the_service_recovers_when_the_store_answers_again(live, endpoint) -> None:
    route = "/sparql?" + urlencode({"query": "ASK { ?s a sug:Threat }"})
    endpoint.stop()
    assert httpx.get(live.url + route).status_code == 502
    endpoint.start()
    endpoint.mode = "garbage"
    assert httpx.get(live.url + route).status_code == 502
    endpoint.release()
    assert (httpx.get(live.url + route).json(), httpx.get(live.url + "/ready").status_code) == (
        {"head": {}, "boolean": True},
        200,
    )


def test_an_answer_broken_off_is_a_502_that_says_so(endpoint) -> None:
    """The endpoint promises a whole answer (Content-Length), sends half and closes the connection."""

    class BrokenOff(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"head": {"vars": ["s"]}, "results": {"bindings": [')

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BrokenOff)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    store = RemoteStore(f"http://127.0.0.1:{httpd.server_address[1]}/sparql", timeout=LIMIT)
    try:
        with pytest.raises(BackendError) as caught:
            store.probe(LIMIT)
    finally:
        store.close()
        httpd.shutdown()
        httpd.server_close()
    assert (caught.value.status, str(caught.value)) == (502, "the SPARQL endpoint broke off its answer")


# uvicorn ends its thread with SystemExit(3), its exit status for a failed startup
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_store_down_at_startup_stops_the_start_with_the_reason(endpoint, kg, caplog) -> None:
    endpoint.stop()
    try:
        starting = serve(Settings(root=ROOT, endpoint=endpoint.url, query_timeout=LIMIT), kg=kg)
        with caplog.at_level(logging.ERROR, logger="sugraph"), pytest.raises(RuntimeError, match="did not start"):
            starting.__enter__()
    finally:
        endpoint.start()
    assert [r.getMessage() for r in caplog.records if r.name == "sugraph.web.pages.routes"] == [
        f"cannot start: the pages' snapshot could not be read from the store: {UNREACHABLE}"
    ]


def test_an_error_page_needs_no_snapshot(endpoint, kg) -> None:
    """A snapshot not read yet (after a reload, or an app run without its lifespan) cannot be read
    while the store is down: the page says so with a 502, where rendering the error page needed the
    snapshot too and made it a 500."""
    endpoint.stop()
    store = RemoteStore(endpoint.url, timeout=LIMIT)
    try:
        client = TestClient(create_app(Settings(root=ROOT, endpoint=endpoint.url), kg=kg, store=store))
        pages = {path: client.get(path, headers={"Accept": HTML.media_type}) for path in ("/", "/browse/threat")}
    finally:
        store.close()
        endpoint.start()
    assert {path: r.status_code for path, r in pages.items()} == {"/": 502, "/browse/threat": 502}
    assert [shown_on_page(r.text) for r in pages.values()] == [UNREACHABLE, UNREACHABLE]


def test_the_fake_answers_like_a_store_when_up(live) -> None:
    """So the failures above are the fake's modes, not a fake that never worked."""
    r = httpx.get(live.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a sug:Threat }"})
    assert r.status_code == 200 and int(json.loads(r.text)["results"]["bindings"][0]["n"]["value"]) > 10
