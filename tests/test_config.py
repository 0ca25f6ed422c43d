"""Settings: every field has a SUGRAPH_* variable, read as the field's type, and the store uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from sugraph.config import Settings
from sugraph.namespaces import ASSERTED_GRAPH
from sugraph.store import open_store
from sugraph.store.prebuilt import cache_key, prebuilt_store

from conftest import ROOT


@pytest.mark.parametrize(
    "variable, value, field, expected",
    [
        ("SUGRAPH_QUERIES_DIR", "/srv/queries", "queries_dir", Path("/srv/queries")),
        ("SUGRAPH_QUERIES_DIR", "", "queries_dir", None),
        ("SUGRAPH_QUERY_WORKERS", "3", "query_workers", 3),
        ("SUGRAPH_RESULT_CACHE_BYTES", "1048576", "result_cache_bytes", 1 << 20),
        ("SUGRAPH_ROOT", "/srv/sugraph", "root", Path("/srv/sugraph")),
        (
            "SUGRAPH_ALLOWED_SERVICE_ENDPOINTS",
            " http://a/sparql  http://b/sparql ",
            "allowed_service_endpoints",
            ("http://a/sparql", "http://b/sparql"),
        ),
    ],
)
def test_variables_are_read_as_the_fields_type(monkeypatch, variable, value, field, expected) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(Settings.from_env(), field) == expected


def test_defaults() -> None:
    settings = Settings()
    assert (settings.queries_dir, settings.query_workers, settings.result_cache_bytes) == (
        None,
        (os.cpu_count() or 1) + 1,  # one more than the cores
        64 << 20,
    )


def test_a_malformed_number_names_its_variable(monkeypatch) -> None:
    monkeypatch.setenv("SUGRAPH_QUERY_WORKERS", "many")
    with pytest.raises(ValueError, match="SUGRAPH_QUERY_WORKERS='many': expected an integer"):
        Settings.from_env()


def test_the_remote_store_gets_the_cache_budget(kg) -> None:
    store = open_store(Settings(endpoint="http://127.0.0.1:9/sparql", result_cache_bytes=12345), kg)
    try:
        assert store.cache.max_bytes == 12345
    finally:
        store.close()


@pytest.mark.slow
def test_the_pooled_store_gets_the_workers_and_cache_budget(kg, tmp_path) -> None:
    tiny = ox.NamedNode("https://example.org/x")  # the store's content does not matter here
    prebuilt_store(
        tmp_path,
        cache_key(kg.content_hash, "owlrl"),
        lambda s: s.add(ox.Quad(tiny, tiny, tiny, ox.NamedNode(str(ASSERTED_GRAPH)))),
    )
    store = open_store(Settings(cache_dir=tmp_path, query_workers=3, result_cache_bytes=54321), kg)
    try:
        assert (store.client_slots, len(store._workers), store.cache.max_bytes) == (3, 3 + 1, 54321)
    finally:
        store.close()


SUGRAPH = [sys.executable, "-m", "sugraph.cli"]


@pytest.mark.slow
@pytest.mark.parametrize("command", [["serve"], ["load", "--update-endpoint", "http://127.0.0.1:9/update"]])
@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("SUGRAPH_PORT", "x", "error: SUGRAPH_PORT='x': expected an integer"),
        ("SUGRAPH_QUERY_TIMEOUT", "soon", "error: SUGRAPH_QUERY_TIMEOUT='soon': expected a number"),
        ("SUGRAPH_STRICT", "perhaps", "error: SUGRAPH_STRICT='perhaps': expected 1 or 0 (true or false)"),
        ("SUGRAPH_ISOLATION", "maybe", "error: SUGRAPH_ISOLATION='maybe': expected auto, required or off"),
        ("SUGRAPH_QUERY_WORKERS", "0", "error: SUGRAPH_QUERY_WORKERS=0: expected at least 1"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_3(command, variable, value, message) -> None:
    """Exit 1 means 'data does not conform', so a bad setting is a usage error (3), never a traceback."""
    done = subprocess.run(
        [*SUGRAPH, "--root", str(ROOT), *command],
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "", message + "\n")
