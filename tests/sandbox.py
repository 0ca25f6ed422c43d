"""A private copy of the project's sources, for tests that change data or serve it from a subprocess."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT

SOURCES = ("ontology", "shapes", "data", "queries")


def copy_project(dest: Path) -> Path:
    """Copy ontology/, shapes/, data/ and queries/ into `dest`; answer `dest`, usable as SUGRAPH_ROOT."""
    for name in SOURCES:
        shutil.copytree(ROOT / name, dest / name)
    return dest
