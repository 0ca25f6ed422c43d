"""Charts of SELECT results (web/charts.py) on the workbench and on named-query pages, against a
real server: which bars, with which numbers, in which language, from which columns, and the CSV."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import httpx
import pytest
from svgkit import all_of, pictures, text, title

from sugraph.web.charts import BAR_WIDTH, LABEL_WIDTH

HTML = {"accept": "text/html"}


pytestmark = pytest.mark.usefixtures("no_language_cookie")


ACTORS_CHART = "/workbench?name=most-involved-actors&view=chart"
# Three amounts in two currencies: EUR a (5) and c (10), USD b (7).
AMOUNTS = """SELECT ?what ?amount ?currency WHERE {
  VALUES (?what ?amount ?currency) { ("a" 5 "EUR") ("b" 7 "USD") ("c" 10 "EUR") }
}"""


def bars(html: str) -> list[list[tuple[str, str, str | None]]]:
    """Each chart's bars as (label, number written on the bar, link of the label)."""
    charts = []
    for svg in pictures(html, "chart"):
        found = []
        for bar in all_of(svg, "g", "bar"):
            (label,) = all_of(bar, "text", "label")
            (value,) = all_of(bar, "text", "value")
            links = all_of(bar, "a")
            found.append((text(label), text(value), links[0].get("href") if links else None))
        charts.append(found)
    return charts


def widths(html: str) -> list[list[float]]:
    return [[float(r.get("width", "0")) for r in all_of(svg, "rect")] for svg in pictures(html, "chart")]


def workbench(client: httpx.Client, query: str, **params: str) -> str:
    response = client.get("/workbench?" + urlencode({"query": query, **params}))
    assert response.status_code == 200
    return response.text


def test_the_most_involved_actors_are_one_bar_each_with_their_count(client: httpx.Client) -> None:
    (chart,) = bars(client.get(ACTORS_CHART).text)
    assert chart[:4] == [
        ("European Commission", "33", "/id/actor/european-commission"),
        ("Law enforcement authorities", "5", "/id/actor/law-enforcement"),
        ("EU Member States", "3", "/id/actor/member-states"),
        ("Partner countries", "3", "/id/actor/partner-countries"),
    ]
    assert len(chart) == 22


def test_the_chart_has_the_rows_of_its_csv_link(client: httpx.Client) -> None:
    page = client.get(ACTORS_CHART).text
    (link,) = re.findall(r'<a href="([^"]+)" download="results.csv">', page)
    rows = list(csv.DictReader(io.StringIO(client.get(link.replace("&amp;", "&")).text)))
    (svg,) = pictures(page, "chart")
    assert [title(bar) for bar in all_of(svg, "g", "bar")] == [f"{r['actorLabel']}: {r['measures']}" for r in rows]


def test_bars_are_as_long_as_their_number_against_the_largest(client: httpx.Client) -> None:
    (lengths,) = widths(client.get(ACTORS_CHART).text)
    assert lengths[:3] == [BAR_WIDTH, round(5 / 33 * BAR_WIDTH, 1), round(3 / 33 * BAR_WIDTH, 1)]


def test_the_svg_has_a_title_naming_its_columns(client: httpx.Client) -> None:
    (svg,) = pictures(client.get(ACTORS_CHART).text, "chart")
    assert svg.get("role") == "img"
    assert title(svg) == "measures by actor"
    assert title(all_of(svg, "g", "bar")[0]) == "European Commission: 33"


def test_amounts_are_drawn_one_chart_per_currency_never_summed(client: httpx.Client) -> None:
    page = workbench(client, AMOUNTS, view="chart")
    assert bars(page) == [[("a", "5 EUR", None), ("c", "10 EUR", None)], [("b", "7 USD", None)]]
    assert widths(page) == [[BAR_WIDTH / 2, BAR_WIDTH], [BAR_WIDTH]]  # each currency on its own scale
    assert re.findall(r"<h4>(\w+)</h4>", page) == ["EUR", "USD"]


def test_money_is_written_with_its_currency_in_the_page_language(client: httpx.Client) -> None:
    french = client.get("/queries/money?view=chart&lang=fr", headers=HTML).text
    english = client.get("/queries/money?view=chart&lang=en", headers=HTML).text
    assert bars(french)[0][1] == (
        "Financement supplémentaire du MIE pou…",
        "10\u202f800\u202f000 EUR",
        "/id/measure/cef-funding-for-csirts-network",
    )
    assert bars(english)[0][1][1] == "10,800,000 EUR"


