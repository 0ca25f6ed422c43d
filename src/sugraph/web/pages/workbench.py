"""The query workbench: run a SPARQL query (typed, or a named question with its parameters) and
show the results as a table whose IRIs link to their pages.

Queries go through `Store.run` like any other client's, so the store's checks (read-only, no
SERVICE), its time limit and its row cap apply. The table is sorted and paged by web/tables.py; a
table's downloads are the page's own URL with `format=csv|tsv|json`, so the file holds the rows the
reader sees in the order they see them (every page of them); a graph's go to /sparql.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.requests import Request

from ...iris import kind_of
from ...named_queries import NamedQuery, read_header
from ...namespaces import expand_iri
from ...search import short_name
from ...store import CLIENT, Store
from ...store.analysis import analyse
from ...terms import in_language, read_results
from ..charts import ChartView, Term, Views, chart_view, views
from ..display import Value
from ..formats import CSV, JSON_LD, N_TRIPLES, RESULTS_JSON, TSV, TURTLE, Format
from ..graphsvg import Link, Picture, graph
from ..tables import (
    PAGE_SIZE,
    PAGING,
    Table,
    arrange,
    by_name,
    cells,
    columns_in_order,
    cut_at,
    link,
    page_of,
    read_view,
    solutions,
    table,
    term_value,
)
from .site import Site, term_label

EXAMPLE_QUERY = """PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?measure ?label WHERE {
  ?measure a sug:Measure ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?label
LIMIT 20
"""
TABLE_DOWNLOADS = (CSV, TSV, RESULTS_JSON)
GRAPH_DOWNLOADS = (TURTLE, N_TRIPLES, JSON_LD)


@dataclass
class Outcome:
    """What a query gave: a table (SELECT, CONSTRUCT, DESCRIBE) or a yes/no (ASK), and how long it took.

    `table` is the page the reader asked for (sorted, cut); `variables` and `rows` are the same page
    as plain values, `results` and `order` what a download of the page's URL holds."""

    form: str
    ms: float
    variables: list[str] = field(default_factory=list)
    rows: list[list[Value | None]] = field(default_factory=list)
    count: int = 0
    boolean: bool | None = None
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # name, URL, file name
    table: Table | None = None
    results: dict | None = None  # SPARQL JSON (SELECT only)
    order: list[int] = field(default_factory=list)  # the rows of `results` the view shows, in order
    terms: list[list[Term | None]] = field(default_factory=list)  # every row (triple) as terms, for charts and graphs


@dataclass(frozen=True)
class Field:
    """One form control for a named query's parameter."""

    name: str
    label: str
    type: str
    required: bool
    multiple: bool
    options: list[tuple[str, str]]  # (value, label); empty for a free-text field
    selected: list[str]


def run(
    store: Store,
    site: Site,
    lang: str,
    text: str,
    max_rows: int,
    max_bytes: int,
    path: str,
    params: Sequence[tuple[str, str]],
    page_size: int = PAGE_SIZE,
) -> Outcome:
    """Run the query and make the view the request's `_sort`/`limit`/`offset` ask for; QueryError,
    QueryTimeout, BackendError or UsageError propagate for the page to show."""
    form = analyse(text).form
    graph = form in ("CONSTRUCT", "DESCRIBE")
    started = time.perf_counter()
    body = store.run(
        text, (N_TRIPLES if graph else RESULTS_JSON).media_type, max_rows=max_rows, lane=CLIENT, max_bytes=max_bytes
    )  # a client's own text, however expensive
    ms = (time.perf_counter() - started) * 1000
    outcome = Outcome(form, round(ms, 1 if ms >= 1 else 2))  # cached answers take µs
    if graph:
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        variables, terms = ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples]
        outcome.downloads = _sparql_downloads(text, GRAPH_DOWNLOADS)
    else:
        results = read_results(body)
        if isinstance(results, ox.QueryBoolean):
            outcome.boolean = bool(results)
            outcome.downloads = _sparql_downloads(text, TABLE_DOWNLOADS)
            return outcome
        variables = columns_in_order([v.value for v in results.variables], text)
        terms = solutions(results, variables)
        outcome.results = json.loads(body)
        outcome.downloads = [
            (f.label, link(path, params, {"format", *PAGING}, [("format", f.short)]), f"results.{f.ext}")
            for f in TABLE_DOWNLOADS
        ]
    capped = cut_at(terms, max_rows)
    outcome.terms = terms
    rows = cells(terms, lambda t: term_value(site, lang, t))
    view = read_view(by_name(params), variables, page_size, max_rows)
    outcome.table = table(path, params, [(v, v) for v in variables], rows, view, capped=capped)
    outcome.order = page_of(arrange(rows, variables, view), view)
    outcome.variables, outcome.count = variables, len(rows)
    outcome.rows = [[c.values[0] if c.values else None for c in row] for row in outcome.table.rows]
    return outcome


