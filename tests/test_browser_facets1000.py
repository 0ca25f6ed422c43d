"""The browse lists that the snapshot file sorts, counts and pages, in headless Chromium with
JavaScript off, saving screenshots (facets1000-*.png) to tests/screenshots/: a facet value ticked on
a sorted list keeps its order, and the pager walks the filtered, sorted rows."""

from __future__ import annotations

from browserkit import follow, needs_chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_browser_tables import count_text, viewport

from conftest import LiveServer

pytestmark = needs_chromium


def first_column(driver: WebDriver) -> list[str]:
    return [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.results tbody th")]


def test_a_value_ticked_on_a_sorted_list_keeps_its_order(browser_nojs: WebDriver, server: LiveServer) -> None:
    driver = browser_nojs
    driver.get(server.url + "/browse/measure?lang=fr&_desc=threats")
    follow(driver, driver.find_element(By.CSS_SELECTOR, '#facet-status + ul a[href*="status=announced"]'))
    sorted_by = driver.find_element(By.CSS_SELECTOR, "table.results th[aria-sort]")
    assert (sorted_by.text, sorted_by.get_attribute("aria-sort"), count_text(driver)) == (
        "Menaces ▼",
        "descending",
        "Lignes 1 à 29 sur 29",
    )
    viewport(driver, "facets1000-1-ticked-on-sorted", "table.results")


def test_the_pager_walks_the_filtered_sorted_rows(browser_nojs: WebDriver, server: LiveServer) -> None:
    driver = browser_nojs
    driver.get(server.url + "/browse/measure?lang=en&status=announced&_sort=threats&limit=10")
    pages = [first_column(driver)]
    for _ in range(2):
        follow(driver, driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]"))
        pages.append(first_column(driver))
    driver.get(server.url + "/browse/measure?lang=en&status=announced&_sort=threats&limit=30")
    assert ([name for page in pages for name in page], count_text(driver)) == (
        first_column(driver),
        "Rows 1–29 of 29",
    )
