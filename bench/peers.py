"""sugraph against its peers on the same data and machine, in one run: one table of requests/s.

    pip install -e '.[bench]'        # oxigraph (the server), rdflib-endpoint; wrk: apt-get install wrk
    python bench/peers.py [--scale 1 100] [--duration 5] [--rounds 3] [--connections 16] [--skip-pyshacl-100]

For each scale N (1 = the shipped graph; N = bench/synth.py's N copies, built here if missing) the
same N-Quads file (`bench/out/scale-N/data/synthetic.nq`, asserted and inferred graphs) is served on
127.0.0.1 by:

- a bare ASGI app under uvicorn (one worker): the floor of a Python server, the answer a constant;
- the Oxigraph server (`oxigraph serve-read-only`) with its defaults: the quads are in named graphs
  and its default graph is empty, so the headline question answers *no rows*;
- the Oxigraph server with `--union-default-graph`: the same answers as sugraph (its own default);
- rdflib-endpoint (rdflib's memory store; `--store Oxigraph` is not used);
- `sugraph serve` with one uvicorn worker (as deployed), and with `--workers 2`.

Each is asked the headline question (queries/measures-by-threat-and-actor.rq) and a lookup (every
triple of one measure) as SPARQL-JSON: **new** = a different query text on every request (a
trailing comment with a counter, so no result cache answers), **same** = one URL again and again.
Load: wrk with one thread, `--connections`, `--duration` seconds per line (without wrk, an asyncio
client of this file, slower: the table says which). Last, `sugraph validate` against pySHACL's
command line (whole process, bench/validate_bench.py's functions) on the shipped data and at the
largest scale (`--skip-pyshacl-100` leaves pySHACL out there: it takes minutes).
After each line the machine must be quiet again (80% idle) within 20 s; else the server just
measured, still answering what the line left queued, is restarted (the line's rate stands), so no
server's leftover work is measured as the next one's slowness. Everything listens on 127.0.0.1
only and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/sugraph/id/measure/eu-approach-hybrid-threats> ?p ?o }"
HEADLINE = "measures-by-threat-and-actor"
HEADLINE_PARAMS = {"threat": ["threat:hybrid-threats"], "actor": ["actor:nato"]}
REFERENCE = "Oxigraph server, --union-default-graph (same answers)"
COUNTER = "%0A%23"  # "\n#" then a counter: a new text, the same query

# wrk: a new URL per request (a counter from a random start, so no run meets an earlier one's cache).
UNIQUE = """
counter = {start}
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "{suffix}" .. counter, {{["Accept"] = "{accept}"}})
end
"""
SAME = 'request = function() return wrk.format("GET", wrk.path, {{["Accept"] = "{accept}"}}) end\n'


async def bare(scope, receive, send) -> None:
    """The bare ASGI app: a constant answer, what uvicorn alone costs per request."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"head":{},"boolean":true}'})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(process: subprocess.Popen, url: str, seconds: float = 600) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": ACCEPT}, timeout=2).status_code < 500:
                return time.perf_counter() - started
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{url} did not start within {seconds:g} s")


class Server:
    """One server process on its port, restartable: a server still working through the queue a
    line left (rdflib-endpoint on the headline question: minutes a query at 100×) is restarted, so
    it takes no core from the next server measured."""

    def __init__(self, command: list[str], endpoint: str, env: dict[str, str] | None = None):
        self.command, self.endpoint, self.env = command, endpoint, {**os.environ, **(env or {})}
        self.process = self._start()

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(process, self.endpoint)
        return process

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.process.kill()  # its queue is what is to go: no graceful shutdown that would finish it
        self.process.wait()
        self.process = self._start()


def idle_fraction(seconds: float = 0.5) -> float:
    """The share of the machine's CPU time that was idle over `seconds` (/proc/stat)."""

    def times() -> list[int]:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:]]

    before = times()
    time.sleep(seconds)
    spent = [b - a for a, b in zip(before, times(), strict=True)]
    return (spent[3] + spent[4]) / max(1, sum(spent))  # idle + iowait


