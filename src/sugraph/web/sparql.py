"""The SPARQL 1.1 Protocol endpoint at /sparql, and the service description it answers without a query.

The handler does only what the protocol needs: read the query and the dataset from the request,
negotiate the format, and hand the text to the store, which checks it (read-only, no SERVICE, no
remote FROM), runs it off the event loop with a deadline, and returns pyoxigraph's serialized bytes.
"""

from __future__ import annotations

import inspect
import re
from urllib.parse import quote

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..iris import PUBLIC_BASE
from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES, SD
from ..store import Dataset, QueryError, Store
from ..store.analysis import query_form
from ..store.base import CLIENT, INLINE_TEXT, media_types_for
from ..store.errors import QueryTooLarge
from .context import context
from .formats import GRAPH_FORMATS, HTML, JSON_LD, RESULT_FORMATS, TURTLE, formats_for
from .http import cached_response, choose, decode_params, etag, not_modified, url_params
from .layout import page_variant, render

router = APIRouter(tags=["SPARQL"])

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
DESCRIPTION_FORMATS = (TURTLE, JSON_LD, HTML)
_FORMAT_NAMES = ", ".join(f.short for f in RESULT_FORMATS + GRAPH_FORMATS)

_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it: the service description.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs whose merge is the default graph (default: asserted + inferred).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs available to GRAPH clauses.",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": f"Overrides Accept: {_FORMAT_NAMES} or a media type.",
    },
    {
        "name": "timeout",
        "in": "query",
        "schema": {"type": "number"},
        "description": "Seconds; may lower the server's limit, never raise it.",
    },
]


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise QueryError(f"several '{name}' parameters: send exactly one")
    return values[0] if values else None


def _dataset(params: list[tuple[str, str]]) -> Dataset | None:
    default = tuple(v for k, v in params if k == "default-graph-uri")
    named = tuple(v for k, v in params if k == "named-graph-uri")
    return Dataset(default, named) if default or named else None


