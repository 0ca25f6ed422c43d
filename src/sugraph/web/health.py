"""Liveness and readiness probes for process managers, load balancers and CI smoke tests."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..search import LabelIndex
from .context import context

router = APIRouter(tags=["operations"])

READY_TIMEOUT = 2.0  # seconds: a probe must answer fast even when the backend hangs


@router.get("/health", summary="Liveness: the process is up and serving")
async def health(request: Request) -> JSONResponse:
    ctx = context(request)
    problem = ctx.store.health()  # e.g. a query worker that cannot be started again
    if problem:
        return JSONResponse({"status": "degraded", "version": ctx.version, "message": problem}, status_code=503)
    return JSONResponse({"status": "ok", "version": ctx.version})


@router.get("/ready", summary="Readiness: the graph is loaded and the backend answers")
async def ready(request: Request) -> JSONResponse:
    ctx = context(request)
    store = ctx.store
    try:
        # The backend itself, never the result cache; the store stops waiting after READY_TIMEOUT too,
        # so a hung backend does not pile up probe threads.
        await asyncio.wait_for(asyncio.to_thread(store.probe, READY_TIMEOUT), timeout=READY_TIMEOUT)
    except Exception:  # noqa: BLE001 -- any failure means "not ready"; the reason is the backend's
        return JSONResponse(
            {
                "status": "unavailable",
                "backend": store.name,
                "isolation": store.isolation,
                "message": "the query backend does not answer",
            },
            status_code=503,
        )
    if problem := store.health():
        return JSONResponse(
            {"status": "degraded", "backend": store.name, "isolation": store.isolation, "message": problem},
            status_code=503,
        )
    # isolation: how the engine is kept off the network; "none: …" means every SERVICE is refused
    return JSONResponse(
        {
            "status": "ready",
            "backend": store.name,
            "isolation": store.isolation,
            "version": ctx.version,
            "search": search_state(ctx.site.labels),
            "answers_ahead": ctx.ahead_progress.state,
        }
    )


def search_state(labels: LabelIndex) -> str:
    """Whether search is "ready", "building" (a remote backend's index, after start-up: /search
    answers 503 meanwhile) or why it failed; the graph serves either way, so /ready does not fail."""
    if labels.texts is not None:
        return "ready"
    return labels.problem or "building"
