"""Dereferenceable entity IRIs, the way "Cool URIs for the Semantic Web" describes them.

`/id/{kind}/{slug}` names a thing, not a document, so it answers `303 See Other` pointing at
`/doc/{kind}/{slug}`, the document that describes it. An IRI once published stays resolvable: when
the data says it `dct:isReplacedBy` another (a misspelt name corrected), both routes answer
`301 Moved Permanently` to the new IRI's same route. That document is served by content
negotiation (`Accept`, or `?format=` which wins), and each representation also has its own URL
(`/doc/{kind}/{slug}.ttl`, `.jsonld`, `.rdf`, `.nt`, `.trig`, `.nq`, `.html`).

The RDF keeps the canonical IRIs (`{public_base}/id/…`) whatever host serves it: a client maps the
public base to the server it talks to (see docs/linked-data.md). TriG and N-Quads keep asserted and
inferred triples in their named graphs; the triple formats merge them and say how many were
inferred in the `Sugraph-Inferred-Triples` header.

The formats, negotiation and response helpers here are shared with the ontology and dataset routes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from rdflib import Graph
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from ..describe import close_matches, describe, exists
from ..namespaces import INFERRED_GRAPH, PREFIXES
from ..search import LabelIndex
from .conneg import negotiate, resolve_format

router = APIRouter(tags=["linked data"])

T = TypeVar("T")


@dataclass(frozen=True)
class Format:
    """One representation: its file extension, media type, name and serializers (None for HTML)."""

    ext: str
    media_type: str
    name: str
    rdf: ox.RdfFormat | None
    rdflib: str | None
    dataset: bool = False  # keeps named graphs (TriG, N-Quads)


TURTLE = Format("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE, "turtle")
HTML = Format("html", "text/html", "HTML", None, None)
JSON_LD = Format("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD, "json-ld")
RDF_XML = Format("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML, "xml")
N_TRIPLES = Format("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES, "nt")
TRIG = Format("trig", "application/trig", "TriG", ox.RdfFormat.TRIG, "trig", dataset=True)
N_QUADS = Format("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS, "nquads", dataset=True)

# In the server's order of preference: a client that accepts anything (curl, */*) gets Turtle.
ENTITY_FORMATS = (TURTLE, HTML, JSON_LD, RDF_XML, N_TRIPLES, TRIG, N_QUADS)
# Media types some clients ask for instead: N-Triples' historical one (still what rdflib sends for
# format="nt"), and plain JSON, which JSON-LD is.
_ALIASES = {"text/plain": N_TRIPLES, "application/json": JSON_LD}

_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
MAX_PATH = 200
_ENTITY_PATH = re.compile(r"([a-z]+)/([a-z0-9]+(?:-[a-z0-9]+)*)")
_DOC_PATH = re.compile(r"([a-z]+)/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z]+))?")


def once(app: Starlette, key: str, build: Callable[[], T]) -> T:
    """Compute something from the (read-only) graph the first time it is asked for, then reuse it."""
    state = app.state
    if not hasattr(state, "linked_data_cache"):
        state.linked_data_cache = {}
    cache: dict[str, object] = state.linked_data_cache
    if key not in cache:
        cache[key] = build()
    return cache[key]  # type: ignore[return-value]


def choose_format(request: Request, formats: Sequence[Format]) -> Format:
    """`?format=` if given (400 if unknown), else the best match for `Accept` (406 if none)."""
    by_type = {f.media_type: f for f in formats}
    by_type.update({alias: f for alias, f in _ALIASES.items() if f in formats})
    offered = list(by_type)
    value = request.query_params.get("format")
    if value is not None:
        chosen = resolve_format(value, offered)
        if chosen is None:
            raise HTTPException(400, f"unknown format {value!r}; use one of: {', '.join(f.ext for f in formats)}")
    else:
        chosen = negotiate(request.headers.get("accept"), offered)
        if chosen is None:
            raise HTTPException(406, "not acceptable; available: " + ", ".join(f.media_type for f in formats))
    return by_type[chosen]


def format_for_ext(ext: str, formats: Sequence[Format]) -> Format:
    """The format an explicit document URL names by its extension; an unknown one names no document."""
    found = next((f for f in formats if f.ext == ext), None)
    if found is None:
        raise HTTPException(404, f"no such document format {ext!r}")
    return found


def serialize(quads: Sequence[ox.Quad], fmt: Format) -> bytes:
    """Quads in the order given. Quad formats keep the asserted/inferred graphs (one block per
    graph); triple formats merge them."""
    assert fmt.rdf is not None
    if fmt.dataset:
        statements: list = sorted(dict.fromkeys(quads), key=lambda q: str(q.graph_name))
    else:
        statements = list(dict.fromkeys(q.triple for q in quads))
    return ox.serialize(statements, format=fmt.rdf, prefixes=used_prefixes(statements))


def used_prefixes(statements: Sequence[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The known prefixes that some IRI in the statements starts with, to keep headers short."""
    iris = {t.value for s in statements for t in s if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """rdflib's serializers, for the small graphs people read (ontology, VoID): they nest blank
    nodes and write RDF lists as ( … )."""
    assert fmt.rdflib is not None
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def link_header(base_path: str, formats: Sequence[Format]) -> str:
    return ", ".join(f'<{base_path}.{f.ext}>; rel="alternate"; type="{f.media_type}"' for f in formats)


def content_type(fmt: Format) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.media_type.startswith("text/") else fmt.media_type


def decorate(response: Response, base_path: str, fmt: Format, formats: Sequence[Format], negotiated: bool) -> Response:
    """The linked-data headers every representation carries: its alternates and, when it was
    chosen by negotiation, which one was chosen."""
    response.headers["Link"] = link_header(base_path, formats)
    if negotiated:
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"Accept, {vary}" if vary else "Accept"
        response.headers["Content-Location"] = f"{base_path}.{fmt.ext}"
    return response


def rdf_response(body: bytes, fmt: Format) -> Response:
    return Response(body, media_type=content_type(fmt))


async def represent(request: Request, base_path: str, formats: Sequence[Format], ext: str | None,
                    render: Callable[[Format], bytes]) -> Response:
    """A resource with one URL per format (`{base_path}.{ext}`) and a negotiated one (`ext` None)."""
    fmt = format_for_ext(ext, formats) if ext else choose_format(request, formats)
    body = await run_in_threadpool(render, fmt)
    return decorate(rdf_response(body, fmt), base_path, fmt, formats, negotiated=not ext)


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
    new = await run_in_threadpool(replacement, request.app.state.store, _entity_iri(request, kind, slug))
    base = f"{request.app.state.settings.public_base}/id/"
    if new is None or not new.startswith(base):
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/{route}/{new[len(base):]}{suffix}{query}", status_code=301)


def _check_length(path: str) -> None:
    if len(path) > MAX_PATH:
        raise HTTPException(414, f"path longer than {MAX_PATH} characters")


def _malformed(path: str) -> HTTPException:
    return HTTPException(400, f"malformed entity path {path!r}: expected /id/{{kind}}/{{slug}}, "
                              "slug in lower case letters, digits and single hyphens")


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="An entity IRI: 303 to its description")
async def entity(request: Request, path: str) -> Response:
    _check_length(path)
    if not _ENTITY_PATH.fullmatch(path):
        raise _malformed(path)
    kind, slug = path.split("/")
    target = f"/doc/{kind}/{slug}"
    if "format" in request.query_params:
        target += "." + choose_format(request, ENTITY_FORMATS).ext
    if (moved := await _moved(request, kind, slug, "id", "")) is not None:
        return moved
    if not await run_in_threadpool(exists, request.app.state.store, _entity_iri(request, kind, slug)):
        return await run_in_threadpool(not_found, request, slug)
    return RedirectResponse(target, status_code=303)


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"], summary="The description of an entity")
async def document(request: Request, path: str) -> Response:
    _check_length(path)
    match = _DOC_PATH.fullmatch(path)
    if not match:
        raise _malformed(path)
    kind, slug, ext = match.groups()
    fmt = format_for_ext(ext, ENTITY_FORMATS) if ext else choose_format(request, ENTITY_FORMATS)
    iri, store = _entity_iri(request, kind, slug), request.app.state.store
    if (moved := await _moved(request, kind, slug, "doc", f".{ext}" if ext else "")) is not None:
        return moved
    if not await run_in_threadpool(exists, store, iri):
        return await run_in_threadpool(not_found, request, slug)
    if fmt is HTML:
        from . import pages  # the pages module renders every HTML view of an entity

        response = await pages.entity_page(request, iri)
    else:
        quads = await run_in_threadpool(describe, store, iri)
        response = rdf_response(serialize(quads, fmt), fmt)
        if not fmt.dataset:
            inferred = sum(1 for q in quads if q.graph_name == _INFERRED)
            response.headers["Sugraph-Inferred-Triples"] = str(inferred)
    return decorate(response, f"/doc/{kind}/{slug}", fmt, ENTITY_FORMATS, negotiated=not ext)


