"""Reload the graph in a running server on SIGHUP, never serving a broken one.

There is deliberately no HTTP endpoint for this: only whoever may signal the process can reload.
The sources are parsed and reasoned off the event loop while the old graph keeps serving; if a file
is broken the error (file:line) is logged and nothing changes. On success the app's ServingContext
is replaced by a new one in one assignment, so a request sees either the old graph and store or the
new ones.

The pages' snapshot and the documents rendered once hang on the context, so a reload drops them
with the graph they came from; the new store's snapshot and search index files (built if it has
none) are opened before the swap, the documents are rebuilt on first use. Under `--workers N`, send SIGHUP to the
uvicorn supervisor instead: it replaces workers one by one and keeps an old one if its successor
cannot start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import APIRouter, FastAPI

from ..build import LoadError, SourceSet, find_root, load
from ..errors import SugraphError
from ..store import Store, open_store
from . import context
from .context import ServingContext

log = logging.getLogger(__name__)


class Reloader:
    """Rebuilds the graph and store of one app; closes the stores it retires once in-flight queries
    have had their full time limit to finish."""

    def __init__(self, app: FastAPI, *, owns_store: bool):
        self.app = app
        self._owns_current = owns_store  # may close the store now serving once it is replaced
        self._reloaded = False
        self._lock = threading.Lock()

    def reload(self) -> bool:
        """Swap in a graph built from the current sources; False if they cannot be loaded (or a
        reload is already running), in which case the old graph keeps serving."""
        if not self._lock.acquire(blocking=False):
            log.warning("reload skipped: another reload is running")
            return False
        try:
            return self._reload()
        finally:
            self._lock.release()

    def _reload(self) -> bool:
        current = context.context_of(self.app)
        settings, old_kg, old_store = current.settings, current.graph, current.store
        try:
            root = settings.root or find_root()
            if SourceSet.of(root).content_hash() == old_kg.content_hash:
                log.info("reload: sources unchanged, still serving version %s", old_kg.version)
                return True
            if settings.strict:
                from ..validation.shacl import conforming_load

                kg = conforming_load(root, inference=settings.inference)
            else:
                kg = load(root, inference=settings.inference)
        except LoadError as e:
            log.error("reload failed, still serving version %s: %s", old_kg.version, e)
            return False
        store = open_store(settings, kg)
        fresh = ServingContext(settings, kg, store)
        try:  # the pages' snapshot and search index (built now if new), before any request sees them
            fresh.site.labels.wait()  # a remote backend's index is built in a thread: this one waits for it
        except SugraphError as e:
            log.error("reload failed, still serving version %s: the pages' snapshot: %s", old_kg.version, e)
            store.close()
            return False
        context.install(self.app, fresh)
        fresh.answer_ahead()
        log.info("reloaded: now serving version %s (was %s)", kg.version, old_kg.version)
        if self._owns_current:
            self._retire(old_store, after=settings.query_timeout + 1)
        self._owns_current = self._reloaded = True
        return True

    @staticmethod
    def _retire(store: Store, after: float) -> None:
        timer = threading.Timer(after, store.close)
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        """At shutdown: close the current store if a reload opened it (create_app closes its own)."""
        if self._reloaded:
            context.context_of(self.app).store.close()

    def on_signal(self) -> None:
        asyncio.get_running_loop().run_in_executor(None, self.reload)


def install(app: FastAPI, *, owns_store: bool) -> None:
    """Make `app` reloadable; call last in create_app, once its context is installed."""
    reloader = app.state.reloader = Reloader(app, owns_store=owns_store)  # tests reload without a signal
    app.include_router(APIRouter(lifespan=partial(_sighup, reloader)))


@asynccontextmanager
async def _sighup(reloader: Reloader, app: FastAPI) -> AsyncIterator[None]:
    """Listen for SIGHUP while the server runs (only possible in the main thread, so not in tests
    that run uvicorn in a thread: they call `Reloader.reload` directly)."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, reloader.on_signal)
        listening = True
    except (RuntimeError, ValueError, NotImplementedError, AttributeError):
        listening = False
    try:
        yield
    finally:
        if listening:
            loop.remove_signal_handler(signal.SIGHUP)
        reloader.close()
