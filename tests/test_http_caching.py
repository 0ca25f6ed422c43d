"""Every GET route that serves data carries a validator and caching headers, and answers 304 to a
client that already holds the current version. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DATA_ROUTES = [
    ("/doc/threat/terrorism", "text/turtle"),
    ("/doc/threat/terrorism.jsonld", "*/*"),
    ("/doc/threat/terrorism", BROWSER),
    ("/doc/threat/terrorism.html?lang=fr", "*/*"),
    ("/doc/threat/terrorism.trig", "*/*"),
    ("/doc/threat/terrorism.nq", "*/*"),
    ("/ontology", "text/turtle"),
    ("/ontology.html", "*/*"),
    ("/.well-known/void", "application/ld+json"),
    ("/dumps/", "text/plain"),
    ("/dumps/sugraph.nt", "*/*"),
    ("/dumps/sugraph.ttl.gz", "*/*"),
    ("/dumps/sugraph.trig", "*/*"),
    ("/dumps/sugraph.jsonld.gz", "*/*"),
    ("/dumps/?format=html", "*/*"),
    ("/cite?url=/id/threat/terrorism&format=bibtex", "*/*"),
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


@pytest.mark.parametrize("path", ["/doc/threat/terrorism.html", "/doc/threat/terrorism.ttl", "/dumps/sugraph.nt"])
def test_head_answers_304_like_get(client, path):
    tag = client.get(path).headers["etag"]
    assert client.head(path, headers={"If-None-Match": tag}).status_code == 304


def test_each_language_of_a_page_is_revalidated_on_its_own(client):
    french = client.get("/doc/threat/terrorism.html", params={"lang": "fr"}).headers["etag"]
    english = client.get("/doc/threat/terrorism.html", params={"lang": "en"}, headers={"If-None-Match": french})
    assert (english.status_code, english.headers["content-language"]) == (200, "en")


def test_a_dump_validator_names_its_file_and_compression(client):
    tags = {client.get(f"/dumps/sugraph.{ext}").headers["etag"] for ext in ("ttl", "ttl.gz", "nt", "nt.gz")}
    assert len(tags) == 4


def test_an_older_data_version_is_served_again(client):
    r = client.get("/doc/threat/terrorism.ttl", headers={"If-None-Match": '"0000000000000000-0000000000000000"'})
    assert (r.status_code, r.headers["content-type"]) == (200, "text/turtle; charset=utf-8")
