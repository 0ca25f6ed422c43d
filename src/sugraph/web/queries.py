"""Named queries as a web API: `GET /queries` lists them, `GET /queries/{name}` runs one.

Each `queries/*.rq` file becomes its own route at startup, so each is its own operation, with its
own typed parameters, in the OpenAPI schema at /docs. Results come back from the store as SPARQL
JSON (cached like any query), are cut to the page, and are re-serialized by pyoxigraph as JSON, CSV
or TSV, or rendered as an HTML table.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..config import Settings
from ..errors import NotFound
from ..named_queries import NamedQuery, Param, load_queries, queries_folder
from ..store.analysis import analyse, paged
from ..store.errors import QueryError
from ..terms import read_results
from .context import context
from .display import Value
from .formats import CSV, HTML, JSON, RESULTS_JSON, TSV, Format
from .http import cached_response, choose, etag, not_modified, url_params, validated
from .layout import page_variant, render
from .snippets import for_url

OFFERED = (RESULTS_JSON, JSON, CSV, TSV, HTML)
RESERVED = ("format", "limit", "offset")
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
        """Every named query: name, title and description (en/fr), parameters and its URL."""
        return validated(request, JSONResponse([_summary(q) for q in queries.values()]))

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


def _integer(values: list[str], name: str, default: int, low: int, high: int) -> int:
    if not values:
        return default
    if len(values) > 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
        raise QueryError(f"{name} must be one integer from {low} to {high}")
    return int(values[0])


def _handler(query: NamedQuery):
    async def run(request: Request) -> Response:
        try:
            params = url_params(request)
        except UnicodeDecodeError:
            raise QueryError("the request is not valid UTF-8") from None
        values: dict[str, list[str]] = {}
        for key, value in params:
            values.setdefault(key, []).append(value)
        formats = values.pop("format", [])
        chosen = choose(request, OFFERED, f"the query {query.name}", formats[-1] if formats else None)
        ctx = context(request)
        settings = ctx.settings
        paging = {key: values.pop(key, []) for key in ("limit", "offset")}
        limit = _integer(paging["limit"], "limit", min(DEFAULT_LIMIT, settings.max_rows), 1, settings.max_rows)
        offset = _integer(paging["offset"], "offset", 0, 0, 10**9)
        text = query.text(values)
        info = analyse(text)
        pageable = query.form == "SELECT" and info.limit is None  # a query with its own LIMIT is one page
        if pageable:
            text = paged(info, limit + 1, offset)  # one more row tells whether a next page exists
        elif paging["limit"] or paging["offset"]:
            raise QueryError(f"the query {query.name} sets its own LIMIT: it cannot be paged")
        lang, vary = page_variant(request, chosen)
        tag = etag(request, text, chosen.media_type, lang)
        if not_modified(request, tag):
            return cached_response(None, chosen.media_type, tag, vary)
        body = await ctx.store.arun(text, RESULTS_JSON.media_type)
        data = json.loads(body)
        links = []
        if pageable:
            rows = data["results"]["bindings"]
            if len(rows) > limit:
                del rows[limit:]
                links.append(_link(request, limit, offset + limit, "next"))
            if offset > 0:
                links.append(_link(request, limit, max(0, offset - limit), "prev"))
                links.append(_link(request, limit, 0, "first"))
        response = cached_response(_render(request, data, chosen, query), chosen.media_type, tag, vary)
        if links:
            response.headers["Link"] = ", ".join(links)
        return response

    run.__name__ = f"query_{query.name.replace('-', '_')}"
    run.__doc__ = query.description.get("en")
    return run


def _link(request: Request, limit: int, offset: int, rel: str) -> str:
    return f'<{request.url.include_query_params(limit=limit, offset=offset)}>; rel="{rel}"'


def _render(request: Request, data: dict, fmt: Format, query: NamedQuery) -> bytes | memoryview:
    results = read_results(json.dumps(data))
    if fmt is not HTML:
        # pyoxigraph's stub lacks the overload that says so: without an output, the result is bytes.
        return results.serialize(format=fmt.results)  # type: ignore[return-value]
    if isinstance(results, ox.QueryBoolean):
        table: dict = {"boolean": bool(results)}
    else:
        variables = [v.value for v in results.variables]
        table = {"variables": variables, "rows": [[_shown(row[v]) for v in variables] for row in results]}
    return render(
        request,
        "query_table.html",
        title=query.title.get("en", query.name),
        description=query.description.get("en", ""),
        code=for_url(str(request.url.replace(query="")), request.query_params.multi_items(), query.form),
        **table,
    ).body


def _shown(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value | None:
    """A result term as the table prints it: an IRI as a link to itself, a literal with its language."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Value(term.value, term.value)
    return Value(term.value, lang=term.language if isinstance(term, ox.Literal) else None)
