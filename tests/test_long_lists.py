"""Long lists stay short pages (100 times the data): a facet offers its most frequent values and a
link to all of them, an entity page shows the first values of each property and of its evidence with
a link to all of them in the workbench, the timeline draws the marks sharing a date as one, which
leads to the timeline of that date; a table makes the cells of the rows it shows only. Against the
real server, the sizes made small to fit the shipped data (the session's server reads them at each
request)."""

from __future__ import annotations

import httpx
import pytest
from svgkit import all_of, picture, title
from test_pages import Element, parse

from sugraph.web.pages import browse, entity, timeline
from sugraph.web.tables import Cell, Rows, SortKey, View, table, text_key

HTML = {"accept": "text/html"}


pytestmark = pytest.mark.usefixtures("no_language_cookie")


def html(client: httpx.Client, path: str, params=None) -> Element:
    r = client.get(path, params=params, headers=HTML)
    assert r.status_code == 200, r.text
    return parse(r.text)


def facet_labels(doc: Element, name: str) -> list[str]:
    section = doc.find("section", **{"aria-labelledby": f"facet-{name}"})
    return [li.find("a").text().removeprefix("✕ ") for li in section.find_all("li")]


def facet_size_link(doc: Element, name: str) -> tuple[str, str]:
    section = doc.find("section", **{"aria-labelledby": f"facet-{name}"})
    a = section.find("p", class_="facet-size").find("a")
    return a.text(), a.attrs["href"]


@pytest.fixture
def five(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browse, "FACET_SIZE", 5)


def test_a_facet_with_more_values_offers_the_most_frequent_and_a_link_to_all(client: httpx.Client, five) -> None:
    every = facet_labels(html(client, "/browse/measure", {"_facet_size": "max"}), "actor")
    doc = html(client, "/browse/measure")
    assert (len(every), facet_labels(doc, "actor"), facet_size_link(doc, "actor")) == (
        21,
        every[:5],
        ("All values (16 more)", "/browse/measure?_facet_size=max"),
    )


def test_a_chosen_value_past_the_most_frequent_is_offered_too(client: httpx.Client, five) -> None:
    doc = html(client, "/browse/measure", {"actor": "g7"})
    assert (facet_labels(doc, "actor"), facet_size_link(doc, "actor")[0]) == (
        ["G7", *facet_labels(html(client, "/browse/measure"), "actor")],
        "All values (15 more)",
    )


def test_every_value_links_back_to_the_most_frequent(client: httpx.Client, five) -> None:
    doc = html(client, "/browse/measure", {"_facet_size": "max", "status": "announced"})
    assert facet_size_link(doc, "actor") == ("The most frequent values only", "/browse/measure?status=announced")


def test_a_facet_with_few_values_has_no_such_link(client: httpx.Client, five) -> None:
    section = html(client, "/browse/measure").find("section", **{"aria-labelledby": "facet-status"})
    assert section.find_all("p", class_="facet-size") == []


def test_a_facet_size_other_than_max_is_a_400(client: httpx.Client) -> None:
    assert client.get("/browse/measure", params={"_facet_size": "3"}, headers=HTML).status_code == 400


@pytest.fixture
def two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entity, "GROUP_SIZE", 2)


def fact(doc: Element, section: str, label: str) -> tuple[list[str], str, str]:
    """A property's values on an entity page, its "more" link's text and URL."""
    facts = doc.find("section", **{"aria-labelledby": section})
    for div in facts.find_all("div", class_="fact"):
        if div.find("dt").text() == label:
            more = div.find("p", class_="more-values").find("a")
            return [li.text().strip() for li in div.find("ul").find_all("li")], more.text(), more.attrs["href"]
    raise AssertionError(f"no {label!r}")


def workbench_rows(client: httpx.Client, url: str) -> tuple[str, list[str]]:
    doc = html(client, url)
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    return doc.find("p", class_="table-count").text(), [row.find_all("td")[0].text().strip() for row in rows]


def test_a_property_with_many_values_shows_the_first_and_links_to_all(client: httpx.Client, two) -> None:
    shown, more, url = fact(html(client, "/doc/threat/cybercrime.html"), "facts-h", "addressed by")
    count, listed = workbench_rows(client, url)
    assert (len(shown), more, count, set(shown) <= set(listed)) == (
        2,
        "2 of 4 shown: all of them in the workbench",
        "Rows 1–4 of 4",
        True,
    )


def test_many_incoming_links_show_the_first_and_link_to_all(client: httpx.Client, two) -> None:
    shown, more, url = fact(html(client, "/doc/actor/european-commission.html"), "incoming-h", "led by")
    count, listed = workbench_rows(client, url)
    assert (more, count, set(shown) <= set(listed)) == (
        "2 of 33 shown: all of them in the workbench",
        "Rows 1–33 of 33",
        True,
    )


