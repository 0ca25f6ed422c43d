"""Facets on the browse lists (pages/browse.py): values with counts, values of one facet OR, facets
AND, zero counts not offered, the filtered list as CSV and JSON at the same URL; against a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from test_pages import Element, parse

from conftest import LiveServer

HTML = {"accept": "text/html"}
NATO_OR_EUROPOL = [("actor", "nato"), ("actor", "europol")]
NATO_OR_EUROPOL_MEASURES = [
    "/id/measure/eu-approach-hybrid-threats",
    "/id/measure/new-it-specialists-for-ec3",
]


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as c:
        yield c


def listed(client: httpx.Client, path: str, params=None) -> Element:
    r = client.get(path, params=params, headers=HTML)
    assert r.status_code == 200, r.text
    return parse(r.text)


def row_links(doc: Element) -> list[str]:
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    return [row.find("th").find("a").attrs["href"] for row in rows]


def facet(doc: Element, name: str) -> dict[str, tuple[int, str]]:
    """A facet's values: label → (count, link)."""
    section = doc.find("section", **{"aria-labelledby": f"facet-{name}"})
    return {
        li.find("a").text().removeprefix("✕ "): (int(li.find("span", class_="n").text()), li.find("a").attrs["href"])
        for li in section.find_all("li")
    }


def test_values_of_one_facet_combine_with_or(client: httpx.Client) -> None:
    assert row_links(listed(client, "/browse/measure", NATO_OR_EUROPOL)) == NATO_OR_EUROPOL_MEASURES


def test_facets_combine_with_and(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [*NATO_OR_EUROPOL, ("threat", "cybercrime")])
    assert row_links(doc) == ["/id/measure/new-it-specialists-for-ec3"]


def test_a_count_is_what_the_value_alone_would_list(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [("actor", "european-commission")])
    counts = {label: n for label, (n, _) in facet(doc, "status").items()}
    alone = {label: len(row_links(listed(client, link))) for label, (_, link) in facet(doc, "status").items()}
    assert (counts, counts == alone) == ({"announced": 15, "under way": 9}, True)


def test_a_facets_own_choices_do_not_narrow_its_counts(client: httpx.Client) -> None:
    alone = facet(listed(client, "/browse/measure"), "actor")
    chosen = facet(listed(client, "/browse/measure", [("actor", "nato")]), "actor")
    assert {k: n for k, (n, _) in chosen.items()} == {k: n for k, (n, _) in alone.items()}


def test_values_with_no_entity_are_not_offered(client: httpx.Client) -> None:
    offered = facet(listed(client, "/browse/measure", [("actor", "nato")]), "status")
    assert {label: n for label, (n, _) in offered.items()} == {"announced": 1}


def test_an_unchosen_value_links_to_the_list_with_it_added(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [("actor", "nato")])
    link = httpx.URL(facet(doc, "actor")["Europol"][1])
    assert (link.path, link.params.multi_items()) == ("/browse/measure", NATO_OR_EUROPOL)


def test_a_chosen_value_links_to_the_list_without_it(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [*NATO_OR_EUROPOL, ("_sort", "status")])
    assert facet(doc, "actor")["Europol"][1] == "/browse/measure?actor=nato&_sort=status"


def test_chosen_values_come_first(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", NATO_OR_EUROPOL)
    assert list(facet(doc, "actor"))[:2] == ["Europol", "North Atlantic Treaty Organization"]


def test_facet_values_are_ordered_by_count_then_label(client: httpx.Client) -> None:
    values = list(facet(listed(client, "/browse/measure"), "status").items())
    assert [(label, n) for label, (n, _) in values] == [("announced", 29), ("under way", 13)]


@pytest.mark.parametrize(("path", "extra"), [("/browse/measure.csv", []), ("/browse/measure", [("format", "csv")])])
def test_the_filtered_list_downloads_as_csv(client: httpx.Client, path: str, extra) -> None:
    r = client.get(path, params=[*NATO_OR_EUROPOL, *extra])
    rows = list(csv.reader(io.StringIO(r.text)))
    assert (r.headers["content-type"], [row[:3] for row in rows]) == (
        "text/csv; charset=utf-8",
        [
            ["measure", "label", "status"],
            [
                "https://w3id.org/sugraph/id/measure/eu-approach-hybrid-threats",
                "EU approach to countering hybrid threats",
                "https://w3id.org/sugraph/id/status/announced",
            ],
            [
                "https://w3id.org/sugraph/id/measure/new-it-specialists-for-ec3",
                "New IT specialists for the European Cybercrime Centre",
                "https://w3id.org/sugraph/id/status/announced",
            ],
        ],
    )


def test_the_sorted_list_downloads_as_json_in_its_order(client: httpx.Client) -> None:
    r = client.get("/browse/measure.json", params=[*NATO_OR_EUROPOL, ("_desc", "measure")])
    measures = [b["measure"]["value"].rsplit("/", 1)[-1] for b in r.json()["results"]["bindings"]]
    assert measures == ["new-it-specialists-for-ec3", "eu-approach-hybrid-threats"]


def test_the_download_links_are_the_pages_url_with_a_format(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [("actor", "nato"), ("limit", "1"), ("offset", "0")])
    assert [a.attrs["href"] for a in doc.find("div", class_="listed").find_all("a", class_="button")] == [
        "/browse/measure?actor=nato&format=csv",
        "/browse/measure?actor=nato&format=json",
        "/browse/measure?actor=nato&format=tsv",
    ]


def test_an_unknown_value_is_a_400_page(client: httpx.Client) -> None:
    r = client.get("/browse/measure", params=[("actor", "nato"), ("actor", "unicorns")], headers=HTML)
    assert (r.status_code, parse(r.text).find("p", class_="error").text()) == (
        400,
        "Unknown value for “Actor involved”: unicorns",
    )


def test_measures_sort_by_status_and_page(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [("actor", "european-commission"), ("_desc", "status"), ("limit", "9")])
    statuses = {
        row.find_all("td")[0].text() for row in doc.find("table", class_="results").find("tbody").find_all("tr")
    }
    assert (statuses, doc.find("p", class_="table-count").text()) == ({"under way"}, "Rows 1–9 of 24")


# --- by type, on the other lists ----------------------------------------------------------------


def test_actors_facet_by_type(client: httpx.Client) -> None:
    counts = {label: n for label, (n, _) in facet(listed(client, "/browse/actor"), "type").items()}
    assert (counts["International organisation"], sum(counts.values())) == (3, 28)


def test_two_types_list_the_actors_of_either(client: httpx.Client) -> None:
    doc = listed(client, "/browse/actor", [("type", "InternationalOrganisation"), ("type", "Network")])
    kinds = [row.find("td").text() for row in doc.find("table", class_="results").find("tbody").find_all("tr")]
    assert sorted(set(kinds)) == ["International organisation", "Network"]


def test_an_unknown_type_is_a_400(client: httpx.Client) -> None:
    assert client.get("/browse/actor", params={"type": "Unicorn"}, headers=HTML).status_code == 400


def test_a_list_whose_members_share_one_type_has_no_facet(client: httpx.Client) -> None:
    assert listed(client, "/browse/strategy").find_all("aside", class_="facets") == []


def test_facets_speak_the_page_language(client: httpx.Client) -> None:
    doc = listed(client, "/browse/measure", [("actor", "nato"), ("lang", "fr")])
    assert (
        doc.find("h3", id="facet-actor").text(),
        "Organisation du traité de l'Atlantique nord" in facet(doc, "actor"),
    ) == (
        "Acteur impliqué",
        True,
    )
