"""SPARQL 1.1 Protocol at /sparql, against a real uvicorn server on 127.0.0.1: every query form, every
format, every error case, a standard client (SPARQLWrapper), and the time limit freeing its worker."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from sugraph.config import Settings
from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, SD

from conftest import ROOT, free_port, serve
from endpoints import Endpoint

MEASURES = "SELECT ?m WHERE { ?m a sug:Measure } ORDER BY ?m"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def client(server) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def rows(response: httpx.Response) -> list[ox.QuerySolution]:
    assert response.status_code == 200, response.text
    return list(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON))


def number(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(next(iter(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)))["n"].value)


def test_get_post_form_and_post_body_agree(client):
    by_get = client.get("/sparql", params={"query": MEASURES})
    by_form = client.post("/sparql", data={"query": MEASURES})
    by_body = client.post("/sparql", content=MEASURES, headers={"Content-Type": "application/sparql-query"})
    assert by_get.content == by_form.content == by_body.content
    assert by_get.headers["content-type"] == "application/sparql-results+json"
    assert len(list(ox.parse_query_results(by_get.content, ox.QueryResultsFormat.JSON))) > 3


def test_ask(client):
    yes = client.get("/sparql", params={"query": "ASK { ?m a sug:Measure }"})
    no = client.get("/sparql", params={"query": "ASK { ?m a <https://example.org/Nothing> }"})
    assert yes.json() == {"head": {}, "boolean": True} and no.json()["boolean"] is False


@pytest.mark.parametrize(
    "query", ["CONSTRUCT { ?m a sug:Measure } WHERE { ?m a sug:Measure }", "DESCRIBE ?m WHERE { ?m a sug:Measure }"]
)
@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/trig",
        "application/n-quads",
    ],
)
def test_graph_results_in_every_format(client, query, media_type):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    assert list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media_type)))


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.8", "text/tab-separated-values; charset=utf-8"),
        ("text/*, application/sparql-results+json;q=0.5", "text/csv; charset=utf-8"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation(client, accept, expected):
    response = client.get("/sparql", params={"query": MEASURES}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"] == expected


@pytest.mark.parametrize(
    "query, accept, expected",
    [
        (MEASURES, "application/json", "application/sparql-results+json"),  # what SELECT clients send
        ("ASK { ?s ?p ?o }", "application/json", "application/sparql-results+json"),
        ("CONSTRUCT WHERE { ?s a sug:Measure }", "application/json", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s a sug:Measure }", "application/xml", "application/rdf+xml"),
    ],
)
def test_generic_json_and_xml_mean_the_forms_own_format(client, query, accept, expected):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"] == expected


@pytest.mark.parametrize(
    "query, value, expected",
    [
        (MEASURES, "xml", "application/sparql-results+xml"),
        ("CONSTRUCT WHERE { ?s a sug:Measure }", "xml", "application/rdf+xml"),  # SPARQLWrapper's default
        ("DESCRIBE <https://w3id.org/sugraph/id/actor/nato>", "json", "application/ld+json"),
    ],
)
def test_format_json_and_xml_are_resolved_by_query_form(client, query, value, expected):
    response = client.get("/sparql", params={"query": query, "format": value})
    assert response.status_code == 200 and response.headers["content-type"] == expected


def test_head_answers_gets_headers_without_a_body(client):
    get = client.get("/sparql", params={"query": MEASURES})
    head = client.head("/sparql", params={"query": MEASURES})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"] and head.headers["etag"] == get.headers["etag"]


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": MEASURES, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text.startswith("?m\n")


@pytest.mark.parametrize(
    "params, accept",
    [
        ({"query": MEASURES}, "text/turtle"),  # a graph type for a SELECT
        ({"query": "CONSTRUCT WHERE { ?s a sug:Measure }"}, "text/csv"),
        ({"query": MEASURES}, "image/png"),
        ({"query": MEASURES, "format": "turtle"}, "*/*"),
    ],
)
def test_nothing_acceptable_is_406(client, params, accept):
    response = client.get("/sparql", params=params, headers={"Accept": accept})
    assert response.status_code == 406 and "available" in response.text


def test_default_and_named_graph_uri(client, kg):
    union = number(client.get("/sparql", params={"query": COUNT}))
    asserted = number(client.get("/sparql", params={"query": COUNT, "default-graph-uri": str(ASSERTED_GRAPH)}))
    both = number(
        client.get(
            "/sparql",
            params=[
                ("query", COUNT),
                ("default-graph-uri", str(ASSERTED_GRAPH)),
                ("default-graph-uri", str(INFERRED_GRAPH)),
            ],
        )
    )
    assert union == both == len(kg.asserted) + len(kg.inferred) and asserted == len(kg.asserted)
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    named = client.post("/sparql", data={"query": in_graph, "named-graph-uri": str(INFERRED_GRAPH)})
    assert number(named) == len(kg.inferred)
    no_named = client.post("/sparql", data={"query": in_graph, "default-graph-uri": str(ASSERTED_GRAPH)})
    assert number(no_named) == 0


@pytest.mark.parametrize(
    "request_args, message",
    [
        ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p \n ?o "}}, "line 2, column"),
        ({"method": "GET", "params": [("query", MEASURES), ("query", MEASURES)]}, "several 'query'"),
        (
            {
                "method": "POST",
                "content": MEASURES,
                "params": {"query": MEASURES},
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "several 'query'",
        ),
        ({"method": "POST", "content": MEASURES, "headers": {"Content-Type": "text/plain"}}, "Content-Type"),
        ({"method": "POST", "content": MEASURES}, "Content-Type"),
        (
            {
                "method": "POST",
                "content": 'ASK { ?s ?p "é" }'.encode("latin-1"),
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "UTF-8",
        ),
        (
            {
                "method": "POST",
                "content": b"query=ASK%20%7B%3Fs%20%3Fp%20%22%E9%22%7D",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "UTF-8",
        ),
        ({"method": "GET", "params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, "read-only"),
        ({"method": "GET", "params": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, "read-only"),
        ({"method": "POST", "data": {"update": "DELETE WHERE { ?s ?p ?o }"}}, "read-only"),
        (
            {"method": "POST", "content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
            "read-only",
        ),
        (
            {"method": "POST", "content": "CLEAR DEFAULT", "headers": {"Content-Type": "application/sparql-query"}},
            "read-only",
        ),
        ({"method": "GET", "params": {"query": MEASURES, "timeout": "soon"}}, "timeout"),
        (
            {"method": "GET", "params": {"query": MEASURES, "default-graph-uri": "http://127.0.0.1:9/x"}},
            "never fetched",
        ),
    ],
)
def test_bad_requests_are_400_with_a_readable_message(client, request_args, message):
    response = client.request(url="/sparql", **request_args)
    assert response.status_code == 400 and message in response.text
    assert "Traceback" not in response.text and "Error(" not in response.text


@pytest.mark.parametrize(
    "query, position",
    [
        ("SELECT * WHERE { ?s ?p }\n", "line 1, column 25"),  # a one-line query, as a form sends it: was line 2
        # the `}` where an object belongs
        ("SELECT ?m\nWHERE {\n  ?m a sug:Measure ;\n     rdfs:label\n}\n", "line 5, column 1"),
        ("SELECT ?m\nWHERE { ?m a sug:Measure }\nORDER BY ?m LIMIT ten\n", "line 3, column 22"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_syntax_error_positions_are_in_the_clients_text(client, query, position, method):
    if method == "GET":
        response = client.get("/sparql", params={"query": query})
    else:
        response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400 and response.text.startswith(f"syntax error at {position}: ")


def test_non_utf8_url_is_400(client):
    response = client.get("/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%22%E9%22%7D")  # %E9: Latin-1 "é"
    assert response.status_code == 400 and "UTF-8" in response.text
    real = client.get("/sparql", params={"query": 'ASK { ?s ?p "\ufffd" }'})  # a real U+FFFD is fine
    assert real.status_code == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, method):
    assert client.request(method, "/sparql", params={"query": MEASURES}).status_code == 405


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y 1 SERVICE<{url}>{{ ?s ?p ?o }} }}",
        # an escape outside a string or IRI: a syntax error
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX r: <{url}#> SELECT * WHERE {{ SERVICE r:x {{ ?s ?p ?o }} }}",
        "PREFIX ex: <https://example.org/> SELECT * WHERE {{ ?x ?y ex:a.SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_queries_never_reach_out(client, template):
    with Endpoint() as listener:
        response = client.get("/sparql", params={"query": template.format(url=listener.url)})
        assert response.status_code == 400
        assert any(reason in response.text for reason in ("SERVICE", "never fetched", "syntax error"))
        assert not listener.contacted()


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { BIND("SERVICE <http://x/>" AS ?service) } # SERVICE <http://x/>',
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT ?from ?limit WHERE { ?from a sd:Service ; <http://x/service/from> ?limit }",
    ],
)
def test_service_in_comments_strings_names_and_iris_is_harmless(client, query):
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_service_description(client, server):
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (None, RDF.type, SD.Service) in graph
    assert (None, SD.endpoint, URIRef(f"{server.url}/sparql")) in graph
    assert len(list(graph.objects(None, SD.name))) == 2
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json") and jsonld.json()
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text


def endpoints(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {str(o) for o in Graph().parse(data=response.text, format="turtle").objects(None, SD.endpoint)}


def test_service_description_endpoint_ignores_query_string_and_fragment(client, server):
    """`?#%` made the endpoint IRI `…/sparql#%`, which is no IRI (was a 500)."""
    import rawhttp

    answer = rawhttp.request(server.port, "GET", "/sparql?#%", [("Accept", "text/turtle")])
    graph = Graph().parse(data=answer.body.decode(), format="turtle")
    assert {str(o) for o in graph.objects(None, SD.endpoint)} == {"http://127.0.0.1/sparql"}


@pytest.mark.parametrize("host", ["exa mple.org", "x>y", "a/b", "h%zz", "[::1"])
def test_service_description_endpoint_with_a_hostile_host_is_the_public_one(client, host):
    response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": host})
    assert endpoints(response) == {"https://w3id.org/sugraph/sparql"}


def test_any_origin_may_read_an_answer_and_its_exposed_headers(client):
    response = client.get("/sparql", params={"query": MEASURES}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "ETag, Link, Content-Location, Sugraph-Inferred-Triples"


def test_every_answer_varies_by_origin_in_one_vary_header(client):
    response = client.get("/doc/measure/eu-approach-hybrid-threats", headers={"Accept": "text/turtle"})
    assert response.headers.get_list("vary") == ["Accept, Accept-Encoding, Origin"]  # gzip's and CORS's joined
    assert "access-control-allow-origin" not in response.headers  # no Origin, no CORS headers


def test_a_refusal_is_readable_across_origins(client):
    response = client.get("/sparql", params={"query": "x" * 20_000}, headers={"Origin": "https://example.org"})
    assert response.status_code == 414 and response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["x-request-id"]


def test_a_preflight_allows_posting_any_headers(client):
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-custom",
        },
    )
    assert preflight.status_code == 200 and preflight.text == "OK"
    assert preflight.headers["access-control-allow-methods"] == "GET, POST, HEAD, OPTIONS"
    assert preflight.headers["access-control-allow-headers"] == "content-type, x-custom"
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-max-age"] == "86400"
    assert preflight.headers["x-request-id"] and preflight.headers["referrer-policy"] == "no-referrer"


def test_a_preflight_for_another_method_is_refused(client):
    preflight = client.options(
        "/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"}
    )
    assert (preflight.status_code, preflight.text) == (400, "Disallowed CORS method")


def test_large_results_are_gzipped(client):
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip" and response.content  # httpx decoded it
    small = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_etag_and_304(client, kg):
    first = client.get("/sparql", params={"query": MEASURES})
    tag = first.headers["etag"]
    assert kg.version in tag and "max-age" in first.headers["cache-control"]
    again = client.get("/sparql", params={"query": MEASURES}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other_format = client.get("/sparql", params={"query": MEASURES, "format": "csv"}, headers={"If-None-Match": tag})
    assert other_format.status_code == 200


def test_sparqlwrapper_construct_with_its_default_format(server, kg):
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery("CONSTRUCT WHERE { ?m a sug:Measure }")
    graph = client.queryAndConvert()  # SPARQLWrapper asks format=xml and parses RDF/XML
    measure = URIRef("https://w3id.org/sugraph/ontology#Measure")
    expected = set(kg.asserted.subjects(RDF.type, measure)) | set(kg.inferred.subjects(RDF.type, measure))
    assert set(graph.subjects(RDF.type, measure)) == expected and len(graph) == len(expected)


def test_sparqlwrapper_as_a_standard_client(server, kg):
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery("PREFIX sug: <https://w3id.org/sugraph/ontology#> SELECT ?m WHERE { ?m a sug:Measure }")
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert bindings and all(b["m"]["type"] == "uri" for b in bindings)
    client.setMethod("POST")
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True
    client.setQuery(
        "CONSTRUCT { ?m a <https://w3id.org/sugraph/ontology#Measure> } "
        "WHERE { ?m a <https://w3id.org/sugraph/ontology#Measure> }"
    )
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == len(bindings)


@pytest.fixture(scope="module")
def pool_cache(tmp_path_factory) -> Path:
    """One prebuilt store for the worker-pool servers of this module."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def pooled(pool_cache, kg):
    """A server on the worker-pool backend (as `sugraph serve` runs it), with a short time limit and row cap."""
    settings = Settings(root=ROOT, cache_dir=pool_cache, query_timeout=3, max_rows=25)
    with serve(settings, kg=kg) as live:
        yield live


