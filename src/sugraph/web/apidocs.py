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

from .layout import ENV

SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter(include_in_schema=False)
router.mount("/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")

PAGE = ENV.get_template("apidocs.html").render()


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