def settle(server: Server, seconds: float = 20, quiet: float = 0.8) -> bool:
    """After a line: wait until the machine is quiet again; a server still busy then (answering
    the queries the load left queued) is restarted. Whether it was."""
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        if idle_fraction() >= quiet:
            return False
    server.restart()
    return True


def servers(
    scale_dir: Path, store: Path, baseline: Path | None = None
) -> list[tuple[str, list[str], str, dict[str, str] | None]]:
    """(name, command, endpoint path, environment) of every server, on a port of its own."""
    data = scale_dir / "data" / "synthetic.nq"
    sugraph_env = {"SUGRAPH_ROOT": str(scale_dir), "SUGRAPH_CACHE_DIR": str(scale_dir / "cache")}

    def sugraph(workers: int) -> list[str]:
        return [sys.executable, "-m", "sugraph.cli", "serve", "--host", "127.0.0.1", "--workers", str(workers)]

    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store)]
    return [
        (
            "bare ASGI app (uvicorn, 1 worker)",
            [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), "peers:bare"],
            "/",
            None,
        ),
        ("Oxigraph server, defaults (empty default graph: 0 rows)", oxigraph, "/query", None),
        ("Oxigraph server, --union-default-graph (same answers)", [*oxigraph, "--union-default-graph"], "/query", None),
        ("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(data)], "/", None),
        ("sugraph serve (1 worker)", sugraph(1), "/sparql", sugraph_env),
        ("sugraph serve --workers 2", sugraph(2), "/sparql", sugraph_env),
    ] + (
        [
            (
                f"sugraph serve (1 worker), baseline {baseline.parent.name}",
                sugraph(1),
                "/sparql",
                {**sugraph_env, "PYTHONPATH": str(baseline)},
            )
        ]
        if baseline
        else []
    )