def test_runaway_query_times_out_while_others_are_served(pooled):
    with httpx.Client(base_url=pooled.url, timeout=30) as client, ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        slow = pool.submit(client.get, "/sparql", params={"query": RUNAWAY})
        time.sleep(0.3)
        served = [client.get("/sparql", params={"query": f"ASK {{ ?s ?p {i} }}"}) for i in range(20)]
        assert all(r.status_code == 200 for r in served)
        assert not slow.done()  # cheap queries did not wait for it
        response = slow.result()
        assert response.status_code == 503 and "time limit" in response.text
        assert time.monotonic() - started < 3 + 5  # generous: the limit is 3 s
        after = client.get("/sparql", params={"query": "ASK { ?s ?p 'after' }"})
        assert after.status_code == 200  # the pool is whole again


def test_runaway_client_queries_leave_a_worker_for_named_queries_and_pages(pool_cache, kg):
    """As many runaway /sparql queries as there are query workers: the worker kept for the site
    answers uncached named queries and entity pages at once."""
    workers, limit = 2, 5
    settings = Settings(root=ROOT, cache_dir=pool_cache, query_timeout=limit, query_workers=workers)
    with (
        serve(settings, kg=kg) as live,
        httpx.Client(base_url=live.url, timeout=30) as client,
        ThreadPoolExecutor(workers) as pool,
    ):
        assert client.get("/doc/actor/europol.html").status_code == 200  # first page: templates load
        runaways = [
            pool.submit(httpx.get, f"{live.url}/sparql", params={"query": f"{RUNAWAY} # {i}"}, timeout=30)
            for i in range(workers)
        ]
        time.sleep(0.5)  # both are running, on every worker open to clients
        cheap = []
        for path, params in [
            ("/queries/measures-for-threat", {"threat": "threat:terrorism"}),
            ("/doc/actor/nato.html", {}),
            ("/queries/measures-for-threat", {"threat": "threat:hybrid-threats"}),
        ]:
            started = time.monotonic()
            response = client.get(path, params=params)
            cheap.append((path, response.status_code, time.monotonic() - started))
        busy = not any(r.done() for r in runaways)
        answers = [r.result() for r in runaways]
    assert busy, "the runaway queries ended before the cheap requests were measured"
    assert [(path, status) for path, status, _ in cheap] == [(path, 200) for path, _, _ in cheap]
    assert max(seconds for _, _, seconds in cheap) < 2, cheap
    assert sorted(a.status_code for a in answers) == [503, 503]


