"""SHACL validation (and quality checks) as a typed report that says where each problem is written.

pyshacl does the SHACL work on data + ontology in one graph, so that targets and `sh:class`
follow `rdfs:subClassOf` by SHACL's own definition of class instances — no inference needed.
RDFS or OWL RL inference can be asked for, but it hides errors: a range axiom makes every object of
`sug:involves` a `foaf:Agent`, so `sh:class foaf:Agent` can no longer fail. What pyshacl cannot do,
this module adds: each result gets the file and line where its focus node is described.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from importlib.resources import files as package_files
from pathlib import Path

from rdflib import Graph
from rdflib.extras.shacl import parse_shacl_path
from rdflib.namespace import RDF

from ..build import (
    INFERENCE_MODES,
    KnowledgeGraph,
    LoadError,
    find_root,
    load,
    parse_all,
    rdf_files,
    reason,
    without_gc,
)
from ..namespaces import SH
from ..terms import by_language, in_language
from .linemap import LineMap
from .report import Report, Result, Severity, shown


@dataclass(frozen=True)
class Inputs:
    """The files a validation reads."""

    data: tuple[Path, ...]
    shapes: tuple[Path, ...]
    ontology: tuple[Path, ...]


def bundled() -> Path:
    """The shapes and ontology shipped inside the package, for use outside a sugraph checkout."""
    return Path(str(package_files("sugraph") / "bundled"))


def resolve_inputs(
    data: Iterable[Path] | None = None,
    shapes: Iterable[Path] | None = None,
    ontology: Iterable[Path] | None = None,
    root: Path | None = None,
) -> Inputs:
    """Explicit paths win; otherwise the project's data/, shapes/ and ontology/ — or, outside any
    project (another repository validating its own files), the packaged shapes and ontology."""
    try:
        project = root or find_root()
    except LoadError:
        if data is None:
            raise
        project = bundled()
    data_paths = list(data) if data is not None else [project / "data"]
    return Inputs(
        tuple(rdf_files(data_paths)),
        tuple(rdf_files(list(shapes or [project / "shapes"]))),
        tuple(rdf_files(list(ontology or [project / "ontology"]))),
    )


@without_gc()  # it makes millions of objects without cycles too: at 1000× the parse took 58 s with it on
def validate(
    data: Iterable[Path | str] | None = None,
    *,
    shapes: Iterable[Path | str] | None = None,
    ontology: Iterable[Path | str] | None = None,
    root: Path | None = None,
    inference: str = "none",
    lang: str = "en",
    checks: bool = False,
    engine: str | None = None,
) -> Report:
    """Validate RDF files (or folders) against SHACL shapes with the ontology loaded; with `checks`,
    also run the quality checks. Each argument left out defaults to the project's (or packaged)
    data/, shapes/ and ontology/; `engine` is one of `engines.ENGINES` (default: the first). Raises
    LoadError when a file cannot be read."""
    from .engines import ENGINES, InvalidShapes, report_graph
    from .sparql_shacl import Data

    if inference not in INFERENCE_MODES:
        raise ValueError(f"unknown inference mode {inference!r}; choose one of {', '.join(INFERENCE_MODES)}")
    inputs = resolve_inputs(_paths(data), _paths(shapes), _paths(ontology), root)
    timings: dict[str, float] = {}
    unlocated: list[Result] = []
    t = time.perf_counter()
    shapes_graph = parse_all(inputs.shapes)
    if (engine or ENGINES[0]) == "sugraph" and inference == "none" and not checks:
        # straight into Oxigraph: no rdflib graph of the data unless the engine hands the shapes on
        validated: Graph | Data = Data.of_files(inputs.data + inputs.ontology)
        timings["parse"] = time.perf_counter() - t
    else:
        graph, ontology_graph = parse_all(inputs.data), parse_all(inputs.ontology)
        timings["parse"] = time.perf_counter() - t
        if checks:  # before the ontology is mixed into the data graph: the checks tell the two apart
            from .quality import run_checks

            t = time.perf_counter()
            unlocated += run_checks(graph, ontology_graph, lang)
            timings["checks"] = time.perf_counter() - t
        graph += ontology_graph
        if inference != "none":
            graph += reason(graph, inference)
        validated = graph

    t = time.perf_counter()
    try:
        report = report_graph(validated, shapes_graph, engine)
    except InvalidShapes as e:
        raise LoadError(inputs.shapes[0] if inputs.shapes else "shapes", f"invalid SHACL shapes: {e.message}") from None
    timings["validate"] = time.perf_counter() - t

    t = time.perf_counter()
    if isinstance(validated, Data):  # its store's blank nodes, or the rdflib graph's if another engine ran
        triples = validated if validated.graph is None else validated.graph
        linemap = LineMap(inputs.data + inputs.ontology, triples, validated.describing)
    else:
        linemap = LineMap(inputs.data + inputs.ontology, validated)
    results = [_located(r, linemap) for r in _shacl_results(report, shapes_graph, lang) + unlocated]
    timings["locate"] = time.perf_counter() - t
    results.sort(key=lambda r: (str(r.file or ""), r.line or 0, str(r.focus), str(r.source), str(r.value)))
    return Report(results, [shown(f) for f in inputs.data], timings, lang)


def validated_load(root: Path | None = None, inference: str = "owlrl") -> tuple[KnowledgeGraph, Report]:
    """The whole build: load + OWL 2 RL closure, and SHACL validation of the same files, side by
    side in two processes. They are independent (validation uses no inferred triple), so on two
    cores the build takes as long as the slower of the two rather than their sum."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(validate, root=root)
        kg = load(root, inference=inference)
        return kg, pending.result()


def conforming_load(root: Path | None = None, inference: str = "owlrl") -> KnowledgeGraph:
    """The built graph, or LoadError if SHACL validation finds a violation: what strict serving
    (SUGRAPH_STRICT=1) starts and reloads with, so it never serves data `sugraph validate` rejects."""
    kg, report = validated_load(root, inference=inference)
    if report.exit_code():
        raise LoadError(
            (root or find_root()) / "data",
            f"the data does not conform: {report.count(Severity.VIOLATION)} SHACL violation(s) "
            "(`sugraph validate` lists them); strict mode serves only conforming data",
        )
    return kg


def _paths(paths: Iterable[Path | str] | None) -> list[Path] | None:
    return None if paths is None else [Path(p) for p in paths]


def _shacl_results(report: Graph, shapes: Graph, lang: str) -> list[Result]:
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        source = report.value(node, SH.sourceShape)
        results.append(
            Result(
                severity=Severity.of(report.value(node, SH.resultSeverity)),
                focus=report.value(node, SH.focusNode),
                path=parse_shacl_path(report, path) if path is not None else None,
                value=report.value(node, SH.value),
                source=source,
                source_name=in_language(by_language(shapes.objects(source, SH.name)), lang, str(source)),
                message=in_language(by_language(report.objects(node, SH.resultMessage)), lang),
                constraint=report.value(node, SH.sourceConstraintComponent),
            )
        )
    return results


def _located(result: Result, linemap: LineMap) -> Result:
    where = linemap.locate(result.focus, result.path, result.value)
    if where is None:
        return result
    return replace(result, file=shown(where.file), line=where.line)
