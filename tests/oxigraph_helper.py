"""A throwaway Oxigraph server (`oxigraph serve`, the `oxigraph` package on PyPI) on 127.0.0.1, empty,
its database in a temporary folder; stopped and removed when the test session ends."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port


def executable() -> str | None:
    """`oxigraph` on PATH, or beside this Python (a virtualenv that is not activated)."""
    beside = Path(sys.executable).parent / "oxigraph"
    return shutil.which("oxigraph") or (str(beside) if beside.exists() else None)


def start() -> tuple[str, dict[str, str]]:
    """Start a server: its SPARQL endpoint, and the variables `sugraph load` needs there (none)."""
    binary = executable()
    if binary is None:
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph; scripts/test.sh does)")
    folder = tempfile.mkdtemp(prefix="sugraph-oxigraph.")
    port = free_port()
    with open(Path(folder) / "server.log", "wb") as log:
        process = subprocess.Popen(
            [binary, "serve", "--location", f"{folder}/db", "--bind", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    atexit.register(_stop, process, folder)
    endpoint = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(endpoint, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return endpoint, {}
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the Oxigraph server did not start: {(Path(folder) / 'server.log').read_text()[-2000:]}")


def _stop(process: subprocess.Popen, folder: str) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(folder, ignore_errors=True)
