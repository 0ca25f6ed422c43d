"""One error model: each failure has an HTTP status and a CLI exit code, and is answered one way —
RFC 9457 problem+json for API clients, the site's error page for browsers, plain text for SPARQL
clients. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import pytest

from sugraph.errors import ConfigError, NotAcceptable, NotFound, SugraphError, UriTooLong, UsageError
from sugraph.store.errors import BackendError, QueryError, QueryTimeout, QueryTooLarge, UpstreamTimeout

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("error", "status", "exit_code"),
    [
        (SugraphError, 500, 2),
        (UsageError, 400, 3),
        (ConfigError, 500, 3),
        (NotFound, 404, 3),
        (NotAcceptable, 406, 3),
        (UriTooLong, 414, 3),
        (QueryError, 400, 3),
        (QueryTooLarge, 413, 3),
        (QueryTimeout, 503, 2),
        (UpstreamTimeout, 504, 2),
        (BackendError, 502, 2),
    ],
)
def test_every_error_has_a_status_and_an_exit_code(error, status, exit_code):
    assert issubclass(error, SugraphError) and (error.status, error.exit_code) == (status, exit_code)


def test_an_api_client_gets_a_problem(client):
    r = client.get("/queries/no-such-question")
    assert (r.status_code, r.headers["content-type"]) == (404, PROBLEM)
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no named query 'no-such-question'; see /queries",
    }


def test_a_refused_named_query_is_a_problem(client):
    r = client.get("/queries/deadlines", params={"limit": "0"})
    assert (r.status_code, r.headers["content-type"]) == (400, PROBLEM)
    assert r.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "limit must be one integer from 1 to 10000",
    }


def test_an_unknown_format_is_a_problem_naming_the_formats(client):
    r = client.get("/.well-known/void", params={"format": "xls"})
    assert (r.status_code, r.headers["content-type"]) == (406, PROBLEM)
    assert r.json()["detail"] == (
        "none of the requested formats is available for /.well-known/void; available: "
        "ttl (text/turtle), jsonld (application/ld+json), rdf (application/rdf+xml), "
        "nt (application/n-triples)"
    )


def test_a_parameter_of_the_wrong_type_is_a_problem(client):
    r = client.get("/search.json", params={"q": "otan", "limit": "0"})
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM)
    assert r.json()["detail"] == "query.limit: Input should be greater than or equal to 1"


def test_an_unknown_route_is_a_problem(client):
    r = client.get("/dumps/nothing.xls")
    assert (r.status_code, r.json()["detail"]) == (404, "no such dump 'nothing.xls'; see /dumps/")


def test_a_browser_gets_the_error_in_the_site_layout(client):
    r = client.get("/ontology/0.0.0", headers={"Accept": BROWSER})
    assert (r.status_code, r.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert '<header class="top">' in r.text and "no ontology version &#39;0.0.0&#39;" in r.text


def test_a_sparql_client_gets_plain_text(client):
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "xls"})
    assert (r.status_code, r.headers["content-type"]) == (406, "text/plain; charset=utf-8")
    assert r.text == (
        "none of the requested formats is available for a ASK query; available: "
        "srj (application/sparql-results+json), srx (application/sparql-results+xml), "
        "csv (text/csv), tsv (text/tab-separated-values)"
    )
