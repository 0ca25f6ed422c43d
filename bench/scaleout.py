"""Scale-out, measured: the load test's mixed traffic (bench/loadtest.py) against 1 and 2 replicas of
`sugraph serve` behind nginx, on the embedded store and on one shared remote store (Virtuoso, the
Oxigraph server), plus 1 replica without nginx as the baseline for what the proxy costs. Each backend
runs with the replicas' result cache as it ships and then off (SUGRAPH_RESULT_CACHE_BYTES=0): the
mix repeats its queries, so with the cache a replica answers most of them itself and the store is
hardly asked; without it every query reaches the store, which shows what the store gives out first.

Each case runs once, with the same calls (built once, from the first case's server) and the same
client processes, after every replica has answered each call once (so every case starts with warm
result caches). During the run the CPU of each part (client processes, nginx, the replicas' own
processes, their query workers, the store) is sampled from /proc each second, with the machine's busy
share and load average: on a shared machine the ratios within one run say more than the absolute
figures, and the CPU shares say what runs out first.

    python bench/scaleout.py                                    # every case, 4 clients × 20 s each
    python bench/scaleout.py --cases embedded oxigraph --duration 10 --json out.json

Needs nginx (Debian: apt-get install -y nginx), run in the foreground with its config in a temporary
folder; deploy/nginx.conf is used as it is, but for the replicas' addresses and without its `limit_req`
on /sparql (every client here has the same address, so it would measure the rate limit). Virtuoso
(scripts/virtuoso.sh) and `oxigraph serve` are started empty on 127.0.0.1 and loaded with
`sugraph load`, as tests/remote_engines.py does. Everything is stopped by its pid on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from loadtest import NONCE, Call, descendants, mixed_calls, run_phase, server, summary

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Case:
    backend: str  # "embedded", or the remote engine
    replicas: int
    proxied: bool = True
    cached: bool = True  # False: SUGRAPH_RESULT_CACHE_BYTES=0, so every query reaches the store

    @property
    def name(self) -> str:
        plural = "s" * (self.replicas > 1)
        return (
            f"{self.backend}, {self.replicas} replica{plural}"
            + ", no nginx" * (not self.proxied)
            + (", result cache off" * (not self.cached))
        )


CASES = [Case("embedded", 1, proxied=False)] + [
    Case(backend, replicas, cached=cached)
    for backend in ("embedded", "virtuoso", "oxigraph")
    for cached in (True, False)
    for replicas in (1, 2)
]


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start within {seconds:g} s")


@contextmanager
def virtuoso() -> Iterator[tuple[str, dict[str, str], int]]:
    """scripts/virtuoso.sh's throwaway instance: endpoint, `sugraph load`'s variables, pid."""
    script = str(ROOT / "scripts" / "virtuoso.sh")
    out = subprocess.run(["bash", script, "start"], capture_output=True, text=True, timeout=120, check=True)
    state = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
    try:
        pid = int((Path(state["VIRTUOSO_DIR"]) / "pid").read_text())
        yield state["SUGRAPH_ENDPOINT"], {"SUGRAPH_UPDATE_USER": "dba", "SUGRAPH_UPDATE_PASSWORD": "dba"}, pid
    finally:
        subprocess.run(["bash", script, "stop", state["VIRTUOSO_DIR"]], timeout=60)


@contextmanager
def oxigraph() -> Iterator[tuple[str, dict[str, str], int]]:
    """`oxigraph serve` on an empty database in a temporary folder: endpoint, variables (none), pid."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sugraph-oxigraph.") as folder:
        with open(Path(folder) / "server.log", "wb") as log:
            proc = subprocess.Popen(
                [str(BIN / "oxigraph"), "serve", "--location", f"{folder}/db", "--bind", f"127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        endpoint = f"http://127.0.0.1:{port}/query"
        try:
            wait_until(lambda: httpx.get(endpoint, params={"query": "ASK {}"}).status_code == 200, 30, "oxigraph")
            yield endpoint, {}, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STORES = {"virtuoso": (virtuoso, "virtuoso-t"), "oxigraph": (oxigraph, str(BIN / "oxigraph"))}


def load(endpoint: str, variables: dict[str, str]) -> str:
    """`sugraph load` into the store, with only the settings a deployment gives it; its report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUGRAPH_")}
    env.update(variables, SUGRAPH_ENDPOINT=endpoint)
    out = subprocess.run(
        [sys.executable, "-m", "sugraph.cli", "load"], env=env, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise SystemExit(f"sugraph load failed: {out.stderr[-2000:]}")
    return out.stdout.strip()


def nginx_config(upstreams: list[str], port: int, folder: Path) -> Path:
    """deploy/nginx.conf for these replicas and this port, without limit_req, in a foreground nginx."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server {u} max_fails=3 fail_timeout=10s;\n" for u in upstreams)
    site = re.sub(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, site)
    site = re.sub(r"^.*limit_req.*\n", "", site, flags=re.MULTILINE)
    site = site.replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{port}")
    site = site.replace("/var/log/nginx/sugraph.access.log", f"{folder}/access.log")
    (folder / "sugraph.conf").write_text(site)
    temp = folder / "tmp"
    temp.mkdir(mode=0o1777, exist_ok=True)
    temp.chmod(0o1777)  # nginx's workers may run as another user
    folder.chmod(0o755)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 2;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\nhttp {\n"
        + "".join(f"  {t}_temp_path {temp}/{t};\n" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {folder}/sugraph.conf;\n}}\n"
    )
    return conf


