"""Dereferenceable entity IRIs, the way "Cool URIs for the Semantic Web" describes them.

`/id/{kind}/{slug}` names a thing, not a document, so it answers `303 See Other` pointing at
`/doc/{kind}/{slug}`, the document that describes it. An IRI once published stays resolvable: when
the data says it `dct:isReplacedBy` another (a misspelt name corrected), both routes answer
`301 Moved Permanently` to the new IRI's same route. That document is served by content
negotiation (`Accept`, or `?format=` which wins), and each representation also has its own URL
(`/doc/{kind}/{slug}.ttl`, `.jsonld`, `.rdf`, `.nt`, `.trig`, `.nq`, `.html`).

The RDF keeps the canonical IRIs (`https://w3id.org/sugraph/id/…`, `iris.PUBLIC_BASE`) whatever
host serves it: a client maps the public base to the server it talks to (see docs/linked-data.md).
TriG and N-Quads keep asserted and inferred triples in their named graphs; the triple formats merge
them and say how many were inferred in the `Sugraph-Inferred-Triples` header.

"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..describe import close_matches, describe, exists
from ..errors import UriTooLong, UsageError
from ..iris import ENTITY_BASE, kind_of
from ..namespaces import INFERRED_GRAPH
from . import citation
from .context import context
from .formats import CITATION_FORMATS, ENTITY_FORMATS, HTML, Format, serialize
from .http import cached_response, choose, decorate, etag, format_for_ext, get_and_head, not_modified, validated
from .i18n import LANGUAGES
from .layout import entity_page, language, listing
from .pages.site import entity_iri, href

router = APIRouter(tags=["linked data"])

_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
MAX_PATH = 200
_ENTITY_PATH = re.compile(r"([a-z]+)/([a-z0-9]+(?:-[a-z0-9]+)*)")
_DOC_PATH = re.compile(r"([a-z]+)/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z]+))?")


# --- /id and /doc ------------------------------------------------------------------------------


REPLACED_QUERY = """
SELECT ?replacement WHERE {
  VALUES ?entity { UNDEF }
  ?entity <http://purl.org/dc/terms/isReplacedBy> ?replacement . FILTER(isIRI(?replacement))
}
ORDER BY ?replacement
LIMIT 1
"""


def replacement(store, iri: str) -> str | None:
    """The IRI that replaces `iri` (`dct:isReplacedBy`), so an old published IRI is never a dead link."""
    rows = store.select(REPLACED_QUERY, {"entity": ox.NamedNode(iri)})
    return rows[0]["replacement"].value if rows else None


async def _moved(request: Request, kind: str, slug: str, route: str, suffix: str) -> Response | None:
    """301 to the same route of the replacing entity, or None when the IRI is not replaced."""
    new = await run_in_threadpool(replacement, context(request).store, entity_iri(kind, slug))
    if new is None or kind_of(new) is None:
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/{route}/{new[len(ENTITY_BASE) :]}{suffix}{query}", status_code=301)


def _check_length(path: str) -> None:
    if len(path) > MAX_PATH:
        raise UriTooLong(f"path longer than {MAX_PATH} characters")


def _malformed(path: str) -> UsageError:
    return UsageError(
        f"malformed entity path {path!r}: expected /id/{{kind}}/{{slug}}, "
        "slug in lower case letters, digits and single hyphens"
    )


@get_and_head(router, "/id/{path:path}", summary="An entity IRI: 303 to its description")
async def entity(request: Request, path: str) -> Response:
    _check_length(path)
    if not _ENTITY_PATH.fullmatch(path):
        raise _malformed(path)
    kind, slug = path.split("/")
    target = f"/doc/{kind}/{slug}"
    if "format" in request.query_params:
        target += "." + _choose(request).ext
    if (lang := request.query_params.get("lang")) in LANGUAGES:  # the reader's choice survives the 303
        target += "?" + urlencode({"lang": lang})
    if (moved := await _moved(request, kind, slug, "id", "")) is not None:
        return moved
    if not await run_in_threadpool(exists, context(request).store, entity_iri(kind, slug)):
        return await run_in_threadpool(not_found, request, slug)
    return RedirectResponse(target, status_code=303)


@get_and_head(router, "/doc/{path:path}", summary="The description of an entity")
async def document(request: Request, path: str) -> Response:
    _check_length(path)
    match = _DOC_PATH.fullmatch(path)
    if not match:
        raise _malformed(path)
    kind, slug, ext = match.groups()
    fmt = format_for_ext(ext, ENTITY_FORMATS) if ext else _choose(request)
    iri, store = entity_iri(kind, slug), context(request).store
    if (moved := await _moved(request, kind, slug, "doc", f".{ext}" if ext else "")) is not None:
        return moved
    if not await run_in_threadpool(exists, store, iri):
        return await run_in_threadpool(not_found, request, slug)
    if fmt is HTML:  # in the reader's language: its validator is digested from the page itself
        response = validated(request, await entity_page(request, iri))
    elif not_modified(request, tag := etag(request, iri, fmt.media_type)):
        response = cached_response(None, fmt.media_type, tag, vary=None)
    else:
        quads = await run_in_threadpool(describe, store, iri)
        response = cached_response(serialize(quads, fmt), fmt.media_type, tag, vary=None)
        if not fmt.dataset:
            inferred = sum(1 for q in quads if q.graph_name == _INFERRED)
            response.headers["Sugraph-Inferred-Triples"] = str(inferred)
    return decorate(response, f"/doc/{kind}/{slug}", fmt, ENTITY_FORMATS, negotiated=not ext)


# --- /cite -------------------------------------------------------------------------------------


@get_and_head(router, "/cite", summary="A citation of an entity or of a named question's answer")
async def cite(request: Request, url: str) -> Response:
    """`url`: an entity IRI (or its /id path), or a named question's result path (/queries/{name}?…);
    `format=text|bibtex|csl-json` (else by Accept). The access date is today's (UTC): the validator
    changes with it, and with the language of the text."""
    fmt = choose(request, CITATION_FORMATS, "a citation", request.query_params.get("format"))
    lang, ctx = language(request), context(request)
    tag = etag(request, "cite", url, fmt.media_type, lang, citation.today())
    vary = "Accept, Accept-Language, Cookie"
    if not_modified(request, tag):
        return cached_response(None, fmt.media_type, tag, vary)
    found = await run_in_threadpool(citation.cited, ctx, url, str(request.base_url), lang)
    response = cached_response(citation.serialize(found, fmt), fmt.media_type, tag, vary)
    response.headers["Content-Disposition"] = f'attachment; filename="{citation.filename(found, fmt)}"'
    return response


def _choose(request: Request) -> Format:
    return choose(request, ENTITY_FORMATS, "an entity", request.query_params.get("format"))


def not_found(request: Request, slug: str) -> Response:
    """404 that suggests entities whose names resemble the slug: HTML for browsers, else text."""
    index = context(request).site.labels
    links = [(href(iri), index.label(iri, "en")) for iri in close_matches(index, slug.replace("-", " "))]
    text = "No such entity: nothing in sugraph has this IRI."
    return listing(request, "No such entity", text, links, status_code=404, intro="Did you mean:")
