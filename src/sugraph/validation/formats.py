"""A validation `Report` in each output format: text, json, turtle, junit, sarif, github.

Every format carries the same facts per result — severity, file:line, focus node, path, value,
source shape (or check) and message — laid out the way its consumer expects. The JSON format's
schema is `schemas/validation-report.schema.json`; it changes only with its `version`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.extras.shacl import build_shacl_path
from rdflib.namespace import RDF
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

from .. import __version__
from ..build import LoadError
from ..namespaces import PREFIXES, SH, compact_iri
from .report import CHECKS_NS, SHAPES_NS, Report, Result, Severity, shown

JSON_VERSION = 1
DISPLAY_PREFIXES = {**PREFIXES, "sugsh": SHAPES_NS, "check": CHECKS_NS}
INFORMATION_URI = "https://w3id.org/sugraph"


def compact(term, prefixes: dict[str, str] | None = DISPLAY_PREFIXES) -> str:
    """A term or SHACL path (as rdflib parses it) for people, with prefixed names; or with
    `prefixes=None` in full: N-Triples terms, SPARQL property paths with `<IRI>`s."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return (compact_iri(str(term), prefixes) if prefixes is not None else None) or f"<{term}>"
    if isinstance(term, Literal) and term.datatype is not None and prefixes is not None:
        return Literal(str(term)).n3() + "^^" + compact(term.datatype, prefixes)
    if isinstance(term, (BNode, Literal)):
        return term.n3()
    if isinstance(term, (AlternativePath, SequencePath)):
        sep = "|" if isinstance(term, AlternativePath) else "/"
        return sep.join(_grouped(arg, prefixes) for arg in term.args)
    if isinstance(term, InvPath):
        return "^" + _grouped(term.arg, prefixes)
    if isinstance(term, MulPath):
        return _grouped(term.path, prefixes) + term.mod
    return str(term)


def _grouped(path, prefixes) -> str:
    text = compact(path, prefixes)
    return f"({text})" if isinstance(path, (AlternativePath, SequencePath)) else text


def _where(result: Result) -> str:
    return f"{result.file}:{result.line}" if result.line else str(result.file or "")


def _what(result: Result, *, focus: bool = False) -> str:
    """'[focus] path value', leaving out what the result does not have."""
    parts = [result.focus if focus else None, result.path, result.value]
    return " ".join(compact(p) for p in parts if p is not None)


# The summary line in each language of `--lang`: counted nouns (singular, plural), then the phrases.
_NOUNS: dict[str, dict[Severity | str, tuple[str, str]]] = {
    "en": {
        Severity.VIOLATION: ("violation", "violations"),
        Severity.WARNING: ("warning", "warnings"),
        Severity.INFO: ("info", "infos"),
        "file": ("file", "files"),
    },
    "fr": {
        Severity.VIOLATION: ("violation", "violations"),
        Severity.WARNING: ("avertissement", "avertissements"),
        Severity.INFO: ("info", "infos"),
        "file": ("fichier", "fichiers"),
    },
}
_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "in": "in",
        "conforms": "conforms",
        "fails": "does not conform",
        "decimal": ".",
        "line": "{verdict}: {summary} (checked in {seconds} s)",
    },
    "fr": {
        "in": "dans",
        "conforms": "conforme",
        "fails": "non conforme",
        "decimal": ",",
        "line": "{verdict} : {summary} (vérifié en {seconds} s)",
    },
}


def _counted(n: int, word: tuple[str, str], lang: str) -> str:
    """'1 file', '0 files' in English; '1 fichier', '0 fichier' in French (plural from 2)."""
    return f"{n} {word[n > 1 if lang == 'fr' else n != 1]}"


def _summary(report: Report) -> str:
    nouns = _NOUNS[report.lang]
    counts = ", ".join(_counted(report.count(s), nouns[s], report.lang) for s in Severity)
    return f"{counts} {_PHRASES[report.lang]['in']} {_counted(len(report.files), nouns['file'], report.lang)}"