@contextmanager
def nginx(upstreams: list[str]) -> Iterator[tuple[str, int]]:
    """nginx in the foreground before `upstreams`: its URL and pid."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sugraph-scaleout-nginx.") as folder:
        conf = nginx_config(upstreams, port, Path(folder))
        proc = subprocess.Popen(["nginx", "-p", folder, "-c", str(conf)], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: httpx.get(f"{url}/health").status_code == 200, 20, "nginx")
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot: busy excludes idle and iowait."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


class CpuSampler:
    """Cores used by each part, each second: the mean over the run and the busiest second."""

    def __init__(self, parts: dict[str, list[int]]):
        self.parts = parts  # name → root pids (their process trees are counted) or, for "replica", the pids alone
        self.samples: dict[str, list[float]] = {name: [] for name in parts}
        self.machine: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pids(self, name: str) -> list[int]:
        roots = self.parts[name]
        if name == "replicas (own process)":
            return roots
        tree = [p for r in roots for p in descendants(r)]
        if name == "query workers":
            return [p for p in tree if p not in roots]
        return tree

    def _read(self) -> tuple[dict[str, float], tuple[float, float]]:
        return {name: cpu_seconds(self._pids(name)) for name in self.parts}, machine_busy()

    def _run(self) -> None:
        before, (busy0, total0) = self._read()
        t0 = time.monotonic()
        while not self._stop.wait(1.0):
            now, (busy, total) = self._read()
            t = time.monotonic()
            for name in self.parts:
                self.samples[name].append((now[name] - before[name]) / (t - t0))
            self.machine.append((busy - busy0) / max(1, total - total0))
            before, busy0, total0, t0 = now, busy, total, t

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def report(self) -> dict:
        def cores(values: list[float]) -> dict:
            return {"mean": round(sum(values) / len(values), 2), "peak": round(max(values), 2)} if values else {}

        return {
            "machine busy share": cores(self.machine),
            **{f"{name} cores": cores(v) for name, v in self.samples.items()},
        }


def warm(urls: list[str], calls: list[Call]) -> None:
    """Each call once on each replica, so no case is measured with cold caches."""
    for url in urls:
        with httpx.Client(base_url=url, timeout=60) as c:
            for call in calls:
                c.request(call.method, call.path.replace(NONCE, "warm"), headers=call.headers, content=call.body)


def measure(case: Case, calls: list[Call] | None, args, endpoint: str | None, store_pid: int | None) -> dict:
    settings = ({"SUGRAPH_ENDPOINT": endpoint} if endpoint else {}) | (
        {} if case.cached else {"SUGRAPH_RESULT_CACHE_BYTES": "0"}
    )
    with ExitStack() as stack:
        replicas = [stack.enter_context(server(1, args.query_timeout, settings)) for _ in range(case.replicas)]
        urls = [u for u, _ in replicas]
        url, proxy_pid = (
            stack.enter_context(nginx([u.removeprefix("http://") for u in urls])) if case.proxied else (urls[0], None)
        )
        if calls is None:
            with httpx.Client(base_url=url, timeout=60) as c:
                calls = mixed_calls(c)
        warm(urls, calls)
        parts = {"replicas (own process)": [p for _, p in replicas], "query workers": [p for _, p in replicas]}
        parts |= {"nginx": [proxy_pid]} if proxy_pid else {}
        parts |= {"store": [store_pid]} if store_pid else {}
        load_before = os.getloadavg()
        clients_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with CpuSampler(parts) as cpu:
            records, _ = run_phase(url, replicas[0][1], [(calls, args.clients)], args.duration)
        clients = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_cores = (
            clients.ru_utime + clients.ru_stime - clients_before.ru_utime - clients_before.ru_stime
        ) / args.duration
        failed = Counter(r[2] for r in records if not 200 <= r[2] < 400)
        return {
            "case": case.name,
            "calls": calls,
            "summary": summary(records, args.duration),
            "failures by status (0: no answer)": dict(failed),
            "cpu": cpu.report() | {"client processes cores (mean)": round(client_cores, 2)},
            "load average before": [round(v, 2) for v in load_before],
            "load average after": [round(v, 2) for v in os.getloadavg()],
        }


def table(results: list[dict]) -> str:
    """One row per case; each part's CPU as mean cores and, in brackets, CPU milliseconds per request
    (cores / req/s), which a busy machine distorts far less than req/s."""
    parts = ["replicas (own process)", "query workers", "store", "nginx", "client processes"]
    rows = [
        "| case | req/s | p50 ms | p95 ms | errors | uncached SPARQL p50 / p95 ms | machine busy | "
        + " | ".join(f"{p}: cores (ms/req)" for p in parts)
        + " | load avg before → after |",
        "|---|" + "---:|" * (6 + len(parts)) + "---|",
    ]
    for r in results:
        a, cpu = (
            r["summary"]["all"],
            r["cpu"] | {"client processes cores": {"mean": r["cpu"]["client processes cores (mean)"]}},
        )
        uncached = r["summary"].get("sparql uncached", {})

        def cost(part: str, cpu: dict = cpu, rate: float = a["per_second"]) -> str:
            v = cpu.get(f"{part} cores")
            return f"{v['mean']:.2f} ({v['mean'] * 1000 / rate:.1f})" if v else "–"

        cells = [
            r["case"],
            *(a[k] for k in ("per_second", "p50_ms", "p95_ms", "errors")),
            f"{uncached.get('p50_ms')} / {uncached.get('p95_ms')}",
            f"{cpu['machine busy share']['mean']:.0%}",
            *(cost(p) for p in parts),
            f"{r['load average before'][0]} → {r['load average after'][0]}",
        ]
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="*", choices=["embedded", *STORES], help="backends to run (default: all)")
    parser.add_argument("--clients", type=int, default=4, help="client processes in every case")
    parser.add_argument("--duration", type=float, default=20, help="seconds of traffic in each case")
    parser.add_argument(
        "--query-timeout", type=float, default=10.0, help="the replicas' query time limit (the default's)"
    )
    parser.add_argument("--json", type=Path, help="also write the full report here")
    args = parser.parse_args()
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is missing: apt-get install -y nginx")
    backends = args.cases or ["embedded", *STORES]
    results: list[dict] = []
    calls: list[Call] | None = None
    loaded: dict[str, str] = {}
    for backend in backends:
        cases = [c for c in CASES if c.backend == backend]
        if backend == "embedded":
            for case in cases:
                results.append(measure(case, calls, args, None, None))
                calls = results[-1].pop("calls")
            continue
        start, program = STORES[backend]
        if shutil.which(program) is None:
            print(f"skipped {backend}: {program} is not installed", file=sys.stderr)
            continue
        with start() as (endpoint, variables, pid):
            loaded[backend] = load(endpoint, variables)
            for case in cases:
                results.append(measure(case, calls, args, endpoint, pid))
                calls = results[-1].pop("calls")
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release},
        "settings": vars(args) | {"json": str(args.json)},
        "mix": dict(Counter(c.kind for c in calls or [])),
        "loaded": loaded,
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