def _entity_iri(request: Request, kind: str, slug: str) -> str:
    return f"{request.app.state.settings.public_base}/id/{kind}/{slug}"


def not_found(request: Request, slug: str) -> Response:
    """404 that suggests entities whose names resemble the slug: HTML for browsers, else text."""
    store = request.app.state.store
    index = once(request.app, "labels", lambda: LabelIndex.from_store(store))
    base = f"{request.app.state.settings.public_base}/id/"
    matches = [(iri, index.label(iri, "en")) for iri in close_matches(index, slug.replace("-", " "))]
    links = [("/id/" + iri[len(base):] if iri.startswith(base) else iri, label) for iri, label in matches]
    text = "No such entity: nothing in sugraph has this IRI."
    return listing(request, "No such entity", text, links, status_code=404, intro="Did you mean:")


def listing(request: Request, title: str, text: str, links: Sequence[tuple[str, str]], *,
            status_code: int = 200, intro: str = "") -> Response:
    """A short message with links: a minimal HTML page for browsers, plain text (one link a line) else."""
    if negotiate(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html":
        items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for href, label in links)
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
                '<link rel="stylesheet" href="/static/site.css">'
                f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}"
                + (f"<p>{html.escape(intro)}<ul>{items}</ul>" if links else "") + "</html>")
        return Response(body, status_code=status_code, media_type="text/html; charset=utf-8")
    lines = [text, *([intro] if links and intro else []), *(f"{href}\t{label}" for href, label in links)]
    return PlainTextResponse("\n".join(lines) + "\n", status_code=status_code)