def test_timeout_parameter_lowers_the_limit(pooled):
    response = httpx.get(f"{pooled.url}/sparql", params={"query": RUNAWAY + " # lowered", "timeout": "0.5"}, timeout=30)
    assert response.status_code == 503


def test_row_cap(pooled):
    response = httpx.get(f"{pooled.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(list(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON))) == 25


def test_gzip_body_is_really_compressed(client):
    with client.stream(
        "GET", "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw).startswith(b'{"head"')


def test_startup_reuses_the_prebuilt_store(tmp_path, kg, monkeypatch):
    from sugraph.store import oxigraph

    settings = Settings(root=ROOT, cache_dir=tmp_path)
    with serve(settings, kg=kg):
        pass
    monkeypatch.setattr(oxigraph, "load_into", lambda *a: pytest.fail("the store was rebuilt"))
    with serve(settings) as live:  # no kg given: only the sources are hashed
        assert httpx.get(f"{live.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]
    assert len(list(Path(tmp_path, "stores").iterdir())) == 1


def test_sugraph_serve_starts_the_service(tmp_path):
    """The command as deployed: flags and SUGRAPH_* variables, one uvicorn worker, real port."""
    port = free_port()
    env = {**os.environ, "SUGRAPH_CACHE_DIR": str(tmp_path), "SUGRAPH_QUERY_TIMEOUT": "4"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sugraph.cli",
            "--root",
            str(ROOT),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "sugraph serve exited"
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "sugraph serve did not start"
                time.sleep(0.1)
        assert response.json()["boolean"] is True
    finally:
        process.terminate()
        process.wait(timeout=30)
