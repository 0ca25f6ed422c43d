"""Answers kept on disk beside a prebuilt store: a site query the engine took long over is not run
again, after a restart or by another replica serving the same folder.

A prebuilt store never changes (its folder is named by the content it was built from, and a new
data version is a new folder), so an answer it gave stays its answer for as long as the folder
lives; the engine's version, the code that prepares and runs a query (`answering_code`) and the
store's answer limits are part of every key, so an upgrade or another limit never reads an older
answer. Only answers that cost the engine at least
`MIN_SECONDS` are kept (cheaper ones are recomputed faster than a disk read is worth), and those
asked ahead of their readers (a bounded set: the named queries' offered pages), compressed;
the file is bounded in bytes, oldest answers out first, those asked ahead last (readers' own
parameter values, however many, cannot push the offered pages out). A file that cannot be opened or written
(a read-only cache, a full disk, damage) turns the keeping off with one warning: it is never needed
to answer, and a failure here never fails a query.

Which answers are worth having before anyone asks is the web layer's business (web/ahead.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import sqlite3
import threading
import zlib
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

ANSWERS_FILE = "answers-v1.sqlite"
# What turns a text into an answer besides the engine: its checks and rewrites, the engine call and
# the worker around it (a change to any of them may change the bytes of an answer).
ANSWERING_CODE = ("lexer.py", "analysis.py", "prepare.py", "engine.py", "worker.py")
MIN_SECONDS = 0.1  # an answer the engine gave faster than this is not kept
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers(digest BLOB PRIMARY KEY, body BLOB NOT NULL, seconds REAL NOT NULL,
  ahead INTEGER NOT NULL);
"""


def answering_code() -> str:
    """A digest of ANSWERING_CODE's files, for the keys' salt (read once per store: ~100 kB)."""
    digest = hashlib.sha256()
    for name in ANSWERING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def _digests(db: sqlite3.Connection) -> set[bytes]:
    return {row[0] for row in db.execute("SELECT digest FROM answers")}


class AnswerFile:
    """SQLite `answers(digest, body, seconds, ahead)`: zlib-compressed answers by their key's digest.

    The digests present are read once at opening and kept in memory (32 bytes each), so a query
    that was never kept costs a set lookup, not a file read; answers another replica keeps later
    are seen after a restart."""

    def __init__(self, path: Path, salt: str, max_bytes: int) -> None:
        self.path, self.max_bytes, self.min_seconds = path, max_bytes, MIN_SECONDS
        self._salt = salt.encode()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = sqlite3.connect(path, check_same_thread=False, timeout=5)
        self._db.execute("PRAGMA journal_mode=WAL")  # replicas read while one writes
        self._db.executescript(_SCHEMA)
        self._digests = _digests(self._db)

    @classmethod
    def beside(cls, folder: Path, salt: str, max_bytes: int) -> AnswerFile | None:
        """The answer file of a store folder, or None (with a warning) when it cannot be opened."""
        if max_bytes <= 0:
            return None
        try:
            return cls(folder / ANSWERS_FILE, salt, max_bytes)
        except (OSError, sqlite3.Error) as error:
            log.warning("answers will not be kept beside the store at %s: %s", folder, error)
            return None

    @contextmanager
    def one_at_a_time(self) -> Iterator[None]:
        """Hold the file's lock (`<file>.lock`) for a while: the uvicorn workers and replicas that
        answer ahead over the same folder do it in turn, and each one after the first finds the
        answers kept (the digests are read again once the lock is held)."""
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with self._lock:
                    self._digests = _digests(self._db) if self._db else set()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def digest(self, key: Hashable) -> bytes:
        """The key's digest: its repr (texts, numbers, None and the frozen Dataset print exactly)."""
        return hashlib.sha256(self._salt + b"\0" + repr(key).encode("utf-8", "surrogatepass")).digest()

    def __contains__(self, key: Hashable) -> bool:
        return self.digest(key) in self._digests

    def get(self, key: Hashable) -> bytes | None:
        """The kept answer, or None: never kept, or unreadable (then no longer used)."""
        digest = self.digest(key)
        if digest not in self._digests:
            return None
        try:
            with self._lock:
                if self._db is None:
                    return None
                row = self._db.execute("SELECT body FROM answers WHERE digest = ?", (digest,)).fetchone()
            return zlib.decompress(row[0]) if row is not None else None
        except (sqlite3.Error, zlib.error) as error:
            self._off(error)
            return None

    def put(self, key: Hashable, body: bytes, seconds: float, *, ahead: bool = False) -> None:
        """Keep an answer the engine took `seconds` over, if that is long enough (or it was asked
        `ahead` of its readers: a bounded set, then a restart runs none of them again) and it fits."""
        if (seconds < self.min_seconds and not ahead) or self._db is None:
            return
        packed = zlib.compress(body, 1)
        if len(packed) > self.max_bytes:
            return
        digest = self.digest(key)
        try:
            with self._lock:
                if self._db is None:
                    return
                db = self._db
                with db:
                    db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (digest, packed, seconds, ahead))
                    self._evict(db)
                self._digests = _digests(db)  # with what other replicas kept meanwhile
        except sqlite3.Error as error:
            self._off(error)

    def _evict(self, db: sqlite3.Connection) -> None:
        """Drop the oldest answers, those asked ahead last, until the answers fit in `max_bytes`."""
        (total,) = db.execute("SELECT COALESCE(SUM(LENGTH(body)), 0) FROM answers").fetchone()
        oldest = db.execute("SELECT rowid, LENGTH(body) FROM answers ORDER BY ahead, rowid").fetchall()
        for rowid, size in oldest:
            if total <= self.max_bytes:
                break
            db.execute("DELETE FROM answers WHERE rowid = ?", (rowid,))
            total -= size

    def _off(self, error: Exception) -> None:
        log.warning("answers are no longer kept in %s: %s", self.path, error)
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db, self._digests = None, set()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = None
