"""A validation's typed result: each problem with its severity, what failed, and where it is written.

Both engines (pyshacl in `shacl`, the SPARQL checks in `quality`) produce these, and every output
format in `formats` reads only these, so neither side knows about the other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from rdflib import URIRef
from rdflib.paths import Path as RdfPath
from rdflib.term import Node

from ..namespaces import SH

SHAPES_NS = "https://w3id.org/sugraph/shapes#"
CHECKS_NS = "https://w3id.org/sugraph/checks#"


class Severity(StrEnum):
    """SHACL's three levels, most severe first."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def of(cls, iri: Node | None) -> Severity:
        levels: dict[Node | None, Severity] = {SH.Warning: cls.WARNING, SH.Info: cls.INFO}
        return levels.get(iri, cls.VIOLATION)

    @property
    def iri(self) -> URIRef:
        return SH[self.value.capitalize()]


@dataclass(frozen=True)
class Result:
    """One problem: what (focus node, path, value), why (source shape or check, message), where (file, line)."""

    severity: Severity
    focus: Node
    path: URIRef | RdfPath | None
    value: Node | None
    source: URIRef
    source_name: str
    message: str
    constraint: URIRef | None = None
    file: Path | None = None
    line: int | None = None


@dataclass
class Report:
    """All results of one run, sorted by file, line and focus node."""

    results: list[Result]
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "en"  # of the messages, and of the summary line the formats write

    def count(self, severity: Severity | str) -> int:
        """Results of one severity, named by the enum or its value (`count("info")`); an unknown name is
        a ValueError, not 0."""
        wanted = Severity(severity)
        return sum(r.severity is wanted for r in self.results)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not break conformance)."""
        return self.count(Severity.VIOLATION) == 0

    def exit_code(self, strict: bool = False) -> int:
        """0 if it conforms, 1 on a violation — or on a warning when strict."""
        failing = self.count(Severity.VIOLATION) + (self.count(Severity.WARNING) if strict else 0)
        return 1 if failing else 0


def shown(path: Path) -> Path:
    """Paths under the working directory are shown relative to it, as CI annotations expect."""
    return Path(os.path.relpath(path)) if path.resolve().is_relative_to(Path.cwd()) else path
