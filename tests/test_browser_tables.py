"""Tables and facets in headless Chromium with JavaScript off, saving screenshots (tables-*.png) to
tests/screenshots/: a typed query in the workbench sorted by a column and paged to page 2; the
measures' facets with their counts, two actors combined, and the filtered list's CSV download."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

from browserkit import SHOTS, follow, needs_chromium, shot, wait_for_file
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from conftest import LiveServer

pytestmark = needs_chromium

LABELS = """SELECT ?thing ?label WHERE {
  ?thing rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}"""


def folded(text: str) -> str:
    """Text as a reader alphabetises it: without case or accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def viewport(driver: WebDriver, name: str, css: str | None = None) -> Path:
    """A screenshot of the window only (small enough for the docs), scrolled to `css` if given."""
    if css:
        driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.CSS_SELECTOR, css))
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def count_text(driver: WebDriver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "p.table-count").text


def first_column(driver: WebDriver, column: int = 2) -> list[str]:
    return [c.text for c in driver.find_elements(By.CSS_SELECTOR, f"table.results tbody td:nth-child({column})")]


def test_sort_a_workbench_result_and_page_to_page_two(browser_nojs: WebDriver, server: LiveServer) -> None:
    driver = browser_nojs
    driver.get(server.url + "/workbench?lang=en")
    editor = driver.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys(LABELS)
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.editor button[type=submit]"))
    total = int(count_text(driver).rsplit(" ", 1)[-1])
    assert total > 100

    follow(driver, driver.find_element(By.CSS_SELECTOR, "table.results thead th:nth-child(2) a.sort"))
    header = driver.find_element(By.CSS_SELECTOR, "table.results thead th:nth-child(2)")
    labels = first_column(driver)
    assert (header.get_attribute("aria-sort"), header.text, count_text(driver)) == (
        "ascending",
        "label ▲",
        f"Rows 1–100 of {total}",
    )
    assert labels == sorted(labels, key=folded)
    shot(driver, "tables-1-workbench-sorted")

    follow(driver, driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]"))
    second = first_column(driver)
    assert (count_text(driver), second == sorted(second, key=folded), folded(second[0]) >= folded(labels[-1])) == (
        f"Rows 101–{min(200, total)} of {total}",
        True,
        True,
    )
    assert driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=prev]").is_displayed()
    shot(driver, "tables-2-workbench-page-2")

    driver.get(server.url + "/workbench?" + urlencode({"query": LABELS, "_sort": "label", "limit": 20, "offset": 20}))
    assert count_text(driver) == f"Rows 21–40 of {total}"
    viewport(driver, "tables-workbench-page", "p.table-count")


def facet_counts(driver: WebDriver, name: str) -> dict[str, int]:
    items = driver.find_elements(By.CSS_SELECTOR, f"section[aria-labelledby=facet-{name}] li")
    return {
        li.find_element(By.TAG_NAME, "a").text.removeprefix("✕ "): int(li.find_element(By.CSS_SELECTOR, ".n").text)
        for li in items
    }


def test_measures_facets_two_actors_and_their_csv(browser_nojs: WebDriver, server: LiveServer, downloads: Path) -> None:
    driver = browser_nojs
    driver.get(server.url + "/browse/measure?lang=en")
    assert facet_counts(driver, "status") == {"announced": 29, "under way": 13}
    shot(driver, "tables-3-measure-facets")
    viewport(driver, "tables-measure-facets")

    actors = "section[aria-labelledby=facet-actor]"
    follow(driver, driver.find_element(By.CSS_SELECTOR, f"{actors} a[href$='actor=nato']"))
    follow(driver, driver.find_element(By.CSS_SELECTOR, f"{actors} a[href$='actor=europol']"))
    measures = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.results tbody th a")]
    assert (driver.current_url, measures) == (
        server.url + "/browse/measure?lang=en&actor=nato&actor=europol",
        ["EU approach to countering hybrid threats", "New IT specialists for the European Cybercrime Centre"],
    )
    shot(driver, "tables-4-two-actors")

    driver.find_element(By.CSS_SELECTOR, "div.listed a[download='measure.csv']").click()
    saved = wait_for_file(downloads, "measure*.csv")
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [row[1] for row in rows] == ["label", *measures]
    shutil.copy(saved, SHOTS / "tables-4-two-actors.csv")


def test_named_questions_list_and_a_sorted_answer(browser_nojs: WebDriver, server: LiveServer) -> None:
    driver = browser_nojs
    driver.get(server.url + "/queries?lang=en")
    shot(driver, "tables-5-queries")
    viewport(driver, "tables-queries")
    follow(driver, driver.find_element(By.CSS_SELECTOR, "li#most-involved-actors h2 a"))
    follow(driver, driver.find_element(By.CSS_SELECTOR, "table.results thead th:nth-child(3) a.sort"))
    follow(driver, driver.find_element(By.CSS_SELECTOR, "table.results thead th:nth-child(3) a.sort"))
    counts = [int(c) for c in first_column(driver, 3)]
    assert (counts == sorted(counts, reverse=True), counts[0]) == (True, 33)
    shot(driver, "tables-6-named-query-sorted")
