"""Named queries: header parsing, typed parameters bound as terms, the /queries API, and injection."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from sugraph.config import Settings
from sugraph.named_queries import load_queries, parse_query_file
from sugraph.store import QueryError

from conftest import FIXTURES, ROOT, serve

QUERIES = FIXTURES / "queries"
MEASURE = "https://w3id.org/sugraph/ontology#Measure"


@pytest.fixture(scope="module")
def live(kg, store):
    with serve(Settings(root=ROOT, queries_dir=QUERIES), kg=kg, store=store) as server:
        yield server


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def english_measures(store) -> list[tuple[str, str]]:
    """The answer computed without the named-query machinery."""
    return [
        (r["m"].value, r["l"].value)
        for r in store.select(
            f"SELECT ?m ?l WHERE {{ ?m a <{MEASURE}> ; rdfs:label ?l FILTER(lang(?l) = 'en') }} ORDER BY ?m"
        )
    ]


def things(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [
        (s["thing"].value, s["label"].value)
        for s in ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    ]


def test_header_is_parsed():
    queries = load_queries(QUERIES)
    labels = queries["labels-of-kind"]
    assert labels.title == {"en": "Labels of the instances of a class", "fr": "Libellés des instances d'une classe"}
    assert labels.form == "SELECT" and queries["count-typed"].form == "ASK"
    params = {p.name: p for p in labels.params}
    assert params["class"].default == ("sug:Measure",) and params["thing"].list and params["label"].lang == "en"
    assert [p.name for p in queries["count-typed"].params if p.required] == ["class"]


def test_the_shipped_queries_load():
    assert "measures-by-threat-and-actor" in load_queries(ROOT / "queries")


@pytest.mark.parametrize(
    "header, body, message",
    [
        ("#+ params:\n#+   x: {type: iri}\n", "SELECT * WHERE { ?s ?p ?o }", "no placeholder"),
        ("#+ params:\n#+   x: {type: colour}\n", "SELECT * WHERE { VALUES ?x { UNDEF } }", "unknown type"),
        ("#+ params:\n#+   x: {type: integer, default: ten}\n", "SELECT * WHERE { VALUES ?x { UNDEF } }", "default"),
        ("", "CONSTRUCT WHERE { ?s ?p ?o }", "SELECT or ASK"),
        ("#+ - a list\n", "ASK {}", "YAML mapping"),
    ],
)
def test_bad_files_fail_at_startup(tmp_path: Path, header, body, message):
    path = tmp_path / "bad.rq"
    path.write_text(header + body)
    with pytest.raises(ValueError, match=message):
        parse_query_file(path)


def test_list(client):
    listed = {q["name"]: q for q in client.get("/queries").json()}
    assert set(listed) == {"labels-of-kind", "count-typed"}
    assert listed["labels-of-kind"]["description"]["fr"].startswith("Quelles choses")
    assert {p["name"]: p["type"] for p in listed["count-typed"]["params"]}["since"] == "date"


def test_defaults_give_the_right_answer(client, english_measures):
    assert things(client.get("/queries/labels-of-kind", params={"limit": 1000})) == english_measures


def test_typed_and_list_parameters(client, english_measures):
    (m1, l1), (m2, l2) = english_measures[:2]
    assert things(client.get("/queries/labels-of-kind", params=[("thing", m1), ("thing", m2)])) == [(m1, l1), (m2, l2)]
    assert things(client.get("/queries/labels-of-kind", params={"label": l2})) == [(m2, l2)]
    french = things(client.get("/queries/labels-of-kind", params={"lang": "fr", "thing": m1}))
    assert len(french) == 1 and french[0][1] != l1
    one = {"class": MEASURE, "thing": "measure:" + m1.rsplit("/", 1)[1]}
    assert things(client.get("/queries/labels-of-kind", params=one)) == [(m1, l1)]


@pytest.mark.parametrize(
    "params, answer",
    [
        ({"class": "sug:Measure"}, True),
        ({"class": "sug:Measure", "minimum": "100000"}, False),
        ({"class": "sug:Measure", "ratio": "0.5", "since": "2020-07-24", "year": "2020", "flag": "true"}, True),
    ],
)
def test_ask_with_typed_parameters(client, params, answer):
    response = client.get("/queries/count-typed", params=params)
    assert response.status_code == 200 and response.json()["boolean"] is answer


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "'class' is required"),
        ({"class": "sug:Measure", "minimum": "ten"}, "expects an integer"),
        ({"class": "sug:Measure", "minimum": "1.5"}, "expects an integer"),
        ({"class": "sug:Measure", "ratio": "1e999"}, "expects a decimal"),
        ({"class": "sug:Measure", "since": "2020-02-30"}, "expects a date"),
        ({"class": "sug:Measure", "since": "24/07/2020"}, "expects a date"),
        ({"class": "sug:Measure", "year": "20"}, "expects a year"),
        ({"class": "sug:Measure", "flag": "maybe"}, "true or false"),
        ({"class": "not an iri"}, "expects an IRI"),
        ({"class": "unknownprefix"}, "expects an IRI"),
        ({"class": "sug:Measure", "colour": "red"}, "unknown parameter 'colour'"),
        ({"class": ["sug:Measure", "sug:Actor"]}, "takes one value"),
        ({"class": "sug:Measure", "limit": "5"}, "cannot be paged"),
    ],
)
def test_bad_parameters_are_400(client, params, message):
    response = client.get("/queries/count-typed", params=params)
    assert response.status_code == 400 and message in response.text


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"offset": "-1"}, {"limit": "100000"}])
def test_bad_paging_is_400(client, params):
    assert client.get("/queries/labels-of-kind", params=params).status_code == 400


def test_unknown_query_is_404(client):
    response = client.get("/queries/no-such-question")
    assert response.status_code == 404 and "no-such-question" in response.text


@pytest.mark.parametrize(
    "value",
    [
        'x" } UNION { ?thing ?p ?label } #',
        "x' } UNION { ?thing ?p ?label } #",
        'x"@en } } UNION { { ?thing ?p ?label',
        "a\n} UNION {\n?thing ?p ?label",
        '"""',
        "\\",
        'Better use of existing databases" . ?thing ?p ?label . FILTER("',
    ],
)
def test_string_injection_is_just_a_string_that_matches_nothing(client, value):
    assert things(client.get("/queries/labels-of-kind", params={"label": value})) == []


