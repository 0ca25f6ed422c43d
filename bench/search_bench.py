"""Full-text search engines side by side, on the shipped graph and on bench/synth.py's N× copies.

    python bench/synth.py 100 1000        # once: bench/out/scale-N with its prebuilt store
    python bench/search_bench.py 1 100 1000 [--repeat 30]
    python bench/search_bench.py 100 1000 --startup   # `sugraph serve`: without, then with the files
    python bench/search_bench.py 1000 --startup --repeat 5 --against /path/to/older/checkout   # a before
    python bench/search_bench.py 100 1000 --named --repeat 5 [--against /path/to/older/checkout]

Factor 1 is the shipped graph; N reads `bench/out/scale-N`. For each it reads the labels as the
site does at start-up, then builds each engine from the texts search covers (names, descriptions,
quotes):

- `fts5`: `sugraph.search.build_index`, the SQLite FTS5 file the server keeps beside the prebuilt
  store (written to a temporary folder here), then opened as at start-up (`TextIndex`);
- `scan`: the same rows in Python lists, every query a linear scan of word prefixes (what
  `LabelIndex.search` did over names before FTS5, extended to every text).

Reports the time to read the labels, to build the file and to open it, the file's size, and per
query the median and 95th percentile of the CPU time (this process's: the machine is shared, and
wall-clock times measured the other processes too) of what a page costs: the ranked first 50 and
the counts per kind (`page`), and the completion the editor asks (`limit 10`). Prints
a Markdown table for bench/RESULTS.md.

`--named` times the named queries instead, with the example parameters of `EXAMPLES`: each on
the engine alone (pyoxigraph's `Store.query` on the prebuilt store, as the query workers run it;
the second of two runs), then over HTTP from `sugraph serve` with the snapshot and index files
already beside the store (never rebuilt, the folder is shared): the first HTML request (the engine
and the page), the median of the repeats (the result cache answers), and the whole answer as CSV
(`limit` at the row cap: what the page costs outside the engine). The queries are served from the
checkout's own queries/ folder (`SUGRAPH_QUERIES_DIR`), not from the copy beside the data, and
keep no answers (`SUGRAPH_ANSWERS_BYTES=0`): `--named` times the engine, `--startup` what a reader
gets once the named queries were answered ahead (web/ahead.py).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol

import httpx
import pyoxigraph as ox
from pages_bench import real_entities

from sugraph.build import find_root, load
from sugraph.iris import kind_of
from sugraph.named_queries import load_queries
from sugraph.search import FIELDS, INDEX_FILE, LabelIndex, TextIndex, build_index, hit_field, normalise
from sugraph.snapshot import SNAPSHOT_FILE, Rows, Snapshot, build_snapshot
from sugraph.store.answers import ANSWERS_FILE
from sugraph.store.oxigraph import OxigraphStore
from sugraph.store.prebuilt import rows_of

OUT = Path(__file__).resolve().parent / "out"
ENTITY_PAGE_MS = 50.0  # issue 15's budget for every entity page at 1000×
QUERIES = ["wannacry", "cyberc", "otan", "services repressifs", "schinias", "e", "zzzz"]
FILTERED = [("wannacry", "actor"), ("cyberc", "measure"), ("e", "event")]  # /search?q=…&kind=…
EXAMPLES = {"threat": "threat:terrorism"}  # --named: a value for each required parameter


def store_rows(factor: int) -> Rows:
    """What the builds read of the store of bench/out/scale-N (the shipped graph for 1), as the server does."""
    if factor == 1:
        return OxigraphStore.from_graph(load(find_root())).select
    stores = sorted((OUT / f"scale-{factor}" / "cache" / "stores").glob("*-*"))
    if not stores:
        raise SystemExit(f"no bench/out/scale-{factor}: run python bench/synth.py {factor} first")
    return rows_of(stores[-1])


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Scan:
    """The linear scan: every text's words, each query tested against all of them."""

    def __init__(self, index: TextIndex) -> None:
        self.rows = []
        db = sqlite3.connect(index.path)
        entities = dict((n, (iri, kind)) for n, iri, kind in db.execute("SELECT n, iri, kind FROM entities"))
        for rowid, text in db.execute("SELECT rowid, text FROM texts"):
            (iri, kind), key = entities[rowid >> index.shift & index.mask], normalise(text)
            self.rows.append((iri, kind, FIELDS.index(hit_field(rowid)), key, tuple(key.split())))

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


