"""Named queries as a web API: `GET /queries` lists them, `GET /queries/{name}` runs one.

Each `queries/*.rq` file becomes its own route at startup, so each is its own operation, with its
own typed parameters, in the OpenAPI schema at /docs. Results come back from the store as SPARQL
JSON (cached like any query), are sorted and cut to the page by web/tables.py (`_sort`/`_desc`,
`limit`/`offset`), and are re-serialized by pyoxigraph as JSON, CSV or TSV in that order, or
rendered as an HTML table in the site's layout. The list is JSON for scripts, HTML for browsers.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..config import Settings
from ..errors import NotFound
from ..named_queries import NamedQuery, Param, load_queries, queries_folder
from ..store.analysis import analyse
from ..store.errors import QueryError
from ..terms import read_results
from .charts import VIEW_PARAMS, chart_view, views
from .citation import Form, query_citation, today
from .citation import shown as cite_forms
from .context import context
from .formats import CSV, HTML, JSON, RESULTS_JSON, TSV
from .http import cached_response, choose, etag, not_modified, url_params, validated
from .layout import language, page_variant, render
from .snippets import for_url
from .tables import (
    DESC,
    PAGING,
    SORT,
    Rows,
    Table,
    arrange,
    by_name,
    cells,
    columns_in_order,
    cut_at,
    download,
    link,
    page_of,
    read_view,
    solutions,
    table,
    term_value,
)

OFFERED = (RESULTS_JSON, JSON, CSV, TSV, HTML)
RESERVED = ("format", "lang", *PAGING, SORT, DESC)  # the page's parameters, not the query's
DEFAULT_LIMIT = 100
_SCHEMAS = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^-?[0-9]{4}$"},
    "boolean": {"type": "boolean"},
}


def router(settings: Settings) -> APIRouter:
    """A router with one operation per query file found for these settings."""
    queries = load_queries(queries_folder(settings))
    api = APIRouter(tags=["Named queries"])

    @api.get("/queries", summary="List the named queries")
    def list_queries(request: Request) -> Response:
        """Every named query: name, title and description (en/fr), parameters and its URL; as JSON
        (the default) or as an HTML page for browsers (`format=json|html` overrides `Accept`)."""
        value = request.query_params.get("format")
        chosen = choose(request, (JSON, HTML), "the list of named queries", value, {RESULTS_JSON.media_type: JSON})
        if chosen is HTML:
            response: Response = render(request, "queries.html", queries=list(queries.values()))
        else:
            response = JSONResponse([_summary(q) for q in queries.values()])
        response.headers["Vary"] = ", ".join(filter(None, ("Accept", response.headers.get("Vary"))))
        return validated(request, response)

    for query in queries.values():
        api.add_api_route(
            f"/queries/{query.name}",
            _handler(query),
            methods=["GET"],
            response_class=Response,
            summary=query.title.get("en", query.name),
            operation_id=f"query_{query.name.replace('-', '_')}",
            description=_describe(query),
            openapi_extra={"parameters": _parameters(query, settings)},
        )

    @api.get("/queries/{name}", include_in_schema=False)
    def unknown_query(name: str) -> Response:
        raise NotFound(f"no named query {name!r}; see /queries")

    return api


def _summary(query: NamedQuery) -> dict:
    return {
        "name": query.name,
        "url": f"/queries/{query.name}",
        "title": dict(query.title),
        "description": dict(query.description),
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "list": p.list,
                "default": list(p.default) or None,
                "lang": p.lang,
                "class": p.cls,
                "description": dict(p.description),
            }
            for p in query.params
        ],
    }


def _describe(query: NamedQuery) -> str:
    text = query.description.get("en", "")
    if "fr" in query.title or "fr" in query.description:
        text += f"\n\n*{query.title.get('fr', '')}* — {query.description.get('fr', '')}"
    return text


def _parameters(query: NamedQuery, settings: Settings) -> list[dict]:
    """The OpenAPI parameter objects of one query: its own, then format/limit/offset."""
    own = [_parameter(p) for p in query.params]
    return [
        *own,
        {
            "name": "format",
            "in": "query",
            "schema": {"type": "string", "enum": list(dict.fromkeys(f.short for f in OFFERED))},
            "description": "Overrides the Accept header.",
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": settings.max_rows, "default": DEFAULT_LIMIT},
        },
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    ]


def _parameter(param: Param) -> dict:
    schema: dict = dict(_SCHEMAS[param.type])
    if param.list:
        schema = {"type": "array", "items": schema}
    if param.default:
        schema["default"] = list(param.default) if param.list else param.default[0]
    description = " / ".join(param.description.values())
    if param.cls:
        description += f" (an instance of <{param.cls}>)"
    return {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "schema": schema,
        "explode": True,
        "description": description,
    }


def _handler(query: NamedQuery):
    own_lang = any(p.name == "lang" for p in query.params)

    async def run(request: Request) -> Response:
        params = url_params(request)
        values = by_name(params)
        formats = values.pop("format", [])
        for name in VIEW_PARAMS:  # the HTML page's view and chart columns, unless the query has its own
            if name not in {p.name for p in query.params}:
                values.pop(name, None)
        chosen = choose(request, OFFERED, f"the query {query.name}", formats[-1] if formats else None)
        ctx = context(request)
        settings = ctx.settings
        asked = {key: values.pop(key, []) for key in (SORT, DESC, *PAGING)}
        if not own_lang:
            values.pop("lang", None)  # the page's language, not the query's
        text = query.text(values)
        info = analyse(text)
        pageable = query.form == "SELECT" and info.limit is None  # a query with its own LIMIT is one page
        if not pageable and (asked["limit"] or asked["offset"]):
            raise QueryError(f"the query {query.name} sets its own LIMIT: it cannot be paged")
        by_labels = bool(asked[SORT] or asked[DESC])  # IRIs sort by their label in the reader's language
        variant, vary = page_variant(request, HTML if by_labels else chosen)
        drawn = [request.query_params.getlist(name) for name in VIEW_PARAMS] if chosen is HTML else []
        cited_on = today() if chosen is HTML else None  # the page's citation gives the access date
        tag = etag(request, text, chosen.media_type, variant, [sorted(asked.items()), drawn, cited_on])
        if not_modified(request, tag):
            return cached_response(None, chosen.media_type, tag, vary)
        body = await ctx.store.arun(text, RESULTS_JSON.media_type, max_rows=settings.max_rows)
        results = read_results(body)
        if isinstance(results, ox.QueryBoolean):
            if chosen is HTML:
                return cached_response(_page(request, query, None, bool(results), {}), chosen.media_type, tag, vary)
            # pyoxigraph's stub lacks the overload that says so: without an output, the result is bytes.
            answer: bytes = results.serialize(format=chosen.results)  # type: ignore[assignment]
            return cached_response(answer, chosen.media_type, tag, vary)
        lang = language(request)
        as_answered = [v.value for v in results.variables]
        variables = columns_in_order(as_answered, text)
        data: dict | None = None  # the answer's JSON, when read
        if chosen is HTML or by_labels:
            terms = solutions(results, variables)
            capped = cut_at(terms, settings.max_rows)
            rows = cells(terms, lambda t: term_value(ctx.site, lang, t))
        else:  # a download shows no cell: none is made, nor a term read, for up to 10,000 rows: they
            # are counted and picked in the answer's JSON, read once (10,000 at 1000x: 240 -> 130 ms)
            data = json.loads(body)
            bindings = data["results"]["bindings"]
            capped = cut_at(bindings, settings.max_rows)
            rows = Rows(len(bindings), lambda _row: [], lambda _row, _column: None)
        view = read_view(asked, variables, DEFAULT_LIMIT if pageable else settings.max_rows, settings.max_rows)
        shown = table(request.url.path, params, [(v, v) for v in variables], rows, view, capped=capped)
        if chosen is HTML:
            content = _page(request, query, shown, None, _chart(request, variables, terms))
        else:
            order = page_of(arrange(rows, variables, view), view)
            if not capped and variables == as_answered and order == list(range(len(rows))):
                # the whole answer as the store gave it: re-serialized as is, without a JSON round trip
                # (7.5 MB read and written again for 10,000 rows of quotes at 1000x)
                content = read_results(body).serialize(format=chosen.results)  # type: ignore[assignment]
            else:
                content = download(json.loads(body) if data is None else data, variables, order, chosen)
        response = cached_response(content, chosen.media_type, tag, vary)
        here = str(request.url)
        links = [f'<{urljoin(here, shown.next)}>; rel="next"'] if shown.next else []
        if shown.previous:
            first = urljoin(here, link(request.url.path, params, {"offset"}))
            links += [f'<{urljoin(here, shown.previous)}>; rel="prev"', f'<{first}>; rel="first"']
        if links:
            response.headers["Link"] = ", ".join(links)
        return response

    run.__name__ = f"query_{query.name.replace('-', '_')}"
    run.__doc__ = query.description.get("en")
    return run


def _page(
    request: Request, query: NamedQuery, shown: Table | None, boolean: bool | None, chart: dict
) -> bytes | memoryview:
    """The answer as a page in the site's layout: the table (or yes/no), its downloads, and the
    question in the workbench with the same parameters."""
    path, params = request.url.path, url_params(request)
    return render(
        request,
        "query_table.html",
        query=query,
        table=shown,
        boolean=boolean,
        workbench=link("/workbench", [("name", query.name), *((k, v) for k, v in params if k not in RESERVED)], set()),
        downloads=[(f.label, link(path, params, {"format"}, [("format", f.short)])) for f in (CSV, TSV, JSON)],
        cite=_cite(request, query),
        code=for_url(str(request.url.replace(query="")), request.query_params.multi_items(), query.form),
        **chart,
    ).body


def _chart(request: Request, variables: list[str], terms: list) -> dict:
    """The chart view of the page, when the result has columns to draw (see web/charts.py)."""
    site, lang = context(request).site, language(request)
    csv = request.url.remove_query_params(VIEW_PARAMS).include_query_params(format=CSV.ext)
    chart = chart_view(site, lang, variables, terms, request.query_params, f"{csv.path}?{csv.query}")
    return {"views": views(request, ("table", "chart") if chart else ("table",)), "chart_view": chart}


def _cite(request: Request, query: NamedQuery) -> list[Form]:
    """The result page's "cite this": the question, its parameters and this result's URL."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return cite_forms(query_citation(context(request), query, path, str(request.base_url), language(request)))
