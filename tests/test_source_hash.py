"""The sources' content hash (the key of the prebuilt store) is remembered in the cache under the
files' identity, so a restart reads their stat, not every byte; a rewritten file is hashed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from sugraph.build import SourceSet
from sugraph.store.prebuilt import KEEP_HASHES, LazyKnowledgeGraph, remembered_hash

from sandbox import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_the_remembered_hash_is_the_content_hash(project: Path, tmp_path: Path) -> None:
    sources = SourceSet.of(project)
    assert remembered_hash(sources, tmp_path / "cache") == sources.content_hash()


def test_a_second_start_reads_no_source_byte(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = LazyKnowledgeGraph(project, "owlrl", tmp_path / "cache").content_hash
    monkeypatch.setattr(SourceSet, "content_hash", lambda self: pytest.fail("hashed again"))
    assert LazyKnowledgeGraph(project, "owlrl", tmp_path / "cache").content_hash == first


def test_a_rewritten_source_is_hashed_again(project: Path, tmp_path: Path) -> None:
    before = remembered_hash(SourceSet.of(project), tmp_path / "cache")
    data = sorted((project / "data").glob("*.ttl"))[0]
    data.write_text(data.read_text() + "\n# changed\n")
    sources = SourceSet.of(project)
    assert (remembered_hash(sources, tmp_path / "cache") == before, sources.content_hash() == before) == (False, False)


def test_only_the_newest_hashes_are_kept(project: Path, tmp_path: Path) -> None:
    data = sorted((project / "data").glob("*.ttl"))[0]
    for n in range(KEEP_HASHES + 3):
        data.write_text(data.read_text() + f"\n# edit {n}\n")
        remembered_hash(SourceSet.of(project), tmp_path / "cache")
    assert len(list((tmp_path / "cache" / "hashes").iterdir())) == KEEP_HASHES


def test_a_read_only_cache_still_gives_the_hash(project: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    sources = SourceSet.of(project)
    assert remembered_hash(sources, tmp_path / "cache") == sources.content_hash()
