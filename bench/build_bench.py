"""How long the whole build takes — load (parse + OWL 2 RL closure) and SHACL validation — on the
shipped data and on synthetic data N times larger (issue 15: at most 10 s at 100×), one step after
the other and side by side as `sugraph build` runs them; and filling the prebuilt store from it.

    python bench/build_bench.py [--scale 100]

The synthetic data is validate_bench's: the shipped files copied N times with entity IRIs renamed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_bench import ROOT, machine, synthetic

from sugraph import Severity, validate
from sugraph.build import SourceSet, load, parse_triples_of, reasonable_closure
from sugraph.closure import closure
from sugraph.store.oxigraph import load_into
from sugraph.store.prebuilt import prebuilt_store
from sugraph.validation.shacl import validated_load


def build(root: Path) -> dict[str, float | int]:
    """Seconds for each step of one build of the project at `root`, and its size."""
    t = time.perf_counter()
    kg = load(root)
    loaded = time.perf_counter() - t
    t = time.perf_counter()
    report = validate(root=root)
    validated = time.perf_counter() - t
    t = time.perf_counter()
    validated_load(root)
    side_by_side = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        prebuilt_store(Path(folder), "bench", lambda store: load_into(store, kg))
        filled = time.perf_counter() - t
    return {
        "parse": kg.timings["parse"],
        "reason": kg.timings["reason"],
        "load": loaded,
        "validate": validated,
        "total": loaded + validated,
        "parallel": side_by_side,
        "fill": filled,
        "triples": len(kg.data_triples),
        "inferred": len(kg.inferred_triples),
        "violations": report.count(Severity.VIOLATION),
    }


def reasoners(root: Path) -> str:
    """closure.py against the `reasonable` engine (fed from rdflib, filtered as before) on the same parsed
    triples: seconds (wall and CPU) and whether they infer the same set."""
    sources = SourceSet.of(root)
    asserted = parse_triples_of(sources.ontology + sources.data)
    cells, results = [], []
    for engine in (closure, reasonable_closure):
        t, cpu = time.perf_counter(), time.process_time()
        results.append(engine(asserted))
        cells.append(f"{time.perf_counter() - t:.2f} s ({time.process_time() - cpu:.2f} s CPU)")
    return f"{cells[0]} | {cells[1]} | {len(results[0]):,} | {'yes' if results[0] == results[1] else 'NO'}"


def project_with(data: Path) -> Path:
    """A throwaway project folder: the real ontology and shapes, the given data."""
    root = Path(tempfile.mkdtemp(prefix="sugraph-build-"))
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(data, root / "data")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument(
        "--reasoners", action="store_true", help="also time closure.py against reasonable on the same triples"
    )
    args = parser.parse_args()
    print(machine())
    print(
        "| data | data triples | inferred | parse s | reason s | validate s | one after the other s "
        "| side by side (`sugraph build`) s | store fill s | violations |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    big = project_with(synthetic(args.scale))
    try:
        for name, root in (("shipped", ROOT), (f"{args.scale}× synthetic", big)):
            r = build(root)
            print(
                f"| {name} | {r['triples']:,} | {r['inferred']:,} | {r['parse']:.2f} | {r['reason']:.2f} | "
                f"{r['validate']:.2f} | {r['total']:.2f} | {r['parallel']:.2f} | {r['fill']:.2f} | {r['violations']} |"
            )
        if args.reasoners:
            print("\n| data | closure.py | reasonable | inferred | the same set |\n|---|---:|---:|---:|---|")
            for name, root in (("shipped", ROOT), (f"{args.scale}× synthetic", big)):
                print(f"| {name} | {reasoners(root)} |")
    finally:
        shutil.rmtree(big, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
