"""The OWL 2 RL closure of `closure.py` is exactly what the `reasonable` engine gave (after
`is_useful_inference`), on the shipped data and on each rule alone; graphs it cannot close go to
reasonable."""

from __future__ import annotations

import pytest

from sugraph.build import (
    KnowledgeGraph,
    SourceSet,
    closure_of,
    parse_triples,
    parse_triples_of,
    reasonable_closure,
)
from sugraph.closure import Unsupported, closure

from conftest import ROOT

PREFIXES = """@prefix ex: <http://ex/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
# one axiom of each kind the closure handles, with data it applies to
CASES = {
    "subclass": "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:C . ex:x a ex:A .",
    "equivalent class": "ex:A owl:equivalentClass ex:B . ex:B rdfs:subClassOf ex:C . ex:x a ex:A . ex:y a ex:B .",
    "equivalent property": "ex:p owl:equivalentProperty ex:q . ex:q rdfs:domain ex:D . "
    "ex:x ex:p ex:y . ex:z ex:q ex:w .",
    "sub-property chain": "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:r . ex:r rdfs:domain ex:D . "
    "ex:D rdfs:subClassOf ex:E . ex:x ex:p ex:y .",
    "symmetric": "ex:p a owl:SymmetricProperty ; rdfs:domain ex:D ; rdfs:subPropertyOf ex:q . ex:x ex:p ex:y .",
    "transitive and inverse": "ex:p a owl:TransitiveProperty ; owl:inverseOf ex:q . ex:b rdfs:subPropertyOf ex:p . "
    "ex:x ex:b ex:y . ex:y ex:b ex:z . ex:z ex:p ex:w .",
    "inverse of itself": "ex:p owl:inverseOf ex:p . ex:x ex:p ex:y .",
    "union": "ex:p rdfs:domain [ owl:unionOf (ex:A ex:B) ] . ex:A rdfs:subClassOf ex:C . "
    "[ owl:unionOf (ex:A ex:B) ] rdfs:subClassOf ex:U . ex:x ex:p ex:y . ex:z a ex:A .",
    "range with literals": "ex:p rdfs:range ex:R . ex:x ex:p 'lit' . ex:x ex:p ex:y . ex:y a owl:Thing .",
    "functional, literal values": "ex:p a owl:FunctionalProperty . ex:x ex:p 'a' , 'b' . ex:y ex:q 'a' .",
    "declarations": "ex:A a owl:Class . ex:p a owl:ObjectProperty . ex:x a ex:A .",
    "schema from a class axiom": "ex:k rdfs:subClassOf owl:TransitiveProperty . ex:p a ex:k . "
    "ex:x ex:p ex:y . ex:y ex:p ex:z .",
    "domain of a schema property": "rdfs:subClassOf rdfs:domain ex:Cls . ex:A rdfs:subClassOf ex:B .",
}
# axioms whose closure needs rules closure.py does not apply
UNSUPPORTED = {
    "functional, two resources": "ex:p a owl:FunctionalProperty . ex:x ex:p ex:a , ex:b . ex:a ex:q ex:c .",
    "sameAs": "ex:a owl:sameAs ex:b . ex:a ex:q ex:c .",
    "restriction": "ex:A owl:equivalentClass [ owl:onProperty ex:p ; owl:someValuesFrom ex:B ] . "
    "ex:x ex:p ex:y . ex:y a ex:B .",
    "intersection": "ex:I owl:intersectionOf (ex:A ex:B) . ex:x a ex:A , ex:B .",
}


def triples_of(text: str, tmp_path) -> set:
    path = tmp_path / "case.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    return set(parse_triples(path))


def test_the_shipped_closure_is_reasonables(kg: KnowledgeGraph) -> None:
    sources = SourceSet.of(ROOT)
    asserted = parse_triples_of(sources.ontology + sources.data)
    inferred = closure(asserted)
    assert len(inferred) == len(kg.inferred) == 507
    assert inferred == reasonable_closure(asserted)


@pytest.mark.parametrize("case", CASES)
def test_each_rule_infers_what_reasonable_does(case: str, tmp_path) -> None:
    asserted = triples_of(CASES[case], tmp_path)
    assert closure(asserted) == reasonable_closure(asserted)


@pytest.mark.parametrize("case", UNSUPPORTED)
def test_a_graph_needing_other_rules_is_closed_by_reasonable(case: str, tmp_path) -> None:
    asserted = triples_of(UNSUPPORTED[case], tmp_path)
    with pytest.raises(Unsupported):
        closure(asserted)
    assert closure_of(asserted) == reasonable_closure(asserted)


def test_no_inferred_triple_is_asserted(kg: KnowledgeGraph) -> None:
    assert not kg.inferred_triples & kg.asserted_triples
