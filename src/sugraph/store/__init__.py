"""Query backends: the embedded pyoxigraph store (default) or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING, which mypy knows by name, without importing typing (12 ms)
if TYPE_CHECKING:
    from typing import Any

    from ..build import KnowledgeGraph
    from ..config import Settings

    # What `__getattr__` hands out, typed for the checker (at run time the names come from there).
    from .base import CLIENT, SITE, BackendError, Dataset, QueryError, QueryTimeout, Store
    from .prebuilt import LazyKnowledgeGraph

__all__ = ["CLIENT", "SITE", "BackendError", "Dataset", "QueryError", "QueryTimeout", "Store", "open_store"]


def __getattr__(name: str) -> object:
    """The names of `base`, imported on first use (PEP 562): a query worker, which lives in this
    package, then imports neither rdflib (through the builder) nor anyio."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(".base", __name__), name)


def open_store(settings: Settings, kg: KnowledgeGraph | LazyKnowledgeGraph) -> Store:
    """The backend the settings ask for: the remote endpoint if one is set, else worker processes
    over the prebuilt store for `kg` (built now unless the cache already has it)."""
    options: dict[str, Any] = {
        "timeout": settings.query_timeout,
        "cache_bytes": settings.result_cache_bytes,
        "allowed_endpoints": settings.allowed_service_endpoints,
    }
    if settings.endpoint:
        from .remote import RemoteStore

        return RemoteStore(settings.endpoint, **options)
    from .oxigraph import load_into
    from .pool import PooledStore
    from .prebuilt import cache_key, prebuilt_store

    path = prebuilt_store(
        settings.cache_dir, cache_key(kg.content_hash, settings.inference), lambda store: load_into(store, kg)
    )
    return PooledStore(
        path,
        workers=settings.query_workers,
        isolation=settings.isolation,
        max_response_bytes=settings.max_response_bytes,
        answers_bytes=settings.answers_bytes,
        **options,
    )
