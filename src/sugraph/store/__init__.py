"""Query backends: the embedded pyoxigraph store (default) or a remote SPARQL 1.1 endpoint."""

from .base import BackendError, QueryError, QueryTimeout, Store

__all__ = ["BackendError", "QueryError", "QueryTimeout", "Store"]
