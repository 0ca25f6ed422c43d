"""Charts, the timeline and the graph view in headless Chromium with JavaScript off, each reached by
following the page's own links and forms, with a screenshot of each (tests/screenshots/views-*.png).
"""

from __future__ import annotations

from browserkit import SHOTS, follow, needs_chromium, shot
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from conftest import LiveServer

pytestmark = needs_chromium


def shot_of(driver: WebDriver, css: str, name: str) -> None:
    """The full page (`shot`), and the one part of it a feature draws, for the docs (docs/images/)."""
    shot(driver, name)
    driver.set_window_size(1280, 4000)  # the part whole on the screen
    driver.find_element(By.CSS_SELECTOR, css).screenshot(str(SHOTS / f"{name}-part.png"))
    driver.set_window_size(1280, 900)


def test_the_most_involved_actors_as_a_chart(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/workbench?name=most-involved-actors")
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "nav.views a[href*='view=chart']"))
    first = browser_nojs.find_element(By.CSS_SELECTOR, "svg.chart g.bar")
    assert first.find_element(By.CSS_SELECTOR, "text.label").text == "European Commission"
    assert first.find_element(By.CSS_SELECTOR, "text.value").text == "33"
    shot_of(browser_nojs, ".outcome", "views-chart-actors")


def test_money_as_a_chart_per_currency(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/queries/money?lang=fr")
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "nav.views a[href*='view=chart']"))
    assert [h.text for h in browser_nojs.find_elements(By.CSS_SELECTOR, ".chart-view h4")] == ["EUR"]
    values = browser_nojs.find_elements(By.CSS_SELECTOR, "svg.chart text.value")
    assert [v.text for v in values] == [
        "218\u202f000\u202f000\u202f000–282\u202f000\u202f000\u202f000 EUR",
        "10\u202f800\u202f000 EUR",
    ]
    shot_of(browser_nojs, "main", "views-chart-money")


def test_the_timeline_filtered_by_an_actor(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/")
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "a[href='/timeline']"))
    Select(browser_nojs.find_element(By.ID, "f-actor")).select_by_visible_text("European Commission")
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "form.filters"))
    assert browser_nojs.current_url.endswith("/timeline?threat=&actor=european-commission&source=")
    marks = browser_nojs.find_elements(By.CSS_SELECTOR, "svg.timeline a.mark")
    assert "/id/strategy/eu-security-union-strategy" in [m.get_dom_attribute("href") for m in marks]
    shot_of(browser_nojs, "main", "views-timeline-commission")


def test_a_describe_drawn_as_a_graph(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/workbench")
    editor = browser_nojs.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("DESCRIBE actor:nato")
    follow(browser_nojs, editor.find_element(By.XPATH, "./ancestor::form"))
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "nav.views a[href*='view=graph']"))
    centre = browser_nojs.find_element(By.CSS_SELECTOR, ".graph-view svg a.ring0")
    assert centre.get_dom_attribute("href") == "/id/actor/nato"
    shot_of(browser_nojs, ".outcome", "views-graph-describe")
