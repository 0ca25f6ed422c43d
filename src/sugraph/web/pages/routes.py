"""The human web site: home, browse, full-text search, entity pages and the query workbench, in fr and en.

Pages are rendered on the server by `layout` (the one template environment); /static serves their
CSS and the little optional JavaScript.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ...errors import NotAcceptable, SugraphError, UsageError
from ...iris import kind_of
from ...search import SearchError, SearchUnavailable, UnknownKind
from ...store import BackendError, QueryError, QueryTimeout
from ..context import context, context_of
from ..errors import error_response
from ..formats import CSV, HTML, JSON, RESULTS_JSON, TSV, content_type
from ..http import choose, url_params, validated
from ..i18n import LANGUAGES, translator
from ..layout import HERE, error_page, language, page_variant, render
from ..snippets import for_sparql
from ..tables import PAGE_SIZE, PAGING, arrange, by_name, download, link, page_of, read_view, table
from .browse import UnknownValue, kind_list, measure_list, parse_filters, threat_tree
from .site import KINDS, href
from .timeline import DATE, as_csv, draw, marks, on_date, records, shown_date, together
from .timeline import FILTERS as TIMELINE_FILTERS
from .vocabulary import predicates, vocabulary
from .workbench import EXAMPLE_QUERY, TABLE_DOWNLOADS, editable, fields, result_views, run, values_of

SEARCH_LIMIT = 50
BROWSE_FORMATS = (HTML, CSV, RESULTS_JSON, TSV)  # HTML first: the lists are pages before they are data
KindFilter = Annotated[list[str] | None, Query(description="keep this kind of entity (repeatable)")]
log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the snapshot before the first request, so no reader waits for it, then answer the named
    questions ahead in the background. A store that cannot answer now stops the start (uvicorn
    exits) with the reason on one line: a server that has no snapshot serves no page."""
    try:
        await run_in_threadpool(lambda: context_of(app).site)
    except SugraphError as error:
        log.error("cannot start: the pages' snapshot could not be read from the store: %s", error)
        raise
    context_of(app).answer_ahead()
    yield


router = APIRouter(lifespan=lifespan, include_in_schema=False)
router.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    site = context(request).site
    counts = [(kind, site.count(kind)) for kind in KINDS]
    return render(request, "home.html", counts=counts)


@router.get("/browse/{kind}", response_class=HTMLResponse)
def browse(request: Request, kind: str) -> Response:
    """A class's members as a table with facets, sorted and paged (web/tables.py); the threats as a
    tree. `/browse/{kind}.csv` (or `?format=csv|tsv|json`) downloads the filtered, sorted rows."""
    lang, ctx = language(request), context(request)
    site, store, settings = ctx.site, ctx.store, ctx.settings
    kind, _, ext = kind.partition(".")
    if kind not in KINDS:
        return error_page(request, 404, translator(lang)("entity.notfound"))
    fmt = choose(request, BROWSE_FORMATS, f"/browse/{kind}", ext or request.query_params.get("format"))
    if kind == "threat" and fmt is HTML:
        return render(request, "browse_threats.html", kind=kind, tree=threat_tree(store, site, lang))
    path, params = f"/browse/{kind}", url_params(request)
    try:
        found = (
            measure_list(site, lang, path, params) if kind == "measure" else kind_list(site, kind, lang, path, params)
        )
    except UnknownValue as e:
        name = translator(lang)(f"filter.{e.name}")
        return error_page(request, 400, translator(lang)("filter.unknown", name=name, value=e.value))
    names = [name for name, _ in found.columns]
    view = read_view(by_name(params), names, PAGE_SIZE if fmt is HTML else settings.max_rows, settings.max_rows)
    if fmt is HTML:
        downloads = [
            (f.label, link(path, params, {"format", *PAGING}, [("format", f.short)]), f"{kind}.{f.short}")
            for f in BROWSE_FORMATS[1:]
        ]
        template = "browse_measures.html" if kind == "measure" else "browse_list.html"
        response: Response = render(
            request,
            template,
            kind=kind,
            facets=found.facets,
            chosen=found.chosen,
            table=table(path, params, found.columns, found.rows, view, row_header=True),
            downloads=downloads,
        )
    else:
        order = page_of(arrange(found.rows, names, view), view)
        body = download(found.results(order), found.variables, range(len(order)), fmt)
        response = Response(body, media_type=content_type(fmt.media_type))
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request) -> Response:
    """Deadlines, events, document dates and strategy periods on one axis, filtered by threat,
    actor and source; the same marks as CSV or JSON with `?format=`."""
    lang, ctx = language(request), context(request)
    site = ctx.site
    try:
        chosen = parse_filters(site, dict(request.query_params), TIMELINE_FILTERS)
    except UnknownValue as e:
        name = translator(lang)(f"filter.{e.name}")
        return error_page(request, 400, translator(lang)("filter.unknown", name=name, value=e.value))
    # `format=json` names SPARQL JSON elsewhere: here it is the timeline's own JSON.
    json_name = {RESULTS_JSON.media_type: JSON}
    fmt = choose(request, (HTML, CSV, JSON), "the timeline", request.query_params.get("format"), json_name)
    slugs = {f.name: request.query_params[f.name].strip() for f in TIMELINE_FILTERS if f.name in chosen}
    date = request.query_params.get("date", "").strip()
    if date and not DATE.match(date):
        return error_page(request, 400, translator(lang)("timeline.date.invalid", date=date))
    if chosen:
        found = marks(ctx.store, site, lang, chosen)
    else:  # the whole timeline is the same for every reader of a language: read once per graph
        found = ctx.once(f"timeline.marks.{lang}", lambda: marks(ctx.store, site, lang, chosen))
    everything = "/timeline?" + urlencode(slugs) if slugs else "/timeline"
    if date:
        found, slugs = on_date(found, date), {**slugs, "date": date}
    if fmt is CSV:
        response: Response = Response(as_csv(found), media_type=content_type(CSV.media_type))
    elif fmt is JSON:
        response = JSONResponse({"filters": chosen, "marks": records(found)})
    else:
        options = ctx.once(
            f"timeline.options.{lang}", lambda: {f.name: site.members(f.cls, lang) for f in TIMELINE_FILTERS}
        )
        many = translator(lang)
        drawn = together(
            found,
            lambda n: many("timeline.many", n=n),
            lambda when: "#timeline-table" if date else "/timeline?" + urlencode({**slugs, "date": when}),
        )
        response = render(
            request,
            "timeline.html",
            filters=TIMELINE_FILTERS,
            options=options,
            chosen=chosen,
            marks=found,
            drawn=drawn,
            listed=found if date else drawn,  # on one date every mark, else as drawn
            picture=draw(drawn),
            date=date,
            all_dates=everything,
            shown_date=lambda when: shown_date(when, lang),
            downloads=[(f.label, "/timeline?" + urlencode({**slugs, "format": f.ext})) for f in (CSV, JSON)],
        )
    response.headers["Vary"] = page_variant(request, fmt)[1]
    return validated(request, response)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", kind: KindFilter = None) -> Response:
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
    except SearchUnavailable as e:
        response = error_page(request, 503, _("search.unavailable"))
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    found = sum(n for k, n in counts.items() if not kind or k in kind)
    return render(request, "search.html", q=q, chosen=kind, hits=hits, counts=counts, found=found)


