"""The remote backend: the service in front of real engines on 127.0.0.1 (Virtuoso, the Oxigraph server),
`sugraph load`, and every way an endpoint fails."""

from __future__ import annotations

import csv
import gc
import io
import json
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
from sugraph.describe import DESCRIPTION_QUERY
from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, SUG, sparql_prologue
from sugraph.store import BackendError
from sugraph.store.base import bind_values
from sugraph.store.remote import RemoteStore, update_endpoint_for

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
    return sorted(
        tuple(str(t) for t in s) for s in ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    )


def test_remote_answers_like_the_embedded_engine(remote, server):
    for params in (
        {"query": QUERY},
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        {"query": QUERY, "default-graph-uri": "https://w3id.org/sugraph/graph/inferred"},
    ):
        assert solutions(httpx.get(f"{remote.url}/sparql", params=params)) == solutions(
            httpx.get(f"{server.url}/sparql", params=params)
        )


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return sorted(csv.DictReader(io.StringIO(response.text)), key=lambda r: sorted(r.items()))


def test_named_queries_keep_their_labels(remote, server):
    """Virtuoso 7.2 ignores an outer `VALUES ?lang` in the FILTER of an OPTIONAL: the queries bind
    ?lang inside each such OPTIONAL too, so the label columns are filled on every engine."""
    for params in ({"format": "csv"}, {"format": "csv", "lang": "fr"}):
        rows = csv_rows(httpx.get(f"{remote.url}/queries/{HEADLINE}", params=params))
        assert rows == csv_rows(httpx.get(f"{server.url}/queries/{HEADLINE}", params=params))
        assert rows and all(r["measureLabel"] and r["threatLabel"] for r in rows)