@pytest.mark.parametrize(
    "value",
    [
        "https://w3id.org/sugraph/ontology#Measure> } UNION { ?thing ?p ?label",
        "https://example.org/x> . ?thing ?p ?label . <https://example.org/y",
        "sug:Measure} UNION {",
        "https://example.org/a b",
        "https://example.org/{x}",
        "https://example.org/a\nb",
        "<https://w3id.org/sugraph/ontology#Measure>",
        'https://example.org/"',
    ],
)
def test_iri_injection_is_refused(client, value):
    response = client.get("/queries/labels-of-kind", params={"class": value})
    assert response.status_code == 400 and "expects an IRI" in response.text


def test_a_label_with_quotes_is_found_exactly(store):
    """A real value with a quote in it is bound as a term, and finds its own entity only."""
    [row] = store.select('SELECT ?m ?l WHERE { ?m rdfs:label ?l FILTER(CONTAINS(?l, "\'")) } LIMIT 1') or [None]
    if row is None:
        pytest.skip("no label with an apostrophe in the data")
    query = load_queries(QUERIES)["labels-of-kind"]
    text = query.text({"label": [row["l"].value], "class": ["http://www.w3.org/2002/07/owl#Thing"]})
    assert "UNION" not in text
    with pytest.raises(QueryError):
        query.text({"label": ["a", "b"]})


def test_formats(client, english_measures):
    params = {"limit": 3}
    csv_text = client.get("/queries/labels-of-kind", params={**params, "format": "csv"}).text
    table = list(csv.reader(io.StringIO(csv_text)))
    assert table == [["thing", "label"], *[list(r) for r in english_measures[:3]]]
    tsv = client.get("/queries/labels-of-kind", params=params, headers={"Accept": "text/tab-separated-values"})
    assert tsv.text.splitlines()[0] == "?thing\t?label" and len(tsv.text.splitlines()) == 4
    page = client.get("/queries/labels-of-kind", params=params, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and page.text.count("<tr>") == 4
    assert english_measures[0][0] in page.text
    as_json = client.get("/queries/labels-of-kind", params=params, headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json" and len(as_json.json()["results"]["bindings"]) == 3
    assert client.get("/queries/labels-of-kind", headers={"Accept": "image/png"}).status_code == 406


def test_pagination_and_link_headers(client, english_measures):
    first = client.get("/queries/labels-of-kind", params={"limit": 2})
    assert things(first) == english_measures[:2]
    assert 'rel="next"' in first.headers["link"] and "offset=2" in first.headers["link"]
    assert 'rel="prev"' not in first.headers["link"]
    second = client.get(first.links["next"]["url"])
    assert things(second) == english_measures[2:4] and 'rel="prev"' in second.headers["link"]
    last_offset = len(english_measures) - 1
    last = client.get("/queries/labels-of-kind", params={"limit": 2, "offset": last_offset})
    assert things(last) == english_measures[-1:] and 'rel="next"' not in last.headers.get("link", "")


def test_etag(client):
    first = client.get("/queries/labels-of-kind")
    assert client.get("/queries/labels-of-kind", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    other = client.get(
        "/queries/labels-of-kind", params={"lang": "fr"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert other.status_code == 200


def test_each_query_is_an_openapi_operation(client):
    paths = client.get("/openapi.json").json()["paths"]
    operation = paths["/queries/labels-of-kind"]["get"]
    assert operation["summary"] == "Labels of the instances of a class"
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["thing"]["schema"]["type"] == "array" and params["class"]["schema"]["default"] == "sug:Measure"
    assert {"format", "limit", "offset"} <= set(params)
    assert paths["/queries/count-typed"]["get"]["parameters"][0]["required"] is True
    assert "/queries/{name}" not in paths
