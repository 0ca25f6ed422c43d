"""Every GET route that serves data carries a validator and caching headers, and answers 304 to a
client that already holds the current version. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DATA_ROUTES = [
    ("/doc/threat/terrorism", "text/turtle"),
    ("/doc/threat/terrorism.jsonld", "*/*"),
    ("/doc/threat/terrorism", BROWSER),
    ("/ontology", "text/turtle"),
    ("/ontology.html", "*/*"),
    ("/.well-known/void", "application/ld+json"),
    ("/dumps/", "text/plain"),
    ("/dumps/sugraph.nt", "*/*"),
    ("/dumps/sugraph.ttl.gz", "*/*"),
    ("/queries", "*/*"),
    ("/search.json?q=otan", "*/*"),
    ("/queries/deadlines", "text/csv"),
    ("/sparql", "text/turtle"),
    ("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "*/*"),
]


@pytest.mark.parametrize(("path", "accept"), DATA_ROUTES)
def test_data_routes_carry_a_validator_and_caching_headers(client, path, accept):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["etag"].startswith('"') and r.headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize(("path", "accept"), DATA_ROUTES)
def test_a_client_holding_the_current_version_gets_304(client, path, accept):
    tag = client.get(path, headers={"Accept": accept}).headers["etag"]
    again = client.get(path, headers={"Accept": accept, "If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)


def test_each_representation_has_its_own_validator(client):
    tags = {
        client.get("/doc/threat/terrorism", headers={"Accept": accept}).headers["etag"]
        for accept in ("text/turtle", "application/ld+json", "application/n-triples", BROWSER)
    }
    assert len(tags) == 4


def test_the_page_validator_depends_on_the_language(client):
    english, french = (
        client.get("/doc/threat/terrorism", params={"lang": lang}, headers={"Accept": BROWSER}) for lang in ("en", "fr")
    )
    assert english.headers["etag"] != french.headers["etag"]
