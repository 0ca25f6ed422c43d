"""What every route serves from, in one typed object: the settings, the graph, its store and what is
derived from them (the pages' snapshot, documents rendered once).

A request takes the context once (`context(request)`) and uses that object throughout, so it sees
one graph and its store even if a reload swaps in another meanwhile: a reload replaces the whole
context in one assignment, and the caches, which hang on the context, go with the graph they
were computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TypeVar

from starlette.applications import Starlette
from starlette.requests import Request

from ..build import KnowledgeGraph
from ..config import Settings
from ..named_queries import load_queries, queries_folder
from ..store import Store
from ..store.prebuilt import LazyKnowledgeGraph, built
from . import ahead
from .pages.site import Site

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class ServingContext:
    settings: Settings
    graph: KnowledgeGraph | LazyKnowledgeGraph  # lazy when the store came from the cache
    store: Store
    _documents: dict[str, object] = field(default_factory=dict, repr=False)
    ahead_progress: ahead.Progress = field(default_factory=ahead.Progress)  # the named queries answered ahead

    @property
    def version(self) -> str:
        """The data version (ETags, /health), known without parsing the sources."""
        return self.graph.version

    @property
    def kg(self) -> KnowledgeGraph:
        """The rdflib graphs (dumps, VoID, the ontology's documents): parsed and reasoned on first
        use when the server started from a cached store."""
        return built(self.graph)

    @cached_property
    def site(self) -> Site:
        """The snapshot the pages read labels, types and counts from: the store's snapshot file,
        opened (or built once) before the first request by the pages' lifespan, or on first use."""
        return Site.from_store(self.store, load_queries(queries_folder(self.settings)))

    def answer_ahead(self) -> None:
        """Once the site is open: the named questions' offered pages asked in the background, so
        their slow answers are kept beside the store before a reader opens one (web/ahead.py)."""
        site = self.site
        members = partial(site.members, lang="en")
        ahead.in_background(self.store, site.queries, members, self.settings.max_rows, self.ahead_progress)

    def once(self, key: str, build: Callable[[], T]) -> T:
        """Something computed from the (read-only) graph the first time it is asked for, then reused."""
        if key not in self._documents:  # two first requests may both build it: the same value
            self._documents[key] = build()
        return self._documents[key]  # type: ignore[return-value]


def install(app: Starlette, ctx: ServingContext) -> None:
    """Serve `ctx` from now on: one assignment, so a request sees either the old context or this one."""
    app.state.context = ctx


def context_of(app: Starlette) -> ServingContext:
    return app.state.context


def context(request: Request) -> ServingContext:
    """The context a route serves this request from; take it once per request."""
    return context_of(request.app)
