"""The prebuilt on-disk store, keyed on the content hash of the sources, so a restart is fast.

A store is built once per (sources, inference mode) into `cache_dir/stores/<key>`: filled in a
temporary folder, marked complete, then renamed into place, so a crash or a concurrent start never
leaves a half-built store that looks finished. A server whose sources are unchanged opens the store
read-only and never parses or reasons again; `LazyKnowledgeGraph` defers that work until some
route really needs the rdflib graphs. The pages' snapshot and the full-text index of a store are
files in its folder (snapshot.py, search.py): valid exactly as long as the store, pruned with it;
they are built once, reading the store in-process (`rows_of`).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import logging
import os
import shutil
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .. import __version__
from ..build import KnowledgeGraph, SourceSet, find_root, load
from ..files import replaced
from ..terms import Term

log = logging.getLogger(__name__)

_COMPLETE = "COMPLETE"
_IN_USE = "IN_USE"  # every server holds a shared lock on it while the store is open
KEEP_STORES = 3
KEEP_HASHES = 16  # the sources' hashes remembered (a few bytes each), newest first


def cache_key(content_hash: str, inference: str) -> str:
    return f"{content_hash[:32]}-{inference}"


def prebuilt_store(cache_dir: Path, key: str, fill: Callable[[ox.Store], None]) -> Path:
    """The folder of the store for `key`, built with `fill` unless a complete one is already there."""
    stores = cache_dir / "stores"
    path = stores / key
    if (path / _COMPLETE).is_file():
        log.info("reusing the prebuilt store %s", path)
        return path
    stores.mkdir(parents=True, exist_ok=True)
    _remove_orphans(stores)
    building = stores / f".{key}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        store = ox.Store(str(building))
        fill(store)
        store.flush()
        store.optimize()
        del store
        gc.collect()  # pyoxigraph closes the database when the object is freed
        (building / _IN_USE).touch()
        (building / _COMPLETE).write_text(key)
    except BaseException as error:
        store = None  # noqa: F841 -- drop our reference so pyoxigraph closes the database
        traceback.clear_frames(error.__traceback__)  # `fill`'s frames still hold the store open
        gc.collect()
        shutil.rmtree(building, ignore_errors=True)
        raise
    if path.exists():  # an unfinished leftover, or a concurrent builder that won the race
        if (path / _COMPLETE).is_file():
            shutil.rmtree(building, ignore_errors=True)
            return path
        shutil.rmtree(path, ignore_errors=True)
    os.replace(building, path)
    _prune(stores, keep=KEEP_STORES)
    return path


def rows_of(path: Path) -> Callable[[str], Iterator[dict[str, Term]]]:
    """Rows of our own SELECT queries, read in this process from the prebuilt store at `path`, for
    the builds that read the whole store (the pages' snapshot, the search index): through the
    query workers they would be serialized, bounded by the response cap and stopped by the time
    limit (a 1000× store's types take longer than the default 10 s). The store is opened for each
    query and closed after it, so the server does not keep the engine's caches."""

    def rows(sparql: str) -> Iterator[dict[str, Term]]:
        store = ox.Store.read_only(str(path))
        result = store.query(sparql, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)  # our queries are SELECTs
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: term for n in names if (term := solution[n]) is not None}

    return rows


def _remove_orphans(stores: Path) -> None:
    """Drop the half-built folders (`.{key}.{pid}.{thread}`) of builders that died mid-build."""
    for folder in stores.glob(".*.*.*"):
        try:
            pid = int(folder.name.rsplit(".", 2)[1])
        except ValueError:
            continue
        if pid > 0 and pid != os.getpid() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _prune(stores: Path, keep: int) -> None:
    """Drop all but the `keep` most recently built stores, so the cache does not grow forever, and
    never one that a server (this one or a replica sharing the cache) has open: its lock is held."""
    built = sorted(
        (p for p in stores.iterdir() if (p / _COMPLETE).is_file()),
        key=lambda p: (p / _COMPLETE).stat().st_mtime,
        reverse=True,
    )
    for old in built[keep:]:
        try:
            with open(old / _IN_USE, "rb") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(old, ignore_errors=True)
        except BlockingIOError:
            log.info("keeping the store %s: a server has it open", old)
        except FileNotFoundError:  # built before stores were locked
            shutil.rmtree(old, ignore_errors=True)


def hold(path: Path):
    """A shared lock on the store at `path`, released by `.close()` or when the process ends
    (kill -9 included), so a store is pruned only once no server has it open."""
    lock: IO[bytes]
    try:
        lock = open(path / _IN_USE, "ab")  # noqa: SIM115 -- held for the store's lifetime
    except OSError:  # a read-only cache: the file was made with the store
        lock = open(path / _IN_USE, "rb")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_SH)
    return lock


def remembered_hash(sources: SourceSet, cache_dir: Path | None) -> str:
    """The sources' content hash, remembered in `cache_dir` under the files' identity (path, size,
    modification and change times in ns, inode), so a restart does not read every source byte
    again: 3.2 s for the 849 MB of data at 1000× (bench/RESULTS.md). A file written since has a new
    change time (which no program can set back), so it is hashed again."""
    if cache_dir is None:
        return sources.content_hash()
    files = [f for group in (sources.ontology, sources.shapes, sources.data) for f in group]
    identity = [(str(f.resolve()), *_stat(f)) for f in files]
    key = hashlib.sha256(json.dumps([__version__, identity]).encode()).hexdigest()[:32]
    memo = cache_dir / "hashes" / key
    try:
        return memo.read_text()
    except OSError:
        pass
    found = sources.content_hash()
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        with replaced(memo) as partial:
            partial.write_text(found)
        for old in sorted(memo.parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP_HASHES:]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only cache: hashed at every start
        pass
    return found


def _stat(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


class LazyKnowledgeGraph:
    """The identity of a KnowledgeGraph now, its rdflib graphs only when asked for (`loaded()`).

    `sources`, `content_hash` and `version` (what the store cache and ETags need) come from hashing
    the source files (remembered in `cache_dir`, so a restart only reads their stat); `loaded()`
    parses and reasons once, under a lock."""

    def __init__(self, root: Path | None, inference: str, cache_dir: Path | None = None):
        self._root = root or find_root()
        self._inference = inference
        self.sources: SourceSet = SourceSet.of(self._root)
        self.content_hash: str = remembered_hash(self.sources, cache_dir)
        self._graph: KnowledgeGraph | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.content_hash[:16]

    def loaded(self) -> KnowledgeGraph:
        with self._lock:
            if self._graph is None:
                self._graph = load(self._root, inference=self._inference)
            return self._graph


def built(kg: KnowledgeGraph | LazyKnowledgeGraph) -> KnowledgeGraph:
    """The rdflib graphs of either kind: a lazy one is parsed and reasoned now (once)."""
    return kg.loaded() if isinstance(kg, LazyKnowledgeGraph) else kg