def test_an_amount_given_as_a_range_is_a_bar_from_its_minimum_to_its_maximum(client: httpx.Client) -> None:
    page = client.get("/queries/money?view=chart&lang=en", headers=HTML).text
    (chart,) = bars(page)
    assert chart[0] == ("Organised crime", "218,000,000,000–282,000,000,000 EUR", "/id/threat/organised-crime")
    (svg,) = pictures(page, "chart")
    rect = all_of(svg, "rect")[0]
    assert float(rect.get("x", "0")) == round(LABEL_WIDTH + round(218 / 282 * BAR_WIDTH, 1), 1)
    assert float(rect.get("width", "0")) == round(64 / 282 * BAR_WIDTH, 1)


def test_rows_without_the_chosen_number_are_counted_not_drawn(client: httpx.Client) -> None:
    page = workbench(client, AMOUNTS.replace('("b" 7 "USD")', '("b" UNDEF "USD")'), view="chart")
    assert "Rows without amount, not drawn: 1." in page
    assert bars(page) == [[("a", "5 EUR", None), ("c", "10 EUR", None)]]


def test_the_columns_are_chosen_by_url(client: httpx.Client) -> None:
    page = client.get("/queries/money?view=chart&lang=en&y=maxValue&x=kind", headers=HTML).text
    assert bars(page) == [[("estimated cost", "282,000,000,000 EUR", "/ontology#estimatedCost")]]
    assert "Bars: maxValue, labelled by kind (one chart per currency)" in page
    assert "<option selected>maxValue</option>" in page and "<option selected>kind</option>" in page


def test_no_currency_column_draws_one_chart(client: httpx.Client) -> None:
    assert bars(workbench(client, AMOUNTS, view="chart", currency="")) == [
        [("a", "5", None), ("b", "7", None), ("c", "10", None)]
    ]


def test_the_switch_links_to_each_view_of_the_same_url(client: httpx.Client) -> None:
    page = client.get("/workbench?name=most-involved-actors").text
    nav = re.search(r'<nav class="views".*?</nav>', page, re.S)
    assert nav is not None
    assert re.findall(r'<a href="([^"]+)"', nav.group(0)) == [
        "/workbench?name=most-involved-actors&amp;view=table",
        "/workbench?name=most-involved-actors&amp;view=chart",
    ]
    assert 'aria-current="page">Table' in nav.group(0)
    assert not pictures(page, "chart")


def test_the_chart_view_replaces_the_table(client: httpx.Client) -> None:
    page = client.get(ACTORS_CHART).text
    assert '<table class="results">' not in page
    assert '<table class="results">' in client.get("/workbench?name=most-involved-actors&view=table").text


def test_a_result_without_numbers_offers_no_chart(client: httpx.Client) -> None:
    page = client.get(
        "/workbench?"
        + urlencode({"query": "SELECT ?s WHERE { ?s a <https://w3id.org/sugraph/ontology#Actor> }", "view": "chart"})
    ).text
    assert '<nav class="views"' not in page
    assert not pictures(page, "chart")
    assert '<table class="results">' in page


def test_a_named_query_page_offers_its_chart_and_its_csv(client: httpx.Client) -> None:
    page = client.get("/queries/most-involved-actors?view=chart", headers=HTML).text
    assert bars(page)[0][0] == ("European Commission", "33", "/id/actor/european-commission")
    assert 'href="/queries/most-involved-actors?format=csv" download="results.csv"' in page
    assert "<table>" not in page


def test_a_named_query_page_keeps_its_validator_per_view(client: httpx.Client) -> None:
    table = client.get("/queries/most-involved-actors", headers=HTML).headers["etag"]
    chart = client.get("/queries/most-involved-actors?view=chart", headers=HTML).headers["etag"]
    assert table != chart


def test_the_view_parameters_are_not_the_querys(client: httpx.Client) -> None:
    response = client.get("/queries/most-involved-actors?view=chart&x=actor&y=measures&format=csv")
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "actor,actorLabel,measures"
