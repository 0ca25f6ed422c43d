"""Headless Chromium for the browser tests: a driver with JavaScript on or off, full-page screenshots
saved to tests/screenshots/, and waiting for the next page or a download.

Needs Debian's `chromium` and `chromium-driver` (installed by scripts/test.sh). A browser test file
sets `pytestmark = needs_chromium` and asks for the `browser` (or `browser_nojs`) fixture from conftest.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver, WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

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

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)",
)


@contextmanager
def chromium(downloads: Path, javascript: bool = True) -> Iterator[WebDriver]:
    """A headless Chromium that saves downloads into `downloads`, with or without JavaScript."""
    profile = tempfile.mkdtemp(prefix="sugraph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    prefs: dict[str, object] = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shot(driver: WebDriver, name: str) -> Path:
    """A full-page screenshot: the window is stretched to the page's height first."""
    SHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 150, 6000))
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path


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
