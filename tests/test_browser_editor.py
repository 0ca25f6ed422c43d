"""The workbench's SPARQL editor in headless Chromium: with JavaScript it replaces the textarea,
highlights and matches brackets under the site's CSP, completes prefixes, ontology terms and entity
labels (declaring the prefixes it uses), runs the query with Ctrl+Enter, and lists it after a reload;
without JavaScript the textarea submits as before. Screenshots: tests/screenshots/editor-*.png.
"""

from __future__ import annotations

from browserkit import follow, needs_chromium, shot
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.shadowroot import ShadowRoot
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import LiveServer

pytestmark = needs_chromium

TYPED_QUERY = """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX actor: <https://w3id.org/sugraph/id/actor/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { actor:nato rdfs:label ?label FILTER(LANG(?label) = "en")}"""


def editor(browser: WebDriver) -> ShadowRoot:
    """The editor's shadow root, once the script has put it in place of the textarea."""
    host = WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".sparql-editor"))[0]
    return host.shadow_root


def choose(browser: WebDriver, root: ShadowRoot, label: str, screenshot: str | None = None) -> None:
    """Wait for the completion offered under `label` and take it (after a screenshot of the list, if named)."""

    def offered(_: object) -> WebElement | None:
        options = root.find_elements(By.CSS_SELECTOR, ".cm-tooltip-autocomplete li")
        return next((o for o in options if o.find_element(By.CSS_SELECTOR, ".cm-completionLabel").text == label), None)

    option = WebDriverWait(root, 10).until(offered)
    if screenshot:
        shot(browser, screenshot)
    option.click()


def type_in(browser: WebDriver, *keys: str) -> None:
    """Keys to the focused element, where the caret is (an element's send_keys would move it to the end)."""
    ActionChains(browser).send_keys(*keys).perform()


def field(browser: WebDriver) -> str:
    return browser.execute_script("return document.querySelector('textarea[name=query]').value")


def test_the_editor_highlights_and_matches_brackets_under_the_csp(browser: WebDriver, server: LiveServer) -> None:
    browser.get(server.url + "/workbench")
    root = editor(browser)
    assert not browser.find_element(By.ID, "query").is_displayed()
    # CodeMirror's own styles apply (a constructed stylesheet in the shadow root, which the CSP allows).
    assert (
        browser.execute_script(
            "return getComputedStyle(arguments[0]).display", root.find_element(By.CSS_SELECTOR, ".cm-editor")
        )
        == "flex"
    )
    keyword = next(s for s in root.find_elements(By.CSS_SELECTOR, ".cm-line span") if s.text == "SELECT")
    plain = root.find_element(By.CSS_SELECTOR, ".cm-content")
    colour = "return getComputedStyle(arguments[0]).color"
    assert browser.execute_script(colour, keyword) != browser.execute_script(colour, plain)
    plain.click()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.END).key_up(Keys.CONTROL).perform()
    type_in(browser, Keys.ARROW_UP, Keys.ARROW_UP, Keys.ARROW_UP, Keys.END)  # after the query's "}"
    assert [b.text for b in root.find_elements(By.CSS_SELECTOR, ".cm-matchingBracket")] == ["{", "}"]


def test_the_editor_completes_prefixes_terms_and_entities_and_runs_the_query(
    browser: WebDriver, server: LiveServer
) -> None:
    browser.get(server.url + "/workbench")
    browser.execute_script("localStorage.clear()")
    root = editor(browser)
    content = root.find_element(By.CSS_SELECTOR, ".cm-content")
    content.click()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(
        Keys.BACK_SPACE
    ).perform()
    type_in(browser, "PREFIX fo")
    choose(browser, root, "foaf: <http://xmlns.com/foaf/0.1/>")
    type_in(browser, Keys.ENTER, "SELECT ?label WHERE { nato")
    choose(browser, root, "NATO", screenshot="editor-entity-completion")
    type_in(browser, " rdf")
    choose(browser, root, "rdfs:")  # a prefix, whose terms are offered next
    type_in(browser, "lab")
    choose(browser, root, "rdfs:label")
    type_in(browser, ' ?label FILTER(LANG(?label) = "en")')
    assert field(browser) == TYPED_QUERY
    shot(browser, "editor-completed")

    page = browser.find_element(By.TAG_NAME, "html")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(page))
    cells = browser.find_elements(By.CSS_SELECTOR, "table.results tbody td")
    assert [c.text for c in cells] == ["North Atlantic Treaty Organization"]

    browser.get(server.url + "/workbench")
    history = browser.find_element(By.CSS_SELECTOR, "details.query-history")
    history.find_element(By.TAG_NAME, "summary").click()
    assert history.find_element(By.TAG_NAME, "summary").text == "Recent queries in this browser (1)"
    entry = history.find_element(By.CSS_SELECTOR, "li a")
    assert entry.text == 'SELECT ?label WHERE { actor:nato rdfs:label ?label FILTER(LANG(?label) = "en")}'
    shot(browser, "editor-history")
    follow(browser, entry)
    assert field(browser) == TYPED_QUERY
    assert [c.text for c in browser.find_elements(By.CSS_SELECTOR, "table.results tbody td")] == [
        "North Atlantic Treaty Organization"
    ]
    browser.find_element(By.CSS_SELECTOR, "details.code-snippets summary").click()
    assert [b.text for b in browser.find_elements(By.CSS_SELECTOR, "details.code-snippets button.copy")] == ["Copy"] * 3
    shot(browser, "editor-code")


def test_without_javascript_the_textarea_submits(browser_nojs: WebDriver, server: LiveServer) -> None:
    browser_nojs.get(server.url + "/workbench")
    assert browser_nojs.find_elements(By.CSS_SELECTOR, ".sparql-editor") == []
    box = browser_nojs.find_element(By.ID, "query")
    assert box.is_displayed()
    box.clear()
    box.send_keys(TYPED_QUERY)
    follow(browser_nojs, box.find_element(By.XPATH, "./ancestor::form"))
    cells = browser_nojs.find_elements(By.CSS_SELECTOR, "table.results tbody td")
    assert [c.text for c in cells] == ["North Atlantic Treaty Organization"]
    assert browser_nojs.find_element(By.CSS_SELECTOR, "details.code-snippets summary").text == "Code for this query"


def test_the_editor_carries_the_error_of_a_query_that_cannot_run(browser: WebDriver, server: LiveServer) -> None:
    browser.get(server.url + "/workbench?query=SELECT+WHERE+nothing")
    content = editor(browser).find_element(By.CSS_SELECTOR, ".cm-content")
    error = browser.find_element(By.ID, "query-error").text
    assert (content.get_attribute("aria-invalid"), content.get_attribute("aria-description")) == ("true", error)
    assert content.get_attribute("aria-label") == "SPARQL query"
