"""How long `sugraph validate` takes, from process start, against pyshacl's own command line on the
same data, shapes and ontology; then the same at 100x scale on synthetic data.

The synthetic data is the shipped data copied N times with every entity renamed per copy
(`measure:x` → `measure:c7-x`), so each copy is a complete graph as valid as the original; the shared
vocabularies (statuses, schemes) stay as they are. It is written to bench/out/ (not committed).

    python bench/validate_bench.py [--repeat 5] [--scale 100] [--pyshacl-at-scale]

Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
ENTITY_NAME = re.compile(
    r"(?<![\w/#<\"])"
    r"(threat|measure|instrument|actor|person|post|strategy|priority|doc|event|statement):"
    r"(?=[a-z0-9])"
)  # every prefix of CONVENTIONS.md but the shared scheme: and status:


def synthetic(scale: int) -> Path:
    """bench/out/synthetic-{scale}x: the shipped data files, `scale` times, entity IRIs renamed per copy."""
    folder = OUT / f"synthetic-{scale}x"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for source in sorted((ROOT / "data").glob("*.ttl")):
        text = source.read_text(encoding="utf-8")
        for copy in range(scale):
            renamed = ENTITY_NAME.sub(rf"\1:c{copy}-", text)
            (folder / f"{source.stem}-c{copy}.ttl").write_text(renamed, encoding="utf-8")
    return folder


def one_ontology_file() -> Path:
    """pyshacl's CLI takes one ontology file (-e): the ontology folder merged into one."""
    merged = Graph()
    for f in sorted((ROOT / "ontology").glob("*.ttl")):
        merged.parse(f)
    path = OUT / "ontology-merged.ttl"
    merged.serialize(path, format="turtle")
    return path


def wall_times(command: list[str], repeat: int) -> tuple[list[float], subprocess.CompletedProcess]:
    times, done = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    return times, done


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"


def machine() -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return f"{os.cpu_count()} cores (`nproc`), {memory} memory (`free -h`), Python {sys.version.split()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--pyshacl-at-scale", action="store_true", help="also time pyshacl's CLI on the synthetic data")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "data").glob("*.ttl"))
    ontology = one_ontology_file()
    shapes = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "shapes").glob("*.ttl"))]
    pyshacl_cmd = [str(BIN / "pyshacl"), *(arg for s in shapes for arg in ("-s", s)), "-e", str(ontology)]

    ours, done = wall_times([str(BIN / "sugraph"), "validate", "--format", "json"], args.repeat)
    report = json.loads(done.stdout)
    theirs, _ = wall_times([*pyshacl_cmd, *data], args.repeat)
    triples = sum(len(Graph().parse(ROOT / d)) for d in data)

    folder = synthetic(args.scale)
    big, big_done = wall_times([str(BIN / "sugraph"), "validate", "--format", "json", str(folder)], 1)
    big_report = json.loads(big_done.stdout)
    lines = [
        f"## `sugraph validate` vs pyshacl's CLI ({date.today().isoformat()})",
        "",
        f"Machine: {machine()}. Rerun: `python bench/validate_bench.py --repeat {args.repeat} --scale {args.scale}"
        + (" --pyshacl-at-scale" if args.pyshacl_at_scale else "")
        + "`.",
        "Whole-process wall-clock time, from process start to exit, of each command on the same files "
        f"(shipped data: {len(data)} files, {triples} triples; shapes/; the ontology folder merged into one "
        "file for pyshacl's `-e`).",
        "",
        "| command | data | wall clock (median) | of which SHACL validation |",
        "|---|---|---|---|",
        f"| `sugraph validate` | shipped | {summary(ours)} | {report['timings']['validate']:.3f} s |",
        f"| `pyshacl -s shapes -e ontology data/*.ttl` | shipped | {summary(theirs)} | — |",
        f"| `sugraph validate bench/out/synthetic-{args.scale}x` | {args.scale}× synthetic "
        f"({len(list(folder.glob('*.ttl')))} files) | {summary(big)} | {big_report['timings']['validate']:.2f} s |",
    ]
    if args.pyshacl_at_scale:
        big_theirs, _ = wall_times([*pyshacl_cmd, *sorted(str(p) for p in folder.glob("*.ttl"))], 1)
        lines.append(f"| `pyshacl -s shapes -e ontology` | {args.scale}× synthetic | {summary(big_theirs)} | — |")
    lines += [
        "",
        "`sugraph validate` phases on the shipped data (seconds): "
        + ", ".join(f"{k} {v:.3f}" for k, v in report["timings"].items())
        + f"; at {args.scale}×: "
        + ", ".join(f"{k} {v:.2f}" for k, v in big_report["timings"].items())
        + ".",
        f"Results at {args.scale}×: {big_report['counts']} (the shipped data's {report['counts']} times {args.scale}).",
        "",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
