"""HTTP content negotiation: a real `Accept` parser (RFC 9110 §12.5.1) and the `format=` override.

Every endpoint that can answer in several formats calls `negotiate(accept, offered)` with the media
types it can produce, in its own order of preference, and answers 406 when it returns None.
Clients' preferences win by q-value, then by how specific the matching range is (`text/csv` beats
`text/*` beats `*/*`), then the server's order decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .formats import FORMAT_NAMES

# A media range: type "/" subtype, then ";"-separated parameters whose values may be quoted.
_RANGE = re.compile(
    r"""\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*"""
    r"""((?:;\s*[^;,=\s]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*)\s*)*)(?:,|$)"""
)
_PARAM = re.compile(r""";\s*([^;,=\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)""")
_Q = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def specificity(self, media_type: str) -> int:
        """-1 if this range does not match `media_type`, else 0 (*/*), 1 (type/*), 2 or 3 (with params)."""
        mtype, _, rest = media_type.partition("/")
        msub, *mparams = rest.split(";")
        offered_params = {tuple(p.strip().lower().split("=", 1)) for p in mparams if "=" in p}
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        generic = GENERIC_TYPES.get(f"{self.type}/{self.subtype}")
        if generic and not self.params and media_type.split(";")[0].strip().lower() in generic:
            return 1  # as specific as `type/*`: the generic type itself, if offered, wins
        if self.type != mtype.lower():
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != msub.strip().lower():
            return -1
        wanted = {p for p in self.params if p[0] != "charset"}
        if not wanted <= offered_params:
            return -1
        return 3 if wanted else 2


@lru_cache(maxsize=512)
def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The media ranges of an Accept header; malformed ranges are skipped, a missing header is */*."""
    if header is None or not header.strip():
        return (MediaRange("*", "*", (), 1.0),)
    ranges: list[MediaRange] = []
    for part in _split(header):
        m = _RANGE.fullmatch(part + ",") if part else None
        if not m:
            continue
        params: list[tuple[str, str]] = []
        q: float | None = 1.0
        for name, value in _PARAM.findall(m.group(3)):
            name, value = name.lower(), value.strip('"')
            if name == "q":  # parameters after q are accept-extensions, not media type parameters
                q = float(value) if _Q.match(value) else None
                break
            params.append((name, value.lower()))
        if q is not None:
            ranges.append(MediaRange(m.group(1).lower(), m.group(2).lower(), tuple(params), q))
    return tuple(ranges)


def _split(header: str) -> list[str]:
    """Split on commas that are not inside a quoted parameter value."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


@lru_cache(maxsize=1024)
def _negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    choice = None
    for order, media_type in enumerate(offered):
        matches = [(r.specificity(media_type), r.q) for r in ranges]
        matches = [m for m in matches if m[0] >= 0]
        if not matches:
            continue
        specificity, q = max(matches)  # the most specific matching range decides the q-value
        if q <= 0:
            continue
        key = (q, specificity, -order)
        if best is None or key > best:
            best, choice = key, media_type
    return choice


def negotiate(accept_header: str | None, offered_media_types) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them (→ 406)."""
    return _negotiate(accept_header, tuple(offered_media_types))


# Generic types that name a family: what they mean depends on what is offered, results or a graph
# (SPARQLWrapper asks `format=xml` for CONSTRUCT, SELECT clients send `Accept: application/json`).
GENERIC_TYPES: dict[str, tuple[str, ...]] = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
}
_GENERIC_ALIASES = {"json": "application/json", "xml": "application/xml"}


def resolve_format(value: str, offered_media_types) -> str | None:
    """The media type a `format=` value names (a short alias or a full type), if it is offered;
    `json` and `xml` mean the results or the graph format, whichever is offered."""
    key = value.strip().lower()
    offered = tuple(offered_media_types)
    media_type = FORMAT_NAMES.get(key, key)
    if media_type not in offered:
        generic = GENERIC_TYPES.get(_GENERIC_ALIASES.get(key, key), ())
        media_type = next((t for t in generic if t in offered), media_type)
    return media_type if media_type in offered else None
