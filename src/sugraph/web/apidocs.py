"""/docs: the OpenAPI explorer (Swagger UI 5, which reads OpenAPI 3.1), served from the files the
fastapi-offline package ships.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; this one
works offline and under the site's Content-Security-Policy (same-origin scripts only)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter(include_in_schema=False)
router.mount("/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sugraph API</title>
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
</head>
<body>
<noscript><p>The interactive API explorer needs JavaScript. The OpenAPI description itself is at
<a href="/openapi.json">/openapi.json</a>; the named questions are listed at <a href="/queries">/queries</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
