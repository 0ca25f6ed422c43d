"""What every router needs from HTTP, in one place: negotiation, validators (ETag/304), caching
headers, parameters and per-format URLs (errors are raised as `sugraph.errors`, rendered by errors.py).

Routers import from here and never from each other (the role of datasette's `views/base.py`).
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..errors import NotAcceptable, NotFound, UsageError
from ..memo import cache_short
from .conneg import negotiate, resolve_format
from .context import context
from .formats import ALIASES, Format, content_type

CACHE_CONTROL = "public, max-age=300"


def get_and_head(router: APIRouter, path: str, **options) -> Callable[[Callable], Callable]:
    """Register a data route for GET and HEAD: GET in the API docs, HEAD beside it on the same
    handler (the server drops the body) but not documented twice, which gave every such route a
    duplicate OpenAPI operation id."""

    def register(endpoint: Callable) -> Callable:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **options)
        return endpoint

    return register


# --- negotiation -------------------------------------------------------------------------------


def choose(
    request: Request,
    formats: Sequence[Format],
    what: str,
    value: str | None = None,
    aliases: Mapping[str, Format] = ALIASES,
) -> Format:
    """`format=` (`value`, a name or a media type) if given, else the best match for `Accept`;
    406 naming the available formats when the client wants none of them."""
    by_type = {f.media_type: f for f in formats}
    by_type.update({alias: f for alias, f in aliases.items() if f in formats and alias not in by_type})
    offered = tuple(by_type)
    chosen = resolve_format(value, offered) if value is not None else negotiate(request.headers.get("accept"), offered)
    if chosen is None:
        available = ", ".join(f"{f.ext} ({f.media_type})" for f in formats)
        raise NotAcceptable(f"none of the requested formats is available for {what}; available: {available}")
    return by_type[chosen]


def format_for_ext(ext: str, formats: Sequence[Format]) -> Format:
    """The format an explicit document URL names by its extension; an unknown one names no document."""
    found = next((f for f in formats if f.ext == ext), None)
    if found is None:
        raise NotFound(f"no such document format {ext!r}")
    return found


# --- validators and caching ---------------------------------------------------------------------


def etag(request: Request, *parts: object) -> str:
    """A strong validator: the data version plus a digest of what selects the representation."""
    return f'"{context(request).version}-{_digest(parts)}"'


def _digest(parts: tuple) -> str:
    """Texts and bodies hashed as they are (a repr escapes a 2 kB query or a page character by
    character), each with its kind and length, so no two different lists of parts run together."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        if isinstance(part, str):
            part = part.encode()
            digest.update(b"s%d:" % len(part))
        elif isinstance(part, bytes | memoryview):
            digest.update(b"b%d:" % len(part))
        else:
            part = repr(part).encode()
            digest.update(b"r%d:" % len(part))
        digest.update(part)
    return digest.hexdigest()


def not_modified(request: Request, tag: str) -> bool:
    match = request.headers.get("if-none-match")
    return match is not None and (match.strip() == "*" or tag in (t.strip() for t in match.split(",")))


def cached_response(
    body: bytes | memoryview | None, media_type: str, tag: str, vary: str | None = "Accept"
) -> Response:
    """200 with caching headers, or 304 when the client already holds this version (body None).
    A body is bytes, or a rendered page's (Starlette's bytes | memoryview)."""
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **({"Vary": vary} if vary else {})}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=content_type(media_type), headers=headers)


def validated(request: Request, response: Response) -> Response:
    """A rendered 200 with caching headers and a validator digested from its own body (for answers
    that depend on more than the URL, such as a page's language), or 304 if the client has it."""
    if response.status_code != 200:
        return response
    tag = etag(request, response.body)
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = CACHE_CONTROL
    if not_modified(request, tag):
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return Response(status_code=304, headers=kept)
    return response


# --- one URL per format -----------------------------------------------------------------------


def link_header(base_path: str, formats: Sequence[Format]) -> str:
    return ", ".join(f'<{base_path}.{f.ext}>; rel="alternate"; type="{f.media_type}"' for f in formats)


def decorate(response: Response, base_path: str, fmt: Format, formats: Sequence[Format], negotiated: bool) -> Response:
    """The linked-data headers every representation carries: its alternates and, when it was
    chosen by negotiation, which one was chosen."""
    response.headers["Link"] = link_header(base_path, formats)
    if negotiated:
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"Accept, {vary}" if vary else "Accept"
        response.headers["Content-Location"] = f"{base_path}.{fmt.ext}"
    return response


async def represent(
    request: Request, base_path: str, formats: Sequence[Format], ext: str | None, render: Callable[[Format], bytes]
) -> Response:
    """A resource with one URL per format (`{base_path}.{ext}`) and a negotiated one (`ext` None)."""
    fmt = (
        format_for_ext(ext, formats) if ext else choose(request, formats, base_path, request.query_params.get("format"))
    )
    tag = etag(request, base_path, fmt.media_type)
    body = None if not_modified(request, tag) else await run_in_threadpool(render, fmt)
    return decorate(cached_response(body, fmt.media_type, tag, vary=None), base_path, fmt, formats, negotiated=not ext)


# --- parameters ---------------------------------------------------------------------------------


@cache_short(maxsize=1024)
def decode_params(urlencoded: bytes) -> tuple[tuple[str, str], ...]:
    """Parameters of a query string or form body, as `parse_qsl(keep_blank_values=True)` reads
    them; a 400 unless all of it is UTF-8, for every route alike. (Cached: clients repeat their queries.)"""
    try:
        urlencoded.decode("utf-8")  # the raw bytes first, strictly
        pairs = (part.partition(b"=") for part in urlencoded.split(b"&") if part)
        return tuple((_unquote(name), _unquote(value)) for name, _, value in pairs)
    except UnicodeDecodeError:
        raise UsageError("the request is not valid UTF-8") from None


def _unquote(encoded: bytes) -> str:
    """`unquote_plus`, strictly UTF-8, with the escapes read in C: the codec that reads `\\xHH`
    reads `%HH` once `%` is written `\\x` (urllib's loop takes ~150 µs for a long query's 700
    escapes, this 10 µs). A `%` without two hex digits after it stays as written, as urllib leaves it."""
    encoded = encoded.replace(b"+", b" ")
    if b"%" in encoded:
        try:
            encoded = codecs.escape_decode(encoded.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:
            return unquote(encoded.decode("utf-8"), errors="strict")
    return encoded.decode("utf-8")


def url_params(request: Request) -> list[tuple[str, str]]:
    """The URL's parameters; a 400 if they are not UTF-8."""
    return list(decode_params(request.scope["query_string"]))