def filtered_page(engine: LabelIndex, query: str, kinds: tuple[str, ...]) -> None:
    """What /search?kind= costs: the first 50 of these kinds, and the counts per kind."""
    engine.search(query, 50, kinds)
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
    rows = store_rows(factor)
    folder = tempfile.TemporaryDirectory(prefix="search-bench-")
    started = time.perf_counter()
    labels = LabelIndex(Snapshot(build_snapshot(Path(folder.name) / SNAPSHOT_FILE, rows)))
    read = time.perf_counter() - started
    gc.collect()
    before = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    path = build_index(Path(folder.name) / INDEX_FILE, rows, labels.snapshot, kind_of)
    built, cpu = time.perf_counter() - started, time.process_time() - cpu
    grown = rss_mib() - before
    started = time.perf_counter()
    index = TextIndex(path)
    labels.attach(index)
    index.search("otan", 1, (), "en")
    opened = time.perf_counter() - started
    db = sqlite3.connect(path)
    count, entities = (db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("texts", "entities"))
    lines = [
        f"| {factor}× | fts5 | {count:,} texts of {entities:,} entities | snapshot file built {read:.2f} s, "
        f"file built {built:.2f} s ({cpu:.2f} s CPU, with the quotes' read), "
        f"opened and first search {opened * 1000:.1f} ms "
        f"| file {path.stat().st_size / 2**20:.0f} MiB, +{grown:.0f} MiB RSS while building |"
    ]
    engine: dict[str, Engine] = {"fts5": labels}
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
            counts = e.counts(query)
            found = f"{sum(counts.values()):,}{'' if getattr(counts, 'complete', True) else '+'}"
            lines.append(
                f"| {factor}× | {name} | `{query}` ({found} entities) | page {paged[0]:.2f} / {paged[1]:.2f} ms "
                f"| limit 10 {completed[0]:.2f} / {completed[1]:.2f} ms |"
            )
    if "fts5" in engines:
        for query, kind in FILTERED:
            filtered = timings(partial(filtered_page, kinds=(kind,)), labels, query, repeat)
            lines.append(
                f"| {factor}× | fts5 | `{query}` kind={kind} | page {filtered[0]:.2f} / {filtered[1]:.2f} ms | |"
            )
    return lines


