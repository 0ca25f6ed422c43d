"""Full-text search in Chromium with JavaScript off: search a word from a description, filter by
kind with the counts' links, see the matched words marked; a screenshot of each step
(tests/screenshots/search-*.png)."""

from __future__ import annotations

from browserkit import follow, needs_chromium, shot
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from conftest import LiveServer

pytestmark = needs_chromium


def test_search_filter_by_kind_and_marked_snippets_without_javascript(
    browser_nojs: WebDriver, server: LiveServer
) -> None:
    browser = browser_nojs
    browser.get(server.url + "/search?lang=en")
    box = browser.find_element(By.ID, "search-q")
    box.send_keys("WannaCry")
    follow(browser, box.find_element(By.XPATH, "./ancestor::form"))
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.hits a.hit")] == [
        "WannaCry attack",
        "European Cybercrime Centre",
        "Law enforcement authorities",
        "New IT specialists for the European Cybercrime Centre",
    ]
    assert [m.text for m in browser.find_elements(By.CSS_SELECTOR, "ol.hits mark")] == ["WannaCry"] * 4
    shot(browser, "search-1-wannacry")

    follow(browser, browser.find_element(By.CSS_SELECTOR, "nav.search-kinds a[href$='kind=actor']"))
    assert browser.find_element(By.CSS_SELECTOR, "nav.search-kinds a[aria-current]").text == "Actors 2"
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.hits a.hit")] == [
        "European Cybercrime Centre",
        "Law enforcement authorities",
    ]
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits p.snippet mark").text == "WannaCry"
    shot(browser, "search-2-wannacry-actors")

    browser.get(server.url + "/search?q=cyberc&lang=fr")
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits a.hit").text == "Cybercriminalité"
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits a.hit mark").text == "Cybercriminalité"
    shot(browser, "search-3-cyberc-fr")
