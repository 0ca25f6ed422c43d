"""The remote engines the tests run against, so that "remote" is not tuned to one vendor: one of each
per test session, started on first use on 127.0.0.1 and loaded with `sugraph load` given only
SUGRAPH_ENDPOINT (and the engine's credentials), as a deployment would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import oxigraph_helper
import pytest

from sugraph.build import KnowledgeGraph
from sugraph.store.oxigraph import load_into
from sugraph.store.prebuilt import cache_key, prebuilt_store

import virtuoso_helper
from conftest import ROOT

STARTERS: dict[str, Callable[[], tuple[str, dict[str, str]]]] = {
    "virtuoso": virtuoso_helper.start,
    "oxigraph": oxigraph_helper.start,
}
ENGINES = tuple(STARTERS)
_settings: dict[str, dict[str, str]] = {}


def engine_endpoint(engine: str, kg: KnowledgeGraph, cache_dir: Path) -> str:
    """The SPARQL endpoint of the session's `engine`, holding `kg`'s asserted and inferred graphs."""
    return load_settings(engine, kg, cache_dir)["SUGRAPH_ENDPOINT"]


def load_settings(engine: str, kg: KnowledgeGraph, cache_dir: Path) -> dict[str, str]:
    """The variables `sugraph load` is given for the session's `engine` (its endpoint, credentials)."""
    if engine not in _settings:
        endpoint, variables = STARTERS[engine]()
        # built here from the session's graph, so the command below finds it in the cache
        prebuilt_store(cache_dir, cache_key(kg.content_hash, "owlrl"), lambda store: load_into(store, kg))
        settings = {"SUGRAPH_ENDPOINT": endpoint, **variables}
        out = sugraph_load(cache_dir, **settings)
        if out.returncode != 0:
            pytest.fail(f"sugraph load into {engine} failed: {out.stderr[-2000:]}")
        _settings[engine] = settings
    return _settings[engine]


def sugraph_load(cache_dir: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """Run `sugraph load` with only these SUGRAPH_* variables (and the cache) set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUGRAPH_")}
    env.update(variables, SUGRAPH_CACHE_DIR=str(cache_dir))
    return subprocess.run(
        [sys.executable, "-m", "sugraph.cli", "--root", str(ROOT), "load", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
