"""The human web site: home, browse, search, entity pages and the query workbench, in fr and en.

Pages are rendered on the server from Jinja2 templates (autoescaped everywhere, SVG included) with
CSS and a little optional JavaScript from /static, so everything works without JavaScript and under
a Content-Security-Policy that forbids inline scripts and styles.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ..named_queries import load_queries, queries_folder
from ..store import BackendError, QueryError, QueryTimeout
from .i18n import COOKIE, LANGUAGES, choose_language, translator
from .pages_browse import (MEASURE_FILTERS, UnknownValue, grouped, measures, parse_filters,
                           threat_tree)
from .pages_entity import describe_entity
from .pages_site import KINDS, Site, href, kind_of, term_label
from .pages_workbench import EXAMPLE_QUERY, editable, fields, run, values_of

HERE = Path(__file__).resolve().parent
SEARCH_LIMIT = 50

ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)
templates = Jinja2Templates(env=ENV)


def site_of(app: FastAPI) -> Site:
    """The startup snapshot of the graph (built on first use if the app was not started)."""
    if getattr(app.state, "site", None) is None:
        app.state.site = Site.from_store(app.state.store, load_queries(queries_folder(app.state.settings)))
    return app.state.site


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the snapshot before the first request, so no reader waits for it."""
    await run_in_threadpool(site_of, app)
    yield


router = APIRouter(lifespan=lifespan, include_in_schema=False)
router.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(COOKIE),
                           request.headers.get("accept-language"))


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page in the reader's language, with what every template uses; remembers a `?lang=` choice."""
    lang = language(request)
    site = site_of(request.app)
    switch = {other: f"{request.url.path}?{request.url.include_query_params(lang=other).query}"
              for other in LANGUAGES}
    context.update(
        lang=lang, _=translator(lang), site=site, kg=request.app.state.kg, switch=switch, kinds=list(KINDS),
        href=href, kind_of=kind_of, label=lambda iri: site.label(iri, lang),
        term=lambda iri: term_label(site, iri, lang), describe=lambda iri: site.description(iri, lang),
        path=request.url.path)
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, status=status_code, message=message)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    site = site_of(request.app)
    counts = [(kind, site.count(kind)) for kind in KINDS]
    return render(request, "home.html", counts=counts)


@router.get("/browse/{kind}", response_class=HTMLResponse)
def browse(request: Request, kind: str) -> HTMLResponse:
    lang, site = language(request), site_of(request.app)
    store = request.app.state.store
    if kind not in KINDS:
        return error_page(request, 404, translator(lang)("entity.notfound"))
    if kind == "threat":
        return render(request, "browse_threats.html", kind=kind, tree=threat_tree(store, site, lang))
    if kind == "measure":
        try:
            chosen = parse_filters(site, dict(request.query_params))
        except UnknownValue as e:
            name = translator(lang)(f"filter.{e.name}")
            return error_page(request, 400, translator(lang)("filter.unknown", name=name, value=e.value))
        options = {f.name: site.members(f.cls, lang) for f in MEASURE_FILTERS}
        return render(request, "browse_measures.html", kind=kind, filters=MEASURE_FILTERS, options=options,
                      chosen=chosen, rows=measures(store, site, lang, chosen))
    return render(request, "browse_list.html", kind=kind, groups=grouped(site, kind, lang))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> HTMLResponse:
    hits = site_of(request.app).labels.search(q, SEARCH_LIMIT)
    return render(request, "search.html", q=q, hits=hits)


@router.get("/search.json")
def search_json(request: Request, q: str = "", limit: int = Query(SEARCH_LIMIT, ge=1, le=500)) -> JSONResponse:
    """The same search for scripts: each hit with its labels in both languages."""
    site = site_of(request.app)
    results = [{"iri": hit.iri, "label": {lang: site.label(hit.iri, lang) for lang in LANGUAGES},
                "type": site.main_type(hit.iri), "kind": kind_of(hit.iri), "matched": hit.matched,
                "page": href(hit.iri)}
               for hit in site.labels.search(q, limit)]
    return JSONResponse({"query": q, "results": results})


async def entity_page(request: Request, iri: str) -> Response:
    """The HTML representation of an entity (called by the linked-data routes); 404 if unknown."""
    lang, site = language(request), site_of(request.app)
    view = await run_in_threadpool(describe_entity, request.app.state.store, site, iri, lang)
    if view is None:
        return error_page(request, 404, translator(lang)("entity.notfound.text", iri=iri))
    return render(request, "entity.html", entity=view)


@router.get("/workbench", response_class=HTMLResponse)
def workbench(request: Request) -> HTMLResponse:
    """`?query=` runs a typed query; `?name=` opens a named question and runs it with the
    request's parameter values (or their defaults). Either URL can be shared as is."""
    lang, site = language(request), site_of(request.app)
    name, text = request.query_params.get("name"), request.query_params.get("query")
    current = site.queries.get(name) if name else None
    if name and current is None:
        return error_page(request, 404, translator(lang)("wb.unknown", name=name))
    values = values_of(current, {k: request.query_params.getlist(k) for k in request.query_params}) if current else {}
    outcome, error, status = None, None, 200
    try:
        if current is not None and text is None:
            text = editable(current.text(values))
        if text and text.strip():
            settings = request.app.state.settings
            outcome = run(request.app.state.store, site, lang, text, settings.max_rows, settings.max_response_bytes)
    except (QueryError, QueryTimeout, BackendError) as e:
        error, status = str(e), e.status
    return render(request, "workbench.html", status_code=status, queries=list(site.queries.values()),
                  current=current, fields=fields(current, site, lang, values) if current else [],
                  text=text if text is not None else (editable(current.sparql) if current else EXAMPLE_QUERY),
                  outcome=outcome, error=error, share=str(request.url))
