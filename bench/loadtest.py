"""Bounded load test of a real `sugraph serve` on 127.0.0.1: mixed traffic, then runaway queries.

Phase "mixed": several client processes send SPARQL queries (GET and POST), named queries, entity
pages (HTML and RDF), site pages and dumps for a fixed time; the report gives throughput, p50/p95/p99
latency, errors (anything but 2xx/3xx, or no answer) and the server's memory (VmRSS of the server and
every process under it, from /proc) over time. Zero errors and flat memory are the bar.

Phases "cheap alone" / "cheap under runaway": one client times cheap requests, first alone, then while
other clients keep sending queries that can only end at their (short) time limit; the comparison
shows whether cheap requests keep their latency.

    python bench/loadtest.py                        # 4 clients, 120 s mixed, 2 × 30 s runaway
    python bench/loadtest.py --duration 20 --runaway 10 --workers 2 --json out.json

Every loop is bounded in time and in count, and all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

MAX_REQUESTS_PER_CLIENT = 200_000
SUG = "https://w3id.org/sugraph/ontology#"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
CHEAP_SPARQL = [
    "ASK { ?s ?p ?o }",
    f"SELECT ?t ?label WHERE {{ ?t a <{SUG}Threat> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }} LIMIT 50",
    f"SELECT ?m (COUNT(?a) AS ?n) WHERE {{ ?m <{SUG}involves> ?a }} GROUP BY ?m ORDER BY DESC(?n) LIMIT 10",
    "CONSTRUCT WHERE { <https://w3id.org/sugraph/id/threat/terrorism> ?p ?o }",
]
NONCE = "NONCE"  # replaced by a random number in each request: a query the result cache has never seen
# Three unconstrained patterns over a few thousand triples: ~10^10 rows, so it only ends at its limit.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


def sparql_get(query: str, kind: str = "sparql") -> Call:
    return Call(kind, "GET", "/sparql?query=" + quote(query), SPARQL_JSON)


def mixed_calls(client: httpx.Client) -> list[Call]:
    """The mix, built from what the server really has: its named queries, entities and dumps."""
    calls = [sparql_get(q) for q in CHEAP_SPARQL]
    calls += [sparql_get(f"{q} #{NONCE}", "sparql uncached") for q in CHEAP_SPARQL[:2]]
    calls += [
        Call("sparql", "POST", "/sparql", {**SPARQL_JSON, "Content-Type": "application/sparql-query"}, q.encode())
        for q in CHEAP_SPARQL[:2]
    ]
    calls += [Call("named query", "GET", q["url"], SPARQL_JSON) for q in client.get("/queries").json()]
    entities = (
        f"SELECT ?e WHERE {{ ?e a ?c . FILTER(?c IN (<{SUG}Measure>, <{SUG}Threat>, <{SUG}Institution>)) }} LIMIT 40"
    )
    rows = client.get("/sparql", params={"query": entities}, headers=SPARQL_JSON).json()["results"]["bindings"]
    docs = ["/doc/" + r["e"]["value"].split("/id/", 1)[1] for r in rows]
    calls += [Call("entity page", "GET", d, {"Accept": "text/html"}) for d in docs]
    calls += [Call("entity rdf", "GET", d + ".ttl", {}) for d in docs[:10]]
    calls += [
        Call("site page", "GET", p, {"Accept": "text/html"})
        for p in ("/", "/browse/threat", "/browse/measure", "/search?q=cyber")
    ]
    calls += [Call("dump", "GET", f"/dumps/sugraph.{ext}", {}) for ext in ("ttl", "nt.gz", "trig")]
    return [
        c
        for c in calls
        if client.request(c.method, c.path.replace(NONCE, "0"), headers=c.headers, content=c.body).status_code < 400
    ]


def cheap_calls(mixed: list[Call]) -> list[Call]:
    """What the runaway phases time: one call of each kind that is cheap (no dumps)."""
    first: dict[str, Call] = {}
    for c in mixed:
        first.setdefault(c.kind, c)
    return [c for k, c in first.items() if k != "dump"] + [Call("health", "GET", "/health", {})]


def client_loop(url: str, calls: list[Call], seconds: float, seed: int, results: mp.Queue) -> None:
    """One client process: random calls from `calls` until the time or the count runs out."""
    rng = random.Random(seed)
    records = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            call = rng.choice(calls)
            path = call.path.replace(NONCE, str(rng.getrandbits(48)))
            start = time.monotonic()
            try:
                r = client.request(call.method, path, headers=call.headers, content=call.body)
                status, size = r.status_code, len(r.content)
            except httpx.HTTPError:
                status, size = 0, 0
            records.append((start, call.kind, status, time.monotonic() - start, size))
    results.put(records)


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (uvicorn workers, query worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def rss_mib(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run_phase(url: str, pid: int, groups: list[tuple[list[Call], int]], seconds: float) -> tuple[list, list]:
    """Run `count` client processes per (calls, count) group for `seconds`; sample RSS each second."""
    results: mp.Queue = mp.Queue()
    seeds = random.SystemRandom()  # fresh nonces in every phase, so no phase warms another's cache
    procs = [
        mp.Process(target=client_loop, args=(url, calls, seconds, seeds.getrandbits(64), results))
        for calls, count in groups
        for _ in range(count)
    ]
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        t0 = time.monotonic()
        while not stop.wait(1.0):
            samples.append((time.monotonic() - t0, rss_mib(pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    for p in procs:
        p.start()
    sampler.start()
    records = [r for _ in procs for r in results.get(timeout=seconds + 120)]
    for p in procs:
        p.join(timeout=30)
    stop.set()
    sampler.join()
    return records, samples


def answered(record: tuple) -> bool:
    return 200 <= record[2] < 400


def summary(records: list, seconds: float, ok=answered) -> dict:
    def stats(rs: list) -> dict:
        ms = sorted(r[3] * 1000 for r in rs)
        return {
            "requests": len(rs),
            "per_second": round(len(rs) / seconds, 1),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 1) if ms else None,
            "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1) if ms else None,
            "errors": sum(not ok(r) for r in rs),
        }

    kinds = sorted({r[1] for r in records})
    return {"all": stats(records), **{k: stats([r for r in records if r[1] == k]) for k in kinds}}


def memory(samples: list) -> dict:
    """Start, end and peak RSS, and the growth from the first third of the run to the last."""
    values = [v for _, v in samples]
    if not values:
        return {}
    third = max(1, len(values) // 3)
    return {
        "start_mib": round(values[0], 1),
        "end_mib": round(values[-1], 1),
        "peak_mib": round(max(values), 1),
        "growth_first_to_last_third_mib": round(
            statistics.median(values[-third:]) - statistics.median(values[:third]), 1
        ),
        "every_10s_mib": [round(v, 1) for t, v in samples[9::10]],
    }


@contextmanager
def server(workers: int, timeout: float, settings: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`sugraph serve` on a free port of 127.0.0.1, with these SUGRAPH_* variables added to the
    environment (e.g. SUGRAPH_ENDPOINT), stopped (by its pid) on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.NamedTemporaryFile("w", prefix="sugraph-loadtest-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "sugraph"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
                "--no-access-log",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=os.environ | (settings or {}),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise SystemExit(f"the server did not become ready; see {log.name}")
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="client processes in the mixed phase")
    parser.add_argument("--duration", type=float, default=120, help="seconds of mixed traffic")
    parser.add_argument("--runaway", type=float, default=30, help="seconds of each runaway phase (0: skip)")
    parser.add_argument("--runaway-clients", type=int, default=3)
    parser.add_argument("--query-timeout", type=float, default=2.0, help="the server's query time limit")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the server")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()

    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release()},
        "settings": vars(args) | {"json": str(args.json)},
    }
    with server(args.workers, args.query_timeout) as (url, pid):
        with httpx.Client(base_url=url, timeout=30) as c:
            report["data_version"] = c.get("/health").json()["version"]
            mixed = mixed_calls(c)
        report["mix"] = {k: sum(c.kind == k for c in mixed) for k in sorted({c.kind for c in mixed})}
        records, samples = run_phase(url, pid, [(mixed, args.clients)], args.duration)
        report["mixed"] = {"summary": summary(records, args.duration), "memory": memory(samples)}
        if args.runaway:
            cheap = cheap_calls(mixed)
            runaway = [
                Call(
                    "runaway",
                    "GET",
                    f"/sparql?query={quote(RUNAWAY)}%20%23{NONCE}&timeout={args.query_timeout}",
                    SPARQL_JSON,
                )
            ]
            alone, _ = run_phase(url, pid, [(cheap, 1)], args.runaway)
            loaded, samples = run_phase(url, pid, [(cheap, 1), (runaway, args.runaway_clients)], args.runaway)
            report["cheap alone"] = summary(alone, args.runaway)
            report["cheap under runaway"] = summary(  # a runaway query is meant to end in 503 (time limit)
                loaded, args.runaway, ok=lambda r: answered(r) or (r[1] == "runaway" and r[2] == 503)
            )
            report["runaway memory"] = memory(samples)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
