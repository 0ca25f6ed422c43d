"""From an entity to its questions and its citation, in headless Chromium with JavaScript off: NATO's
page → a question pre-filled with NATO runs in the workbench; "Cite this" opens and its BibTeX
downloads; the SPARQL endpoint's page in the site's layout. Screenshots are named entity-*.
"""

from __future__ import annotations

from pathlib import Path

from browserkit import follow, needs_chromium, shot, wait_for_file
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from conftest import LiveServer

pytestmark = needs_chromium

HEADLINE = "Measures that address a threat and involve an actor"


def test_a_question_about_nato_runs_from_its_page(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/id/actor/nato?lang=en")
    section = browser_nojs.find_element(By.CSS_SELECTOR, "section.questions")
    assert [a.text for a in section.find_elements(By.CSS_SELECTOR, "ul a")] == [
        "Bodies within an organisation, and what they do",
        HEADLINE,
    ]
    shot(browser_nojs, "entity-nato-questions")

    follow(browser_nojs, section.find_element(By.LINK_TEXT, HEADLINE))
    assert Select(browser_nojs.find_element(By.ID, "p-actor")).first_selected_option.text == (
        "North Atlantic Treaty Organization"
    )
    cells = browser_nojs.find_elements(By.CSS_SELECTOR, "table.results tbody tr td:first-child a")
    assert [c.text for c in cells] == ["EU approach to countering hybrid threats"]
    shot(browser_nojs, "entity-question-in-workbench")


def test_natos_links_open_in_the_workbench(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/id/actor/nato?lang=en")
    follow(browser_nojs, browser_nojs.find_element(By.CSS_SELECTOR, "a.open-workbench"))
    rows = browser_nojs.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    texts = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    assert texts[-2][:4] == ["in", "has partner", "has partner", "EU approach to countering hybrid threats"]
    shot(browser_nojs, "entity-links-in-workbench")


def test_cite_this_opens_and_downloads_bibtex(browser_nojs: WebDriver, server: LiveServer, downloads: Path) -> None:
    browser_nojs.get(server.url + "/id/actor/nato?lang=fr")
    details = browser_nojs.find_element(By.CSS_SELECTOR, "details.cite")
    details.find_element(By.TAG_NAME, "summary").click()  # no script: the browser opens <details> itself
    assert details.get_attribute("open") == "true"
    blocks = details.find_elements(By.TAG_NAME, "pre")
    assert blocks[0].text.startswith("Organisation du traité de l'Atlantique nord. Dans : sugraph,")
    shot(browser_nojs, "entity-cite-this")

    details.find_element(By.CSS_SELECTOR, "a[download='sugraph-actor-nato.bib']").click()
    bib = wait_for_file(downloads, "sugraph-actor-nato.bib")
    assert bib.read_text(encoding="utf-8") == blocks[1].text + "\n"


def test_the_sparql_endpoint_page_links_the_workbench(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/sparql?lang=en")
    assert browser_nojs.find_element(By.TAG_NAME, "h1").text == "SPARQL endpoint"
    links = browser_nojs.find_elements(By.CSS_SELECTOR, "ul.sparql-links a")
    assert [a.get_attribute("href").removeprefix(server.url) for a in links] == [
        "/workbench",
        "/sparql?format=turtle",
        "/sparql?format=json-ld",
    ]
    shot(browser_nojs, "entity-sparql-page")
