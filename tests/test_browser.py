"""A reader's visit in headless Chromium, saving a screenshot of each step to tests/screenshots/.

Home → search "OTAN" → NATO's page → a measure it partners in → the headline question in the
workbench (threat and actor picked from the form's lists) → its CSV download. Needs Debian's
`chromium` and `chromium-driver` (see tests/browserkit.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from browserkit import SHOTS, follow, needs_chromium, shot, wait_for_file
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from conftest import LiveServer

pytestmark = needs_chromium


def test_a_researchers_visit(browser: WebDriver, server: LiveServer, downloads: Path) -> None:
    browser.get(server.url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "The EU Security Union knowledge graph"
    shot(browser, "1-home")

    box = browser.find_element(By.ID, "home-q")
    box.send_keys("OTAN")
    follow(browser, box.find_element(By.XPATH, "./ancestor::form"))
    first_hit = browser.find_element(By.CSS_SELECTOR, "ol.hits a.hit")
    assert first_hit.text == "North Atlantic Treaty Organization"
    shot(browser, "2-search-otan")

    follow(browser, first_hit)
    assert browser.find_element(By.TAG_NAME, "h1").text == "North Atlantic Treaty Organization"
    shot(browser, "3-nato")

    follow(
        browser,
        browser.find_element(
            By.CSS_SELECTOR, "section[aria-labelledby=incoming-h] a[href='/id/measure/eu-approach-hybrid-threats']"
        ),
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == "EU approach to countering hybrid threats"
    shot(browser, "4-measure")

    follow(browser, browser.find_element(By.LINK_TEXT, "Query workbench"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "a[href='/workbench?name=measures-by-threat-and-actor']"))
    Select(browser.find_element(By.ID, "p-threat")).select_by_visible_text("Hybrid threats")
    Select(browser.find_element(By.ID, "p-actor")).select_by_visible_text("North Atlantic Treaty Organization")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "section.params button[type=submit]"))
    cells = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr td:first-child a")
    assert [c.get_attribute("href") for c in cells] == [server.url + "/id/measure/eu-approach-hybrid-threats"]
    shot(browser, "5-workbench-headline-question")

    browser.find_element(By.LINK_TEXT, "CSV").click()
    csv = wait_for_file(downloads, "*.csv")
    header = "measure,measureLabel,threatAddressed,threatLabel,role,roleLabel"
    assert csv.read_text(encoding="utf-8").splitlines()[0] == header
    shutil.copy(csv, SHOTS / "6-headline-question.csv")