def with_port(name: str, command: list[str], port: int) -> list[str]:
    if "oxigraph" in command[0]:
        return [*command, "--bind", f"127.0.0.1:{port}"]
    if "uvicorn" in command:
        return [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    if "rdflib-endpoint" in command[0]:
        return [*command, "--host", "127.0.0.1", "--port", str(port)]
    return [*command, "--port", str(port), "--log-level", "warning", "--no-access-log"]


def wrk(url: str, new: bool, duration: int, connections: int) -> float:
    script = (UNIQUE if new else SAME).format(start=random.randrange(10**9), suffix=COUNTER, accept=ACCEPT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", f.name, url]
        out = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(f.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return -rate if errors else rate  # negative: some answers were errors (shown as such)


async def _client_load(url: str, new: bool, duration: int, connections: int) -> float:
    """The fallback load generator: `connections` keep-alive HTTP/1.1 clients on raw sockets."""
    host, port = url.split("/")[2].split(":")
    path = "/" + url.split("/", 3)[3]
    done, failed, stop = 0, 0, time.perf_counter() + duration
    counter = random.randrange(10**9)

    async def client() -> None:
        nonlocal done, failed, counter
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.perf_counter() < stop:
            counter += 1
            target = f"{path}{COUNTER}{counter}" if new else path
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: {ACCEPT}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            done += 1
            failed += not head.startswith(b"HTTP/1.1 2")
        writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return -done / duration if failed else done / duration


def load(url: str, new: bool, duration: int, connections: int) -> float:
    if shutil.which("wrk"):
        return wrk(url, new, duration, connections)
    return asyncio.run(_client_load(url, new, duration, connections))


def prepared(scale: int) -> tuple[Path, Path]:
    """bench/out/scale-N (bench/synth.py) and an Oxigraph store of its quads for the server."""
    scale_dir = HERE / "out" / f"scale-{scale}"
    if not (scale_dir / "data" / "synthetic.nq").exists():
        subprocess.run([sys.executable, str(HERE / "synth.py"), str(scale)], check=True)
    store = HERE / "out" / f"oxigraph-{scale}"
    if not store.exists():
        data = scale_dir / "data" / "synthetic.nq"
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(data)], check=True)
        subprocess.run([str(BIN / "oxigraph"), "optimize", "--location", str(store)], check=True)
    return scale_dir, store


def cases() -> list[tuple[str, str, bool]]:
    from sugraph.named_queries import load_queries

    headline = load_queries(ROOT / "queries")[HEADLINE].text(HEADLINE_PARAMS)
    return [
        (f"{label}, {'new text' if new else 'same text'}", quote(query), new)
        for label, query in (("headline", headline), ("lookup", LOOKUP))
        for new in (True, False)
    ]


def drain(endpoint: str, seconds: float = 60) -> None:
    """Wait until a new cheap query is answered within a second: requests that the last line left
    queued (wrk stops, the server still answers them, up to its time limit) are then done."""
    import httpx

    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        started = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            query = f"ASK {{ ?s ?p ?o }} # drain {random.randrange(10**9)}"
            httpx.get(endpoint, params={"query": query}, headers={"Accept": ACCEPT}, timeout=seconds)
        if time.perf_counter() - started < 1:
            return


def query_rates(
    scales: list[int], duration: int, connections: int, baseline: Path | None, rounds: int, only: list[str]
) -> dict:
    """(server, case) → {scale: (median req/s, median ratio to the Oxigraph server with the same
    answers)}. A scale's servers all run at once and are measured in turn, `rounds` times over:
    this machine's speed drifts by half within minutes, so each ratio is taken within one round,
    between lines a few seconds apart, and the median of the rounds is kept."""
    rates: dict = {}
    for scale in scales:
        scale_dir, store = prepared(scale)
        wanted = [*only, REFERENCE] if only else [""]
        chosen = [s for s in servers(scale_dir, store, baseline) if any(o in s[0] for o in wanted)]
        running: dict[str, Server] = {}
        seen: dict = {}
        try:
            for name, command, path, env in chosen:
                port = free_port()
                running[name] = Server(with_port(name, command, port), f"http://127.0.0.1:{port}{path}", env)
            asked = cases()
            for turn in range(rounds):
                for case, query, new in asked:
                    for name, server in running.items():
                        if name.startswith("bare") and case != asked[0][0]:
                            continue
                        shown = "any request (a constant answer)" if name.startswith("bare") else case
                        drain(server.endpoint)
                        rate = load(f"{server.endpoint}?query={query}", new, duration, connections)
                        seen.setdefault((name, shown), []).append((turn, rate))
                        restarted = settle(server)
                        print(
                            f"  {scale}× round {turn + 1}: {name}: {shown}: {rate:,.0f} req/s"
                            + (" (still busy after the line: restarted)" if restarted else ""),
                            file=sys.stderr,
                            flush=True,
                        )
        finally:
            for server in running.values():
                server.stop()
        for (name, case), runs in seen.items():
            reference = dict(seen.get((REFERENCE, case), []))
            ratios = [abs(rate) / abs(reference[turn]) for turn, rate in runs if reference.get(turn)]
            median = statistics.median(rate for _, rate in runs)
            rates.setdefault((name, case), {})[scale] = (median, statistics.median(ratios) if ratios else None)
    return rates


def validation_times(scale: int, skip_pyshacl: bool) -> list[tuple[str, str, float | None]]:
    """`sugraph validate` and pySHACL's CLI, whole process, on the shipped data and at `scale`."""
    sys.path.insert(0, str(HERE))
    import validate_bench as vb

    vb.OUT.mkdir(parents=True, exist_ok=True)
    data = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "data").glob("*.ttl"))
    shapes = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "shapes").glob("*.ttl"))]
    pyshacl = [str(BIN / "pyshacl"), *(arg for s in shapes for arg in ("-s", s)), "-e", str(vb.one_ontology_file())]
    sugraph = [str(BIN / "sugraph"), "validate", "--format", "json"]
    folder = vb.synthetic(scale)
    big = sorted(str(p) for p in folder.glob("*.ttl"))
    return [
        ("sugraph validate", "shipped", min(vb.wall_times(sugraph, 3)[0])),
        ("pyshacl CLI", "shipped", min(vb.wall_times([*pyshacl, *data], 3)[0])),
        ("sugraph validate", f"{scale}×", min(vb.wall_times([*sugraph, str(folder)], 1)[0])),
        ("pyshacl CLI", f"{scale}×", None if skip_pyshacl else min(vb.wall_times([*pyshacl, *big], 1)[0])),
    ]


