"""/docs works offline and under the Content-Security-Policy: every asset is same-origin and served."""

import re

import httpx


def test_docs_page_references_only_same_origin_assets(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == sorted(
        [
            "/swagger-ui/swagger-ui.css",
            "/openapi.json",
            "/queries",
            "/swagger-ui/swagger-ui-bundle.js",
            "/static/swagger-init.js",
        ]
    )
    assert "<script>" not in page.text


def test_docs_assets_are_served(client: httpx.Client) -> None:
    for path, kind in [
        ("/swagger-ui/swagger-ui-bundle.js", "javascript"),
        ("/swagger-ui/swagger-ui.css", "text/css"),
        ("/static/swagger-init.js", "javascript"),
    ]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert kind in r.headers["content-type"], path


def test_openapi_lists_the_headline_named_query(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/queries/measures-by-threat-and-actor" in paths


def test_every_openapi_operation_id_is_unique(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = [op["operationId"] for methods in paths.values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    assert "head" not in {method for methods in paths.values() for method in methods}  # HEAD is served, not documented


def test_head_is_served_beside_get_on_data_routes(client: httpx.Client) -> None:
    for path in ("/ontology", "/.well-known/void", "/dumps/", "/doc/actor/nato"):
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (get.status_code, b""), path
        assert head.headers["content-type"] == get.headers["content-type"], path
