"""The quality checks: none fires on the conforming fixture and the shipped ontology, and each
reports exactly the expected result on its violating fixture (data checks add a data file, ontology
checks an ontology file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sugraph.validation.quality import Check, load_check, load_checks
from sugraph.validation.report import CHECKS_NS, Report
from sugraph.validation.shacl import validate

from expectations import CONFORMING, FIXTURES, described, expected

ROOT = Path(__file__).resolve().parent.parent
DATA_FIXTURES = sorted((FIXTURES / "checks").glob("*.ttl"))
ONTOLOGY_FIXTURES = sorted((FIXTURES / "checks" / "ontology").glob("*.ttl"))


def check_results(report: Report) -> list[dict]:
    """Only the quality checks' results (the fixtures may break shapes too; test_shapes covers those)."""
    return [described(r) for r in report.results if str(r.source).startswith(CHECKS_NS)]


@pytest.fixture(scope="module")
def conforming() -> Report:
    return validate([CONFORMING], checks=True)


@pytest.mark.parametrize("check", load_checks(), ids=lambda c: c.name)
def test_check_finds_nothing_in_the_conforming_fixture(check: Check, conforming: Report):
    assert [r for r in conforming.results if r.source == check.iri] == []


@pytest.mark.parametrize("fixture", DATA_FIXTURES, ids=lambda p: p.stem)
def test_data_check_reports_exactly_the_expected_result(fixture: Path):
    assert check_results(validate([CONFORMING, fixture], checks=True)) == [expected(fixture)]


@pytest.mark.parametrize("fixture", ONTOLOGY_FIXTURES, ids=lambda p: p.stem)
def test_ontology_check_reports_exactly_the_expected_result(fixture: Path):
    report = validate([CONFORMING], ontology=[ROOT / "ontology", fixture], checks=True)
    assert check_results(report) == [expected(fixture)]


def test_every_check_has_a_violating_fixture():
    names = {expected(f)["source"] for f in DATA_FIXTURES + ONTOLOGY_FIXTURES}
    assert names == {f"check:{c.name}" for c in load_checks()}


def test_every_check_is_titled_and_explained_in_english_and_french():
    assert [(c.name, set(c.title), set(c.message)) for c in load_checks()] == [
        (c.name, {"en", "fr"}, {"en", "fr"}) for c in load_checks()
    ]


def test_a_check_without_severity_is_refused_with_its_file_name(tmp_path: Path):
    bad = tmp_path / "no-severity.rq"
    bad.write_text("#+ title: {en: T, fr: T}\n#+ message: {en: M, fr: M}\nSELECT ?focus WHERE {}\n")
    with pytest.raises(ValueError, match=r"no-severity\.rq: the header needs"):
        load_check(bad)


def test_a_reviewed_link_with_a_reason_silences_the_unsupported_link_warning(tmp_path: Path):
    fixture = FIXTURES / "checks" / "unsupported-link.ttl"
    reviewed = tmp_path / "reviewed.ttl"
    reviewed.write_text(
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix sug: <https://w3id.org/sugraph/ontology#> .\n"
        "[] a sug:ReviewedLink ; rdf:subject <https://w3id.org/sugraph/id/measure/unquoted-link> ;\n"
        "   rdf:predicate sug:addresses ; rdf:object <https://w3id.org/sugraph/id/threat/crime> ;\n"
        '   skos:editorialNote "The next sentence names crime."@en , "La phrase suivante nomme la criminalité."@fr .\n'
    )
    assert check_results(validate([CONFORMING, fixture, reviewed], checks=True)) == []


def test_the_shipped_data_has_no_unsupported_link():
    data = sorted((ROOT / "data").glob("*.ttl"))
    assert [r for r in validate(data, checks=True).results if r.source == CHECKS_NS + "unsupported-link"] == []
