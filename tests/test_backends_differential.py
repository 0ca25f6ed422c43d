"""The whole service gives the same answers on every remote engine as on the embedded store.

One server on the embedded store and one per engine of remote_engines, the same graph in each. The
routes are what a user reaches: the embedded site crawled from its home page (browse with its filters,
search, every entity page, the ontology, every named query and the workbench), every entity and named
query in each of its formats, a workbench query, VoID and the service description. Each answer is
normalised before comparison: RDF as graphs up to blank-node renaming (per named graph), result rows
as multisets, JSON as data, HTML as its visible text and links; the servers' own addresses are one.
A difference fails naming the route, with a diff.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_canonical_graph
from remote_engines import ENGINES, engine_endpoint

from sugraph.config import Settings
from sugraph.web.formats import ENTITY_FORMATS, GRAPH_FORMATS, HTML, RESULT_FORMATS

from conftest import ROOT, LiveServer, serve

pytestmark = pytest.mark.slow

# SPARQL leaves the order of two language-tagged literals to the engine: order by their text and tag
WORKBENCH_QUERY = "SELECT ?m ?label WHERE { ?m a sug:Measure ; rdfs:label ?label } ORDER BY ?m STR(?label) LANG(?label)"
RDF_TYPES = {f.media_type for f in GRAPH_FORMATS}
RESULT_TYPES = {f.media_type for f in RESULT_FORMATS}


class Page(HTMLParser):
    """A page's visible text (whitespace collapsed, one line per text node) and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)
                self.lines.append(f"[{name}={value}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.lines.append(text)


def page(text: str) -> Page:
    parsed = Page()
    parsed.feed(text)
    return parsed


# Links that show the same rows another way (sorted, paged, drawn, downloaded), followed nowhere:
# what they change is the page's own work, tested in test_tables.py and test_charts.py.
NOT_PAGES = r"/(static|dumps|docs|openapi|cite)"  # files, downloads and API docs: not rendered from the store
VARIANTS = {"_sort", "_desc", "offset", "limit", "view", "x", "y", "currency", "format"}


def crawl(base: str, start: str = "/") -> list[str]:
    """Every page of the site reachable from `start` by its own links, as the address a browser ends
    at (`/id/…` redirects to `/doc/…`); no static files, dumps or API documentation (not from the store).
    A page with a query string (a facet chosen, a search) is compared, but its own links with query
    strings are not followed: facets combine without end."""
    seen, pages, queue = {start}, set(), [start]
    with httpx.Client(base_url=base, timeout=30, headers={"Accept": "text/html"}, follow_redirects=True) as http:
        while queue:
            response = http.get(queue.pop(0))
            http.cookies.clear()  # each page as a first visit: `?lang=fr` would set a cookie for the next ones
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            pages.add(response.url.raw_path.decode())
            for link in page(response.text).links:
                target = urlsplit(urljoin(str(response.url), link))
                if target.netloc != urlsplit(base).netloc or re.match(NOT_PAGES, target.path):
                    continue
                if target.query and (response.url.query or VARIANTS & set(parse_qs(target.query))):
                    continue
                route = target.path + (f"?{target.query}" if target.query else "")
                if route not in seen:
                    seen.add(route)
                    queue.append(route)
    return sorted(pages)


def routes_of(pages: list[str], query_names: list[str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind, path, headers) for every route compared: the pages, then each RDF and results form."""
    for path in pages:
        kind = "entity" if path.startswith("/doc/") else "workbench" if path.startswith("/workbench") else "page"
        yield kind + "-html", path, {"Accept": HTML.media_type}
    for path in (p.removesuffix(".html") for p in pages if p.startswith("/doc/") and "?" not in p):
        for fmt in ENTITY_FORMATS:
            if fmt is not HTML:
                yield "entity-rdf", path, {"Accept": fmt.media_type}
    for name in query_names:
        for fmt in RESULT_FORMATS:
            yield "query-results", f"/queries/{name}?" + urlencode({"format": fmt.ext}), {}
    for fmt in GRAPH_FORMATS:
        yield "ontology", "/ontology", {"Accept": fmt.media_type}
        yield "void", "/.well-known/void", {"Accept": fmt.media_type}
        yield "service-description", "/sparql", {"Accept": fmt.media_type}
    yield "workbench-html", "/workbench?" + urlencode({"query": WORKBENCH_QUERY}), {"Accept": HTML.media_type}
    for fmt in RESULT_FORMATS:
        yield "sparql", "/sparql?" + urlencode({"query": WORKBENCH_QUERY}), {"Accept": fmt.media_type}
    yield "search", "/search.json?" + urlencode({"q": "terror"}), {}


def normalised(response: httpx.Response, base: str) -> list[str]:
    """The answer as lines that are equal exactly when the answers are equivalent."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    head = [f"HTTP {response.status_code} {media_type}"]
    body = response.content.replace(base.encode(), b"http://server")
    if media_type in RDF_TYPES:
        return head + rdf_lines(body, media_type)
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode())))
        return [*head, ",".join(rows[0]), *sorted(_blank(",".join(r)) for r in rows[1:])]
    if media_type in RESULT_TYPES or (media_type == "application/json" and b'"head"' in body[:200]):
        return head + result_lines(body, media_type)
    if media_type == "application/json":
        return head + json.dumps(json.loads(body), indent=1, sort_keys=True).splitlines()
    if media_type == "text/html":  # how long a query took, and blank node labels, may differ
        return head + [_blank(re.sub(r"\b[\d.]+ ms\b", "… ms", line)) for line in page(body.decode()).lines]
    return head + body.decode().splitlines()


