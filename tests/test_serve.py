"""`sugraph serve` as deployed, with several uvicorn workers: keep-alive requests are not held back
by Nagle's algorithm, and the answers are those of a single worker. Real processes, 127.0.0.1 only."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, free_port

REQUESTS = [
    "/health",
    "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    "/sparql?query=SELECT%20%3Fm%20WHERE%20%7B%20%3Fm%20a%20sug%3AMeasure%20%7D%20ORDER%20BY%20%3Fm&format=csv",
    "/queries/measures-for-threat?threat=threat:terrorism&format=json",
    "/doc/actor/nato.ttl",
]


@contextmanager
def sugraph_serve(cache: Path, workers: int) -> Iterator[str]:
    """`sugraph serve --workers N` on a free port; yields its base URL once it answers."""
    port = free_port()
    env = {**os.environ, "SUGRAPH_CACHE_DIR": str(cache)}
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
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "sugraph serve exited"
            try:
                if httpx.get(f"{url}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "sugraph serve did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def single(cache) -> dict[str, tuple[int, str, bytes]]:
    """The answers of one worker (which also builds the store the two-worker server reuses)."""
    with sugraph_serve(cache, 1) as url, httpx.Client(base_url=url) as client:
        answers = {path: answer(client.get(path)) for path in REQUESTS}
    assert [status for status, _, _ in answers.values()] == [200] * len(REQUESTS)
    return answers


@pytest.fixture(scope="module")
def two_workers(cache, single) -> Iterator[str]:
    with sugraph_serve(cache, 2) as url:
        yield url


def answer(response: httpx.Response) -> tuple[int, str, bytes]:
    return response.status_code, response.headers["content-type"], response.content


def test_keep_alive_requests_are_not_delayed_with_two_workers(two_workers) -> None:
    with httpx.Client(base_url=two_workers) as client:  # one connection, kept alive
        client.get("/health")
        seconds = []
        for path in REQUESTS * 3:
            started = time.perf_counter()
            client.get(path)
            seconds.append(time.perf_counter() - started)
    assert statistics.median(seconds) < 0.020, sorted(seconds)  # was ~44 ms: Nagle + delayed ACK


def test_two_workers_answer_as_one_does(two_workers, single) -> None:
    with httpx.Client(base_url=two_workers) as client:
        assert {path: answer(client.get(path)) for path in REQUESTS} == single