def startup(factor: int, repeat: int, against: Path | None) -> list[str]:
    """`sugraph serve` on bench/out/scale-N: seconds to /health, to a search that answers and until
    /ready says the named queries were answered ahead, first without the snapshot, index and answer
    files beside the store (they are built, the slow answers kept), then with them (opened); then,
    once answered ahead, the resident memory of the server and of each query worker, and the wall-clock latency
    (first request, then median / p95 of the repeats, which the result cache may answer) of the
    searches, the European Commission's page and every named query. `against`: serve from the
    sources of another checkout (its `src`), for a before/after on the same data."""
    root = OUT / f"scale-{factor}"
    (store,) = (root / "cache" / "stores").glob("*-*")
    lines = []
    for case in ("files built", "files opened"):
        if case == "files built":
            for name in (INDEX_FILE, SNAPSHOT_FILE, ANSWERS_FILE):
                (store / name).unlink(missing_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "SUGRAPH_ROOT": str(root), "SUGRAPH_CACHE_DIR": str(root / "cache")}
        if against is not None:
            env["PYTHONPATH"] = str(against / "src")
        command = [sys.executable, "-m", "sugraph.cli", "serve", "--port", str(port), "--log-level", "warning"]
        started = time.perf_counter()
        server = subprocess.Popen([*command, "--workers", "1", "--no-access-log"], env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            health, search = (_answered(f"{url}{path}", started, server) for path in ("/health", "/search.json?q=otan"))
            ahead = _answered_ahead(url, started)
            lines.append(
                f"| {factor}× | serve, {case} | /health after {health:.1f} s, search after {search:.1f} s, "
                f"named queries answered ahead after {ahead:.1f} s | |"
            )
            if case == "files opened":
                lines += _memory(server.pid, factor)
                html, turtle = {"Accept": "text/html"}, {"Accept": "text/turtle"}
                paths = [(f"/search.json?q={query}", {}) for query in QUERIES]
                entity = "/id/actor/european-commission"
                paths += [(entity, html), (f"{entity}?lang=fr", html), (f"{entity}-c7", html), (entity, turtle)]
                paths += [("/id/actor/natoo", {}), ("/browse/actor", html)]  # a 404's suggestions, a long list
                for name, query in load_queries(root / "queries").items():  # a required value from EXAMPLES
                    values = "&".join(f"{p.name}={EXAMPLES[p.name]}" for p in query.params if p.required)
                    paths.append((f"/queries/{name}" + (f"?{values}" if values else ""), {}))
                with httpx.Client(base_url=url, timeout=300, follow_redirects=True) as client:
                    for path, headers in paths:
                        samples = []
                        for _ in range(repeat + 1):
                            begun = time.perf_counter()
                            status = client.get(path, headers=headers).status_code
                            samples.append((time.perf_counter() - begun) * 1000)
                        if status == 400:  # a named query whose parameters have no default
                            continue
                        first, rest = samples[0], sorted(samples[1:])
                        accept = headers.get("Accept", "")
                        median, p95 = statistics.median(rest), rest[min(len(rest) - 1, int(len(rest) * 0.95))]
                        lines.append(
                            f"| {factor}× | serve | `{path}` {accept} | first {first:.1f} ms, "
                            f"then {median:.1f} / {p95:.1f} ms (wall) | |"
                        )
                    lines += _entity_pages(client, factor, repeat)
                lines += _memory(server.pid, factor)
        finally:
            server.terminate()
            server.wait(30)
    return lines


def _entity_pages(client: httpx.Client, factor: int, repeat: int) -> list[str]:
    """Every entity page of the shipped data, of which every other entity's page is a copy
    (bench/synth.py), as HTML: its first request, then the median of the repeats."""
    firsts, warms = {}, {}
    for path in real_entities():
        firsts[path] = _wall(client, path)
        warms[path] = statistics.median(_wall(client, path) for _ in range(repeat))
    lines = []
    for name, times in (("first request", firsts), ("then, median of the repeats", warms)):
        slowest = max(times, key=times.__getitem__)
        within = sum(t <= ENTITY_PAGE_MS for t in times.values())
        lines.append(
            f"| {factor}× | serve | the {len(times)} entity pages of the shipped data (HTML), {name} | "
            f"median {statistics.median(times.values()):.1f} ms, max {times[slowest]:.1f} ms (`{slowest}`); "
            f"{within} of {len(times)} within {ENTITY_PAGE_MS:.0f} ms | |"
        )
    return lines


def _wall(client: httpx.Client, path: str) -> float:
    begun = time.perf_counter()
    status = client.get(path, headers={"Accept": "text/html"}).status_code
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status}")
    return (time.perf_counter() - begun) * 1000