def table(rates: dict, scales: list[int], validation: list, loader: str) -> str:
    head = " | ".join(f"{s}× req/s | vs Oxigraph (same answers)" for s in scales)
    lines = [f"| server | case | {head} |", "|---|---|" + "---|---|" * len(scales)]
    for (name, case), by_scale in rates.items():
        cells = []
        for s in scales:
            rate, ratio = by_scale.get(s, (None, None))
            shown = "—" if rate is None else (f"{rate:,.0f}" if rate >= 0 else f"{-rate:,.0f} (with errors)")
            cells.append(f"{shown} | {'—' if ratio is None else f'{ratio:.2f}×'}")
        lines.append(f"| {name} | {case} | {' | '.join(cells)} |")
    lines += ["", "| command (whole process) | data | wall clock s (best) |", "|---|---|---|"]
    lines += [f"| {cmd} | {data} | {'skipped' if t is None else f'{t:.2f}'} |" for cmd, data, t in validation]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {uvicorn_stack()}"
    lines += ["", f"Load: {loader}. Machine: {machine}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."]
    return "\n".join(lines)


def uvicorn_stack() -> str:
    """What uvicorn's `auto` picks here (a --baseline's own PYTHONPATH may see less)."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn with {http} and {'uvloop' if importlib.util.find_spec('uvloop') else 'asyncio'}"


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so every server started is stopped
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", nargs="+", type=int, default=[1, 100], help="1 = the shipped graph")
    parser.add_argument("--duration", type=int, default=5, help="seconds per line")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="each line this many times, interleaved; medians kept")
    parser.add_argument("--only", nargs="+", default=[], help="only the servers whose names hold one of these")
    parser.add_argument("--skip-pyshacl-100", action="store_true", help="no pySHACL run at the largest scale")
    parser.add_argument("--skip-validation", action="store_true", help="only the query servers")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also sugraph from this src/ folder (another commit's, named by its parent folder), for a before/after",
    )
    args = parser.parse_args()
    for tool in ("oxigraph", "rdflib-endpoint", "pyshacl"):
        if not (BIN / tool).exists():
            raise SystemExit(f"{tool} is missing: pip install -e '.[bench]'")
    rates = query_rates(args.scale, args.duration, args.connections, args.baseline, args.rounds, args.only)
    validation = [] if args.skip_validation else validation_times(max(args.scale), args.skip_pyshacl_100)
    loader = (
        f"wrk -t1 -c{args.connections} -d{args.duration}s"
        if shutil.which("wrk")
        else f"this file's asyncio client, {args.connections} connections, {args.duration} s (wrk is missing)"
    ) + f", each line {args.rounds} times interleaved (medians)"
    print(table(rates, args.scale, validation, loader))
    (HERE / "out").mkdir(exist_ok=True)
    flat = [{"server": n, "case": c, "rates": r} for (n, c), r in rates.items()]  # scale: [req/s, ratio]
    (HERE / "out" / "peers.json").write_text(json.dumps({"rates": flat, "validation": validation}, indent=2))


if __name__ == "__main__":
    main()