def test_the_description_query_compiles_on_virtuoso(kg, store, tmp_path):
    """Virtuoso 7.2 failed the description query (SP031, an internal compiler error) while it bound the
    entity with BIND inside a UNION branch; it is placed by COALESCE in the projection instead."""
    endpoint = engine_endpoint("virtuoso", kg, tmp_path)
    entity = ox.NamedNode("https://w3id.org/sugraph/id/measure/cef-funding-for-csirts-network")
    query = sparql_prologue() + bind_values(DESCRIPTION_QUERY, {"entity": entity})
    response = httpx.post(endpoint, data={"query": query}, headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200, response.text
    assert len(response.text.splitlines()) - 1 == len(store.select(DESCRIPTION_QUERY, {"entity": entity})) == 39


def test_remote_formats_and_errors(remote):
    turtle = httpx.get(
        f"{remote.url}/sparql",
        params={"query": "CONSTRUCT WHERE { ?m a sug:Measure }"},
        headers={"Accept": "text/turtle"},
    )
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

    def do_POST(self):
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


@pytest.mark.parametrize(
    "reply, message",
    [
        ((200, b"<html>not results</html>"), "could not be read"),
        ((500, b"Virtuoso 37000 Error SP030: internal details"), "HTTP 500"),
    ],
)
def test_bad_endpoint_answers_are_502(marked_query, reply, message):
    response = marked_query(reply)
    assert response.status_code == 502 and message in response.text and "internal details" not in response.text


def test_silent_endpoint_is_504(marked_query):
    response = marked_query(silent=True, timeout=0.5)
    assert response.status_code == 504 and "did not answer" in response.text


@pytest.mark.parametrize(
    "query, reply",
    [
        ('SELECT ?s WHERE { ?s ?p "marker" }', b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": '),
        ('CONSTRUCT WHERE { ?s ?p "marker" }', b'<a:s> <a:p> <a:o> .\n<a:s> <a:p> "unterminated'),
    ],
)
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

        def run() -> None:
            with pytest.raises(BackendError) as failure:
                store.run(query)
            failures.append(failure.value)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert [str(f) for f in failures] == ["the SPARQL endpoint returned results that could not be read"]
        failures.clear()  # the failure, and whatever it holds, is dropped here, on this thread
        gc.collect()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert [str(d.exc_value) for d in dropped] == []


def test_an_ask_answer_broken_off_after_its_first_row_is_unreadable_not_true():
    """Virtuoso answers ASK as a one-column result set; one cut after its first row once read as true."""
    row = b'{"__ASK_RETVAL": {"type": "literal", "value": "1"}}'
    cut = b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [' + row + b', {"__'
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Reply", (Endpoint,), {"reply": (200, cut)}))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{httpd.server_address[1]}/sparql", timeout=5)
        with pytest.raises(BackendError, match="could not be read"):
            store.run('ASK { ?s ?p "marker" }')
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_unreachable_endpoint_is_a_backend_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        store = RemoteStore(f"http://127.0.0.1:{s.getsockname()[1]}/sparql", timeout=2)
        with pytest.raises(BackendError, match="could not be reached") as caught:
            store.run(MARKED)
    assert caught.value.status == 502


@pytest.mark.parametrize(
    "endpoint, authenticated, update",
    [
        ("http://h:8890/sparql", False, "http://h:8890/sparql"),  # Virtuoso
        ("http://h:8890/sparql", True, "http://h:8890/sparql-auth"),
        ("http://h:7878/query", False, "http://h:7878/update"),  # Oxigraph server, Fuseki
        ("http://h:7878/query", True, "http://h:7878/update"),
        ("http://h/ds/endpoint", False, None),  # no convention known
    ],
)
def test_the_update_endpoint_beside_a_query_endpoint(endpoint, authenticated, update):
    assert update_endpoint_for(endpoint, authenticated) == update


def loaded_lines(kg, update: str, endpoint: str) -> list[str]:
    return [
        f"loaded <{ASSERTED_GRAPH}> through {update}: {len(kg.asserted)} triples (counted at {endpoint})",
        f"loaded <{INFERRED_GRAPH}> through {update}: {len(kg.inferred)} triples (counted at {endpoint})",
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_sugraph_load_needs_only_the_endpoint(kg, engine, tmp_path):
    settings = load_settings(engine, kg, tmp_path)
    out = sugraph_load(tmp_path, **settings)
    assert out.returncode == 0, out.stderr
    endpoint = settings["SUGRAPH_ENDPOINT"]
    update = update_endpoint_for(endpoint, authenticated="SUGRAPH_UPDATE_USER" in settings)
    assert out.stdout.splitlines() == loaded_lines(kg, update, endpoint)
    count = RemoteStore(endpoint).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(count.value) == len(kg.asserted) + len(kg.inferred)  # replaced, not appended


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_nodes_the_two_graphs_share_stay_one_node(kg, store, engine, tmp_path):
    """The inferred graph says more about blank nodes of the asserted one (a measure's funding is also
    its sug:monetaryAmount): loaded graph by graph, they would be two nodes. Every funding the
    embedded store joins this way, the engine joins too."""
    remote = RemoteStore(engine_endpoint(engine, kg, tmp_path))
    shared = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?m sug:funding ?b }} "
        f"GRAPH <{INFERRED_GRAPH}> {{ ?m sug:monetaryAmount ?b }} }}"
    )
    fundings = sum(1 for _ in kg.asserted.triples((None, SUG.funding, None)))
    counts = [int(s.select(shared)[0]["n"].value) for s in (store, remote)]
    assert counts == [fundings, fundings] and fundings > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_amounts_stay_decimals(kg, engine, tmp_path):
    """Virtuoso 7.2 stores "10800000"^^xsd:decimal as an integer when an INSERT template carries it:
    `sugraph load` writes decimals with a fraction, so every engine holds the data's datatypes."""
    store = RemoteStore(engine_endpoint(engine, kg, tmp_path))
    rows = store.select("SELECT DISTINCT (DATATYPE(?v) AS ?d) WHERE { ?a <https://schema.org/value> ?v }")
    assert [r["d"].value for r in rows] == ["http://www.w3.org/2001/XMLSchema#decimal"]


def test_sugraph_load_update_endpoint_overrides_the_convention(kg, tmp_path):
    """Virtuoso's anonymous /sparql (scripts/virtuoso.sh grants it updates), named explicitly."""
    endpoint = engine_endpoint("virtuoso", kg, tmp_path)
    out = sugraph_load(
        tmp_path,
        "--update-endpoint",
        endpoint,
        SUGRAPH_ENDPOINT=endpoint,
        SUGRAPH_UPDATE_USER="dba",
        SUGRAPH_UPDATE_PASSWORD="dba",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == loaded_lines(kg, endpoint, endpoint)


def test_sugraph_load_with_wrong_credentials_fails(kg, tmp_path):
    settings = load_settings("virtuoso", kg, tmp_path) | {"SUGRAPH_UPDATE_PASSWORD": "wrong"}
    out = sugraph_load(tmp_path, **settings)
    assert out.returncode == cli.EXIT_UNREADABLE and "HTTP 401" in out.stderr


class ForgetfulStore(BaseHTTPRequestHandler):
    """A SPARQL endpoint that accepts every update and then holds one triple in the asserted graph."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if body.startswith(b"update="):
            self.send_response(204)
            self.end_headers()
            return
        row = {
            "g": {"type": "uri", "value": str(ASSERTED_GRAPH)},
            "n": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
        }
        answer = json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": [row]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_sugraph_load_counts_what_the_store_holds(kg, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ForgetfulStore)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        out = sugraph_load(tmp_path, SUGRAPH_ENDPOINT=f"http://127.0.0.1:{httpd.server_address[1]}/sparql")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert out.returncode == cli.EXIT_UNREADABLE
    assert out.stderr == f"error: the store holds 1 triples in <{ASSERTED_GRAPH}> after loading {len(kg.asserted)}\n"


@pytest.mark.parametrize(
    "variables, message",
    [
        ({}, "set SUGRAPH_ENDPOINT"),
        ({"SUGRAPH_ENDPOINT": "http://127.0.0.1:9/ds/endpoint"}, "--update-endpoint"),  # no convention known
    ],
)
def test_sugraph_load_needs_an_endpoint(monkeypatch, capsys, variables, message):
    for name in ("SUGRAPH_ENDPOINT", "SUGRAPH_UPDATE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["--root", str(ROOT), "load"]) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err


class UpdateEndpoint:
    """An update endpoint on 127.0.0.1 that records each update and refuses those over `limit` bytes
    (as Virtuoso refuses long updates); it answers every query with no row."""

    def __init__(self, limit: int | None = None) -> None:
        self.updates: list[str] = []
        updates = self.updates

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = dict(httpx.QueryParams(body.decode()))
                refused = "update" in form and limit is not None and len(form["update"]) > limit
                if "update" in form and not refused:
                    updates.append(form["update"])
                answer = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}'
                self.send_response(400 if refused else 200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def pushed(kg, tmp_path, endpoint: UpdateEndpoint) -> list[str]:
    """What `push_graphs` sent to `endpoint` (which then counts nothing, so the check fails)."""
    from sugraph.store.oxigraph import load_into
    from sugraph.store.prebuilt import cache_key, prebuilt_store
    from sugraph.store.remote import push_graphs

    path = prebuilt_store(tmp_path, cache_key(kg.content_hash, "owlrl"), lambda store: load_into(store, kg))
    with pytest.raises(BackendError, match="the store holds 0 triples"):
        push_graphs(path, endpoint.url, endpoint.url, [str(ASSERTED_GRAPH), str(INFERRED_GRAPH)])
    endpoint.server.shutdown()
    return endpoint.updates


def inserted(update: str) -> int:
    """How many quads an update's INSERT templates carry (each is written `GRAPH <g> { s p o }`)."""
    return update.count(f"GRAPH <{ASSERTED_GRAPH}> {{") + update.count(f"GRAPH <{INFERRED_GRAPH}> {{")


def test_a_store_that_takes_the_whole_load_gets_it_as_one_atomic_request(kg, tmp_path):
    [update] = pushed(kg, tmp_path, UpdateEndpoint())
    assert update.startswith(
        f"DROP SILENT GRAPH <{ASSERTED_GRAPH}> ;\nDROP SILENT GRAPH <{INFERRED_GRAPH}> ;\nINSERT {{"
    )
    assert inserted(update) == len(kg.asserted) + len(kg.inferred)


def test_a_store_that_refuses_long_updates_gets_the_drop_then_batches(kg, tmp_path):
    updates = pushed(kg, tmp_path, UpdateEndpoint(limit=200_000))
    assert updates[0] == f"DROP SILENT GRAPH <{ASSERTED_GRAPH}> ;\nDROP SILENT GRAPH <{INFERRED_GRAPH}>"
    assert all(u.startswith("INSERT {") and len(u) <= 200_000 for u in updates[1:])
    assert sum(inserted(u) for u in updates[1:]) == len(kg.asserted) + len(kg.inferred)
