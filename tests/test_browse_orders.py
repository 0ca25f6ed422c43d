"""The browse lists are sorted, counted and paged by the snapshot file (snapshot.py: the measures'
facet values, the members of each kind with their sort keys), not in Python per request, and give
the order web/tables.py gives any table: by the text a cell shows (case and accents ignored),
unbound cells last either way, equal cells in the list's own order (by label). Against a real
server on the shipped data, and on the table mechanism itself (`Window`)."""

from __future__ import annotations

import pytest
from test_pages import Element, parse

from sugraph.web.display import Value
from sugraph.web.tables import Cell, View, Window, arrange, table, text_key

HTML = {"accept": "text/html"}
COLUMNS = {"measure": ["measure", "status", "threats"], "actor": ["entity", "type", "description"]}
ORDERS = [
    (kind, column, way, lang)
    for kind in COLUMNS
    for column in COLUMNS[kind]
    for way in ("_sort", "_desc")
    for lang in ("en", "fr")
]

pytestmark = pytest.mark.usefixtures("no_language_cookie")


def rows(client, path: str, params: dict) -> list[list[str]]:
    """The text of each cell of each row of the page, every row of the list on one page."""
    r = client.get(path, params={"limit": "1000", **params}, headers=HTML)
    assert r.status_code == 200, r.text
    body = parse(r.text).find("table", class_="results").find("tbody")
    return [[cell.text().strip() for cell in row.find_all("th") + row.find_all("td")] for row in body.find_all("tr")]


def as_cells(texts: list[list[str]]) -> list[list[Cell]]:
    return [[Cell((Value(t),), text_key(t)) if t else Cell((), None) for t in row] for row in texts]


@pytest.mark.parametrize(("kind", "column", "way", "lang"), ORDERS)
def test_every_order_of_a_list_is_the_tables_order_of_its_cells(client, kind, column, way, lang) -> None:
    listed = rows(client, f"/browse/{kind}", {"lang": lang})
    names = COLUMNS[kind]
    expected = [listed[i] for i in arrange(as_cells(listed), names, View(column, way == "_desc", 1000, 0))]
    assert rows(client, f"/browse/{kind}", {"lang": lang, way: column}) == expected


def test_a_list_is_by_label_as_a_reader_alphabetises_it(client) -> None:
    """Accents ignored: "États membres de l'UE" among the e's, not after z."""
    names = [row[0] for row in rows(client, "/browse/actor", {"lang": "fr"})]
    assert (names == sorted(names, key=text_key), "États membres de l'UE" in names) == (True, True)


def test_pages_of_a_sorted_filtered_list_are_slices_of_it(client) -> None:
    chosen = {"status": "announced", "_desc": "threats"}
    whole = rows(client, "/browse/measure", chosen)
    pages = [rows(client, "/browse/measure", {**chosen, "limit": "4", "offset": str(n)}) for n in range(0, 12, 4)]
    assert ([row for page in pages for row in page], len(whole) > 12) == (whole[:12], True)


def count_line(doc: Element) -> str:
    return doc.find("p", class_="table-count").text()


def test_a_type_filter_counts_its_members(client) -> None:
    doc = parse(client.get("/browse/actor", params={"type": "InternationalOrganisation"}, headers=HTML).text)
    assert count_line(doc) == "Rows 1–3 of 3"


def test_a_page_past_the_last_row_says_so_and_leads_back_to_the_last_page(client) -> None:
    doc = parse(client.get("/browse/actor", params={"offset": "100000", "limit": "2"}, headers=HTML).text)
    total = len(rows(client, "/browse/actor", {"limit": "1000"}))
    previous = doc.find("a", rel="prev").attrs["href"]
    assert (count_line(doc), previous) == (
        f"No rows this far: the list has {total}.",
        f"/browse/actor?limit=2&offset={total - 2}",
    )


def test_a_window_reads_the_page_it_shows_once_in_the_views_order() -> None:
    asked, made = [], []

    def read(column: int | None, descending: bool, offset: int, limit: int) -> list[int]:
        asked.append((column, descending, offset, limit))
        return list(range(offset, min(offset + limit, 1000)))[::-1]

    def cells(item: int) -> list[Cell]:
        made.append(item)
        return [Cell((Value(str(item)),), text_key(str(item)))]

    shown = table("/t", [], [("n", "n")], Window(1000, read, cells), View("n", True, 10, 20))
    assert (asked, made, (shown.first, shown.last, shown.total)) == (
        [(0, True, 20, 10)],
        list(range(29, 19, -1)),
        (21, 30, 1000),
    )


def facet_lists(doc: Element) -> dict[str, list[str]]:
    """Each facet's offered values as shown (label and count), by facet."""
    sections = [s for s in doc.find_all("section") if s.attrs.get("aria-labelledby", "").startswith("facet-")]
    return {s.attrs["aria-labelledby"]: [li.text().strip() for li in s.find_all("li")] for s in sections}


def test_a_facet_counted_for_one_chosen_value_is_the_facet_counted_live(client) -> None:
    """One value chosen reads the counts the file wrote (`co_values`); a second value that keeps no
    other measure (no measure is adopted) makes the page count them over the kept measures."""
    one, two = (
        facet_lists(parse(client.get("/browse/measure", params=params, headers=HTML).text))
        for params in ({"status": "announced"}, [("status", "announced"), ("status", "adopted")])
    )
    del one["facet-status"], two["facet-status"]
    assert (one == two, len(one)) == (True, 5)
