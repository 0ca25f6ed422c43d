"""Full-text search engines side by side, on the shipped graph and on bench/synth.py's N× copies.

    python bench/synth.py 100 1000        # once: bench/out/scale-N with its prebuilt store
    python bench/search_bench.py 1 100 1000 [--repeat 30]

Factor 1 is the shipped graph; N reads `bench/out/scale-N`. For each it reads the texts search
covers (names, descriptions, quotes) as the site does and builds each engine from them:

- `fts5`: `sugraph.search.LabelIndex`, an SQLite FTS5 table in memory (standard library);
- `scan`: the same rows in Python lists, every query a linear scan of word prefixes (what
  `LabelIndex.search` did over names before FTS5, extended to every text).

Reports the build time, the memory it took (the process's resident set before and after, and
SQLite's pages), and per query the median and 95th percentile of the CPU time (this process's:
the machine is shared, and wall-clock times measured the other processes too) of what a page costs: the ranked
first 50 and the counts per kind (`page`), and the completion the editor asks (`limit 10`). Prints
a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from sugraph.build import find_root, load
from sugraph.search import FIELDS, LabelIndex, normalise
from sugraph.store import Store
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.pages.site import DESCRIPTIONS_QUERY, kind_of

OUT = Path(__file__).resolve().parent / "out"
QUERIES = ["wannacry", "cyberc", "otan", "services repressifs", "schinias", "e", "zzzz"]


def open_store(factor: int) -> Store:
    if factor == 1:
        return OxigraphStore.from_graph(load(find_root()))
    stores = sorted((OUT / f"scale-{factor}" / "cache" / "stores").glob("*-*"))
    if not stores:
        raise SystemExit(f"no bench/out/scale-{factor}: run python bench/synth.py {factor} first")
    return OxigraphStore(ox.Store.read_only(str(stores[-1])))


def descriptions(store: Store) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.select(DESCRIPTIONS_QUERY):
        text = row["text"]
        found[row["s"].value].setdefault(getattr(text, "language", None) or "", text.value)
    return found


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Scan:
    """The linear scan: every text's words, each query tested against all of them."""

    def __init__(self, index: LabelIndex) -> None:
        self.rows = []
        for rowid, text in index.texts.execute("SELECT rowid, text FROM texts"):
            n, key = rowid >> index.shift, normalise(text)
            field = FIELDS.index(index.hit_field(rowid))
            self.rows.append((index.entities[n], index.kinds[n], field, key, tuple(key.split())))

    def search(self, query: str, limit: int) -> list[str]:
        key = normalise(query)
        parts = key.split()
        best: dict[str, int] = {}
        for iri, _, field, text, words in self.rows:
            if all(any(w.startswith(p) for w in words) for p in parts):
                score = field * 100 + (0 if text == key else 10 if text.startswith(key) else 20)
                best[iri] = min(score, best.get(iri, score))
        return sorted(best, key=lambda iri: (best[iri], iri))[:limit]

    def counts(self, query: str) -> dict[str, int]:
        parts = normalise(query).split()
        kinds: dict[str, set[str]] = defaultdict(set)
        for iri, kind, _, _, words in self.rows:
            if all(any(w.startswith(p) for w in words) for p in parts):
                kinds[kind].add(iri)
        return {kind: len(iris) for kind, iris in kinds.items()}


class Engine(Protocol):
    def search(self, query: str, limit: int) -> list: ...
    def counts(self, query: str) -> dict[str, int]: ...


def page(engine: Engine, query: str) -> None:
    """What /search costs the engine: the first 50, and the counts per kind."""
    engine.search(query, 50)
    engine.counts(query)


def complete(engine: Engine, query: str) -> None:
    """What the editor's completion costs: the first 10."""
    engine.search(query, 10)


def timings(call: Callable[[Engine, str], None], engine: Engine, query: str, repeat: int) -> tuple[float, float]:
    call(engine, query)
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        call(engine, query)
        samples.append((time.process_time() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def measure(factor: int, repeat: int, engines: list[str]) -> list[str]:
    store = open_store(factor)
    texts = descriptions(store)
    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    index = LabelIndex.from_store(store, texts, kind_of)
    built = time.perf_counter() - started
    pages = (
        index.texts.execute("PRAGMA page_count").fetchone()[0] * index.texts.execute("PRAGMA page_size").fetchone()[0]
    )
    rows, entities = index.texts.execute("SELECT count(*) FROM texts").fetchone()[0], len(index.entities)
    lines = [
        f"| {factor}× | fts5 | {rows:,} texts of {entities:,} entities | {built:.2f} s (with the store's reads) "
        f"| +{rss_mib() - before:.0f} MiB RSS, {pages / 2**20:.0f} MiB of SQLite pages |"
    ]
    engine: dict[str, Engine] = {"fts5": index}
    if "scan" in engines:
        gc.collect()
        before = rss_mib()
        started = time.perf_counter()
        engine["scan"] = Scan(index)
        lines.append(
            f"| {factor}× | scan | same | {time.perf_counter() - started:.2f} s (from the rows) "
            f"| +{rss_mib() - before:.0f} MiB RSS |"
        )
    for name in engines:
        e = engine[name]
        for query in QUERIES:
            paged, completed = timings(page, e, query, repeat), timings(complete, e, query, repeat)
            found = sum(e.counts(query).values())
            lines.append(
                f"| {factor}× | {name} | `{query}` ({found:,} entities) | page {paged[0]:.2f} / {paged[1]:.2f} ms "
                f"| limit 10 {completed[0]:.2f} / {completed[1]:.2f} ms |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("factors", nargs="+", type=int)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--engines", default="fts5,scan", help="comma-separated: fts5, scan")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores; median / p95 CPU time of {args.repeat} runs\n")
    print("| data | engine | what | build or page (median / p95) | memory or completion (median / p95) |")
    print("|---|---|---|---|---|")
    for factor in args.factors:
        for line in measure(factor, args.repeat, args.engines.split(",")):
            print(line, flush=True)


if __name__ == "__main__":
    main()