# ---------------------------------------------------------------- text

_COLOURS = {Severity.VIOLATION: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def text(report: Report, strict: bool = False, color: bool = False) -> str:
    """Grouped by file, then focus node; one line per result."""

    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines: list[str] = []
    for file, by_file in groupby(report.results, key=lambda r: r.file):
        lines.append(paint("1", str(file or "(no file)")))
        for focus, by_focus in groupby(by_file, key=lambda r: r.focus):
            lines.append("  " + paint("1", compact(focus)))
            for r in by_focus:
                what = _what(r)
                lines.append(
                    f"  {r.line or '':>6}  {paint(_COLOURS[r.severity], f'{r.severity.value:<9}')}  "
                    f"{what + ': ' if what else ''}{r.message} {paint('2', '[' + compact(r.source) + ']')}"
                )
    failed = report.exit_code(strict) != 0
    words = _PHRASES[report.lang]
    verdict = paint("31;1", words["fails"]) if failed else paint("32;1", words["conforms"])
    seconds = report.timings.get("validate", 0.0) + report.timings.get("checks", 0.0)
    lines.append(
        words["line"].format(
            verdict=verdict, summary=_summary(report), seconds=f"{seconds:.2f}".replace(".", words["decimal"])
        )
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- json


def to_json(report: Report, strict: bool = False) -> str:
    """The documented, stable JSON form (schemas/validation-report.schema.json)."""
    return (
        json.dumps(
            {
                "version": JSON_VERSION,
                "conforms": report.conforms,
                "counts": {s.value: report.count(s) for s in Severity},
                "files": [str(f) for f in report.files],
                "results": [
                    {
                        "severity": r.severity.value,
                        "file": str(r.file) if r.file else None,
                        "line": r.line,
                        "focus": str(r.focus) if isinstance(r.focus, URIRef) else r.focus.n3(),
                        "path": compact(r.path, None) if r.path is not None else None,
                        "value": compact(r.value, None) if r.value is not None else None,
                        "source": str(r.source),
                        "sourceName": r.source_name,
                        "constraint": str(r.constraint) if r.constraint else None,
                        "message": r.message,
                    }
                    for r in report.results
                ],
                "timings": {k: round(v, 4) for k, v in report.timings.items()},
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


# ---------------------------------------------------------------- turtle


def turtle(report: Report, strict: bool = False) -> str:
    """The standard sh:ValidationReport; quality checks appear as SPARQL-based constraints."""
    g = Graph()
    for prefix, ns in DISPLAY_PREFIXES.items():
        g.bind(prefix, ns)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for r in report.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.resultSeverity, r.severity.iri))
        g.add((node, SH.sourceShape, r.source))
        g.add((node, SH.sourceConstraintComponent, r.constraint or SH.SPARQLConstraintComponent))
        g.add((node, SH.resultMessage, Literal(r.message)))
        if r.path is not None:
            g.add((node, SH.resultPath, build_shacl_path(r.path, g)[0]))
        if r.value is not None:
            g.add((node, SH.value, r.value))
    return g.serialize(format="turtle")


# ---------------------------------------------------------------- junit


def _fails(result: Result, strict: bool) -> bool:
    return result.severity is Severity.VIOLATION or (strict and result.severity is Severity.WARNING)


def junit(report: Report, strict: bool = False) -> str:
    """One test suite per file, one test case per result (failing for violations, and for warnings
    when strict), and a passing 'conforms' case for each file without failures."""
    seconds = f"{report.timings.get('validate', 0.0) + report.timings.get('checks', 0.0):.3f}"
    suites = ET.Element("testsuites", name="sugraph validate", time=seconds)
    files = [str(f) for f in report.files]
    files += sorted({str(r.file or "") for r in report.results} - set(files))
    total = failures = 0
    for file in files:
        results = [r for r in report.results if str(r.file or "") == file]
        suite = ET.SubElement(suites, "testsuite", name=file or "(no file)")
        failed = [r for r in results if _fails(r, strict)]
        for r in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=file or "(no file)",
                name=f"{_what(r, focus=True)} [{compact(r.source)}]",
                file=file,
                line=str(r.line or 0),
            )
            facts = [("focus", r.focus), ("path", r.path), ("value", r.value), ("source", r.source)]
            detail = "\n".join(
                [
                    _where(r),
                    *(f"{k}: {compact(v)}" for k, v in facts if v is not None),
                    f"severity: {r.severity.value}",
                    r.message,
                ]
            )
            if _fails(r, strict):
                ET.SubElement(case, "failure", message=r.message, type=r.severity.value).text = detail
            else:
                ET.SubElement(case, "system-out").text = detail
        if not failed:
            ET.SubElement(suite, "testcase", classname=file or "(no file)", name="conforms", file=file, line="0")
        tests = len(results) + (not failed)
        suite.set("tests", str(tests))
        suite.set("failures", str(len(failed)))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total, failures = total + tests, failures + len(failed)
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# ---------------------------------------------------------------- sarif

_SARIF_LEVELS = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(report: Report, strict: bool = False) -> str:
    """SARIF 2.1.0 for code-scanning views: one rule per shape or check, one result per problem."""
    rules: dict[str, int] = {}
    rule_objects: list[dict] = []
    results = []
    for r in report.results:
        rule_id = compact(r.source).strip("<>")
        if rule_id not in rules:
            rules[rule_id] = len(rule_objects)
            rule_objects.append(
                {
                    "id": rule_id,
                    "name": r.source_name,
                    "shortDescription": {"text": r.source_name},
                    "helpUri": str(r.source),
                    "defaultConfiguration": {"level": _SARIF_LEVELS[r.severity]},
                }
            )
        result: dict = {
            "ruleId": rule_id,
            "ruleIndex": rules[rule_id],
            "level": _SARIF_LEVELS[r.severity],
            "message": {"text": f"{_what(r, focus=True)}: {r.message}"},
            "properties": {
                "focus": compact(r.focus, None),
                "path": compact(r.path, None) or None,
                "value": compact(r.value, None) or None,
            },
        }
        if r.file:
            physical: dict = {"artifactLocation": {"uri": r.file.as_posix()}}
            if r.line:
                physical["region"] = {"startLine": r.line}
            result["locations"] = [
                {
                    "physicalLocation": physical,
                    "logicalLocations": [{"fullyQualifiedName": compact(r.focus), "kind": "resource"}],
                }
            ]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sugraph",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rule_objects,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- github

_GITHUB_COMMANDS = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(report: Report, strict: bool = False) -> str:
    """GitHub Actions workflow commands: each result becomes an annotation on its file and line."""
    lines = []
    for r in report.results:
        props = [f"file={_escape_property(str(r.file))}"] if r.file else []
        props += [f"line={r.line}"] if r.line else []
        props.append(f"title={_escape_property(f'{r.source_name} [{compact(r.source)}]')}")
        message = _escape_data(f"{_what(r, focus=True)}: {r.message}")
        lines.append(f"::{_GITHUB_COMMANDS[r.severity]} {','.join(props)}::{message}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def github_error(error: LoadError) -> str:
    """An unreadable file as an annotation too, so a syntax error shows on its line in the pull request."""
    props = [f"file={_escape_property(str(shown(error.path)))}"]
    props += [f"line={error.line}"] if error.line else []
    props += [f"col={error.column}"] if error.column else []
    return f"::error {','.join(props)},title=Unreadable RDF::{_escape_data(error.message)}"


FORMATS: dict[str, Callable[[Report, bool], str]] = {
    "text": text,
    "json": to_json,
    "turtle": turtle,
    "junit": junit,
    "sarif": sarif,
    "github": github,
}


def render(report: Report, fmt: str = "text", strict: bool = False, color: bool = False) -> str:
    """The report in one of FORMATS; `color` (ANSI) applies to text only."""
    return text(report, strict, color) if fmt == "text" else FORMATS[fmt](report, strict)
