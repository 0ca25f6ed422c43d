"""The SHACL shapes: each one passes the conforming fixture and reports exactly the expected result
(shape, focus node, path, value, severity, file:line) on its violating fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.namespace import RDF

from sugraph.build import parse_all, rdf_files
from sugraph.namespaces import SH
from sugraph.validation.formats import compact
from sugraph.validation.shacl import validate

from expectations import CONFORMING, FIXTURES, described, expected

ROOT = Path(__file__).resolve().parent.parent
VIOLATING = sorted((FIXTURES / "shapes" / "violating").glob("*.ttl"))
SHAPES = parse_all(rdf_files([ROOT / "shapes"]))
NOT_CONSTRAINTS = {
    SH.name,
    SH.message,
    SH.description,
    SH.severity,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.deactivated,
    SH.order,
    SH.group,
}
ALL_SHAPES = sorted({s for kind in (SH.NodeShape, SH.PropertyShape) for s in SHAPES.subjects(RDF.type, kind)})
PROPERTY_SHAPES = sorted(SHAPES.subjects(RDF.type, SH.PropertyShape))


def own_constraints(shape: URIRef) -> set[URIRef]:
    return {p for p in SHAPES.predicates(shape) if str(p).startswith(str(SH)) and p not in NOT_CONSTRAINTS}


def test_conforming_fixture_has_no_result():
    assert validate([CONFORMING]).results == []


@pytest.mark.parametrize("fixture", VIOLATING, ids=lambda p: p.stem)
def test_violating_fixture_reports_exactly_the_expected_result(fixture: Path):
    assert [described(r) for r in validate([CONFORMING, fixture]).results] == [expected(fixture)]


def test_every_shape_with_constraints_has_a_violating_fixture():
    with_constraints = {compact(s) for s in ALL_SHAPES if own_constraints(s)}
    assert {expected(f)["source"] for f in VIOLATING} == with_constraints


@pytest.mark.parametrize("shape", PROPERTY_SHAPES, ids=compact)
def test_conforming_fixture_exercises_every_property_shape(shape: URIRef):
    data = Graph().parse(CONFORMING)
    path = parse_shacl_path(SHAPES, SHAPES.value(shape, SH.path))
    assert next(data.triples((None, path, None)), None) is not None


@pytest.mark.parametrize("shape", ALL_SHAPES, ids=compact)
def test_every_shape_is_named_and_explained_in_english_and_french(shape: URIRef):
    names = {lit.language for lit in SHAPES.objects(shape, SH.name)}
    messages = {lit.language for lit in SHAPES.objects(shape, SH.message)}
    assert (names, messages) == ({"en", "fr"}, {"en", "fr"})


def test_messages_follow_the_requested_language():
    [result] = validate([CONFORMING, FIXTURES / "shapes" / "violating" / "label.ttl"], lang="fr").results
    assert (result.source_name, result.message) == (
        "libellé en français et en anglais",
        "Il faut exactement un rdfs:label en français (@fr) et un en anglais (@en), et aucune autre langue.",
    )


def test_rdfs_inference_lets_range_axioms_hide_a_wrong_class():
    """Why `--inference none` is the default: sug:involves has range foaf:Agent, so under RDFS a threat
    named as partner becomes an agent and the violation disappears."""
    fixture = FIXTURES / "shapes" / "violating" / "Action-involves.ttl"
    counts = [len(validate([CONFORMING, fixture], inference=mode).results) for mode in ("none", "rdfs")]
    assert counts == [1, 0]
