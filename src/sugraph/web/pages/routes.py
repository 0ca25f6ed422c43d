"""The human web site: home, browse, full-text search, entity pages and the query workbench, in fr and en.

Pages are rendered on the server by `layout` (the one template environment); /static serves their
CSS and the little optional JavaScript.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ...errors import SugraphError
from ...search import SearchError, UnknownKind
from ...store import BackendError, QueryError, QueryTimeout
from ..context import context, context_of
from ..http import validated
from ..i18n import LANGUAGES, translator
from ..layout import HERE, error_page, language, render
from .browse import MEASURE_FILTERS, UnknownValue, grouped, measures, parse_filters, threat_tree
from .site import KINDS, href, kind_of
from .workbench import EXAMPLE_QUERY, editable, fields, run, values_of

SEARCH_LIMIT = 50
KindFilter = Annotated[list[str] | None, Query(description="keep this kind of entity (repeatable)")]
log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the snapshot before the first request, so no reader waits for it. A store that cannot
    answer now stops the start (uvicorn exits) with the reason on one line: a server that has no
    snapshot serves no page."""
    try:
        await run_in_threadpool(lambda: context_of(app).site)
    except SugraphError as error:
        log.error("cannot start: the pages' snapshot could not be read from the store: %s", error)
        raise
    yield


router = APIRouter(lifespan=lifespan, include_in_schema=False)
router.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    site = context(request).site
    counts = [(kind, site.count(kind)) for kind in KINDS]
    return render(request, "home.html", counts=counts)


@router.get("/browse/{kind}", response_class=HTMLResponse)
def browse(request: Request, kind: str) -> HTMLResponse:
    lang, ctx = language(request), context(request)
    site, store = ctx.site, ctx.store
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
        return render(
            request,
            "browse_measures.html",
            kind=kind,
            filters=MEASURE_FILTERS,
            options=options,
            chosen=chosen,
            rows=measures(store, site, lang, chosen),
        )
    return render(request, "browse_list.html", kind=kind, groups=grouped(site, kind, lang))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", kind: KindFilter = None) -> HTMLResponse:
    """Full-text search; each `kind=` keeps that kind of entity only, and the counts per kind
    (over every kind) link to the same search filtered."""
    lang, labels, kind = language(request), context(request).site.labels, kind or []
    _ = translator(lang)
    try:
        hits, counts = labels.search(q, SEARCH_LIMIT, kind, lang), labels.counts(q)
    except UnknownKind as e:
        return error_page(request, 400, _("search.kind.unknown", kind=e.kind, kinds=", ".join(e.known)))
    except SearchError as e:
        return error_page(request, 400, _("search.invalid", reason=str(e)))
    found = sum(n for k, n in counts.items() if not kind or k in kind)
    return render(request, "search.html", q=q, chosen=kind, hits=hits, counts=counts, found=found)


@router.get("/search.json")
def search_json(
    request: Request, q: str = "", kind: KindFilter = None, limit: int = Query(SEARCH_LIMIT, ge=1, le=500)
) -> Response:
    """The same search for scripts (and the editor's completion of labels, `?q=<prefix>&limit=10`):
    each hit with its labels in both languages and the snippet it matched, as HTML; the counts per kind."""
    reader, site, kind = language(request), context(request).site, kind or []
    results = [
        {
            "iri": hit.iri,
            "label": {lang: site.label(hit.iri, lang) for lang in LANGUAGES},
            "type": site.main_type(hit.iri),
            "kind": kind_of(hit.iri),
            "matched": hit.matched,
            "page": href(hit.iri),
            "field": hit.field,
            "lang": hit.lang,
            "snippet": str(hit.snippet.html()),
        }
        for hit in site.labels.search(q, limit, kind, reader)
    ]
    body = {"query": q, "kind": kind, "counts": site.labels.counts(q), "results": results}
    return validated(request, JSONResponse(body))


@router.get("/workbench", response_class=HTMLResponse)
def workbench(request: Request) -> HTMLResponse:
    """`?query=` runs a typed query; `?name=` opens a named question and runs it with the
    request's parameter values (or their defaults). Either URL can be shared as is."""
    lang, ctx = language(request), context(request)
    site = ctx.site
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
            settings = ctx.settings
            outcome = run(ctx.store, site, lang, text, settings.max_rows, settings.max_response_bytes)
    except (QueryError, QueryTimeout, BackendError) as e:
        error, status = str(e), e.status
    return render(
        request,
        "workbench.html",
        status_code=status,
        queries=list(site.queries.values()),
        current=current,
        fields=fields(current, site, lang, values) if current else [],
        text=text if text is not None else (editable(current.sparql) if current else EXAMPLE_QUERY),
        outcome=outcome,
        error=error,
        share=str(request.url),
    )