def test_the_workbench_lists_as_many_links_as_the_page_counts(client: httpx.Client, two) -> None:
    """A source is derived from by entities and by blank nodes (qualified derivations): the page
    counts the entities only, and so does the workbench query (a blank node also sorts differently
    on each engine)."""
    _, more, url = fact(html(client, "/doc/document/ip-17-1789.html"), "incoming-h", "derived from")
    count, listed = workbench_rows(client, url)
    n = more.split()[2]
    assert (count, all(listed)) == (f"Rows 1–{n} of {n}", True)


def test_much_evidence_shows_the_first_quotes_and_links_to_all(client: httpx.Client, two) -> None:
    doc = html(client, "/doc/strategy/eu-security-union-strategy.html")
    evidence = doc.find("section", **{"aria-labelledby": "evidence-h"})
    more = evidence.find("p", class_="more-values").find("a")
    count, _ = workbench_rows(client, more.attrs["href"])
    assert (len(evidence.find_all("figure", class_="quote")), more.text(), count) == (
        2,
        "2 of 5 shown: all of them in the workbench",
        "Rows 1–5 of 5",
    )


def test_the_citation_keeps_every_quote(client: httpx.Client, two) -> None:
    page = client.get("/doc/strategy/eu-security-union-strategy.html", headers=HTML).text
    cited = client.get("/cite", params={"url": "/id/strategy/eu-security-union-strategy", "format": "bibtex"}).text
    assert cited.split("note")[-1][:200] in page.replace("&#34;", '"').replace("&#39;", "'")


@pytest.fixture
def three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline, "MAX_DRAWN", 3)


def drawn(page: str) -> dict[str, list[str]]:
    """Each link of the timeline's picture → the tooltips of its marks."""
    found: dict[str, list[str]] = {}
    for a in all_of(picture(page, "timeline"), "a", "mark"):
        found.setdefault(a.get("href", ""), []).append(title(a))
    return found


def test_past_the_drawn_maximum_marks_sharing_a_date_are_drawn_as_one(client: httpx.Client, three) -> None:
    page = client.get("/timeline", headers=HTML).text
    assert drawn(page)["/timeline?date=2020-07-24"] == ["6 on this date — Issued or presented: 24 July 2020"]


def test_a_mark_drawn_as_one_leads_to_the_marks_of_its_date(client: httpx.Client, three) -> None:
    doc = html(client, "/timeline", {"date": "2020-07-24"})
    rows = doc.find("table", id="timeline-table").find("tbody").find_all("tr")
    dates = {row.find("time").attrs["datetime"] for row in rows}
    assert (len(rows), dates) == (6, {"2020-07-24"})


def test_on_one_date_the_marks_drawn_as_one_lead_to_the_table(client: httpx.Client, three) -> None:
    page = client.get("/timeline", params={"date": "2020-07-24"}, headers=HTML).text
    assert list(drawn(page)) == ["#timeline-table"]


def test_a_date_filters_the_downloads_too(client: httpx.Client) -> None:
    marks = client.get("/timeline", params={"date": "2017-06-29", "format": "json"}).json()["marks"]
    assert [(m["date"], m["kind"]) for m in marks] == [("2017-06-29", "issued")] * 4


def test_a_date_is_the_date_as_written_not_the_days_within_it(client: httpx.Client) -> None:
    marks = client.get("/timeline", params={"date": "2017-10", "format": "json"}).json()["marks"]
    assert [(m["date"], m["kind"]) for m in marks] == [("2017-10", "deadline")]


def test_a_date_not_as_the_data_writes_it_is_a_400(client: httpx.Client) -> None:
    assert client.get("/timeline", params={"date": "24/07/2020"}, headers=HTML).status_code == 400


def rings(client: httpx.Client, path: str) -> dict[str, list[str]]:
    """The neighbourhood's nodes by ring: ring1 (the neighbours), ring2 (theirs), as links."""
    found: dict[str, list[str]] = {}
    for a in html(client, path).find("svg", class_="neighbourhood").find_all("a"):
        ring = next((c for c in a.attrs.get("class", "").split() if c.startswith("ring")), "")
        found.setdefault(ring, []).append(a.attrs["href"])
    return found


def test_a_neighbour_with_more_links_than_a_hub_is_drawn_but_not_expanded(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = rings(client, "/doc/actor/nato.html")
    monkeypatch.setattr(entity, "HUB_LINKS", 0)
    hubs = rings(client, "/doc/actor/nato.html")
    assert (len(drawn["ring2"]) > 0, hubs["ring1"] == drawn["ring1"], "ring2" in hubs) == (True, True, False)


def test_a_table_makes_the_cells_of_the_rows_it_shows_only() -> None:
    made, keyed = [], []

    def cells(i: int) -> list[Cell]:
        made.append(i)
        return [Cell((), text_key(f"{i:04}"))]

    def key(i: int, column: int) -> SortKey:
        keyed.append((i, column))
        return text_key(f"{i:04}")

    shown = table("/t", [], [("n", "n")], Rows(1000, cells, key), View("n", True, 10, 20))
    assert (made, len(keyed), (shown.first, shown.last, shown.total)) == (
        list(range(979, 969, -1)),
        1000,
        (21, 30, 1000),
    )
