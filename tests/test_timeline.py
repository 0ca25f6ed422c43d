"""/timeline (web/pages/timeline.py) against a real server: which marks, with which dates and links,
drawn as precisely as the data dates them, in lanes, filtered like the measures, as HTML, CSV and JSON."""

from __future__ import annotations

import csv
import io
import itertools

import httpx
import pyoxigraph as ox
import pytest
from svgkit import all_of, picture, text, title

from sugraph.web.i18n import XSD
from sugraph.web.pages.timeline import CHAR_WIDTH, Mark, draw, parse_when

HTML = {"accept": "text/html"}


pytestmark = pytest.mark.usefixtures("no_language_cookie")


def marks_of(client: httpx.Client, query: str = "") -> list[tuple[str, str, str, str]]:
    """(page, kind, date, end) of every mark the JSON gives."""
    response = client.get(f"/timeline?format=json{query}")
    assert response.status_code == 200
    return [(m["page"], m["kind"], m["date"], m["end"]) for m in response.json()["marks"]]


def svg_marks(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each link of the picture → (class, tooltip) of its marks."""
    found: dict[str, list[tuple[str, str]]] = {}
    for a in all_of(picture(html, "timeline"), "a", "mark"):
        found.setdefault(a.get("href", ""), []).append((a.get("class", ""), title(a)))
    return found


def test_a_threat_filter_gives_its_marks_with_their_dates_narrower_threats_included(client: httpx.Client) -> None:
    assert marks_of(client, "&threat=cyber-threats") == [
        ("/id/document/eighth-security-union-progress-report", "issued", "2017-06-29", ""),
        ("/id/measure/review-of-cybersecurity-strategy-2013", "deadline", "2017-09", ""),
        ("/id/measure/countering-criminal-use-of-encryption", "deadline", "2017-10", ""),
        ("/id/measure/nis-directive-revision", "deadline", "2020-12-31", ""),
        ("/id/measure/cybersecurity-strategic-priorities", "deadline", "2020-12-31", ""),
    ]


def test_events_periods_and_document_dates_are_marks(client: httpx.Client) -> None:
    found = marks_of(client)
    assert ("/id/event/european-council-june-2017", "event", "2017-06-22", "2017-06-23") in found
    assert ("/id/strategy/european-agenda-on-security", "period", "2015", "2020") in found
    assert ("/id/document/political-guidelines-juncker", "issued", "2014-07", "") in found
    assert ("/id/instrument/eu-agenda-organised-crime", "deadline", "2021", "") in found
    assert len(found) == 24


def test_an_actor_filter_keeps_what_is_linked_to_the_actor(client: httpx.Client) -> None:
    found = marks_of(client, "&actor=european-council")
    assert found == [
        ("/id/event/european-council-june-2017", "event", "2017-06-22", "2017-06-23"),  # organised by it
        ("/id/document/ip-17-1789", "issued", "2017-06-29", ""),  # mentions it
    ]


def test_a_source_filter_keeps_what_derives_from_it_and_the_source(client: httpx.Client) -> None:
    found = marks_of(client, "&source=ip-17-1789")
    assert len(found) == 13
    assert ("/id/document/ip-17-1789", "issued", "2017-06-29", "") in found
    assert all(date < "2018" for _, _, date, _ in found)


def test_an_unknown_filter_value_is_a_400_page(client: httpx.Client) -> None:
    response = client.get("/timeline?actor=nobody", headers=HTML)
    assert response.status_code == 400
    assert "Unknown value for “Actor involved”: nobody" in response.text


def test_each_mark_links_to_its_entity_page_and_says_its_date(client: httpx.Client) -> None:
    page = client.get("/timeline?threat=cyber-threats", headers=HTML).text
    assert svg_marks(page)["/id/measure/countering-criminal-use-of-encryption"] == [
        ("mark k-deadline p-month", "Countering the criminal use of encryption — Deadline: October 2017")
    ]


def test_a_month_is_a_band_across_the_month_and_a_day_a_point(client: httpx.Client) -> None:
    svg = picture(client.get("/timeline?threat=cyber-threats", headers=HTML).text, "timeline")
    years = {text(t): float(t.get("x", "0")) - 4 for t in all_of(svg, "text") if text(t).isdigit()}
    year = years["2018"] - years["2017"]
    by_link = {a.get("href"): a for a in all_of(svg, "a", "mark")}
    (october,) = all_of(by_link["/id/measure/countering-criminal-use-of-encryption"], "rect")
    assert float(october.get("width", "0")) == pytest.approx(year / 12, abs=0.2)
    assert float(october.get("x", "0")) == pytest.approx(years["2017"] + 9 * year / 12, abs=0.2)
    assert all_of(by_link["/id/measure/nis-directive-revision"], "circle")
    assert not all_of(by_link["/id/measure/nis-directive-revision"], "rect")


def test_a_year_is_a_band_across_the_year_never_a_day(client: httpx.Client) -> None:
    page = client.get("/timeline?lang=fr", headers=HTML).text
    (mark,) = svg_marks(page)["/id/instrument/eu-agenda-organised-crime"]
    assert mark == ("mark k-deadline p-year", "Programme de lutte contre la criminalité organisée — Échéance : 2021")
    assert '<td><time datetime="2021">2021</time></td>' in page


def test_the_table_lists_the_same_marks_in_the_page_language(client: httpx.Client) -> None:
    page = client.get("/timeline?threat=cyber-threats&lang=fr", headers=HTML).text
    assert '<td><time datetime="2017-10">octobre 2017</time></td>' in page
    assert '<a href="/id/measure/nis-directive-revision">' in page
    assert page.count("<tr>\n      <td><time") == 5


def test_labels_in_one_lane_never_run_into_each_other() -> None:
    day = parse_when(ox.Literal("2020-07-24", datatype=ox.NamedNode(XSD + "date")))
    assert day is not None
    same_day = [Mark(f"x{i}", f"Document number {i}", "issued", day, None) for i in range(5)]
    placed = draw(same_day).placed
    assert [p.y for p in placed] == [44.0, 68.0, 92.0, 116.0, 140.0]  # one lane each
    lanes: dict[float, list[tuple[float, float]]] = {}
    for p in draw([*same_day, *same_day]).placed:
        lanes.setdefault(p.y, []).append((p.x, p.label_x + len(p.short) * CHAR_WIDTH))
    for spans in lanes.values():
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


def test_dates_are_spans_as_precise_as_written() -> None:
    month = parse_when(ox.Literal("2017-10", datatype=ox.NamedNode(XSD + "gYearMonth")))
    year = parse_when(ox.Literal("2021", datatype=ox.NamedNode(XSD + "gYear")))
    assert month is not None and (month.precision, month.start, month.stop) == ("month", 2017 + 9 / 12, 2017 + 10 / 12)
    assert year is not None and (year.precision, year.start, year.stop) == ("year", 2021, 2022)
    assert parse_when(ox.Literal("soon")) is None


def test_csv_has_the_dates_as_written_in_the_data(client: httpx.Client) -> None:
    response = client.get("/timeline?format=csv&threat=cyber-threats")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[1] == {
        "entity": "https://w3id.org/sugraph/id/measure/review-of-cybersecurity-strategy-2013",
        "label": "Review of the 2013 Cybersecurity Strategy",
        "kind": "deadline",
        "date": "2017-09",
        "end": "",
        "page": "/id/measure/review-of-cybersecurity-strategy-2013",
    }


def test_the_format_is_negotiated_too(client: httpx.Client) -> None:
    response = client.get("/timeline", headers={"accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["filters"] == {}
    assert client.get("/timeline", headers={"accept": "text/csv"}).text.startswith("entity,label,kind,date,end,page")


def test_the_page_links_its_csv_and_json_with_its_filters(client: httpx.Client) -> None:
    page = client.get("/timeline?actor=european-commission", headers=HTML).text
    assert '<a href="/timeline?actor=european-commission&amp;format=csv">CSV</a>' in page
    assert '<a href="/timeline?actor=european-commission&amp;format=json">JSON</a>' in page
    assert '<option value="european-commission" selected>European Commission</option>' in page


def test_the_home_page_links_to_the_timeline(client: httpx.Client) -> None:
    assert '<a href="/timeline">Timeline</a>' in client.get("/").text
