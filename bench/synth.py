"""Synthetic data of the same shape as the real graph, N times larger, ready to serve.

    python bench/synth.py 10 100 1000 [--out bench/out] [--cache-dir DIR]

For each factor N it writes a project folder `bench/out/scale-N/` (the real ontology, shapes and queries,
and `data/synthetic.nq`: N copies of the built graph, asserted and inferred quads) and puts the
matching prebuilt store in its cache `bench/out/scale-N/cache`, so
`SUGRAPH_ROOT=bench/out/scale-N SUGRAPH_CACHE_DIR=bench/out/scale-N/cache sugraph serve` starts like
a restart with unchanged data (no rdflib parse or reasoning of millions of triples).

Copy k renames every entity IRI `…/id/{kind}/{slug}` to `…/id/{kind}/{slug}-c{k}` (copy 0 keeps
the real IRIs) and every blank node; the shared vocabularies (threats, statuses, schemes) and the
ontology are not copied. The copies' closure is the copies of the closure, because copies only
meet on those shared terms. So: lookups and the headline question (one real actor and threat) keep
their answer size while the store grows N times; aggregates over threats grow N times.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from sugraph.build import SourceSet, find_root, load
from sugraph.config import Settings
from sugraph.namespaces import ENTITY_BASE
from sugraph.store.oxigraph import load_into
from sugraph.store.prebuilt import cache_key, prebuilt_store

SHARED_KINDS = ("threat/", "status/", "scheme/")


def real_quads(root: Path, settings: Settings) -> list[ox.Quad]:
    """The built real graph as quads (from the prebuilt store when there is one)."""
    kg = load(root, inference=settings.inference)
    path = prebuilt_store(
        settings.cache_dir, cache_key(kg.content_hash, settings.inference), lambda store: load_into(store, kg)
    )
    return list(ox.Store.read_only(str(path)))


def renamed(term, copy: int):
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"{term.value}c{copy}")
    if (
        isinstance(term, ox.NamedNode)
        and term.value.startswith(ENTITY_BASE)
        and not term.value[len(ENTITY_BASE) :].startswith(SHARED_KINDS)
    ):
        return ox.NamedNode(f"{term.value}-c{copy}")
    return term


def copies(quads: list[ox.Quad], factor: int):
    yield from quads
    for copy in range(1, factor):
        for q in quads:
            yield ox.Quad(renamed(q.subject, copy), q.predicate, renamed(q.object, copy), q.graph_name)


def build(factor: int, root: Path, out: Path, inference: str, quads: list[ox.Quad]) -> Path:
    folder = out / f"scale-{factor}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(root / part, folder / part)
    data = folder / "data" / "synthetic.nq"
    started = time.perf_counter()
    ox.serialize(copies(quads, factor), str(data), ox.RdfFormat.N_QUADS)
    written = time.perf_counter() - started
    key = cache_key(SourceSet.of(folder).content_hash(), inference)
    started = time.perf_counter()
    prebuilt_store(folder / "cache", key, lambda store: store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS))
    print(
        f"scale {factor}: {len(quads) * factor:,} quads (before merging shared terms), "
        f"written in {written:.1f} s, store built in {time.perf_counter() - started:.1f} s → {folder}",
        file=sys.stderr,
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("factors", nargs="+", type=int)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args()
    settings = Settings.from_env()
    root = find_root()
    quads = real_quads(root, settings)
    for factor in args.factors:
        build(factor, root, args.out, settings.inference, quads)


if __name__ == "__main__":
    main()
