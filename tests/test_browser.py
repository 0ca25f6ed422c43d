"""A reader's visit in headless Chromium, saving a screenshot of each step to tests/screenshots/.

Home → search "OTAN" → NATO's page → a measure it partners in → the headline question in the
workbench (threat and actor picked from the form's lists) → its CSV download. Needs Debian's
`chromium` and `chromium-driver` (installed by the CI script).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver, WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = Path(__file__).resolve().parent / "screenshots"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def downloads() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sugraph-downloads-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="sugraph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(driver: WebDriver, name: str) -> None:
    """A full-page screenshot: the window is stretched to the page's height first."""
    SHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 150, 6000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 900)


def follow(driver: WebDriver, element: WebElement) -> None:
    """Click (or submit) and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    if element.tag_name == "form":
        element.submit()
    else:
        element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def wait_for_file(folder: Path, pattern: str, timeout: float = 10) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} downloaded into {folder}")


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
    assert csv.read_text(encoding="utf-8").splitlines()[0] == "measure,measureLabel,threatAddressed,threatLabel,role"
    shutil.copy(csv, SHOTS / "6-headline-question.csv")
