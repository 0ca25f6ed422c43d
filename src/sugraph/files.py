"""Files written whole or not at all.

The snapshot, the search index and the remembered source hashes are read by other processes (and
by a server started later) while one may be writing them: each is written to a temporary file
beside it, then renamed over it, so a reader never opens a half-written one and two writers never
share a temporary file."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to: renamed to `path` when the block ends
    without error, removed if it raises."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
