"""SHACL engines side by side: whole-process wall time and whether their results equal pySHACL's.

    python bench/shacl_engines.py [--scale 100] [--engines pyshacl,sugraph,...] [--scaled-reference ENGINE] [--example]

Engines: pyshacl (the reference), sugraph (ours, `sugraph.validation.sparql_shacl`: one SPARQL query per
constraint on pyoxigraph, as `sugraph validate` runs it), pyshacl-turbo (data and shapes in Oxigraph stores),
pyshacl-turbo-rdflib (on the rdflib graphs `sugraph validate` parses), shacl-rust and pyrudof (both
parse the Turtle text themselves). `--example` prints one differing result per engine and case.

Each engine runs in its own process (`--one ENGINE FILE…`), timed from process start to exit, on the
same input: the data files plus the ontology (the graph `sugraph validate` checks) against shapes/.
It prints its results as JSON lines that this script compares, as sets, with pySHACL's. A result is
(severity, focus node, path, value, source shape, constraint component, messages); blank nodes are
compared by what they are: a focus or value blank node by its triples with IRIs and literals (our
blank nodes are derivations, each with its document and quote). Cases: every fixture under
tests/fixtures/shapes/ (each with the ontology, in one process per engine), the shipped data/, and
validate_bench's synthetic data at `--scale` (the shipped files copied with entity IRIs renamed).

`--scaled-reference pyshacl-turbo` compares the results at `--scale` with that engine's instead of
pySHACL's, and does not run pySHACL at that scale (it takes most of an hour at 100×); the fixtures and
the shipped data are still compared with pySHACL.

Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
SH = "http://www.w3.org/ns/shacl#"
ENGINES = ("pyshacl", "sugraph", "pyshacl-turbo", "pyshacl-turbo-rdflib", "shacl-rust", "pyrudof")

BNODE = re.compile(r'"_:\[(?:[^"\\]|\\.)*\]"')
Row = tuple  # (severity, focus, path, value, source, constraint, messages)


# ---------------------------------------------------------------- engines (each runs in its own process)


def turtle_text(files: Iterable[Path]) -> str:
    """The files as one Turtle document: Turtle allows @prefix anywhere, and our files use no _:labels."""
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def rows_from_report_graph(report) -> list[Row]:
    """A pySHACL-style validation report graph (rdflib) → rows."""
    from rdflib import RDF, Namespace
    from rdflib.extras.shacl import parse_shacl_path

    sh = Namespace(SH)
    rows = []
    for node in report.subjects(RDF.type, sh.ValidationResult):
        path = report.value(node, sh.resultPath)
        rows.append(
            (
                report.value(node, sh.resultSeverity),
                report.value(node, sh.focusNode),
                parse_shacl_path(report, path) if path is not None else None,
                report.value(node, sh.value),
                report.value(node, sh.sourceShape),
                report.value(node, sh.sourceConstraintComponent),
                sorted(str(m) for m in report.objects(node, sh.resultMessage)),
            )
        )
    return rows


def run_pyshacl(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    import pyshacl

    from sugraph.build import parse_all

    graph = parse_all(data)
    _, report, _ = pyshacl.validate(graph, shacl_graph=parse_all(shapes), inference="none", inplace=True)
    return rows_from_report_graph(report), graph


def run_sugraph(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    """Ours, as `sugraph validate` runs it: the files parsed straight into an Oxigraph store."""
    from sugraph.build import parse_all
    from sugraph.validation.engines import report_graph
    from sugraph.validation.sparql_shacl import Data

    report = report_graph(Data.of_files(data), parse_all(shapes), "sugraph")
    return rows_from_report_graph(report), report  # whose blank nodes come with their triples, as written


def run_turbo(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    import pyoxigraph as ox
    import pyshacl_turbo

    store, shapes_store = ox.Store(), ox.Store()  # both in Oxigraph: data from a store and shapes from
    store.load(turtle_text(data), format=ox.RdfFormat.TURTLE)  # rdflib tell "EUR" from "EUR"^^xsd:string
    shapes_store.load(turtle_text(shapes), format=ox.RdfFormat.TURTLE)
    _, report, _ = pyshacl_turbo.validate(store, shacl_graph=shapes_store, inference="none")
    return rows_from_report_graph(report), store


def run_turbo_rdflib(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    """pyshacl-turbo on the rdflib graphs `sugraph validate` parses today (Oxigraph's parser, rdflib terms)."""
    import pyshacl_turbo

    from sugraph.build import parse_all

    graph = parse_all(data)
    _, report, _ = pyshacl_turbo.validate(graph, shacl_graph=parse_all(shapes), inference="none")
    return rows_from_report_graph(report), graph


def run_shacl_rust(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    import shacl_rust

    text = turtle_text(data)
    report = shacl_rust.validate(text, turtle_text(shapes))
    rows = [
        (
            r.get("severity"),
            r.get("focusNode"),
            r.get("resultPath"),
            r.get("value"),
            r.get("sourceShape"),
            r.get("sourceConstraintComponent"),
            sorted(r.get("messages", [])),
        )
        for r in report["results"]
    ]
    return rows, text


def run_pyrudof(data: list[Path], shapes: list[Path]) -> tuple[list[Row], object]:
    import pyrudof
    from rdflib import Graph

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    text = turtle_text(data)
    rudof.read_data(text, format=pyrudof.RDFFormat.Turtle)
    rudof.read_shacl(turtle_text(shapes))
    rudof.validate_shacl()
    report = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
    return rows_from_report_graph(Graph().parse(data=report, format="nt")), text


RUNNERS: dict[str, Callable[[list[Path], list[Path]], tuple[list[Row], object]]] = {
    "pyshacl": run_pyshacl,
    "sugraph": run_sugraph,
    "pyshacl-turbo": run_turbo,
    "pyshacl-turbo-rdflib": run_turbo_rdflib,
    "shacl-rust": run_shacl_rust,
    "pyrudof": run_pyrudof,
}


def one(engine: str, shapes: list[Path], ontology: list[Path], cases: list[list[Path]]) -> None:
    """Child process: each case's rows as one JSON line of normalized rows (or the error)."""
    for data in cases:
        try:
            rows, graph = RUNNERS[engine](data + ontology, shapes)
            out = sorted({normalized(row, bnode_key(graph)) for row in rows})
            print(json.dumps({"rows": out}), flush=True)
        except Exception as e:  # noqa: BLE001 - an engine failing is a measurement, not a crash
            print(json.dumps({"error": f"{type(e).__name__}: {str(e)[:300]}"}), flush=True)


# ---------------------------------------------------------------- normalizing rows across engines


def term(value) -> str:
    """An N-Triples-ish text for an rdflib term, an rdflib path or an engine's string."""
    from rdflib import XSD, Literal

    if value is None:
        return ""
    if isinstance(value, Literal) and value.datatype == XSD.string:  # RDF 1.1: "x" and "x"^^xsd:string are
        value = Literal(str(value))  # one term; Oxigraph-born literals carry the datatype, rdflib's do not
    if hasattr(value, "n3"):
        return value.n3()
    return str(value)


def bnode_key(graph) -> Callable[[str], str]:
    """Blank node label → its triples with IRIs and literals, read back from the engine's own data graph
    (rdflib or Oxigraph); "_:" when the engine parsed the text itself and its labels cannot be read back."""
    import pyoxigraph as ox
    from rdflib import BNode, Graph

    def key(label: str) -> str:
        if isinstance(graph, Graph):
            triples = [(p.n3(), o.n3()) for p, o in graph.predicate_objects(BNode(label)) if not isinstance(o, BNode)]
        elif isinstance(graph, ox.Store):
            quads = graph.quads_for_pattern(ox.BlankNode(label), None, None)
            triples = [(str(q.predicate), str(q.object)) for q in quads if not isinstance(q.object, ox.BlankNode)]
        else:
            return "_:"
        return "_:[" + " ; ".join(f"{p} {o}" for p, o in sorted(triples)) + "]"

    return key


def normalized(row: Row, bnode: Callable[[str], str]) -> str:
    def text(value) -> str:
        t = term(value)
        return bnode(t[2:]) if t.startswith("_:") else t

    severity, focus, path, value, source, constraint, messages = row
    return json.dumps(
        [text(severity), text(focus), term(path), text(value), text(source), text(constraint), messages],
        ensure_ascii=False,
    )


# ---------------------------------------------------------------- the parent: timing and comparing


def run(engine: str, shapes: list[Path], ontology: list[Path], cases: list[list[Path]]) -> tuple[float, list[dict]]:
    command = [
        sys.executable,
        __file__,
        "--one",
        engine,
        "--shapes",
        *map(str, shapes),
        "--ontology",
        *map(str, ontology),
        "--cases",
        *("|".join(map(str, c)) for c in cases),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(lines) != len(cases):
        lines += [{"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"}] * (
            len(cases) - len(lines)
        )
    return wall, lines


def verdict(reference: dict, got: dict) -> str:
    if "error" in got:  # the exception's type and the end of its message
        kind, _, message = got["error"].partition(": ")
        return f"error: {kind}: …{message[-40:]}"
    ref, mine = set(reference["rows"]), set(got["rows"])
    if any('"_:"' in row for row in mine):  # the engine's blank nodes are anonymous: so are pySHACL's here
        ref = {BNODE.sub('"_:"', row) for row in ref}
    if ref == mine:
        return "equal"
    return f"differs: {len(ref - mine)} missing, {len(mine - ref)} extra of {len(ref)}"


def fixtures() -> list[list[Path]]:
    folder = ROOT / "tests" / "fixtures" / "shapes"
    return [[f] for f in sorted(folder.rglob("*")) if f.suffix == ".ttl"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--one")
    parser.add_argument("--shapes", nargs="*", type=Path)
    parser.add_argument("--ontology", nargs="*", type=Path)
    parser.add_argument("--cases", nargs="*")
    parser.add_argument(
        "--scaled-reference", default="pyshacl", help="the engine whose results the scaled case is compared with"
    )
    parser.add_argument("--example", action="store_true", help="print one differing row per engine and case")
    args = parser.parse_args()
    if args.one:
        one(args.one, args.shapes, args.ontology, [[Path(p) for p in c.split("|")] for c in args.cases])
        return 0

    from validate_bench import machine, synthetic

    from sugraph.build import rdf_files

    shapes, ontology = rdf_files([ROOT / "shapes"]), rdf_files([ROOT / "ontology"])
    shipped = sorted((ROOT / "data").glob("*.ttl"))
    big = sorted(synthetic(args.scale).glob("*.ttl"))
    engines = args.engines.split(",")
    measured: dict[str, dict[str, tuple[float, list[dict]]]] = {}
    for engine in engines:
        measured[engine] = {
            "fixtures": run(engine, shapes, ontology, fixtures()),
            "shipped": run(engine, shapes, ontology, [shipped]),
        }
        if engine == args.scaled_reference or engine != "pyshacl":
            measured[engine]["scaled"] = run(engine, shapes, ontology, [big])
    ref, scaled_ref = measured["pyshacl"], measured[args.scaled_reference]
    load = Path("/proc/loadavg").read_text().split()[0]
    lines = [
        f"## SHACL engines side by side (issue 15, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()}; shared with other work (load average {load} "
        f"at the end). Rerun: `nice -n 10 python bench/shacl_engines.py --scale {args.scale}`. Wall time of one "
        "process from start to exit, which parses data + ontology and shapes and validates; one run each.",
        "",
        f"| engine | fixtures ({len(fixtures())} files, one process) | shipped data | {args.scale}× synthetic "
        f"({len(big)} files) | results vs pySHACL: fixtures | shipped | {args.scale}× (vs {args.scaled_reference}) |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for engine in engines:
        m = measured[engine]
        same = [v for v in (verdict(r, g) for r, g in zip(ref["fixtures"][1], m["fixtures"][1], strict=True))]
        fixture_verdict = (
            "equal"
            if all(v == "equal" for v in same)
            else f"{sum(v != 'equal' for v in same)} of {len(same)} differ ({next(v for v in same if v != 'equal')})"
        )
        scaled = m.get("scaled")
        lines.append(
            f"| {engine} | {m['fixtures'][0]:.2f} s | {m['shipped'][0]:.2f} s | "
            + (f"{scaled[0]:.2f} s" if scaled else "not run")
            + f" | {fixture_verdict} | {verdict(ref['shipped'][1][0], m['shipped'][1][0])} | "
            + (verdict(scaled_ref["scaled"][1][0], scaled[1][0]) if scaled else "—")
            + " |"
        )
    print("\n".join(lines))
    if args.example:
        for engine in engines[1:]:
            for case in ("fixtures", "shipped"):
                for r, g in zip(ref[case][1], measured[engine][case][1], strict=True):
                    if "rows" in g and set(r["rows"]) != set(g["rows"]):
                        print(
                            f"\n{engine} {case}:\n  pyshacl: {sorted(set(r['rows']) - set(g['rows']))[:1]}\n"
                            f"  {engine}: {sorted(set(g['rows']) - set(r['rows']))[:1]}"
                        )
                        break
    return 0


if __name__ == "__main__":
    sys.exit(main())
