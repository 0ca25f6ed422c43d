"""The FastAPI application: wires settings, the built graph and the store to the routers.

Each router module owns one kind of resource and reads what it needs from `request.app.state`:
`settings` (Settings), `kg` (KnowledgeGraph, for dumps and metadata) and `store` (Store, for every query).
"""

from __future__ import annotations

from fastapi import FastAPI

from .. import __version__
from ..build import KnowledgeGraph, load
from ..config import Settings
from ..store import Store
from ..store.oxigraph import OxigraphStore
from . import health


def create_app(settings: Settings | None = None, *, kg: KnowledgeGraph | None = None,
               store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    kg = kg or load(settings.root, inference=settings.inference)
    store = store or OxigraphStore.from_graph(kg)
    app = FastAPI(title="sugraph", version=__version__,
                  description="The Security Union knowledge graph: SPARQL, named queries and linked data.")
    app.state.settings = settings
    app.state.kg = kg
    app.state.store = store
    # Routers are included here, one line per module (sparql, queries, linkeddata, pages, …).
    app.include_router(health.router)
    return app
