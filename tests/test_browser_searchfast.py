"""Search while its index is built, in Chromium with JavaScript off: a remote backend's index comes
after start-up, so /search says it is not ready yet (503), then answers; counts past the budget
are shown as lower bounds. Screenshots tests/screenshots/searchfast-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browserkit import needs_chromium, shot
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_search_index import GatedRemote

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.web.context import context_of

from conftest import ROOT, LiveServer, serve

pytestmark = needs_chromium


@pytest.fixture
def remote(kg: KnowledgeGraph) -> Iterator[tuple[LiveServer, GatedRemote]]:
    store = GatedRemote.from_graph(kg)
    assert isinstance(store, GatedRemote)
    try:
        with serve(Settings(root=ROOT), kg=kg, store=store) as live:
            yield live, store
    finally:
        store.gate.set()


def test_search_says_it_is_not_ready_then_answers(
    browser_nojs: WebDriver, remote: tuple[LiveServer, GatedRemote]
) -> None:
    live, store = remote
    browser_nojs.get(live.url + "/search?q=otan&lang=en")
    assert browser_nojs.find_element(By.CSS_SELECTOR, "p.error").text == (
        "Search is not ready yet: its index is being built. Try again in a few seconds."
    )
    shot(browser_nojs, "searchfast-1-not-ready")

    store.gate.set()
    context_of(live.server.config.app).site.labels.wait(30)
    browser_nojs.refresh()
    assert browser_nojs.find_element(By.CSS_SELECTOR, "ol.hits a.hit").text == "North Atlantic Treaty Organization"
    shot(browser_nojs, "searchfast-2-ready")


def test_counts_past_the_budget_are_lower_bounds(
    browser_nojs: WebDriver, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sugraph.search.COUNT_BUDGET", 40)
    monkeypatch.setattr("sugraph.search.RANK_BUDGET", 10)  # a short page for the screenshot
    browser_nojs.get(server.url + "/search?q=e&lang=fr")
    counts = [a.text for a in browser_nojs.find_elements(By.CSS_SELECTOR, "nav.search-kinds a")]
    assert all(text.endswith("+") for text in counts), counts
    assert browser_nojs.find_element(By.CSS_SELECTOR, "p[role=status]").text.startswith(
        f"{counts[0].split()[-1]} résultat(s) pour « e »"
    )
    shot(browser_nojs, "searchfast-3-lower-bounds")
