"""Hostile and broken input on every route: hypothesis writes the paths, query strings, headers and
bodies, and the real server must answer each with a status below 500, a message with every 4xx, and
never a traceback. Requests go out byte for byte (tests/rawhttp.py), so dot segments, bad
percent-encoding and odd bytes reach the server as written.

Bounded and repeatable: each route gets 100 derandomized examples (the same on every run, so a
failure is a reproducer, not a fluke), and the file runs in seconds. For a longer random campaign:
`SUGRAPH_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py` (new examples each run; a failure prints
the request to replay).
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sugraph.named_queries import load_queries

import rawhttp
from conftest import ROOT

CAMPAIGN = int(os.environ.get("SUGRAPH_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=CAMPAIGN or 100,
    deadline=None,
    derandomize=not CAMPAIGN,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NASTY = [
    "",
    "..",
    "../../etc/passwd",
    "%2e%2e%2f",
    "%",
    "%zz",
    "%00",
    "\x00",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "} } ; DROP ALL ; {",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "\u202egnp.exe",
    "\ud7ff\ufeff\ufffd",
    "a" * 3000,
    "é" * 500,
    "-1",
    "1e309",
    "NaN",
    "0x10",
    "true",
    "[]",
    "{}",
    "null",
    ";",
    "*",
    "\\",
    "//",
]


def mostly(likely: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """Three draws in four from `likely`, so most requests get past routing to the code behind it."""
    return st.sampled_from([likely, likely, likely, hostile]).flatmap(lambda chosen: chosen)


text = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=60), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
)
# What a request line may carry raw: visible ASCII, so '%', '..', '?', '#', ';' come through unencoded.
raw = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)
segment = st.one_of(text.map(lambda s: quote(s, safe="")), raw)


def query_string(names: list[str]) -> st.SearchStrategy[str]:
    """`?`-less query strings: well-formed pairs of likely and random names, or raw junk."""
    pairs = st.lists(st.tuples(mostly(st.sampled_from(names), text), text), max_size=5)
    return st.one_of(pairs.map(lambda p: urlencode(p, encoding="utf-8", errors="surrogatepass")), raw)


HEADER_NAMES = [
    "Accept",
    "Accept-Language",
    "Accept-Encoding",
    "Content-Type",
    "Cookie",
    "If-None-Match",
    "If-Modified-Since",
    "Range",
    "Origin",
    "Referer",
    "User-Agent",
    "X-Request-ID",
    "X-Forwarded-For",
    "Forwarded",
    "Authorization",
]
MEDIA = [
    "text/html",
    "text/turtle",
    "application/sparql-results+json",
    "application/ld+json",
    "*/*",
    "text/*",
    "text/html;q=abc",
    "*/*;q=-1",
    "application/json;q=1.5",
    ";;;,,,",
    "/",
    "*/html",
    "text/plain;charset=x",
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "fr;q=0.5, en;q=x",
    "xx-YY,*;q=0",
    "sugraph_lang=../../",
]
# Visible ASCII, space, tab and obs-text: anything a header value may legally hold, hostile or not.
# (Oversized headers are test_hardening's: here they would only ever meet the 431 check.)
header_value = st.one_of(
    st.sampled_from(MEDIA),
    st.sampled_from(NASTY).filter(lambda v: "\x00" not in v),
    st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=200),
)
headers = st.lists(
    st.tuples(st.one_of(st.sampled_from(HEADER_NAMES), st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,20}\Z")), header_value),
    max_size=4,
).filter(lambda hs: not any(k.lower() in FRAMING for k, _ in hs))
FRAMING = {"content-length", "transfer-encoding", "connection", "host", "expect", "upgrade", "te", "trailer"}
body = st.one_of(st.binary(max_size=300), text.map(lambda s: s.encode("utf-8", "surrogatepass")))
method = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"])

QUERIES = load_queries(ROOT / "queries")
SPARQL = [
    "ASK { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
    "DESCRIBE <https://w3id.org/sugraph/id/threat/terrorism>",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "INSERT DATA { <a:a> <a:a> <a:a> }",
    "LOAD <file:///etc/passwd>",
    "DROP ALL",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING (?n > 1) ORDER BY DESC(?n) LIMIT 5",
    "PREFIX x: <%> SELECT * WHERE { ?s x:y ?o }",
    "SELECT * WHERE { BIND(1/0 AS ?x) }",
    'SELECT * WHERE { BIND(REGEX("a", "(") AS ?x) }',
]


@st.composite
def sparql(draw) -> str:
    """Valid, forbidden and broken queries: a known one, or one with hostile text spliced in."""
    base = draw(st.sampled_from(SPARQL))
    if draw(st.booleans()):
        return base
    at = draw(st.integers(0, len(base)))
    return base[:at] + draw(text) + base[at:]


def send(server, verb: str, target: str, hs: list[tuple[str, str]] = (), payload: bytes = b"") -> None:
    """One request; the answer must be below 500, carry a message if 4xx, and show no traceback."""
    answer = rawhttp.request(server.port, verb, target, hs, payload)
    where = f"{verb} {target[:300]!r} headers={[(k, v[:100]) for k, v in hs]!r} body={payload[:200]!r}"
    assert answer.status < 500, f"{answer.status} for {where}: {answer.body[:300]!r}"
    if 400 <= answer.status < 500 and verb != "HEAD":
        assert answer.body.strip(), f"empty {answer.status} for {where}"
    assert b"Traceback" not in answer.body and b'File "/' not in answer.body, where


@FUZZ
@given(
    verb=method,
    parts=st.lists(segment, min_size=1, max_size=4),
    qs=query_string(["q", "lang", "format"]),
    hs=headers,
    payload=body,
)
def test_any_path(server, verb, parts, qs, hs, payload) -> None:
    send(server, verb, "/" + "/".join(parts) + (f"?{qs}" if qs else ""), hs, payload)


@FUZZ
@given(
    query=sparql(), qs=query_string(["default-graph-uri", "named-graph-uri", "format", "timeout", "query"]), hs=headers
)
def test_sparql_get(server, query, qs, hs) -> None:
    target = "/sparql?" + urlencode({"query": query}, errors="surrogatepass") + (f"&{qs}" if qs else "")
    send(server, "GET", target, hs)


@FUZZ
@given(
    form=st.booleans(),
    query=sparql(),
    payload=body,
    qs=query_string(["query", "format", "timeout"]),
    content_type=st.one_of(st.sampled_from(MEDIA), header_value),
    wellformed=mostly(st.just(True), st.just(False)),
)
def test_sparql_post(server, form, query, payload, qs, content_type, wellformed) -> None:
    if wellformed:  # a protocol-conformant POST, with a query that may be hostile
        data = (
            urlencode({"query": query}, errors="surrogatepass").encode()
            if form
            else query.encode("utf-8", "surrogatepass")
        )
        content_type = "application/x-www-form-urlencoded" if form else "application/sparql-query"
    else:
        data = payload
    send(server, "POST", "/sparql" + (f"?{qs}" if qs else ""), [("Content-Type", content_type)], data)


@FUZZ
@given(
    name=mostly(st.sampled_from(sorted(QUERIES)), segment),
    qs=query_string(sorted({p.name for q in QUERIES.values() for p in q.params} | {"format", "limit", "offset"})),
    hs=headers,
)
def test_named_queries(server, name, qs, hs) -> None:
    send(server, "GET", f"/queries/{name}" + (f"?{qs}" if qs else ""), hs)


KINDS = [
    "threat",
    "measure",
    "instrument",
    "actor",
    "person",
    "strategy",
    "priority",
    "document",
    "event",
    "statement",
    "status",
    "post",
    "scheme",
]


@FUZZ
@given(
    route=st.sampled_from(["id", "doc"]),
    kind=mostly(st.sampled_from(KINDS), segment),
    slug=mostly(st.sampled_from(["terrorism", "europol", "nato", "hybrid-threats"]), segment),
    ext=mostly(st.sampled_from(["", ".ttl", ".html", ".jsonld", ".nt", ".rdf", ".trig", ".nq", ".x"]), segment),
    verb=st.sampled_from(["GET", "HEAD"]),
    hs=headers,
)
def test_entity_paths(server, route, kind, slug, ext, verb, hs) -> None:
    send(server, verb, f"/{route}/{kind}/{slug}{ext}", hs)


PAGES = ["/", "/browse/threat", "/browse/measure", "/browse/actor", "/search", "/search.json", "/workbench"]
PAGES += ["/timeline"]
# Their parameters: the queries', the facets', and the tables' and views' (sort, page, format, chart columns).
PAGE_PARAMS = ["q", "lang", "limit", "query", "name", "threat", "actor", "status", "priority", "source", "kind"]
PAGE_PARAMS += ["type", "_sort", "_desc", "offset", "format", "view", "x", "y", "currency"]


@FUZZ
@given(
    path=st.sampled_from(PAGES).flatmap(lambda p: mostly(st.just(p), segment.map(lambda s: f"{p}/{s}"))),
    qs=query_string(PAGE_PARAMS),
    hs=headers,
)
def test_pages(server, path, qs, hs) -> None:
    send(server, "GET", path + (f"?{qs}" if qs else ""), hs)


@FUZZ
@given(
    url=mostly(
        st.sampled_from(
            ["/id/actor/nato", "https://w3id.org/sugraph/id/threat/terrorism", "/queries/money?lang=fr", "/doc/x"]
        ),
        text,
    ),
    fmt=mostly(st.sampled_from(["text", "bibtex", "csl-json", ""]), text),
    hs=headers,
)
def test_citations(server, url, fmt, hs) -> None:
    send(server, "GET", "/cite?" + urlencode({"url": url, "format": fmt}, errors="surrogatepass"), hs)


@FUZZ
@given(
    prefix=st.sampled_from(["/graph/", "/dumps/", "/.well-known/void.", "/ontology.", "/ontology/"]),
    name=mostly(
        st.sampled_from(["asserted", "inferred", "sugraph.ttl", "sugraph.nq.gz", "ttl", "jsonld", "nt", ""]), segment
    ),
    verb=st.sampled_from(["GET", "HEAD"]),
    hs=headers,
)
def test_dataset_and_ontology(server, prefix, name, verb, hs) -> None:
    send(server, verb, prefix + name, hs)


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/health",
            "/ready",
            "/queries",
            "/openapi.json",
            "/docs",
            "/sparql",
            "/ontology",
            "/.well-known/void",
            "/dumps/",
            "/workbench/terms.json",
        ]
    ),
    verb=method,
    hs=headers,
    payload=body,
)
def test_fixed_routes_under_any_method_and_headers(server, path, verb, hs, payload) -> None:
    send(server, verb, path, hs, payload)


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_every_api_route_is_fuzzed(server, path: str) -> None:
    """A new API route must get its strategy here: each documented path starts like a fuzzed one."""
    documented = json.loads(rawhttp.request(server.port, "GET", path).body)["paths"]
    fuzzed = (
        "/sparql",
        "/queries",
        "/id/",
        "/doc/",
        "/graph/",
        "/dumps/",
        "/.well-known/void",
        "/ontology",
        "/health",
        "/ready",
        "/search",
        "/browse/",
        "/workbench",
        "/timeline",
        "/cite",
    )
    assert [p for p in documented if not p.startswith(fuzzed)] == []


# Requests the fuzzer once found answering 500, kept as exact reproducers; a mark stays until its
# module is fixed (strict: once fixed, the XPASS fails, so remove the mark).
@pytest.mark.parametrize(
    "target",
    [
        "/queries/deadlines?%80",  # was a 500: a non-UTF-8 %-escape in a named query's parameters
        "/queries/measures-by-threat-and-actor?lang=%ff",
        "/sparql?#%",  # was a 500: the service description made its endpoint IRI from the whole request URL
    ],
)
def test_fuzzer_findings(server, target: str) -> None:
    send(server, "GET", target)


def test_fuzzer_finding_post_form_without_a_query(server) -> None:
    """Was a 500 like GET /sparql?#%: an empty form body is a request for the service description."""
    send(server, "POST", "/sparql?#%", [("Content-Type", "application/x-www-form-urlencoded")])