def named(factor: int, repeat: int, against: Path | None) -> list[str]:
    """Every named query of the checkout (or of `against`): on the engine alone, then over HTTP
    (first HTML request, median / p95 of the repeats, the whole answer as CSV). See the module's doc."""
    root = OUT / f"scale-{factor}"
    (store_dir,) = (root / "cache" / "stores").glob("*-*")
    checkout = against or find_root()
    queries = load_queries(checkout / "queries")
    lines, store = [], ox.Store.read_only(str(store_dir))
    for name, query in queries.items():
        text = query.text({p.name: [EXAMPLES[p.name]] for p in query.params if p.name in EXAMPLES})
        for _ in range(2):
            begun = time.perf_counter()
            count = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
            ms = (time.perf_counter() - begun) * 1000
        lines.append(f"| {factor}× | engine alone | `{name}` | {ms:.0f} ms | {count} rows |")
    del store
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SUGRAPH_ROOT": str(root), "SUGRAPH_CACHE_DIR": str(root / "cache")}
    env.update(SUGRAPH_QUERIES_DIR=str(checkout / "queries"), PYTHONPATH=str(checkout / "src"))
    env["SUGRAPH_ANSWERS_BYTES"] = "0"  # the engine's cost: no answer is read back from the answer file
    command = [sys.executable, "-m", "sugraph.cli", "serve", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen([*command, "--workers", "1", "--no-access-log"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _answered(f"{url}/health", time.perf_counter(), server)
        with httpx.Client(base_url=url, timeout=300) as client:
            for name, query in queries.items():
                params = {p.name: EXAMPLES[p.name] for p in query.params if p.name in EXAMPLES}
                samples, statuses = [], set()
                for _ in range(repeat + 1):
                    begun = time.perf_counter()
                    statuses.add(
                        client.get(f"/queries/{name}", params=params, headers={"Accept": "text/html"}).status_code
                    )
                    samples.append((time.perf_counter() - begun) * 1000)
                whole = []
                for _ in range(repeat):
                    begun = time.perf_counter()
                    answer = client.get(f"/queries/{name}", params={**params, "format": "csv", "limit": "10000"})
                    whole.append((time.perf_counter() - begun) * 1000)
                first, rest = samples[0], sorted(samples[1:])
                median, p95 = statistics.median(rest), rest[min(len(rest) - 1, int(len(rest) * 0.95))]
                rows = len(list(csv.reader(io.StringIO(answer.text)))) - 1
                status = ", ".join(map(str, sorted(statuses)))
                lines.append(
                    f"| {factor}× | HTTP | `{name}` (status {status}) | first {first:.0f} ms, "
                    f"then {median:.0f} / {p95:.0f} ms | CSV of {rows} rows {statistics.median(whole):.0f} ms |"
                )
    finally:
        server.terminate()
        server.wait(30)
    return lines


def _memory(pid: int, factor: int) -> list[str]:
    """Resident (RSS) and proportional (PSS: shared pages split between the processes that map
    them) memory of the server process and of each of its descendants (the query workers)."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    lines, todo, total = [], [pid], [0.0, 0.0]
    while todo:
        current = todo.pop(0)
        todo += children.get(current, [])
        try:
            rollup = (Path("/proc") / str(current) / "smaps_rollup").read_text().splitlines()
            cmdline = (Path("/proc") / str(current) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.endswith("kB")}
        rss, pss = kb["Rss"] / 1024, kb["Pss"] / 1024
        total[0], total[1] = total[0] + rss, total[1] + pss
        what = "server" if current == pid else " ".join(part.decode()[-40:] for part in cmdline[1:3])
        lines.append(f"| {factor}× | memory | {what} (pid {current}) | RSS {rss:.0f} MiB | PSS {pss:.0f} MiB |")
    lines.append(f"| {factor}× | memory | all | RSS {total[0]:.0f} MiB | PSS {total[1]:.0f} MiB |")
    return lines


def _answered_ahead(url: str, started: float) -> float:
    """Seconds from `started` until /ready says the named queries' offered pages were asked
    (web/ahead.py), so the requests measured after it find the slow answers kept."""
    while httpx.get(f"{url}/ready", timeout=30).json().get("answers_ahead") == "running":
        time.sleep(0.2)
    return time.perf_counter() - started


def _answered(address: str, started: float, server: subprocess.Popen) -> float:
    """Seconds from `started` until `address` answers 200 (polled every 50 ms)."""
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(address, timeout=5).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("factors", nargs="+", type=int)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--engines", default="fts5,scan", help="comma-separated: fts5, scan")
    parser.add_argument("--startup", action="store_true", help="time `sugraph serve` instead (N > 1)")
    parser.add_argument("--named", action="store_true", help="time the named queries instead (N > 1)")
    parser.add_argument(
        "--against", type=Path, help="with --startup or --named: serve from this checkout's src (a before)"
    )
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores; median / p95 CPU time of {args.repeat} runs\n")
    print("| data | engine | what | build or page (median / p95) | memory or completion (median / p95) |")
    print("|---|---|---|---|---|")
    for factor in args.factors:
        if args.named:
            lines = named(factor, args.repeat, args.against)
        elif args.startup:
            lines = startup(factor, args.repeat, args.against)
        else:
            lines = measure(factor, args.repeat, args.engines.split(","))
        for line in lines:
            print(line, flush=True)


if __name__ == "__main__":
    main()
