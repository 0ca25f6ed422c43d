"""Start the real server and measure it with wrk on 127.0.0.1: latency (p50/p99) and requests/s.

    python bench/run.py [--scale real 10 100] [--duration 10] [--connections 16]

For each data set (the real graph, or `bench/out/scale-N` from bench/synth.py) it starts
`sugraph serve` (one uvicorn worker, as deployed), records the startup time, then runs wrk against:

- `/health`, a bare FastAPI endpoint: the framework's ceiling in the same run;
- the headline question via `/sparql` and via the named query;
- a lookup (every triple of one measure) and an aggregate (measures per threat, transitively);
- the headline question via /sparql once more with a single connection: its latency without queueing.

Each query is run twice: `hit`, the same URL over and over (the service's result cache answers),
and `miss`, a different query text per request (a trailing comment with a counter, or a varying
`limit` for the named query), so every request is parsed, run and serialized by the engine. (The
named query's `limit` cycles through 9,900 values, more than a 10 s run at 16 connections sends.)
Load is bounded (wrk with one thread, N connections, D seconds) and only ever sent to 127.0.0.1.
Prints a Markdown table (paste it into bench/RESULTS.md) and writes the raw numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from sugraph.build import find_root
from sugraph.named_queries import load_queries

HERE = Path(__file__).resolve().parent
HEADLINE = "measures-by-threat-and-actor"
HEADLINE_PARAMS = {"threat": ["threat:hybrid-threats"], "actor": ["actor:nato"]}
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/sugraph/id/measure/eu-approach-hybrid-threats> ?p ?o }"
AGGREGATE = (
    "SELECT ?threat (COUNT(DISTINCT ?m) AS ?measures) WHERE { ?m sug:addresses ?t . "
    "?t skos:broaderTransitive* ?threat } GROUP BY ?threat ORDER BY DESC(?measures)"
)

# wrk request() that makes every request's URL unique by appending a counter to it (kept within
# 101..10000 when it is the named query's `limit`, which the service bounds). Each run starts the
# counter at a random number, so no run meets the answers an earlier run left in the result cache.
UNIQUE = """
counter = START
request = function()
  counter = counter + 1
  local n = counter
  if BOUNDED then n = counter % 9900 + 101 end
  return wrk.format("GET", wrk.path .. string.format(SUFFIX, n))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, cache_dir: Path, port: int) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "SUGRAPH_ROOT": str(root), "SUGRAPH_CACHE_DIR": str(cache_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sugraph.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        if time.perf_counter() - started > 600:
            process.kill()
            raise SystemExit("the server did not start within 600 s")
        time.sleep(0.05)


def wrk(url: str, duration: int, connections: int, suffix: str | None) -> dict:
    """One bounded wrk run; `suffix` (a printf pattern) makes each request's URL unique."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        bounded = "true" if suffix and "limit" in suffix else "false"
        script.write(
            f"SUFFIX = {json.dumps(suffix)}\nBOUNDED = {bounded}\nSTART = {random.randrange(10**9)}\n{UNIQUE}"
            if suffix
            else ""
        )
    if suffix:
        args += ["-s", script.name]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60).stdout
    os.unlink(script.name)

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def scenarios(base: str) -> list[tuple[str, str, str | None, int | None]]:
    """(name, URL, unique-suffix pattern or None, connections if not the default) for one server."""
    headline = load_queries(find_root() / "queries")[HEADLINE].text(HEADLINE_PARAMS)

    def sparql(query: str) -> str:
        return f"{base}/sparql?query={quote(query)}"

    named = f"{base}/queries/{HEADLINE}?threat=threat%3Ahybrid-threats&actor=actor%3Anato"
    comment = "%%0A%%23%d"  # "\n#<counter>": a different text, the same query
    return [
        ("bare FastAPI (/health)", f"{base}/health", None, None),
        ("headline via /sparql, hit", sparql(headline), None, None),
        ("headline via /sparql, miss", sparql(headline), comment, None),
        ("headline via /sparql, miss, 1 connection", sparql(headline), comment, 1),
        ("headline via named query, hit", named, None, None),
        ("headline via named query, miss", named, "&limit=%d", None),
        ("lookup, hit", sparql(LOOKUP), None, None),
        ("lookup, miss", sparql(LOOKUP), comment, None),
        ("aggregate, hit", sparql(AGGREGATE), None, None),
        ("aggregate, miss", sparql(AGGREGATE), comment, None),
    ]


def triples(base: str) -> int:
    body = httpx.get(f"{base}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", nargs="+", default=["real", "10", "100"])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}"
    results = {"machine": machine, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": {}}
    print(
        "| data | triples | startup s | scenario | req/s | p50 ms | p99 ms | non-2xx |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for scale in args.scale:
        root = find_root() if scale == "real" else HERE / "out" / f"scale-{scale}"
        cache_dir = Path(tempfile.mkdtemp()) if scale == "real" else root / "cache"
        port = free_port()
        if scale == "real":  # build the store once, so the startup measured is a restart
            first, _ = start_server(root, cache_dir, port)
            first.terminate()
            first.wait(timeout=30)
        process, startup = start_server(root, cache_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            size = triples(base)
            for name, url, suffix, connections in scenarios(base):
                measured = wrk(url, args.duration, connections or args.connections, suffix)
                results["runs"].setdefault(scale, []).append(
                    {"scenario": name, "triples": size, "startup_s": startup, **measured}
                )
                print(
                    f"| {scale} | {size:,} | {startup:.1f} | {name} | {measured['rps']:,.0f} | "
                    f"{measured['p50_ms']:.2f} | {measured['p99_ms']:.2f} | {measured['errors']} |",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\n{results['machine']}; {results['date']}")


if __name__ == "__main__":
    main()