@dataclass(frozen=True)
class ResultViews:
    """The views of an outcome the page offers, and what the chosen one draws."""

    views: Views
    chart_view: ChartView | None = None
    graph_picture: Picture | None = None
    graph_literals: int = 0  # triples with a literal object, which the graph does not draw

    def template_values(self) -> dict:
        """What `_views.html` reads."""
        return {name: getattr(self, name) for name in ("views", "chart_view", "graph_picture", "graph_literals")}


def result_views(site: Site, lang: str, outcome: Outcome, text: str, request: Request) -> ResultViews:
    """A SELECT result with a label and a numeric column can be a chart, a CONSTRUCT or DESCRIBE
    result a graph; the table is always offered (and first)."""
    if outcome.form in ("CONSTRUCT", "DESCRIBE"):
        shown = views(request, ("table", "graph"))
        if shown.current != "graph":
            return ResultViews(shown)
        links = [
            Link(_node_key(s), _node_key(o), term_label(site, _node_key(p), lang))
            for s, p, o in outcome.terms
            if not isinstance(o, ox.Literal)
        ]
        picture = graph(links, lambda n: _node_label(site, n, lang), lambda n: kind_of(n) or "")
        return ResultViews(shown, graph_picture=picture, graph_literals=outcome.count - len(links))
    csv = "/sparql?" + urlencode({"query": text, "format": CSV.ext})
    chart = (
        chart_view(site, lang, outcome.variables, outcome.terms, request.query_params, csv) if outcome.terms else None
    )
    return ResultViews(views(request, ("table", "chart") if chart else ("table",)), chart_view=chart)


def _node_key(term: Term | None) -> str:
    """A graph node's name: the IRI, or `_:` and the blank node's id."""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value if term is not None else ""


def _node_label(site: Site, node: str, lang: str) -> str:
    return node if node.startswith("_:") else term_label(site, node, lang)


def _sparql_downloads(text: str, formats: Sequence[Format]) -> list[tuple[str, str, str]]:
    """Downloads of what no table shows (a graph, a yes/no): the same text at /sparql."""
    return [(f.label, "/sparql?" + urlencode({"query": text, "format": f.ext}), f"results.{f.ext}") for f in formats]


def editable(text: str) -> str:
    """A named query's SPARQL without its `#+` header, which the page shows as a form instead."""
    return read_header(text)[1]


def values_of(query: NamedQuery, params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The request's non-empty values of the query's own parameters (the others are the page's)."""
    chosen = {p.name: [v for v in params.get(p.name, []) if v.strip()] for p in query.params}
    return {name: values for name, values in chosen.items() if values}


def fields(query: NamedQuery, site: Site, lang: str, values: Mapping[str, Sequence[str]]) -> list[Field]:
    """Form controls for the query's parameters: a list of the class's members for typed IRIs,
    a text field otherwise; each showing the request's value, else the default."""
    found = []
    for p in query.params:
        options = (
            [(short_name(iri), site.label(iri, lang)) for iri in site.members(p.cls, lang)]
            if p.type == "iri" and p.cls
            else []
        )
        selected = list(values.get(p.name) or p.default)
        if options:
            selected = [short_name(expand_iri(v)) for v in selected]
        description = in_language(p.description, lang, p.name)
        found.append(Field(p.name, description, p.type, p.required, p.list, options, selected))
    return found
