"""The one template environment, and the pages every router may answer with: any HTML the
service sends is rendered here, in the site's layout and the reader's language.

Templates are autoescaped everywhere (SVG included); the CSS and the little optional JavaScript
come from /static, so everything works without JavaScript and under a CSP that forbids inline script.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ..iris import kind_of
from ..terms import in_language
from .citation import entity_citation, shown
from .conneg import negotiate
from .context import ServingContext, context
from .formats import HTML, TEXT, Format
from .http import choose
from .i18n import COOKIE, LANGUAGES, choose_language, translator
from .pages.entity import describe_entity
from .pages.site import KINDS, href, term_label

HERE = Path(__file__).resolve().parent

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
ENV.filters["in_language"] = in_language  # `{{ texts | in_language(lang) }}`: the one choice of language
templates = Jinja2Templates(env=ENV)


def language(request: Request) -> str:
    return choose_language(
        request.query_params.get("lang"), request.cookies.get(COOKIE), request.headers.get("accept-language")
    )


def _page_context(ctx: ServingContext, lang: str, path: str, switch: dict[str, str], snapshot: bool = True) -> dict:
    """What every template (base.html) uses; with `snapshot`, also what pages read from the site's
    snapshot. An error page goes without: it must render when the store the snapshot comes from
    does not answer (a snapshot not yet read would fail again, and the failure become a 500)."""
    values = dict(
        lang=lang,
        _=translator(lang),
        version=ctx.version,
        switch=switch,
        kinds=list(KINDS),
        href=href,
        kind_of=kind_of,
        path=path,
    )
    if snapshot:
        site = ctx.site
        values.update(
            site=site,
            label=lambda iri: site.label(iri, lang),
            term=lambda iri: term_label(site, iri, lang),
            describe=lambda iri: site.description(iri, lang),
        )
    return values


def render(request: Request, template: str, status_code: int = 200, *, snapshot: bool = True, **values) -> HTMLResponse:
    """A page in the reader's language, with what every template uses (see `_page_context` for
    `snapshot`); remembers a `?lang=` choice."""
    lang = language(request)
    switch = {other: f"{request.url.path}?{request.url.include_query_params(lang=other).query}" for other in LANGUAGES}
    values.update(_page_context(context(request), lang, request.url.path, switch, snapshot))
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def render_once(ctx: ServingContext, template: str, path: str, **values) -> bytes:
    """A page in English that is the same for every reader, so its route can render it once and
    keep the bytes (the ontology's documentation): no language switch."""
    return ENV.get_template(template).render(**values, **_page_context(ctx, "en", path, {})).encode()


def page_variant(request: Request, fmt: Format) -> tuple[str | None, str]:
    """What selects a representation besides its URL and format: a page's language. For the
    validator (ETag) and the Vary header of a route that serves HTML among other formats."""
    if fmt is HTML:
        return language(request), "Accept, Accept-Language, Cookie"
    return None, "Accept"


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code, snapshot=False, status=status_code, message=message)


async def entity_page(request: Request, iri: str) -> Response:
    """The HTML representation of an entity (served by the linked-data routes); 404 if unknown."""
    lang, ctx = language(request), context(request)
    view = await run_in_threadpool(describe_entity, ctx.store, ctx.site, iri, lang)
    if view is None:
        return error_page(request, 404, translator(lang)("entity.notfound.text", iri=iri))
    return render(request, "entity.html", entity=view, cite=shown(entity_citation(ctx, iri, view.quoted, lang)))


def listing(
    request: Request,
    title: str,
    text: str,
    links: Sequence[tuple[str, str]],
    *,
    status_code: int = 200,
    intro: str = "",
    format_value: str | None = None,
) -> Response:
    """A short message with links: a minimal HTML page for browsers, plain text (one link a line) else.
    Any client gets one of the two (a 404 must reach everyone), unless it names another `format_value`."""
    if format_value is not None:
        fmt = choose(request, (TEXT, HTML), title, format_value)
    else:
        best = negotiate(request.headers.get("accept"), (TEXT.media_type, HTML.media_type))
        fmt = HTML if best == HTML.media_type else TEXT
    if fmt is HTML:
        return render(request, "listing.html", status_code, title=title, text=text, links=links, intro=intro)
    lines = [text, *([intro] if links and intro else []), *(f"{href}\t{label}" for href, label in links)]
    return PlainTextResponse("\n".join(lines) + "\n", status_code=status_code)
