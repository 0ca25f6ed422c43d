"""Long lists in headless Chromium with JavaScript off, saving screenshots (pages100-*.png) to
tests/screenshots/: a facet's link to all its values, an entity's "more" link to the workbench, the
timeline's marks sharing a date drawn as one and the timeline of that date. The sizes are made small
to fit the shipped data (at 100 times the data they are 30 values, 50 values and 300 marks)."""

from __future__ import annotations

import pytest
from browserkit import follow, needs_chromium, shot
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_browser_tables import viewport

from sugraph.web.pages import browse, entity, timeline

from conftest import LiveServer

pytestmark = needs_chromium


def facet_values(driver: WebDriver, name: str) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, f"#facet-{name} + ul li a")]


def test_a_facet_links_to_all_its_values_and_back(
    browser_nojs: WebDriver, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "FACET_SIZE", 5)
    driver = browser_nojs
    driver.get(server.url + "/browse/measure?lang=en")
    few = facet_values(driver, "actor")
    more = driver.find_element(By.CSS_SELECTOR, "#facet-actor ~ p.facet-size a")
    assert (len(few), more.text) == (5, "All values (16 more)")
    viewport(driver, "pages100-1-facet-most-frequent", "#facet-actor")

    follow(driver, more)
    every = facet_values(driver, "actor")
    back = driver.find_element(By.CSS_SELECTOR, "#facet-actor ~ p.facet-size a")
    assert (len(every), every[:5], back.text) == (21, few, "The most frequent values only")
    follow(driver, back)
    assert facet_values(driver, "actor") == few


def test_an_entitys_more_link_opens_all_the_values_in_the_workbench(
    browser_nojs: WebDriver, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity, "GROUP_SIZE", 3)
    driver = browser_nojs
    driver.get(server.url + "/doc/actor/european-commission.html?lang=en")
    more = driver.find_element(By.CSS_SELECTOR, "#incoming-h ~ dl p.more-values a")
    assert more.text == "3 of 33 shown: all of them in the workbench"
    viewport(driver, "pages100-2-entity-more", "#incoming-h")

    follow(driver, more)
    assert driver.find_element(By.CSS_SELECTOR, "p.table-count").text == "Rows 1–33 of 33"
    viewport(driver, "pages100-3-entity-all-in-workbench", "table.results")


def test_the_timeline_draws_marks_sharing_a_date_as_one_leading_to_that_date(
    browser_nojs: WebDriver, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "MAX_DRAWN", 3)
    driver = browser_nojs
    driver.get(server.url + "/timeline?lang=en")
    many = driver.find_element(By.CSS_SELECTOR, 'svg.timeline a.mark.many[href="/timeline?date=2020-07-24"]')
    assert many.find_element(By.TAG_NAME, "text").text == "6 on this date"
    shot(driver, "pages100-4-timeline-grouped")

    follow(driver, driver.find_element(By.CSS_SELECTOR, 'table.timeline-table a[href="/timeline?date=2020-07-24"]'))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.timeline-table tbody tr")
    assert (len(rows), {r.find_element(By.TAG_NAME, "time").get_attribute("datetime") for r in rows}) == (
        6,
        {"2020-07-24"},
    )
    shot(driver, "pages100-5-timeline-one-date")
