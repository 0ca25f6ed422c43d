"""One renderer for every error the service answers with, whoever raised it (a route, the store,
FastAPI's validation, Starlette's routing, the middlewares): plain text for SPARQL clients (what
the protocol's clients print), the site's error page for browsers, RFC 9457 problem+json for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from ..errors import SugraphError
from .conneg import negotiate
from .formats import HTML
from .layout import error_page

PROBLEM = "application/problem+json"
SPARQL_PATH = "/sparql"


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    page: bool = True,
    headers: Mapping[str, str] | None = None,
    **members: str,
) -> Response:
    """The answer to a failure: `message` is written for the client; `members` add to the problem
    (a request id). `page` False when the site itself may be what failed (the last resort)."""
    if request.scope["path"].removeprefix(request.scope.get("root_path", "")) == SPARQL_PATH:
        lines = [message, *(f"{key.replace('_', ' ')}: {value}" for key, value in members.items())]
        return PlainTextResponse("\n".join(lines), status_code=status, headers=headers)
    if page and negotiate(request.headers.get("accept"), (PROBLEM, HTML.media_type)) == HTML.media_type:
        response = error_page(request, status, message)
        response.headers.update(headers or {})
        return response
    problem = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        **members,
    }
    return Response(json.dumps(problem, ensure_ascii=False), status_code=status, media_type=PROBLEM, headers=headers)


def _sugraph_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, SugraphError)
    return error_response(request, error.status, str(error))


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_response(request, error.status_code, str(error.detail), headers=error.headers)


def _invalid(request: Request, error: Exception) -> Response:
    """FastAPI's checks of typed parameters (`limit=0`), as one readable sentence."""
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
    return error_response(request, 422, problems)


def install(app: FastAPI) -> None:
    app.add_exception_handler(SugraphError, _sugraph_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
