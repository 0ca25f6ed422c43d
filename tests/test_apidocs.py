"""/docs works offline and under the Content-Security-Policy: every asset is same-origin and served."""

import re

import httpx


def test_docs_page_references_only_same_origin_assets(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == sorted(["/swagger-ui/swagger-ui.css", "/openapi.json",
                                     "/queries", "/swagger-ui/swagger-ui-bundle.js", "/static/swagger-init.js"])
    assert "<script>" not in page.text


def test_docs_assets_are_served(client: httpx.Client) -> None:
    for path, kind in [("/swagger-ui/swagger-ui-bundle.js", "javascript"), ("/swagger-ui/swagger-ui.css", "text/css"),
                       ("/static/swagger-init.js", "javascript")]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert kind in r.headers["content-type"], path


def test_openapi_lists_the_headline_named_query(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/queries/measures-by-threat-and-actor" in paths
