"""How long the human pages take on the real graph: every page kind, and every entity page.

Starts the service as `sugraph serve` would (same settings, same store) on a free port of 127.0.0.1,
or measures a running one given with --url. Each listed page is fetched --repeat times after two
warm-up requests (the first of which is timed too: what the first reader waits); every entity page once
(or an evenly spread --entities N of them, for synthetic data N times larger:
`SUGRAPH_ROOT=bench/out/scale-100 SUGRAPH_CACHE_DIR=bench/out/scale-100/cache`); --only PREFIX times
the listed pages that start with it and no entity page. --real times, instead of the entity pages,
those of the shipped data's entities (read from the project's files), first and then warm: in the
synthetic data every other entity is a copy of one of them (bench/synth.py), and the shared ones
(threats, statuses) are the most linked of all. Prints a Markdown table for bench/RESULTS.md.

    python bench/pages_bench.py [--url http://127.0.0.1:8000] [--repeat 20] [--entities 500] [--only /browse/]
    python bench/pages_bench.py --url http://127.0.0.1:8811 --real --only none   # 1000x, the real entities
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from sugraph.build import find_root, load
from sugraph.config import Settings
from sugraph.namespaces import ENTITY_BASE
from sugraph.web.app import create_app

BUDGET_MS = 200.0
PAGES = [
    "/",
    "/browse/threat",
    "/browse/measure",
    "/browse/measure?threat=hybrid-threats&actor=nato",
    "/browse/actor",
    "/browse/instrument",
    "/browse/document",
    "/search?q=OTAN",
    "/search?q=cybercriminalite",
    "/search.json?q=RSR",
    "/search?q=WannaCry",
    "/search?q=cyberc&kind=measure",
    "/search.json?q=cyberc&limit=10",
    "/doc/actor/nato.html",
    "/doc/actor/european-commission.html",
    "/doc/threat/terrorism.html?lang=fr",
    "/doc/document/ip-20-1379.html",
    "/workbench",
    "/workbench?name=measures-by-threat-and-actor",
    "/workbench?name=measures-by-threat-and-actor&threat=threat:cyber-threats&actor=actor:europol",
    "/timeline",
    "/timeline?actor=european-commission",
    "/workbench?name=most-involved-actors&view=chart",
    "/queries/money?view=chart",
    "/workbench?query=DESCRIBE+actor:nato&view=graph",
    "/workbench?name=most-involved-actors&_sort=actor&limit=10&offset=10",
    "/browse/measure?actor=nato&actor=europol&_desc=status",
    "/browse/measure.csv?actor=european-commission&_sort=threats",
    "/browse/actor?type=InternationalOrganisation&type=Network",
    "/queries",
    "/queries/most-involved-actors?_sort=actor&limit=10",
    "/cite?url=/id/actor/nato&format=bibtex",
    "/cite?url=/queries/money&format=csl-json",
    "/queries/measures-by-threat-and-actor?format=html",
    "/sparql",
    "/workbench/terms.json?lang=fr",
    "/queries/money?format=html",
    "/browse/measure?_facet_size=max",
    "/browse/measure?_sort=threats",
    "/timeline?date=2020-07-24",
    # named queries whose answer grows with the data (issue 15, target 4)
    "/queries/measures-for-threat?threat=threat:terrorism&format=html",
    "/queries/measures-for-threat?threat=threat:terrorism&format=csv&limit=10000",
    "/queries/most-involved-actors?format=html",
    "/queries/deadlines?format=html",
    "/browse/measure?status=announced&_desc=threats",
    "/browse/measure?lang=fr&_sort=status&offset=200",
    "/browse/measure?status=announced&_facet_size=max",
    "/browse/actor?_desc=description&offset=100",
    "/browse/actor?_sort=type&lang=fr",
    "/browse/document?type=PolicyDocument&_desc=entity",
]
ENTITIES_QUERY = (  # a replaced IRI answers 301 to its replacement, which is measured itself
    f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ENTITY_BASE}")) '
    "FILTER NOT EXISTS { ?s <http://purl.org/dc/terms/isReplacedBy> ?new } }"
)


@contextmanager
def local_server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings.from_env()), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    r = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path}: HTTP {r.status_code}")
    return elapsed


def measure(
    url: str, repeat: int, entities: int | None = None, only: str | None = None
) -> tuple[list[tuple[str, float, float, float, float]], tuple[int, float, float, str] | None]:
    rows = []
    with httpx.Client(base_url=url, headers={"accept": "text/html"}, timeout=30) as client:
        for path in PAGES if only is None else [p for p in PAGES if p.startswith(only)]:
            first = timed(client, path)
            timed(client, path)
            times = sorted(timed(client, path) for _ in range(repeat))
            rows.append((path, first, statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1]))
        if only is not None:
            return rows, None
        found = client.get("/sparql", params={"query": ENTITIES_QUERY, "format": "json"}).json()
        paths = sorted(f"/doc/{b['s']['value'][len(ENTITY_BASE) :]}.html" for b in found["results"]["bindings"])
        if entities and len(paths) > entities:
            paths = paths[:: len(paths) // entities][:entities]
        entity_times = {path: timed(client, path) for path in paths}
    slowest = max(entity_times, key=entity_times.get)
    return rows, (len(paths), statistics.median(entity_times.values()), entity_times[slowest], slowest)


def real_entities() -> list[str]:
    """The entity pages of the shipped data (the project's own files, whatever the server serves)."""
    triples = load(find_root(), inference="none").data_triples  # terms as N-Triples: <iri>
    replaced = {s for s, p, _ in triples if p == "<http://purl.org/dc/terms/isReplacedBy>"}
    iris = {s[1:-1] for s, _, _ in triples if s.startswith(f"<{ENTITY_BASE}") and s not in replaced}
    return sorted(f"/doc/{iri[len(ENTITY_BASE) :]}.html" for iri in iris)


def measure_real(url: str, repeat: int) -> list[tuple[str, float, float]]:
    """Each real entity page: its first request, then the median of `repeat` more."""
    with httpx.Client(base_url=url, headers={"accept": "text/html"}, timeout=30) as client:
        found = []
        for path in real_entities():
            first = timed(client, path)
            found.append((path, first, statistics.median(timed(client, path) for _ in range(repeat))))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one here)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--entities", type=int, help="time only this many entity pages, evenly spread")
    parser.add_argument("--only", metavar="PREFIX", help="time only the listed pages starting with PREFIX")
    parser.add_argument("--real", action="store_true", help="time the shipped data's entity pages, first and warm")
    args = parser.parse_args()
    with local_server() if args.url is None else _given(args.url) as url:
        if args.real:
            return print_real(measure_real(url, args.repeat))
        rows, entity_pages = measure(url, args.repeat, args.entities, args.only)
    print("| page | first ms | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for path, first, med, p95, top in rows:
        print(f"| `{path}` | {first:.1f} | {med:.1f} | {p95:.1f} | {top:.1f} |")
    over = [path for path, _, _, p95, _ in rows if p95 > BUDGET_MS]
    if entity_pages is not None:
        n, median, worst, slowest = entity_pages
        print(f"| {n} entity pages, once each | | {median:.1f} | | {worst:.1f} (`{slowest}`) |")
        over += [slowest] if worst > BUDGET_MS else []
    if over:
        print(f"\nover the {BUDGET_MS:.0f} ms budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


def print_real(found: list[tuple[str, float, float]]) -> int:
    """The slowest pages, and how many pass the entity pages' 50 ms (issue 15), first and warm."""
    print("| real entity page (slowest first, by warm median) | first ms | warm median ms |\n|---|---:|---:|")
    for path, first, warm in sorted(found, key=lambda f: -f[2])[:15]:
        print(f"| `{path}` | {first:.1f} | {warm:.1f} |")
    print("\n| real entity page (slowest first request) | first ms | warm median ms |\n|---|---:|---:|")
    for path, first, warm in sorted(found, key=lambda f: -f[1])[:10]:
        print(f"| `{path}` | {first:.1f} | {warm:.1f} |")
    firsts, warms = sorted(f[1] for f in found), sorted(f[2] for f in found)
    print(
        f"| all {len(found)}: median / max | {statistics.median(firsts):.1f} / {firsts[-1]:.1f} | "
        f"{statistics.median(warms):.1f} / {warms[-1]:.1f} |"
    )
    over = [f for f in found if f[2] > 50]
    print(
        f"\n{len(found) - len(over)} of {len(found)} warm within 50 ms; "
        f"{sum(f[1] <= 50 for f in found)} of {len(found)} on their first request"
    )
    return 1 if over else 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
