"""One throwaway Virtuoso for the whole test session (scripts/virtuoso.sh), loaded with the built graph.

Tests that need it call `virtuoso_endpoint(kg, tmp)`; it is started on first use and stopped when the
session ends. Without Debian's virtuoso-opensource installed, those tests skip and say so.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
from pathlib import Path

import pytest

from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from sugraph.store.oxigraph import load_into
from sugraph.store.prebuilt import cache_key, prebuilt_store
from sugraph.store.remote import push_graphs

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "virtuoso.sh"
_state: dict[str, str] = {}


def virtuoso_endpoint(kg, cache_dir: Path) -> str:
    """The SPARQL endpoint of a running Virtuoso holding `kg`'s asserted and inferred graphs."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (apt-get install -y virtuoso-opensource)")
    if "endpoint" not in _state:
        out = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            pytest.fail(f"Virtuoso did not start: {out.stderr[-2000:]}")
        _state.update(line.split("=", 1) for line in out.stdout.split() if "=" in line)
        atexit.register(subprocess.run, ["bash", str(SCRIPT), "stop", _state["VIRTUOSO_DIR"]], timeout=60)
        path = prebuilt_store(cache_dir, cache_key(kg.content_hash, "owlrl"), lambda s: load_into(s, kg))
        graph_store = _state["SUGRAPH_ENDPOINT"].removesuffix("/sparql") + "/sparql-graph-crud"
        push_graphs(path, graph_store, [str(ASSERTED_GRAPH), str(INFERRED_GRAPH)])
        _state["endpoint"] = _state["SUGRAPH_ENDPOINT"]
    return _state["endpoint"]
