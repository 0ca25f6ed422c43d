"""The FastAPI application: wires settings, the built graph and the store to the routers.

Each router module owns one kind of resource and serves it from the request's `ServingContext`
(web/context.py): the settings, the graph (for dumps and metadata), the store (for every query) and
what is derived from them.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from .. import __version__
from ..build import KnowledgeGraph
from ..config import Settings
from ..store import Store, open_store
from ..store.prebuilt import LazyKnowledgeGraph
from . import apidocs, context, dumps, errors, health, linkeddata, middleware, ontology, queries, reload, sparql
from .context import ServingContext
from .pages import routes as pages


def create_app(
    settings: Settings | None = None, *, kg: KnowledgeGraph | None = None, store: Store | None = None
) -> FastAPI:
    settings = settings or Settings.from_env()
    # Without a kg, only the source files are hashed: a cached store serves at once, and the rdflib
    # graphs are built the first time a route needs them.
    if kg is None and settings.strict:  # validated before anything is served: seconds at 100x, not ms
        from ..validation.shacl import conforming_load

        kg = conforming_load(settings.root, settings.inference)
    graph = kg or LazyKnowledgeGraph(settings.root, settings.inference, settings.cache_dir)
    owned = store is None
    store = store or open_store(settings, graph)
    app = FastAPI(
        title="sugraph",
        version=__version__,
        on_shutdown=[store.close] if owned else [],
        docs_url=None,
        redoc_url=None,  # /docs comes from apidocs: offline, no inline script
        description="The Security Union knowledge graph: SPARQL, named queries and linked data.",
        # No OpenTelemetry here: FastAPI would otherwise ask its providers on every request (~5% of a cheap query).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(sparql.Endpoint)  # innermost: /sparql inside every middleware, ahead of the routing
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    middleware.install(app, settings)  # outermost: limits, request id, CORS, security headers, last resort, log
    errors.install(app)
    context.install(app, ServingContext(settings, graph, store))
    # Routers are included here, one line per module (sparql, queries, linkeddata, pages, …).
    app.include_router(sparql.router)
    app.include_router(queries.router(settings))
    app.include_router(health.router)
    app.include_router(apidocs.router)
    app.include_router(linkeddata.router)
    app.include_router(dumps.router)
    app.include_router(ontology.router)
    app.include_router(pages.router)  # keep last: the site's catch-all pages yield to every API route
    reload.install(app, owns_store=owned)  # SIGHUP rebuilds the graph and swaps the context
    return app
