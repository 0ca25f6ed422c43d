"""Reading the expected result written in a violating fixture's `#+ ` header, and describing an
actual result the same way, so tests compare the two as plain dicts."""

from __future__ import annotations

from itertools import takewhile
from pathlib import Path

import yaml
from rdflib import BNode

from sugraph.validation.formats import compact
from sugraph.validation.report import Result

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFORMING = FIXTURES / "shapes" / "conforming.ttl"


def expected(fixture: Path) -> dict:
    """The header (shape or check, focus, path, value, severity, line) plus the fixture's own path."""
    lines = takewhile(lambda line: line.startswith("#"), fixture.read_text(encoding="utf-8").splitlines())
    header = yaml.safe_load("\n".join(line[3:] for line in lines if line.startswith("#+ ")))
    source = header.pop("shape", None) or f"check:{header.pop('check')}"
    return {"source": source, **{k: str(v) for k, v in header.items()}, "file": fixture.resolve()}


def _shown(term) -> str:
    """Blank nodes get fresh labels on every parse: the header writes them as []."""
    return "[]" if isinstance(term, BNode) else compact(term)


def described(result: Result) -> dict:
    return {
        "source": compact(result.source),
        "focus": _shown(result.focus),
        "path": compact(result.path),
        "value": _shown(result.value),
        "severity": result.severity.value,
        "line": str(result.line),
        "file": Path(result.file).resolve() if result.file else None,
    }
