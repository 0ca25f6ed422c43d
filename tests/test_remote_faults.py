"""The remote backend when a real store fails: a private Virtuoso (scripts/virtuoso.sh) is hung
(SIGSTOP: the kernel still accepts connections nobody reads) or stopped and restarted on the same
ports (the client's pooled connections go stale). The service answers 504 or 502 within its time
limit and recovers by itself once the store is back. Every route and every other failure (slow,
garbage, truncated) is tested against a fake endpoint, which needs no Virtuoso, in
tests/test_remote_failures.py. Everything on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
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


def ask(live: LiveServer) -> tuple[int, float, str]:
    """A query the service has never seen (so no cache answers it): status, seconds, body."""
    start = time.monotonic()
    r = httpx.get(f"{live.url}/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {next(_unique)}"}, timeout=30)
    return r.status_code, time.monotonic() - start, r.text


def test_a_hung_store_is_a_504_within_the_time_limit_and_the_service_recovers(live, virtuoso) -> None:
    virtuoso.signal(signal.SIGSTOP)
    try:
        status, seconds, text = ask(live)
        ready = httpx.get(f"{live.url}/ready", timeout=10)
    finally:
        virtuoso.signal(signal.SIGCONT)
    assert (status, text, ready.status_code) == (504, f"the SPARQL endpoint did not answer within {LIMIT:g} s", 503)
    assert seconds < LIMIT + 1
    assert ask(live)[0] == 200


def test_a_stopped_store_is_a_502_at_once_and_the_service_recovers_when_it_is_back(live, virtuoso) -> None:
    assert ask(live)[0] == 200  # a pooled connection to the store, which goes stale when it stops
    virtuoso.stop()
    try:
        status, seconds, text = ask(live)
        ready = httpx.get(f"{live.url}/ready", timeout=10)
    finally:
        virtuoso.start()
    assert (status, text, ready.status_code) == (502, "the SPARQL endpoint could not be reached", 503)
    assert seconds < LIMIT
    assert ask(live)[0] == 200
    assert httpx.get(f"{live.url}/ready").status_code == 200
