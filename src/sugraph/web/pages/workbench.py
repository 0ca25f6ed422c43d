"""The query workbench: run a SPARQL query (typed, or a named question with its parameters) and
show the results as a table whose IRIs link to their pages.

Queries go through `Store.run` like any other client's, so the store's checks (read-only, no
SERVICE), its time limit and its row cap apply. Downloads point at /sparql with the same text, so
the CSV a reader saves holds exactly the rows the page showed, and more if the page was cut.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox

from ...named_queries import NamedQuery, expand_iri
from ...search import short_name
from ...store import CLIENT, Store
from ...store.analysis import analyse
from ..formats import CSV, JSON_LD, N_TRIPLES, RESULTS_JSON, TSV, TURTLE
from .site import Site, href

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


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    lang: str | None = None
    title: str | None = None  # the IRI behind a label


@dataclass
class Outcome:
    """What a query gave: a table (SELECT, CONSTRUCT, DESCRIBE) or a yes/no (ASK), and how long it took."""

    form: str
    ms: float
    variables: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    count: int = 0
    boolean: bool | None = None
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # name, URL, file name


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
    body = store.run(text, (N_TRIPLES if graph else RESULTS_JSON).media_type,
                     max_rows=max_rows, lane=CLIENT, max_bytes=max_bytes)  # a client's own text, however expensive
    ms = (time.perf_counter() - started) * 1000
    downloads = [(f.label, "/sparql?" + urlencode({"query": text, "format": f.ext}), f"results.{f.ext}")
                 for f in (GRAPH_DOWNLOADS if graph else TABLE_DOWNLOADS)]
    outcome = Outcome(form, round(ms, 1 if ms >= 1 else 2), downloads=downloads)  # cached answers take µs
    if graph:
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        outcome.variables = ["subject", "predicate", "object"]
        outcome.count = len(triples)
        outcome.rows = [[_term_cell(site, lang, t) for t in (tr.subject, tr.predicate, tr.object)]
                        for tr in triples[:DISPLAY_ROWS]]
        return outcome
    data = json.loads(body)
    if "boolean" in data:
        outcome.boolean = bool(data["boolean"])
        return outcome
    bindings = data["results"]["bindings"]
    outcome.variables = list(data["head"]["vars"])
    outcome.count = len(bindings)
    outcome.rows = [[_json_cell(site, lang, b.get(v)) for v in outcome.variables] for b in bindings[:DISPLAY_ROWS]]
    return outcome


def editable(text: str) -> str:
    """A named query's SPARQL without its `#+` header, which the page shows as a form instead."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#+"):
        lines.pop(0)
    return "".join(lines)


def _iri_cell(site: Site, lang: str, iri: str) -> Cell:
    if site.labels.has_label(iri):
        return Cell(site.label(iri, lang), href(iri), title=iri)
    return Cell(short_name(iri), href(iri), title=iri)


def _json_cell(site: Site, lang: str, term: Mapping[str, str] | None) -> Cell | None:
    """A SPARQL JSON results term as a cell: IRIs by label, linked; literals as written."""
    if term is None:
        return None
    if term["type"] == "uri":
        return _iri_cell(site, lang, term["value"])
    if term["type"] == "bnode":
        return Cell(f"_:{term['value']}")
    return Cell(term["value"], lang=term.get("xml:lang"))


def _term_cell(site: Site, lang: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Cell:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(site, lang, term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    return Cell(term.value, lang=term.language)


def values_of(query: NamedQuery, params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The request's non-empty values of the query's own parameters (the others are the page's)."""
    chosen = {p.name: [v for v in params.get(p.name, []) if v.strip()] for p in query.params}
    return {name: values for name, values in chosen.items() if values}


def fields(query: NamedQuery, site: Site, lang: str, values: Mapping[str, Sequence[str]]) -> list[Field]:
    """Form controls for the query's parameters: a list of the class's members for typed IRIs,
    a text field otherwise; each showing the request's value, else the default."""
    found = []
    for p in query.params:
        options = ([(short_name(iri), site.label(iri, lang)) for iri in site.members(p.cls, lang)]
                   if p.type == "iri" and p.cls else [])
        selected = list(values.get(p.name) or p.default)
        if options:
            selected = [short_name(expand_iri(v)) for v in selected]
        description = p.description.get(lang) or p.description.get("en") or p.name
        found.append(Field(p.name, description, p.type, p.required, p.list, options, selected))
    return found

