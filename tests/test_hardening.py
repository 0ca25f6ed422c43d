"""What protects every route: security headers, request ids, access logs, size limits, errors that
leak nothing, escaped data, and a server that refuses to start on broken sources. Real servers on
127.0.0.1: the shared one, a few with their own settings, and `sugraph serve` as a subprocess."""

from __future__ import annotations

import json
import logging
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sugraph.build import KnowledgeGraph, load
from sugraph.config import Settings
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.middleware import CSP, LogFormatter, log_config

import rawhttp
from conftest import FIXTURES, ROOT, LiveServer, free_port, serve
from sandbox import copy_project

SUGRAPH = str(Path(sys.executable).parent / "sugraph")
HOSTILE = ("<script>alert", "<img src=x", "<iframe")


def wait_for(condition, timeout: float = 5.0):
    """Poll until `condition()` is truthy (a log record is written after its response is sent)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return result


# --- security headers ------------------------------------------------------------------------


def test_html_pages_carry_a_policy_without_inline_script(server) -> None:
    r = httpx.get(f"{server.url}/")
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CSP


@pytest.mark.parametrize("path", ["/", "/health", "/sparql?query=ASK%7B%7D", "/no/such/thing"])
def test_every_response_forbids_sniffing_and_referrers(server, path: str) -> None:
    r = httpx.get(f"{server.url}{path}")
    assert (r.headers["x-content-type-options"], r.headers["referrer-policy"]) == ("nosniff", "no-referrer")


def test_data_responses_need_no_policy(server) -> None:
    assert "content-security-policy" not in httpx.get(f"{server.url}/health").headers


# --- request ids and the access log ---------------------------------------------------------


def test_a_request_gets_a_fresh_id(server) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", httpx.get(f"{server.url}/health").headers["x-request-id"])


def test_a_sane_client_request_id_is_echoed(server) -> None:
    r = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "client-42.a:b"})
    assert r.headers["x-request-id"] == "client-42.a:b"


@pytest.mark.parametrize("bad", ["<script>", "a b", "x" * 129, ""])
def test_an_insane_client_request_id_is_replaced(server, bad: str) -> None:
    r = httpx.get(f"{server.url}/health", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])


def test_each_request_writes_one_access_line(server, caplog) -> None:
    caplog.set_level(logging.INFO, logger="sugraph.access")
    r = httpx.get(f"{server.url}/health?probe=1", headers={"X-Request-ID": "access-line-1"})
    records = wait_for(
        lambda: [x for x in caplog.records if getattr(x, "http", {}).get("request_id") == "access-line-1"]
    )
    assert len(records) == 1
    fields = dict(records[0].http)
    assert fields.pop("duration_ms") >= 0
    assert fields == {
        "method": "GET",
        "path": "/health",
        "status": 200,
        "bytes": len(r.content),
        "request_id": "access-line-1",
    }


def test_json_log_lines_carry_the_access_fields() -> None:
    record = logging.LogRecord("sugraph.access", logging.INFO, __file__, 1, "GET / 200", None, None)
    record.http = {"method": "GET", "path": "/", "status": 200, "duration_ms": 1.5, "bytes": 10, "request_id": "r1"}
    line = json.loads(LogFormatter(json_lines=True).format(record))
    assert {k: line[k] for k in ("level", "logger", "message", "method", "status", "request_id")} == {
        "level": "INFO",
        "logger": "sugraph.access",
        "message": "GET / 200",
        "method": "GET",
        "status": 200,
        "request_id": "r1",
    }


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log format 'xml'"):
        log_config("xml")


# --- size limits ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(kg: KnowledgeGraph, store: OxigraphStore) -> Iterator[LiveServer]:
    settings = Settings(root=ROOT, max_url_length=300, max_header_bytes=1000, max_body_bytes=100)
    with serve(settings, kg=kg, store=store) as live:
        yield live


def test_a_long_url_is_refused_with_414(limited) -> None:
    r = httpx.get(f"{limited.url}/sparql?query=" + "a" * 287)  # 301 bytes from the path on
    assert (r.status_code, r.text) == (  # SPARQL clients get errors as plain text (issue 12)
        414,
        "URL of 301 bytes is longer than the limit of 300; send a long SPARQL query by POST",
    )


def test_large_headers_are_refused_with_431(limited) -> None:
    r = httpx.get(f"{limited.url}/health", headers={"X-Padding": "p" * 1000})
    assert r.status_code == 431
    assert r.json()["detail"].endswith("exceed the limit of 1000")


def test_a_declared_large_body_is_refused_with_413_before_it_is_read(limited) -> None:
    answer = rawhttp.request(
        limited.port, "POST", "/sparql", [("Content-Type", "application/sparql-query"), ("Content-Length", "1000000")]
    )
    assert (answer.status, answer.body) == (413, b"request body larger than the limit of 100 bytes")


def test_a_chunked_large_body_is_refused_with_413(limited) -> None:
    chunk = b"50\r\n" + b"#" * 80 + b"\r\n"
    answer = rawhttp.request(
        limited.port,
        "POST",
        "/sparql",
        [("Content-Type", "application/sparql-query"), ("Transfer-Encoding", "chunked")],
        chunk * 2 + b"0\r\n\r\n",
    )
    assert (answer.status, answer.body) == (413, b"request body larger than the limit of 100 bytes")


def test_a_body_within_the_limit_is_served(limited) -> None:
    r = httpx.post(
        f"{limited.url}/sparql",
        content=b"ASK { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert (r.status_code, r.json()["boolean"]) == (200, True)


def test_limits_are_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SUGRAPH_MAX_BODY_BYTES", "5")
    monkeypatch.setenv("SUGRAPH_MAX_URL_LENGTH", "6")
    monkeypatch.setenv("SUGRAPH_MAX_HEADER_BYTES", "7")
    s = Settings.from_env()
    assert (s.max_body_bytes, s.max_url_length, s.max_header_bytes) == (5, 6, 7)


# --- internal errors leak nothing -----------------------------------------------------------


class ExplodingStore(OxigraphStore):
    """A backend with an internal bug on queries that mention ?boom."""

    def _execute(self, sparql, form, media_type, dataset, timeout, **options):
        if "?boom" in sparql:
            raise RuntimeError("secret detail: /etc/sugraph/credentials, pyoxigraph 0.5")
        return super()._execute(sparql, form, media_type, dataset, timeout, **options)


@pytest.fixture(scope="module")
def exploding(kg: KnowledgeGraph) -> Iterator[LiveServer]:
    store = ExplodingStore(OxigraphStore.from_graph(kg)._store)
    with serve(Settings(root=ROOT), kg=kg, store=store) as live:
        yield live


def test_an_internal_error_answers_500_with_only_the_request_id(exploding) -> None:
    r = httpx.get(f"{exploding.url}/sparql", params={"query": "ASK { ?boom ?p ?o }"})
    assert r.status_code == 500
    assert r.text == f"internal error\nrequest id: {r.headers['x-request-id']}"


def test_an_internal_error_is_logged_with_its_traceback(exploding, caplog) -> None:
    r = httpx.get(
        f"{exploding.url}/sparql", params={"query": "ASK { ?boom ?p ?o }"}, headers={"X-Request-ID": "boom-1"}
    )
    records = wait_for(lambda: [x for x in caplog.records if x.name == "sugraph.web.middleware" and x.exc_info])
    assert r.status_code == 500
    assert "secret detail" in str(records[-1].exc_info[1])


# --- injection ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator[LiveServer]:
    root = copy_project(tmp_path_factory.mktemp("xss"))
    shutil.copy(FIXTURES / "hardening" / "xss.ttl", root / "data" / "zz-xss.ttl")
    kg = load(root)
    with serve(Settings(root=root), kg=kg, store=OxigraphStore.from_graph(kg)) as live:
        yield live


@pytest.mark.parametrize(
    "path",
    [
        "/doc/threat/xss-probe",
        "/doc/threat/xss-probe?lang=fr",
        "/doc/threat/terrorism",
        "/browse/threat",
        "/browse/threat?lang=fr",
        "/search?q=script",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/doc/threat/xss-prob",
    ],
)
def test_hostile_labels_are_escaped_on_every_page(hostile, path: str) -> None:
    r = httpx.get(f"{hostile.url}{path}", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    assert [h for h in HOSTILE if h in r.text] == []


def test_a_hostile_label_is_shown_as_text(hostile) -> None:
    r = httpx.get(f"{hostile.url}/doc/threat/xss-probe", headers={"Accept": "text/html"})
    assert "&lt;script&gt;alert(&#39;label-en&#39;)&lt;/script&gt;" in r.text


@pytest.mark.parametrize(
    "value",
    [
        "threat:terrorism> } ?s ?p ?o {",
        "<https://w3id.org/sugraph/id/threat/terrorism> } UNION { ?s ?p ?o",
        'threat:terrorism" } ; DROP ALL ; #',
        "threat:terrorism\n} LIMIT 1 #",
    ],
)
def test_a_named_query_parameter_cannot_change_the_query(server, value: str) -> None:
    r = httpx.get(
        f"{server.url}/queries/measures-for-threat",
        params={"threat": value},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 400
    assert "expects an IRI" in r.text


@pytest.mark.parametrize(
    "target",
    [
        "/id/../../etc/passwd",
        "/id/..%2f..%2fetc%2fpasswd",
        "/id/threat/..%2F..%2Fpyproject.toml",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/http://evil.example/x",
        "/id//evil.example/x",
        "/id/threat/terrorism%00.ttl",
        "/doc/..%2f..%2fpyproject.toml",
        "/doc/threat/terrorism/../../../etc/passwd",
    ],
)
def test_entity_paths_reach_no_file_and_no_other_site(server, target: str) -> None:
    answer = rawhttp.request(server.port, "GET", target)
    location = answer.headers.get("location", "")
    assert answer.status < 500
    assert location == "" or location.startswith("/doc/")
    assert b"root:" not in answer.body and b"[project]" not in answer.body


# --- `sugraph serve`: startup, headers, logs, SIGHUP ----------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


class Served:
    """`sugraph serve` in a subprocess, its log (stderr) in a file the test can read at any time."""

    def __init__(self, root: Path, work: Path, *flags: str):
        self.url = f"http://127.0.0.1:{(port := free_port())}"
        self.log = work / "serve.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [SUGRAPH, "--root", str(root), "serve", "--port", str(port), *flags],
                env={"PATH": str(Path(sys.executable).parent), "SUGRAPH_CACHE_DIR": str(work / "cache")},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def logged(self) -> str:
        return self.log.read_text()

    def version(self) -> str:
        return httpx.get(f"{self.url}/health").json()["version"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def running(project: Path, tmp_path: Path) -> Iterator[Served]:
    served = Served(project, tmp_path, "--log-format", "json")
    try:
        assert wait_for(lambda: _up(served.url), timeout=60), "sugraph serve did not start"
        yield served
    finally:
        served.stop()


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.parametrize("folder", ["data", "shapes"])
def test_serve_fails_fast_on_a_broken_file(project: Path, tmp_path: Path, folder: str) -> None:
    shutil.copy(FIXTURES / "build" / "broken.ttl", project / folder / "zz-broken.ttl")
    served = Served(project, tmp_path)
    assert served.process.wait(timeout=60) == 2
    assert f"error: {project / folder / 'zz-broken.ttl'}:3:50: Unexpected end of file" in served.logged()


def test_serve_names_no_server_software(running: Served) -> None:
    assert "server" not in httpx.get(f"{running.url}/health").headers


def test_serve_writes_json_access_lines(running: Served) -> None:
    httpx.get(f"{running.url}/health", headers={"X-Request-ID": "json-line-1"})
    lines = wait_for(lambda: [json.loads(x) for x in running.logged().splitlines() if "json-line-1" in x])
    assert [(x["logger"], x["method"], x["path"], x["status"]) for x in lines] == [
        ("sugraph.access", "GET", "/health", 200)
    ]


def test_sighup_with_broken_data_keeps_serving_the_last_good_graph(running: Served, project: Path) -> None:
    before = running.version()
    shutil.copy(FIXTURES / "build" / "broken.ttl", project / "data" / "zz-broken.ttl")
    running.process.send_signal(signal.SIGHUP)
    failure = wait_for(lambda: [x for x in running.logged().splitlines() if "reload failed" in x], timeout=30)
    assert "zz-broken.ttl:3:50: Unexpected end of file" in json.loads(failure[0])["message"]
    assert running.version() == before


def test_sighup_with_changed_data_serves_the_new_graph(running: Served, project: Path) -> None:
    before = running.version()
    shutil.copy(FIXTURES / "hardening" / "xss.ttl", project / "data" / "zz-xss.ttl")
    running.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: running.version() != before, timeout=30)
    assert httpx.get(f"{running.url}/id/threat/xss-probe").status_code == 303
