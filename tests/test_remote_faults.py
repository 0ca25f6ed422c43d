"""The remote backend when the real store fails: a private Virtuoso (scripts/virtuoso.sh) is hung
(SIGSTOP), stopped and restarted on the same ports, or made to answer garbage by a proxy in front of
it. The service must answer 502/504 with a clear message within its time limit, report the failure on
/ready, and recover by itself once the store is back. Everything on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

import httpx
import pytest

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from sugraph.store.oxigraph import load_into
from sugraph.store.prebuilt import cache_key, prebuilt_store
from sugraph.store.remote import push_graphs
from sugraph.web.health import READY_TIMEOUT

from conftest import ROOT, LiveServer, serve
from virtuoso_helper import SCRIPT

LIMIT = 2.0  # the service's query time limit in these tests, in seconds
_unique = count()


class Virtuoso:
    """A private Virtuoso holding the built graph, which tests may freeze, stop and start again."""

    def __init__(self, kg: KnowledgeGraph, cache: Path):
        out = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            pytest.fail(f"Virtuoso did not start: {out.stderr[-2000:]}")
        env = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
        self.folder, self.endpoint = Path(env["VIRTUOSO_DIR"]), env["SUGRAPH_ENDPOINT"]
        path = prebuilt_store(cache, cache_key(kg.content_hash, "owlrl"), lambda s: load_into(s, kg))
        push_graphs(path, self.endpoint, self.endpoint, [str(ASSERTED_GRAPH), str(INFERRED_GRAPH)])

    @property
    def pid(self) -> int:
        return int((self.folder / "pid").read_text())

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.1)

    def start(self) -> None:
        """The same server again: same folder, database and ports."""
        with (self.folder / "stdout.log").open("ab") as log:
            process = subprocess.Popen(
                ["virtuoso-t", "+configfile", str(self.folder / "virtuoso.ini"), "+foreground"],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (self.folder / "pid").write_text(str(process.pid))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.post(self.endpoint, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        pytest.fail("Virtuoso did not come back")

    def remove(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.folder)], timeout=60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


@pytest.fixture(scope="module")
def virtuoso(kg: KnowledgeGraph, tmp_path_factory) -> Iterator[Virtuoso]:
    if subprocess.run(["which", "virtuoso-t"], capture_output=True).returncode != 0:
        pytest.skip("Virtuoso is not installed (apt-get install -y virtuoso-opensource)")
    store = Virtuoso(kg, tmp_path_factory.mktemp("cache"))
    yield store
    store.remove()


@pytest.fixture(scope="module")
def live(virtuoso: Virtuoso, kg: KnowledgeGraph) -> Iterator[LiveServer]:
    with serve(Settings(root=ROOT, endpoint=virtuoso.endpoint, query_timeout=LIMIT), kg=kg) as server:
        yield server


@pytest.fixture
def hung(virtuoso: Virtuoso) -> Iterator[None]:
    virtuoso.signal(signal.SIGSTOP)
    try:
        yield
    finally:
        virtuoso.signal(signal.SIGCONT)


@pytest.fixture
def stopped(virtuoso: Virtuoso) -> Iterator[None]:
    virtuoso.stop()
    try:
        yield
    finally:
        if not _alive(virtuoso.pid):
            virtuoso.start()


def ask(live: LiveServer) -> tuple[int, float, str]:
    """A query the service has never seen (so no cache answers it): status, seconds, body."""
    start = time.monotonic()
    r = httpx.get(f"{live.url}/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {next(_unique)}"}, timeout=30)
    return r.status_code, time.monotonic() - start, r.text


def test_a_hung_store_is_a_504_within_the_time_limit(live, hung) -> None:
    status, seconds, text = ask(live)
    assert (status, text) == (504, f"the SPARQL endpoint did not answer within {LIMIT:g} s")
    assert seconds < LIMIT + 1


def test_a_hung_store_is_reported_by_ready(live, virtuoso) -> None:
    assert httpx.get(f"{live.url}/ready", timeout=10).status_code == 200  # probes run all the time
    virtuoso.signal(signal.SIGSTOP)
    try:
        r = httpx.get(f"{live.url}/ready", timeout=10)
    finally:
        virtuoso.signal(signal.SIGCONT)
    assert (r.status_code, r.json()["status"]) == (503, "unavailable")


def test_ready_gives_up_after_its_own_limit_not_the_query_limit(virtuoso, kg) -> None:
    with serve(Settings(root=ROOT, endpoint=virtuoso.endpoint, query_timeout=30), kg=kg) as server:
        assert httpx.get(f"{server.url}/ready", timeout=10).status_code == 200
        virtuoso.signal(signal.SIGSTOP)
        try:
            r = httpx.get(f"{server.url}/ready", timeout=40)
        finally:
            virtuoso.signal(signal.SIGCONT)
    assert r.status_code == 503 and r.elapsed.total_seconds() < READY_TIMEOUT + 1


def test_a_stopped_store_is_reported_by_ready(live, stopped) -> None:
    r = httpx.get(f"{live.url}/ready", timeout=10)
    assert (r.status_code, r.json()["status"]) == (503, "unavailable")


def test_the_service_recovers_when_a_hung_store_resumes(live, virtuoso) -> None:
    virtuoso.signal(signal.SIGSTOP)
    try:
        assert ask(live)[0] == 504
    finally:
        virtuoso.signal(signal.SIGCONT)
    assert ask(live)[0] == 200


def test_a_stopped_store_is_a_502_at_once(live, stopped) -> None:
    status, seconds, text = ask(live)
    assert (status, text) == (502, "the SPARQL endpoint could not be reached")
    assert seconds < LIMIT


def test_the_service_recovers_when_a_stopped_store_is_back(live, virtuoso) -> None:
    virtuoso.stop()
    assert ask(live)[0] == 502
    virtuoso.start()
    assert ask(live)[0] == 200
    assert httpx.get(f"{live.url}/ready").status_code == 200


class Proxy(BaseHTTPRequestHandler):
    """Forwards SPARQL requests to the real store, or answers `garbage` instead while it is set."""

    upstream = ""
    garbage: bytes | None = None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.garbage is not None:
            status, content_type, content = 200, "application/sparql-results+json", self.garbage
        else:
            r = httpx.post(
                self.upstream,
                content=body,
                headers={k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")},
            )
            status, content_type, content = r.status_code, r.headers.get("content-type", ""), r.content
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxied(virtuoso: Virtuoso, kg: KnowledgeGraph) -> Iterator[tuple[LiveServer, type[Proxy]]]:
    handler = type("ToVirtuoso", (Proxy,), {"upstream": virtuoso.endpoint})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    try:
        with serve(Settings(root=ROOT, endpoint=endpoint, query_timeout=LIMIT), kg=kg) as server:
            yield server, handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_garbage_from_the_store_is_a_502_and_passes(proxied) -> None:
    live, proxy = proxied
    proxy.garbage = b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": '
    status, _, text = ask(live)
    assert (status, "could not be read" in text) == (502, True)
    proxy.garbage = None
    assert ask(live)[0] == 200
