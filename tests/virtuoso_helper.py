"""A throwaway Virtuoso (Debian's virtuoso-opensource, started by scripts/virtuoso.sh) on 127.0.0.1,
empty; stopped and removed when the test session ends."""

from __future__ import annotations

import atexit
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "virtuoso.sh"


def start() -> tuple[str, dict[str, str]]:
    """Start a Virtuoso: its SPARQL endpoint, and the variables `sugraph load` needs there: the
    credentials of its authenticated update endpoint, /sparql-auth (the script's instance keeps dba's)."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (apt-get install -y virtuoso-opensource; scripts/test.sh does)")
    out = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        pytest.fail(f"Virtuoso did not start: {out.stderr[-2000:]}")
    state = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
    atexit.register(subprocess.run, ["bash", str(SCRIPT), "stop", state["VIRTUOSO_DIR"]], timeout=60)
    return state["SUGRAPH_ENDPOINT"], {"SUGRAPH_UPDATE_USER": "dba", "SUGRAPH_UPDATE_PASSWORD": "dba"}
