"""Shared fixtures: the built graph, the embedded store, and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from sugraph.build import KnowledgeGraph, load
from sugraph.config import Settings
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    return load(ROOT)


@pytest.fixture(scope="session")
def store(kg: KnowledgeGraph) -> OxigraphStore:
    return OxigraphStore.from_graph(kg)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app in a background thread, on a free port of 127.0.0.1."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(settings: Settings | None = None, **kwargs) -> LiveServer:
    """A LiveServer for an app built with these settings (use as a context manager)."""
    settings = settings or Settings(root=ROOT)
    return LiveServer(create_app(settings, **kwargs))


@pytest.fixture(scope="session")
def server(kg: KnowledgeGraph, store: OxigraphStore) -> Iterator[LiveServer]:
    """One real server for the whole session, serving the shipped graph."""
    with serve(Settings(root=ROOT), kg=kg, store=store) as live:
        yield live


@pytest.fixture(scope="session")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    """One keep-alive HTTP client on the session server."""
    with httpx.Client(base_url=server.url) as c:
        yield c


@pytest.fixture
def no_language_cookie(client: httpx.Client) -> Iterator[None]:
    """A `?lang=` request leaves a cookie in the session's client: a test using this starts and
    ends without one (`pytestmark = pytest.mark.usefixtures("no_language_cookie")`)."""
    client.cookies.clear()
    yield
    client.cookies.clear()


# Browsers are per test file: each file starts with no cookies (no remembered language) and an empty
# downloads folder, whatever ran before it.
@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browsers save what a test downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator:
    """A headless Chromium with JavaScript for one file's browser tests (tests/browserkit.py)."""
    from browserkit import chromium

    with chromium(downloads) as driver:
        yield driver


@pytest.fixture(scope="module")
def browser_nojs(downloads: Path) -> Iterator:
    """The same browser with JavaScript disabled: what every page must work in first."""
    from browserkit import chromium

    with chromium(downloads, javascript=False) as driver:
        yield driver


# Files whose tests take seconds each: they start worker processes, subprocesses, Virtuoso or a browser
# (every test_browser*.py),
# run hypothesis campaigns, or validate and reason from scratch. `pytest -m "not slow"` leaves them out;
# a slow test in another file carries @pytest.mark.slow itself.
SLOW_FILES = {
    "test_analysis_differential.py",
    "test_build.py",
    "test_build_cli.py",
    "test_fuzz.py",
    "test_hardening.py",
    "test_isolation.py",
    "test_quality.py",
    "test_reload.py",
    "test_remote_backend.py",
    "test_remote_faults.py",
    "test_serve.py",
    "test_shapes.py",
    "test_sparql_protocol.py",
    "test_store_contract.py",
    "test_validate_cli.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES or item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.slow)
