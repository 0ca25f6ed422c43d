"""The query workbench: run a SPARQL query (typed, or a named question with its parameters) and
show the results as a table whose IRIs link to their pages.

Queries go through `Store.run` like any other client's, so the store's checks (read-only, no
SERVICE), its time limit and its row cap apply. Downloads point at /sparql with the same text, so
the CSV a reader saves holds exactly the rows the page showed, and more if the page was cut.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.requests import Request

from ...named_queries import NamedQuery, read_header
from ...namespaces import expand_iri
from ...search import short_name
from ...store import CLIENT, Store
from ...store.analysis import analyse
from ...terms import in_language, read_results
from ..charts import ChartView, Term, Views, chart_view, views
from ..display import Value
from ..formats import CSV, JSON_LD, N_TRIPLES, RESULTS_JSON, TSV, TURTLE
from ..graphsvg import Link, Picture, graph
from .site import Site, href, kind_of, term_label

DISPLAY_ROWS = 1000
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
    """What a query gave: a table (SELECT, CONSTRUCT, DESCRIBE) or a yes/no (ASK), and how long it took."""

    form: str
    ms: float
    variables: list[str] = field(default_factory=list)
    rows: list[list[Value | None]] = field(default_factory=list)
    count: int = 0
    boolean: bool | None = None
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # name, URL, file name
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


def run(store: Store, site: Site, lang: str, text: str, max_rows: int, max_bytes: int) -> Outcome:
    """Run the query; QueryError, QueryTimeout or BackendError propagate for the page to show."""
    form = analyse(text).form
    graph = form in ("CONSTRUCT", "DESCRIBE")
    started = time.perf_counter()
    body = store.run(
        text, (N_TRIPLES if graph else RESULTS_JSON).media_type, max_rows=max_rows, lane=CLIENT, max_bytes=max_bytes
    )  # a client's own text, however expensive
    ms = (time.perf_counter() - started) * 1000
    downloads = [
        (f.label, "/sparql?" + urlencode({"query": text, "format": f.ext}), f"results.{f.ext}")
        for f in (GRAPH_DOWNLOADS if graph else TABLE_DOWNLOADS)
    ]
    outcome = Outcome(form, round(ms, 1 if ms >= 1 else 2), downloads=downloads)  # cached answers take µs
    if graph:
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        outcome.variables = ["subject", "predicate", "object"]
        outcome.count = len(triples)
        outcome.terms = [[tr.subject, tr.predicate, tr.object] for tr in triples]
        outcome.rows = [
            [_term_cell(site, lang, t) for t in (tr.subject, tr.predicate, tr.object)] for tr in triples[:DISPLAY_ROWS]
        ]
        return outcome
    results = read_results(body)
    if isinstance(results, ox.QueryBoolean):
        outcome.boolean = bool(results)
        return outcome
    outcome.variables = [v.value for v in results.variables]
    solutions = list(results)
    outcome.count = len(solutions)
    outcome.terms = [[s[v] for v in outcome.variables] for s in solutions]
    outcome.rows = [
        [None if s[v] is None else _term_cell(site, lang, s[v]) for v in outcome.variables]
        for s in solutions[:DISPLAY_ROWS]
    ]
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


def editable(text: str) -> str:
    """A named query's SPARQL without its `#+` header, which the page shows as a form instead."""
    return read_header(text)[1]


def _term_cell(site: Site, lang: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Value:
    """A result term as a cell: IRIs by label (else a prefixed name), linked; literals as written."""
    if isinstance(term, ox.NamedNode):
        return Value(site.label(term.value, lang), href(term.value), title=term.value)
    if isinstance(term, ox.BlankNode):
        return Value(f"_:{term.value}")
    return Value(term.value, lang=term.language)


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
