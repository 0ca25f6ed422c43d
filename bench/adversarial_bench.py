"""Adversarial input against the query reader and a real `sugraph serve` on 127.0.0.1 (issue 10).

1. The reader (`analyse`) on 64 KB texts built to be slow: the unterminated-string body that froze
   the old tokenizer (`"\\` × 32,700), 32 K one-character tokens, and a long realistic query. Each is
   timed over 20 runs; the bar is 50 ms.
2. `/health` latency, alone and while 10 adversarial requests run at once (the 64 KB body, deep
   nesting, hidden SERVICE clauses, a query that runs to its time limit), by GET and POST. The bar
   is 10 ms; every adversarial answer must be a 4xx or 503, and a listener on 127.0.0.1 must hear
   nothing.

    SUGRAPH_CACHE_DIR=$(mktemp -d) python bench/adversarial_bench.py   # prints the tables for RESULTS.md

Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]
from loadtest import server  # noqa: E402

from sugraph.store.analysis import _analyse  # noqa: E402
from sugraph.store.errors import QueryError  # noqa: E402

from endpoints import Endpoint  # noqa: E402

TEXTS = {
    '64 KB of `"\\` (unterminated string)': "SELECT * WHERE { ?x ?y " + '"\\' * 32700 + " }",
    "64 KB of one-character tokens": "SELECT * WHERE { ?s ?p ?o FILTER(1" + " +1" * 21800 + ") }",
    "64 KB realistic query (1,500 IRIs in VALUES)": "SELECT ?m ?l WHERE { VALUES ?m { "
    + " ".join(f"<https://w3id.org/sugraph/id/measure/m{i}>" for i in range(1500))
    + " } ?m a sug:Measure ; rdfs:label ?l . FILTER(LANG(?l) = 'en') }",
}


def reader() -> None:
    print("| text | chars | median ms | max ms |\n|---|---:|---:|---:|")
    for name, text in TEXTS.items():
        times = []
        for _ in range(20):
            start = time.perf_counter()
            with contextlib.suppress(QueryError):
                _analyse(text)  # the reading itself, past the memo of recent texts
            times.append((time.perf_counter() - start) * 1000)
        print(f"| {name} | {len(text):,} | {statistics.median(times):.1f} | {max(times):.1f} |")


def adversarial(url: str) -> list[tuple[str, dict]]:
    hidden = f"SELECT * WHERE {{ OPTIONAL {{ ?s actor:a\\#b ?o }} SERVICE <{url}> {{ ?x ?y ?z }} }}"
    operator = (
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<'>' || true) SERVICE <{url}> {{ ?x ?y ?z }} FILTER(?x != 'q') }}"
    )
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    as_query = {"Content-Type": "application/sparql-query"}
    return [
        ("POST", {"content": TEXTS['64 KB of `"\\` (unterminated string)'], "headers": as_query}),
        ("POST", {"content": "SELECT * WHERE " + "{" * 3000 + "}" * 3000, "headers": as_query}),
        ("GET", {"params": {"query": hidden}}),
        ("POST", {"data": {"query": operator}}),
        ("GET", {"params": {"query": 'SELECT * WHERE { ?s ?p "\\uD800" }'}}),
        ("GET", {"params": {"query": "SELECT * WHERE { FILTER(" + "!" * 5000 + "true) }"}}),
        ("GET", {"params": {"query": slow, "timeout": "3"}}),
        ("GET", {"params": {"query": slow, "timeout": "3"}}),
        ("POST", {"content": TEXTS["64 KB of one-character tokens"], "headers": as_query}),
        ("GET", {"params": {"query": hidden.replace("SELECT *", "ASK")}}),
    ]


def health_times(base: str, n: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(n):
            start = time.perf_counter()
            client.get("/health")
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.01)
    return times


def service() -> None:
    with server(workers=1, timeout=10) as (base, _pid):
        print("isolation:", httpx.get(f"{base}/ready").json()["isolation"])
        alone = health_times(base, 100)
        statuses: list[int] = []
        with Endpoint() as listener:

            def attack(method: str, kwargs: dict) -> None:
                with httpx.Client(base_url=base, timeout=30) as client:
                    statuses.append(client.request(method, "/sparql", **kwargs).status_code)

            threads = [threading.Thread(target=attack, args=a) for a in adversarial(listener.url)]
            for t in threads:
                t.start()
            under = health_times(base, 300)
            for t in threads:
                t.join(60)
            contacted = listener.contacted()
    print("\n| /health | n | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for name, times in (("alone", alone), ("while 10 adversarial requests run", under)):
        q = statistics.quantiles(times, n=20)
        print(f"| {name} | {len(times)} | {statistics.median(times):.2f} | {q[18]:.2f} | {max(times):.2f} |")
    print(f"\nadversarial statuses: {sorted(statuses)}; listener contacted: {contacted}")


if __name__ == "__main__":
    print(
        f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
    )
    reader()
    service()
