"""The source coverage map (data/coverage/*.tsv): every sentence of both sources has a row, each row
is up to date with its sentence, and every IRI a row names is in the graph. Needs the sources in
../shared/seeds (or $SUGRAPH_SHARED/seeds); CI has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sugraph.build import KnowledgeGraph
from sugraph.coverage import (
    NOT_MODELLED,
    SOURCES,
    Row,
    draft,
    fingerprint,
    map_path,
    problems,
    read_map,
    seeds_dir,
    split,
    start_of,
    write_map,
)

from conftest import ROOT

pytestmark = pytest.mark.skipif(not seeds_dir(ROOT).is_dir(), reason=f"the sources are not at {seeds_dir(ROOT)}")


def sentences(doc: str) -> list[str]:
    return split((seeds_dir(ROOT) / SOURCES[doc]).read_text(encoding="utf-8"))


def test_the_shipped_maps_have_no_problem(kg: KnowledgeGraph) -> None:
    assert problems(ROOT, kg.asserted) == []


def test_the_shipped_maps_are_what_the_data_implies(kg: KnowledgeGraph) -> None:
    """Changing the data without `python -m sugraph.coverage draft` leaves a map out of date: this fails."""
    assert {doc: read_map(map_path(ROOT, doc)) for doc in SOURCES} == draft(ROOT, kg.asserted)


@pytest.mark.parametrize("doc,count", [("ip-17-1789", 51), ("ip-20-1379", 80)])
def test_every_sentence_has_exactly_one_row(doc: str, count: int) -> None:
    rows = read_map(map_path(ROOT, doc))
    assert ([r.n for r in rows], len(sentences(doc))) == (list(range(1, count + 1)), count)


def test_each_row_either_yields_iris_or_says_why_not() -> None:
    rows = [r for doc in SOURCES for r in read_map(map_path(ROOT, doc))]
    assert [r for r in rows if not r.iris and not r.yields.startswith(NOT_MODELLED)] == []
    assert sum(1 for r in rows if not r.iris) == 19


def test_the_splitter_keeps_abbreviations_headings_and_broken_paragraphs_whole() -> None:
    text = (
        "Le premier vice-président, M. Frans Timmermans, a déclaré: «Nous agissons. Nous proposons.»\n\n"
        "### 1. Un environnement sûr\n\nElle crée une **unité**\n\n"
        "**conjointe de cybersécurité**, en tant que plateforme.\n"
        "Justice pénale: elle examine des preuves numériques.Elle examine aussi le chiffrement."
    )
    assert split(text) == [
        "Le premier vice-président, M. Frans Timmermans, a déclaré: «Nous agissons.",
        "Nous proposons.»",
        "1. Un environnement sûr",
        "Elle crée une unité conjointe de cybersécurité, en tant que plateforme.",
        "Justice pénale: elle examine des preuves numériques.",
        "Elle examine aussi le chiffrement.",
    ]


def test_the_vice_presidents_sentence_yields_him_under_his_right_name() -> None:
    row = read_map(map_path(ROOT, "ip-20-1379"))[4]
    assert (row.start, row.iris) == (
        "Margaritis Schinias, vice-président chargé de la",
        [
            "person:margaritis-schinas",
            "post:vice-president-promoting-european-way-of-life",
            "role:vice-president-promoting-european-way-of-life",
        ],
    )


def copy_of_root(tmp_path: Path) -> Path:
    """A root whose data/coverage the test may break; the sources stay where they are."""
    root = tmp_path / "repo"
    (root / "data" / "coverage").mkdir(parents=True)
    return root


def rows_of(doc: str) -> list[Row]:
    return read_map(map_path(ROOT, doc))


def test_a_missing_row_an_unknown_iri_and_a_stale_row_are_each_reported(
    tmp_path: Path, kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUGRAPH_SHARED", str(seeds_dir(ROOT).parent))
    root = copy_of_root(tmp_path)
    old, new = rows_of("ip-17-1789"), rows_of("ip-20-1379")
    old[6] = Row(7, old[6].start, old[6].hash, "measure:no-such-measure sug:addresses")
    write_map(map_path(root, "ip-17-1789"), old[:-1])  # the last sentence loses its row
    first = sentences("ip-20-1379")[0]
    new[0] = Row(1, start_of(first), fingerprint(first + " changé"), new[0].yields)  # the source changed
    write_map(map_path(root, "ip-20-1379"), new)
    assert problems(root, kg.asserted) == [
        "ip-17-1789.tsv: row 7 names measure:no-such-measure, which is not in the graph",
        "ip-17-1789.tsv: sentence 51 ('Side Bar') has no row",
        "ip-20-1379.tsv: row 1 is out of date with the source (now \"Stratégie de l'UE sur l'union de\")",
    ]
