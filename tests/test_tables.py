"""Result tables (web/tables.py): sorted by any column as the reader sees the values, paged with counts,
columns in the query's order, and downloads of a view's URL holding its rows in its order — on the
workbench and on the named queries' pages, against a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from test_pages import Element, parse

from sugraph.store.analysis import column_order

from conftest import LiveServer

HTML = {"accept": "text/html"}


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    """A client of its own for each test: a page asked in French sets a cookie the next must not see."""
    with httpx.Client(base_url=server.url) as c:
        yield c


def workbench(client: httpx.Client, query: str, **params: str) -> tuple[httpx.Response, Element]:
    r = client.get("/workbench", params={"query": query, **params}, headers=HTML)
    return r, parse(r.text)


def column(doc: Element, index: int = 0) -> list[str]:
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    return [[c for c in row.children if isinstance(c, Element)][index].text() for row in rows]


def headers(doc: Element) -> list[str]:
    return [th.text() for th in doc.find("table", class_="results").find("thead").find_all("th")]


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


NUMBERS = "SELECT ?n WHERE { VALUES ?n { 10 9 100 2.5 } }"
TEXTS = 'SELECT ?t WHERE { VALUES ?t { "b" "Ä" "a" "É" "B" } }'
DATES = (
    "SELECT ?d WHERE { VALUES ?d { "
    '"2020-07-24"^^xsd:date "2017"^^xsd:gYear "2017-06-29"^^xsd:date "2014-07"^^xsd:gYearMonth } }'
)
GAPS = 'SELECT ?k ?v WHERE { VALUES (?k ?v) { (1 "x") (2 UNDEF) (3 "a") (4 "x") } }'
ACTORS = "SELECT ?a WHERE { VALUES ?a { actor:nato actor:europol actor:g7 } }"


# --- sorting ------------------------------------------------------------------------------------


def test_numbers_sort_as_numbers(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, _sort="n")
    assert column(doc) == ["2.5", "9", "10", "100"]


def test_descending_sort(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, _desc="n")
    assert column(doc) == ["100", "10", "9", "2.5"]


def test_text_sorts_without_regard_to_case_or_accents_and_ties_keep_the_query_order(client: httpx.Client) -> None:
    _, doc = workbench(client, TEXTS, _sort="t")
    assert column(doc) == ["Ä", "a", "b", "B", "É"]


def test_dates_and_years_sort_as_dates(client: httpx.Client) -> None:
    _, doc = workbench(client, DATES, _sort="d")
    assert column(doc) == ["2014-07", "2017", "2017-06-29", "2020-07-24"]


def test_iris_sort_by_the_label_the_reader_sees(client: httpx.Client) -> None:
    _, doc = workbench(client, ACTORS, _sort="a")
    assert column(doc) == ["Europol", "G7", "North Atlantic Treaty Organization"]


def test_iris_sort_by_the_label_in_the_page_language(client: httpx.Client) -> None:
    _, doc = workbench(client, ACTORS, _desc="a", lang="fr")
    assert column(doc) == ["Organisation du traité de l'Atlantique nord", "G7", "Europol"]


@pytest.mark.parametrize(("param", "keys"), [("_sort", ["3", "1", "4", "2"]), ("_desc", ["1", "4", "3", "2"])])
def test_unbound_cells_come_last_either_way_and_ties_stay_in_order(client: httpx.Client, param, keys) -> None:
    _, doc = workbench(client, GAPS, **{param: "v"})
    assert column(doc, 0) == keys


def test_the_sorted_column_says_so_and_links_to_the_other_direction(client: httpx.Client) -> None:
    _, doc = workbench(client, GAPS, _sort="v")
    sorted_th = doc.find("th", **{"aria-sort": "ascending"})
    link = httpx.URL(sorted_th.find("a", class_="sort").attrs["href"])
    assert (sorted_th.text(), link.params.get("_desc"), link.params.get("_sort")) == ("v ▲", "v", None)


def test_an_unsorted_column_links_to_its_ascending_sort(client: httpx.Client) -> None:
    _, doc = workbench(client, GAPS, _sort="v")
    first = doc.find("table", class_="results").find("thead").find_all("th")[0]
    link = httpx.URL(first.find("a").attrs["href"])
    assert ("aria-sort" in first.attrs, link.params.get("_sort"), link.params["query"]) == (False, "k", GAPS)


def test_sorting_by_an_unknown_column_is_a_400(client: httpx.Client) -> None:
    r, doc = workbench(client, GAPS, _sort="nope")
    assert (r.status_code, doc.find("div", id="query-error").text()) == (
        400,
        "The query cannot runno column 'nope' to sort by; the columns are k, v",
    )


# --- paging and counts --------------------------------------------------------------------------


def test_a_page_says_which_rows_it_shows(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, _sort="n", limit="3")
    assert (doc.find("p", class_="table-count").text(), column(doc)) == ("Rows 1–3 of 4", ["2.5", "9", "10"])


def test_next_page_keeps_the_sort(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, _sort="n", limit="3")
    r = client.get(doc.find("a", rel="next").attrs["href"], headers=HTML)
    second = parse(r.text)
    assert (second.find("p", class_="table-count").text(), column(second)) == ("Rows 4–4 of 4", ["100"])


def test_previous_page_link_goes_back_to_the_first(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, _sort="n", limit="3", offset="3")
    back = httpx.URL(doc.find("a", rel="prev").attrs["href"])
    assert (dict(back.params), doc.find_all("a", rel="next")) == (
        {"query": NUMBERS, "_sort": "n", "limit": "3"},
        [],
    )


def test_a_workbench_page_holds_a_hundred_rows_by_default(client: httpx.Client) -> None:
    query = "SELECT ?i WHERE { VALUES ?i { " + " ".join(str(i) for i in range(150)) + " } }"
    _, doc = workbench(client, query)
    assert (doc.find("p", class_="table-count").text(), len(column(doc))) == ("Rows 1–100 of 150", 100)


def test_no_rows_says_so(client: httpx.Client) -> None:
    _, doc = workbench(client, "SELECT ?x WHERE { FILTER(false) }")
    assert doc.find("p", class_="table-count").text() == "No rows."


# --- columns ------------------------------------------------------------------------------------


def test_select_star_columns_follow_the_query_text() -> None:
    assert column_order("SELECT * WHERE { ?zebra ?apple ?mango . ?apple ?x ?zebra }") == (
        "zebra",
        "apple",
        "mango",
        "x",
    )


def test_projected_columns_keep_their_order_expressions_included() -> None:
    assert column_order("SELECT ?b (COUNT(?x) AS ?n) ?a WHERE { ?a ?x ?b } GROUP BY ?a ?b") == ("b", "n", "a", "x")


def test_workbench_shows_select_star_columns_in_the_query_order(client: httpx.Client) -> None:
    _, doc = workbench(client, "SELECT * WHERE { VALUES (?zebra ?apple) { (1 2) } }")
    assert headers(doc) == ["zebra", "apple"]


# --- downloads ----------------------------------------------------------------------------------


def test_csv_download_of_a_sorted_view_holds_its_rows_in_its_order(client: httpx.Client) -> None:
    _, doc = workbench(client, GAPS, _desc="v", limit="2")
    link = next(a for a in doc.find("ul", class_="downloads-list").find_all("a") if a.text() == "CSV")
    assert csv_rows(client.get(link.attrs["href"])) == [["k", "v"], ["1", "x"], ["4", "x"], ["3", "a"], ["2", ""]]


def test_the_views_own_url_with_format_gives_that_page(client: httpx.Client) -> None:
    r = client.get("/workbench", params={"query": GAPS, "_desc": "v", "limit": "2", "format": "csv"})
    assert csv_rows(r) == [["k", "v"], ["1", "x"], ["4", "x"]]


def test_select_star_download_keeps_the_query_order(client: httpx.Client) -> None:
    r = client.get(
        "/workbench", params={"query": "SELECT * WHERE { VALUES (?zebra ?apple) { (1 2) } }", "format": "csv"}
    )
    assert csv_rows(r) == [["zebra", "apple"], ["1", "2"]]


def test_json_download_is_sparql_results_in_the_views_order(client: httpx.Client) -> None:
    r = client.get("/workbench", params={"query": NUMBERS, "_sort": "n", "format": "json"})
    values = [b["n"]["value"] for b in r.json()["results"]["bindings"]]
    assert (r.headers["content-type"], values) == ("application/sparql-results+json", ["2.5", "9", "10", "100"])


# --- named queries ------------------------------------------------------------------------------

MOST_INVOLVED = "/queries/most-involved-actors"


def test_named_query_csv_sorted_by_a_count_column(client: httpx.Client) -> None:
    rows = csv_rows(client.get(MOST_INVOLVED, params={"format": "csv", "_desc": "measures", "limit": "2"}))
    assert [r[2] for r in rows] == ["measures", "33", "5"]


def test_named_query_html_and_csv_of_one_url_agree(client: httpx.Client) -> None:
    params = {"_sort": "actor", "limit": "5", "offset": "5"}
    html = parse(client.get(MOST_INVOLVED, params=params, headers=HTML).text)
    rows = csv_rows(client.get(MOST_INVOLVED, params={**params, "format": "csv"}))
    assert column(html, 0) == [r[1] for r in rows[1:]]


def test_named_query_link_header_keeps_the_sort(client: httpx.Client) -> None:
    r = client.get(MOST_INVOLVED, params={"_sort": "actorLabel", "limit": "3"})
    assert dict(httpx.URL(r.links["next"]["url"]).params) == {"_sort": "actorLabel", "limit": "3", "offset": "3"}


def test_named_query_page_links_cells_to_local_pages_by_label(client: httpx.Client) -> None:
    doc = parse(client.get(MOST_INVOLVED, params={"limit": "1"}, headers=HTML).text)
    cell = doc.find("table", class_="results").find("td").find("a")
    assert (cell.attrs["href"], cell.text()) == ("/id/actor/european-commission", "European Commission")


def test_named_query_page_has_the_site_layout_in_the_page_language(client: httpx.Client) -> None:
    doc = parse(client.get(MOST_INVOLVED, params={"lang": "fr"}, headers=HTML).text)
    assert (
        doc.find("h1").text(),
        "/browse/threat" in doc.find("header").hrefs(),
        doc.find("a", class_="button").attrs["href"],
    ) == ("Acteurs impliqués dans le plus de mesures", True, "/workbench?name=most-involved-actors")


def test_named_query_page_counts_its_rows(client: httpx.Client) -> None:
    doc = parse(client.get(MOST_INVOLVED, params={"limit": "5"}, headers=HTML).text)
    assert doc.find("p", class_="table-count").text() == "Rows 1–5 of 22"


# --- the list of named queries ------------------------------------------------------------------


def test_queries_list_is_json_for_scripts(client: httpx.Client) -> None:
    r = client.get("/queries")
    assert (r.headers["content-type"], r.json()[0]["url"]) == ("application/json", "/queries/deadlines")


def test_queries_list_is_a_page_for_browsers(client: httpx.Client) -> None:
    doc = parse(client.get("/queries", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}).text)
    item = doc.find("li", id="most-involved-actors")
    assert item.hrefs() == [MOST_INVOLVED, MOST_INVOLVED, "/workbench?name=most-involved-actors"]


@pytest.mark.parametrize(("fmt", "media_type"), [("html", "text/html; charset=utf-8"), ("json", "application/json")])
def test_queries_list_format_parameter_overrides_accept(client: httpx.Client, fmt, media_type) -> None:
    r = client.get("/queries", params={"format": fmt}, headers={"accept": "image/png"})
    assert r.headers["content-type"] == media_type


def test_a_constructed_graph_is_a_table_of_triples_that_sorts(client: httpx.Client) -> None:
    query = "CONSTRUCT { ?a sug:rank ?n } WHERE { VALUES (?a ?n) { (actor:nato 2) (actor:g7 10) (actor:europol 1) } }"
    _, doc = workbench(client, query, _desc="object")
    assert (headers(doc), column(doc, 2)) == (["subject", "predicate", "object ▼"], ["10", "2", "1"])


def test_a_sorted_answer_has_its_own_validator(client: httpx.Client) -> None:
    plain = client.get(MOST_INVOLVED, params={"format": "csv"})
    ordered = client.get(MOST_INVOLVED, params={"format": "csv", "_sort": "actor"})
    again = client.get(
        MOST_INVOLVED, params={"format": "csv", "_sort": "actor"}, headers={"If-None-Match": ordered.headers["etag"]}
    )
    assert (plain.headers["etag"] != ordered.headers["etag"], again.status_code) == (True, 304)


def test_table_words_are_in_the_page_language(client: httpx.Client) -> None:
    _, doc = workbench(client, NUMBERS, limit="2", lang="fr")
    assert (doc.find("p", class_="table-count").text(), doc.find("a", rel="next").text()) == (
        "Lignes 1 à 2 sur 4",
        "Suivantes →",
    )