@router.get("/search.json")
def search_json(
    request: Request, q: str = "", kind: KindFilter = None, limit: int = Query(SEARCH_LIMIT, ge=1, le=500)
) -> Response:
    """The same search for scripts (and the editor's completion of labels, `?q=<prefix>&limit=10`):
    each hit with its labels in both languages and the snippet it matched, as HTML; the counts per kind."""
    reader, site, kind = language(request), context(request).site, kind or []
    try:
        hits, counts = site.labels.search(q, limit, kind, reader), site.labels.counts(q)
    except SearchUnavailable as e:  # while a remote backend's index is built
        message = translator(reader)("search.unavailable")
        return error_response(request, 503, message, headers={"Retry-After": str(e.retry_after)})
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
        for hit in hits
    ]
    body = {"query": q, "kind": kind, "counts": counts, "counts_complete": counts.complete, "results": results}
    return validated(request, JSONResponse(body))


@router.get("/workbench", response_class=HTMLResponse)
def workbench(request: Request) -> Response:
    """`?query=` runs a typed query; `?name=` opens a named question and runs it with the
    request's parameter values (or their defaults). Either URL can be shared as is, sorted and paged
    (`_sort`, `_desc`, `limit`, `offset`); with `format=csv|tsv|json` it downloads the rows shown."""
    lang, ctx = language(request), context(request)
    site = ctx.site
    name, text = request.query_params.get("name"), request.query_params.get("query")
    current = site.queries.get(name) if name else None
    if name and current is None:
        return error_page(request, 404, translator(lang)("wb.unknown", name=name))
    values = values_of(current, {k: request.query_params.getlist(k) for k in request.query_params}) if current else {}
    outcome, error, status, shown = None, None, 200, {}
    try:
        if current is not None and text is None:
            text = editable(current.text(values))
        fmt = choose(request, (HTML, *TABLE_DOWNLOADS), "the workbench", request.query_params.get("format"))
        if text and text.strip():
            settings, params = ctx.settings, url_params(request)
            size = PAGE_SIZE if fmt is HTML else settings.max_rows  # a download holds every row unless paged
            outcome = run(
                ctx.store, site, lang, text, settings.max_rows, settings.max_response_bytes, "/workbench", params, size
            )
            if fmt is not HTML:
                if outcome.results is None:
                    raise NotAcceptable(
                        f"the answer of this {outcome.form} query downloads from /sparql, not as {fmt.label}"
                    )
                body = download(outcome.results, outcome.variables, outcome.order, fmt)
                return validated(request, Response(body, media_type=content_type(fmt.media_type)))
            shown = result_views(site, lang, outcome, text, request).template_values()
    except (QueryError, QueryTimeout, BackendError, UsageError) as e:
        error, status = str(e), e.status
    box = text if text is not None else (editable(current.sparql) if current else EXAMPLE_QUERY)
    return render(
        request,
        "workbench.html",
        status_code=status,
        queries=list(site.queries.values()),
        current=current,
        fields=fields(current, site, lang, values) if current else [],
        text=box,
        outcome=outcome,
        error=error,
        share=str(request.url),
        code=for_sparql(f"{request.base_url}sparql", box) if box.strip() and error is None else [],
        **shown,
    )


@router.get("/workbench/terms.json")
def workbench_terms(request: Request) -> Response:
    """What the workbench's editor completes (prefixes, classes, properties) and its words, in the
    reader's language; built once per graph and language."""
    lang, ctx = language(request), context(request)
    used = ctx.once("editor.predicates", lambda: predicates(ctx.store))
    body = ctx.once(f"editor.vocabulary.{lang}", lambda: vocabulary(ctx.site, used, lang))
    response = validated(request, Response(body, media_type="application/json"))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
