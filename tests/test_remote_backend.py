"""The remote backend: the service in front of real engines on 127.0.0.1 (Virtuoso, the Oxigraph server),
`sugraph load`, and every way an endpoint fails."""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pyoxigraph as ox
import pytest
from remote_engines import ENGINES, engine_endpoint, load_settings, sugraph_load

from sugraph import cli
from sugraph.config import Settings
from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from sugraph.store import BackendError
from sugraph.store.remote import RemoteStore, graph_store_for

from conftest import ROOT, serve

HEADLINE = "measures-by-threat-and-actor"
QUERY = "SELECT ?m ?l WHERE { ?m a sug:Measure ; rdfs:label ?l } ORDER BY ?m ?l"


@pytest.fixture(scope="module", params=ENGINES)
def remote(request, kg, tmp_path_factory):
    endpoint = engine_endpoint(request.param, kg, tmp_path_factory.mktemp("cache"))
    with serve(Settings(root=ROOT, endpoint=endpoint, query_timeout=30), kg=kg) as live:
        yield live


def solutions(response: httpx.Response) -> list[tuple]:
    """The rows, sorted: engines may order literals of different languages differently."""
    assert response.status_code == 200, response.text
    return sorted(tuple(str(t) for t in s) for s in
                  ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON))


def test_remote_answers_like_the_embedded_engine(remote, server):
    for params in ({"query": QUERY}, {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                   {"query": QUERY, "default-graph-uri": "https://w3id.org/sugraph/graph/inferred"}):
        assert solutions(httpx.get(f"{remote.url}/sparql", params=params)) == \
            solutions(httpx.get(f"{server.url}/sparql", params=params))


def test_headline_named_query_through_the_engine(remote):
    response = httpx.get(f"{remote.url}/queries/{HEADLINE}", params={"format": "csv"})
    assert response.status_code == 200 and response.text.startswith("measure,")


def test_remote_formats_and_errors(remote):
    turtle = httpx.get(f"{remote.url}/sparql", params={"query": "CONSTRUCT WHERE { ?m a sug:Measure }"},
                       headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    ask = httpx.get(f"{remote.url}/sparql", params={"query": "ASK { ?m a <https://example.org/None> }"})
    assert ask.json()["boolean"] is False
    bad = httpx.get(f"{remote.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400 and bad.text.startswith("the SPARQL endpoint refused the query: ")
    update = httpx.get(f"{remote.url}/sparql", params={"query": "CLEAR ALL"})
    assert update.status_code == 400 and "read-only" in update.text


EMPTY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
MARKED = 'ASK { ?s ?p "marker" }'


class Endpoint(BaseHTTPRequestHandler):
    """A misbehaving SPARQL endpoint: empty results in general (so the service starts), but for a
    query containing "marker" it answers `reply` (status, body), or nothing at all if `silent`."""

    reply: tuple[int, bytes] = (200, b"")
    silent = False

    def do_POST(self):  # noqa: N802 (the stdlib's name)
        marked = b"marker" in self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if marked and self.silent:
            time.sleep(3)
            return
        status, body = self.reply if marked else (200, EMPTY)
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def marked_query():
    """Starts a fake endpoint, a service in front of it, and sends the marked query through both."""
    servers: list[ThreadingHTTPServer] = []

    def run(reply: tuple[int, bytes] = (200, b""), silent: bool = False, timeout: float = 5) -> httpx.Response:
        handler = type("Reply", (Endpoint,), {"reply": reply, "silent": silent})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        endpoint = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
        with serve(Settings(root=ROOT, endpoint=endpoint, query_timeout=timeout)) as live:
            return httpx.get(f"{live.url}/sparql", params={"query": MARKED}, timeout=30)

    yield run
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("reply, message", [
    ((200, b"<html>not results</html>"), "could not be read"),
    ((500, b"Virtuoso 37000 Error SP030: internal details"), "HTTP 500"),
])
def test_bad_endpoint_answers_are_502(marked_query, reply, message):
    response = marked_query(reply)
    assert response.status_code == 502 and message in response.text and "internal details" not in response.text


def test_silent_endpoint_is_504(marked_query):
    response = marked_query(silent=True, timeout=0.5)
    assert response.status_code == 504 and "did not answer" in response.text


@pytest.mark.parametrize("query, reply", [
    ('SELECT ?s WHERE { ?s ?p "marker" }', b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": '),
    ('CONSTRUCT WHERE { ?s ?p "marker" }', b'<a:s> <a:p> <a:o> .\n<a:s> <a:p> "unterminated'),
])
def test_unreadable_results_leave_no_parser_for_another_thread(monkeypatch, query, reply):
    """pyoxigraph's parsers may only be dropped on the thread that made them: a failure the query
    thread hands over (as anyio hands it to the event loop) must not carry one along."""
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Reply", (Endpoint,), {"reply": (200, reply)}))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{httpd.server_address[1]}/sparql", timeout=5)
        failures: list[Exception] = []
        thread = threading.Thread(target=lambda: failures.append(pytest.raises(BackendError, store.run, query).value))
        thread.start()
        thread.join()
        assert [str(f) for f in failures] == ["the SPARQL endpoint returned results that could not be read"]
        failures.clear()  # the failure, and whatever it holds, is dropped here, on this thread
        gc.collect()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert [str(d.exc_value) for d in dropped] == []


def test_unreachable_endpoint_is_a_backend_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        store = RemoteStore(f"http://127.0.0.1:{s.getsockname()[1]}/sparql", timeout=2)
        with pytest.raises(BackendError, match="could not be reached") as caught:
            store.run(MARKED)
    assert caught.value.status == 502


@pytest.mark.parametrize("endpoint, authenticated, graph_store", [
    ("http://h:8890/sparql", False, "http://h:8890/sparql-graph-crud"),      # Virtuoso
    ("http://h:8890/sparql", True, "http://h:8890/sparql-graph-crud-auth"),
    ("http://h:7878/query", False, "http://h:7878/store"),                   # Oxigraph server
    ("http://h:7878/query", True, "http://h:7878/store"),
    ("http://h/ds/endpoint", False, None),                                   # no convention known
])
def test_the_graph_store_beside_an_endpoint(endpoint, authenticated, graph_store):
    assert graph_store_for(endpoint, authenticated) == graph_store


@pytest.mark.parametrize("engine", ENGINES)
def test_sugraph_load_needs_only_the_endpoint(kg, engine, tmp_path):
    settings = load_settings(engine, kg, tmp_path)
    out = sugraph_load(tmp_path, **settings)
    assert out.returncode == 0, out.stderr
    graph_store = graph_store_for(settings["SUGRAPH_ENDPOINT"], authenticated="SUGRAPH_UPDATE_USER" in settings)
    assert out.stdout.splitlines() == [
        f"loaded <{ASSERTED_GRAPH}> at {graph_store}: {len(kg.asserted())} triples (verified)",
        f"loaded <{INFERRED_GRAPH}> at {graph_store}: {len(kg.inferred)} triples (verified)"]
    count = RemoteStore(settings["SUGRAPH_ENDPOINT"]).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(count.value) == len(kg.asserted()) + len(kg.inferred)  # replaced, not appended


def test_sugraph_load_graph_store_overrides_the_endpoint(kg, tmp_path):
    """Virtuoso's anonymous Graph Store (scripts/virtuoso.sh grants it updates), named explicitly."""
    graph_store = engine_endpoint("virtuoso", kg, tmp_path).removesuffix("/sparql") + "/sparql-graph-crud"
    out = sugraph_load(tmp_path, "--graph-store", graph_store, SUGRAPH_ENDPOINT="http://127.0.0.1:9/nowhere")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1] == \
        f"loaded <{INFERRED_GRAPH}> at {graph_store}: {len(kg.inferred)} triples (verified)"


def test_sugraph_load_with_wrong_credentials_fails(kg, tmp_path):
    settings = load_settings("virtuoso", kg, tmp_path) | {"SUGRAPH_UPDATE_PASSWORD": "wrong"}
    out = sugraph_load(tmp_path, **settings)
    assert out.returncode == cli.EXIT_UNREADABLE and "HTTP 401" in out.stderr


class ForgetfulGraphStore(BaseHTTPRequestHandler):
    """A Graph Store that accepts every PUT and then holds one triple."""

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        body = b"<a:s> <a:p> <a:o> .\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_sugraph_load_verifies_the_count(kg, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ForgetfulGraphStore)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        out = sugraph_load(tmp_path, SUGRAPH_ENDPOINT=f"http://127.0.0.1:{httpd.server_address[1]}/query")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert out.returncode == cli.EXIT_UNREADABLE
    assert out.stderr == \
        f"error: the graph store holds 1 triples in <{ASSERTED_GRAPH}> after loading {len(kg.asserted())}\n"


def test_sugraph_load_needs_a_graph_store(monkeypatch, capsys):
    monkeypatch.delenv("SUGRAPH_UPDATE_ENDPOINT", raising=False)
    monkeypatch.setenv("SUGRAPH_ENDPOINT", "http://127.0.0.1:9/ds/endpoint")  # no convention known
    assert cli.main(["--root", str(ROOT), "load"]) == cli.EXIT_USAGE
    assert "--graph-store" in capsys.readouterr().err
