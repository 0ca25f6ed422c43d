"""The whole dataset: dumps at stable URLs and its VoID + DCAT description at /.well-known/void.

Dumps and the description are serialized the first time they are asked for (so a server started
from a cached store does not build the rdflib graphs until needed), then served from memory. TriG and
N-Quads keep asserted and inferred triples in their named graphs, the triple formats merge them.
A `.gz` suffix gives the same bytes gzip-compressed.
"""

from __future__ import annotations

import gzip

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import NotFound
from ..iris import GRAPH_BASE, PUBLIC_BASE
from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from ..store.oxigraph import quads
from ..void import Distribution, void_graph
from .context import ServingContext, context
from .formats import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TRIG, TURTLE, Format, serialize, serialize_graph
from .http import cached_response, etag, get_and_head, not_modified, represent, validated
from .layout import listing

DUMP_NAME = "sugraph"
DUMP_FORMATS = (TURTLE, N_TRIPLES, JSON_LD, TRIG, N_QUADS)
VOID_FORMATS = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
VOID_PATH = "/.well-known/void"


# file name → (format, gzip-compressed?)
DUMPS = {f"{DUMP_NAME}.{f.ext}{gz}": (f, bool(gz)) for f in DUMP_FORMATS for gz in ("", ".gz")}


def distributions(public_base: str) -> list[Distribution]:
    """Every dump at its canonical URL."""
    return [
        Distribution(
            f"{public_base}/dumps/{name}",
            fmt.media_type,
            f"{fmt.name} dump{', gzip-compressed' if compressed else ''}",
            gzip=compressed,
        )
        for name, (fmt, compressed) in DUMPS.items()
    ]


def dump_bytes(ctx: ServingContext, fmt: Format, compressed: bool) -> bytes:
    kg = ctx.kg
    everything = ctx.once(
        "dump:quads",
        lambda: sorted([*quads(kg.asserted, ASSERTED_GRAPH), *quads(kg.inferred, INFERRED_GRAPH)], key=str),
    )
    plain = ctx.once(f"dump:{fmt.ext}", lambda: serialize(everything, fmt))
    if not compressed:
        return plain
    return ctx.once(f"dump:{fmt.ext}.gz", lambda: gzip.compress(plain, mtime=0))


def void_bytes(ctx: ServingContext, fmt: Format) -> bytes:
    graph = ctx.once("void:graph", lambda: void_graph(ctx.kg, PUBLIC_BASE, distributions(PUBLIC_BASE)))
    return ctx.once(f"void:{fmt.ext}", lambda: serialize_graph(graph, fmt))


router = APIRouter(tags=["dataset"])


@get_and_head(router, "/graph/{name}", summary="A named graph: 303 to its description")
async def named_graph(request: Request, name: str) -> Response:
    """The asserted and inferred graph IRIs of the TriG/N-Quads dumps are described in the VoID."""
    if f"{GRAPH_BASE}{name}" not in (str(ASSERTED_GRAPH), str(INFERRED_GRAPH)):
        raise NotFound(f"no such graph {name!r}")
    return RedirectResponse(VOID_PATH, status_code=303)


@get_and_head(router, "/dumps/", summary="The list of dumps")
async def dumps(request: Request) -> Response:
    text = (
        "The whole graph, asserted and inferred triples. TriG and N-Quads keep them in two named "
        "graphs; the other formats merge them. Described in /.well-known/void."
    )
    links = [(f"/dumps/{name}", name) for name in DUMPS]
    return validated(
        request, listing(request, "sugraph dumps", text, links, format_value=request.query_params.get("format"))
    )


@get_and_head(router, "/dumps/{name}", summary="A full dump of the dataset")
async def dump(request: Request, name: str) -> Response:
    if name not in DUMPS:
        raise NotFound(f"no such dump {name!r}; see /dumps/")
    fmt, compressed = DUMPS[name]
    ctx, tag = context(request), etag(request, name)
    body = None if not_modified(request, tag) else await run_in_threadpool(dump_bytes, ctx, fmt, compressed)
    return cached_response(body, "application/gzip" if compressed else fmt.media_type, tag, vary=None)


@get_and_head(router, VOID_PATH, summary="VoID and DCAT description of the dataset")
async def void(request: Request) -> Response:
    ctx = context(request)
    return await represent(request, VOID_PATH, VOID_FORMATS, None, lambda fmt: void_bytes(ctx, fmt))


@get_and_head(router, VOID_PATH + ".{ext}", summary="The dataset description in one format")
async def void_in(request: Request, ext: str) -> Response:
    ctx = context(request)
    return await represent(request, VOID_PATH, VOID_FORMATS, ext, lambda fmt: void_bytes(ctx, fmt))