def _timeout(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise QueryError("timeout must be a number of seconds") from None
    if not seconds > 0:
        raise QueryError("timeout must be a positive number of seconds")
    return seconds


async def _params(request: Request) -> list[tuple[str, str]]:
    """The request's parameters: the URL's, plus a POST body's as the protocol defines it."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        params = url_params(request)
        if request.method != "POST":
            return params
        body = await request.body()
        if media_type == FORM_TYPE:
            return params + list(decode_params(body))
        if media_type == QUERY_TYPE:
            if any(k == "query" for k, _ in params):
                raise QueryError("several 'query' parameters: the body is the query, remove it from the URL")
            return [*params, ("query", body.decode("utf-8"))]
    except UnicodeDecodeError:
        raise QueryError("the request is not valid UTF-8") from None
    if media_type == UPDATE_TYPE:
        raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
    raise QueryError(
        f"POST needs Content-Type {FORM_TYPE} or {QUERY_TYPE}" + (f", not {media_type}" if media_type else "")
    )


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol: query by GET `?query=`, or POST (form or `application/sparql-query`).
    Results by Accept (SPARQL JSON/XML/CSV/TSV; Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads)
    or `format=`. Read-only; no SERVICE; time-limited and row-capped."""
    params = await _params(request)
    if any(k == "update" for k, _ in params):
        raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
    query = _one(params, "query")
    if query is None:
        return service_description(request, _one(params, "format"))
    ctx = context(request)
    settings = ctx.settings
    if len(query) > settings.max_query_length:
        raise QueryTooLarge(f"the query is {len(query):,} characters long; the limit is {settings.max_query_length:,}")
    # Only the prologue is read here, for the form; a long one (milliseconds) off the event loop.
    form = query_form(query) if len(query) <= INLINE_TEXT else await anyio.to_thread.run_sync(query_form, query)
    # Only what the store can write, under its own media types: no alias such as text/plain.
    chosen = choose(
        request, formats_for(media_types_for(form)), f"a {form} query", _one(params, "format"), aliases={}
    ).media_type
    dataset = _dataset(params)
    store: Store = ctx.store
    tag = etag(request, query, chosen, dataset)
    if request.method == "GET" and not_modified(request, tag):
        return cached_response(None, chosen, tag)
    body = await store.arun(
        query,
        chosen,
        dataset=dataset,
        timeout=_timeout(_one(params, "timeout")),
        max_rows=settings.max_rows,
        lane=CLIENT,
        max_bytes=settings.max_response_bytes,
    )
    return cached_response(body, chosen, tag)


ANSWERED = ("GET", "POST", "HEAD")


class Endpoint:
    """/sparql's GET, POST and HEAD answered here, ahead of FastAPI's routing, dependency solving and
    exception layers (in process, ~40% of a cheap query's time), and inside both middlewares (`middleware.Frame`:
    limits, request id, CORS, security headers, access log; then gzip), so their answers are unchanged. The
    handler is `sparql`; its errors are rendered by the app's own exception handlers (errors.py), as
    a route's would be. The routes below declare it for the API docs and answer the rest (405)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ANSWERED
            or scope["path"].removeprefix(scope.get("root_path", "")) != "/sparql"  # as Starlette's routing
        ):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            response = await sparql(request)
        except Exception as error:
            handlers = scope["app"].exception_handlers
            handler = next((handlers[cls] for cls in type(error).__mro__ if cls in handlers), None)
            if handler is None:
                raise  # to ErrorMiddleware's 500, as from any route
            answer = handler(request, error)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)


for _method in ("GET", "POST"):
    router.add_api_route(
        "/sparql",
        sparql,
        methods=[_method],
        summary=f"SPARQL 1.1 query ({_method})",
        operation_id=f"sparql_{_method.lower()}",
        openapi_extra={"parameters": _PARAMETERS},
        response_class=Response,
    )
# HEAD: GET's status and headers without the body (the server drops it), as CORS advertises.
router.add_api_route("/sparql", sparql, methods=["HEAD"], include_in_schema=False, response_class=Response)


def service_description(request: Request, format_value: str | None) -> Response:
    """What this endpoint is (SPARQL 1.1 Service Description), as Turtle, JSON-LD or a page."""
    chosen = choose(request, DESCRIPTION_FORMATS, "the service description", format_value, aliases={})
    endpoint = endpoint_iri(request)
    lang, vary = page_variant(request, chosen)
    tag = etag(request, "service-description", endpoint, chosen.media_type, lang)
    if not_modified(request, tag):
        return cached_response(None, chosen.media_type, tag, vary)
    if chosen is HTML:
        page = render(
            request,
            "sparql.html",
            endpoint=endpoint,
            example=EXAMPLE,
            prefixes=PREFIXES,
            formats=RESULT_FORMATS + GRAPH_FORMATS,
            descriptions=[
                (f.name, f"/sparql?format={f.short}", f.media_type) for f in DESCRIPTION_FORMATS if f is not HTML
            ],
        )
        return cached_response(page.body, chosen.media_type, tag, vary)
    body = ox.serialize(
        _description(endpoint), format=chosen.rdf, prefixes={"sd": str(SD), "formats": "http://www.w3.org/ns/formats/"}
    )
    return cached_response(body, chosen.media_type, tag, vary)


_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def endpoint_iri(request: Request) -> str:
    """This endpoint's IRI as the client reached it: scheme, Host and path only (never the query
    string or a fragment, which a client controls). A Host that is not a plain host[:port], or a
    result that is not an IRI, gives the configured public base's endpoint instead."""
    scope = request.scope
    scheme, host = scope.get("scheme", ""), request.headers.get("host")
    if host is None and scope.get("server"):
        name, port = scope["server"]
        name = f"[{name}]" if ":" in name else name
        host = name if port == {"http": 80, "https": 443}.get(scheme) else f"{name}:{port}"
    if host and _HOST.fullmatch(host) and scheme in ("http", "https"):
        iri = f"{scheme}://{host}{quote(scope['path'], safe='/')}"  # Starlette's path includes root_path
        try:
            ox.NamedNode(iri)
            return iri
        except ValueError:
            pass
    return f"{PUBLIC_BASE}/sparql"


def _description(endpoint: str) -> list[ox.Triple]:
    sd = lambda name: ox.NamedNode(f"{SD}{name}")  # noqa: E731
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        serializer = fmt.results or fmt.rdf
        assert serializer is not None  # every result and graph format has one
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(serializer.iri)))
    for graph in (ASSERTED_GRAPH, INFERRED_GRAPH):
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(str(graph))),
        ]
    return triples


EXAMPLE = """SELECT ?measure ?label WHERE {
  ?measure a sug:Measure ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
} LIMIT 20"""
