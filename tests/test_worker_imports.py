"""A query worker imports only what evaluation needs: every server starts several and every timeout
respawns one, so it must not pay for rdflib (~230 ms, ~20 MB), the web framework or the validator, nor
for multiprocessing's pipe (~14 ms, 4.5 MB) or logging until something fails."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "rdflib",
    "pyshacl",
    "owlrl",
    "reasonable",
    "fastapi",
    "starlette",
    "pydantic",
    "uvicorn",
    "jinja2",
    "httpx",
    "anyio",
    "yaml",
    "multiprocessing",
    "logging",
)


def imported_by(statement: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter holds after `statement`."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return [name for name in json.loads(done.stdout) if name in HEAVY]


def test_the_worker_imports_no_rdflib_web_framework_or_validator() -> None:
    assert imported_by("import sugraph.store.worker") == []


def test_import_sugraph_is_cheap_until_the_api_is_used() -> None:
    assert imported_by("import sugraph, sugraph.store") == []
    assert "rdflib" in imported_by("import sugraph\nsugraph.Report")