def _blank(text: str) -> str:
    """Blank node labels, which each store makes up: `_:…`, Virtuoso's `nodeID://…`, pyoxigraph's hex."""
    return re.sub(r"_:[\w.-]+|nodeID://\w+|\b[0-9a-f]{32}\b", "_:b", text)


def rdf_lines(body: bytes, media_type: str) -> list[str]:
    """Each named graph's triples, blank nodes canonically labelled (graph isomorphism)."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(body, format=ox.RdfFormat.from_media_type(media_type)):
        graphs.setdefault(str(quad.graph_name), []).append(quad.triple)
    lines = []
    for name, triples in sorted(graphs.items()):
        graph = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        lines += [
            f"{name} {line}"
            for line in sorted(to_canonical_graph(graph).serialize(format="nt").splitlines())
            if line.strip()
        ]
    return lines


def result_lines(body: bytes, media_type: str) -> list[str]:
    """The variables, then the rows as a multiset (engines order ties differently)."""
    fmt = (
        ox.QueryResultsFormat.JSON
        if media_type == "application/json"
        else ox.QueryResultsFormat.from_media_type(media_type)
    )
    results = ox.parse_query_results(body, fmt)
    if isinstance(results, ox.QueryBoolean):
        return [str(bool(results))]
    variables = [v.value for v in results.variables]
    rows = Counter(" | ".join(_blank(str(s[v])) if s[v] is not None else "UNDEF" for v in variables) for s in results)
    return [" ".join(variables)] + [f"{n} × {row}" for row, n in sorted(rows.items())]


@pytest.fixture(scope="module")
def servers(kg, store, tmp_path_factory) -> Iterator[dict[str, LiveServer]]:
    cache = tmp_path_factory.mktemp("cache")
    live: dict[str, LiveServer] = {}
    with serve(Settings(root=ROOT, query_timeout=30), kg=kg, store=store) as embedded:
        live["embedded"] = embedded
        started = []
        try:
            for engine in ENGINES:
                server = serve(
                    Settings(root=ROOT, endpoint=engine_endpoint(engine, kg, cache), query_timeout=30), kg=kg
                )
                live[engine] = server.__enter__()
                started.append(server)
            yield live
        finally:
            for server in started:
                server.__exit__(None, None, None)


@pytest.fixture(scope="module")
def routes(servers) -> list[tuple[str, str, dict[str, str]]]:
    names = [q["name"] for q in httpx.get(f"{servers['embedded'].url}/queries").json()]
    return list(routes_of(crawl(servers["embedded"].url), names))


KINDS = (
    "page-html",
    "entity-html",
    "workbench-html",
    "entity-rdf",
    "query-results",
    "ontology",
    "void",
    "service-description",
    "sparql",
    "search",
)


def test_the_crawl_reaches_every_kind_of_route(routes):
    kinds = Counter(kind for kind, _, _ in routes)
    assert set(kinds) == set(KINDS)
    assert kinds["entity-html"] > 100 and kinds["workbench-html"] > 11 and kinds["query-results"] == 11 * 4
    paths = {path for _, path, _ in routes}
    assert {"/", "/ontology", "/workbench", "/search"} <= {p.split("?")[0] for p in paths}
    assert any(p.startswith("/browse/measure?") for p in paths)  # the filters, as the page links them


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_engine_answers_like_the_embedded_store(servers, routes, engine, kind):
    embedded, remote = servers["embedded"], servers[engine]
    differences = []
    with httpx.Client(timeout=60) as http:
        for _, path, headers in (r for r in routes if r[0] == kind):
            want = normalised(http.get(embedded.url + path, headers=headers), embedded.url)
            got = normalised(http.get(remote.url + path, headers=headers), remote.url)
            http.cookies.clear()
            if want != got:
                diff = difflib.unified_diff(want, got, "embedded", engine, n=1, lineterm="")
                differences.append(f"{path} {headers}\n" + "\n".join(list(diff)[:40]))
    assert not differences, f"{len(differences)} routes differ on {engine}:\n" + "\n\n".join(differences[:10])
