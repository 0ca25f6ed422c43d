"""The build: files → asserted graph + OWL 2 RL closure, kept apart, with a content hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDF, SKOS

from sugraph.build import (
    KnowledgeGraph,
    LoadError,
    SourceSet,
    is_useful_inference,
    load,
    parse_file,
    parse_triples,
    reason,
)
from sugraph.namespaces import ID, ORG, SUG

from conftest import FIXTURES, ROOT

NATO = ID["actor/nato"]
EUROPOL = ID["actor/europol"]
EC3 = ID["actor/european-cybercrime-centre"]


def test_asserted_and_inferred_are_disjoint(kg: KnowledgeGraph) -> None:
    asserted = kg.asserted
    assert len(kg.inferred) == 507
    assert not any(t in asserted for t in kg.inferred)


def test_asserted_is_ontology_and_data_built_once(kg: KnowledgeGraph) -> None:
    assert set(kg.asserted) == set(kg.ontology) | set(kg.data)
    assert kg.asserted is kg.asserted


def test_closure_types_subclass_instances(kg: KnowledgeGraph) -> None:
    assert (EUROPOL, RDF.type, SUG.Actor) in kg.inferred
    assert (EUROPOL, RDF.type, ORG.Organization) in kg.inferred
    assert (EUROPOL, RDF.type, FOAF.Agent) in kg.inferred


def test_closure_follows_broader_transitively(kg: KnowledgeGraph) -> None:
    # radicalisation ⊑ terrorism is asserted; the transitive form is inferred
    assert (ID["threat/radicalisation"], SKOS.broaderTransitive, ID["threat/terrorism"]) in kg.inferred
    assert (ID["threat/terrorism"], SKOS.narrower, ID["threat/radicalisation"]) in kg.inferred


def test_closure_adds_inverse_properties(kg: KnowledgeGraph) -> None:
    assert (EUROPOL, ORG.hasSubOrganization, EC3) in kg.inferred
    assert set(kg.inferred.objects(ID["threat/hybrid-threats"], SUG.addressedBy)) == {
        ID["measure/eu-approach-hybrid-threats"]
    }


def test_closure_lifts_sub_properties_of_involves(kg: KnowledgeGraph) -> None:
    assert set(kg.data.subjects(SUG.hasPartner, NATO)) == {ID["measure/eu-approach-hybrid-threats"]}
    assert set(kg.inferred.subjects(SUG.involves, NATO)) == {ID["measure/eu-approach-hybrid-threats"]}


def test_reasonable_gives_the_owlrl_closure_queries_rely_on(kg: KnowledgeGraph) -> None:
    import owlrl

    expanded = Graph()
    expanded += kg.asserted  # a copy: the closure must not grow the graph kg shares
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(expanded)
    relied_on = [
        RDF.type,
        SKOS.broaderTransitive,
        SKOS.narrower,
        SUG.involves,
        SUG.involvedIn,
        SUG.addressedBy,
        SUG.implementedBy,
        SUG.priorityOf,
        SUG.replacedBy,
        ORG.hasSubOrganization,
    ]

    def entity_links(graph, p):
        return {
            (s, o)
            for s, o in graph.subject_objects(p)
            if str(s).startswith(str(ID)) and isinstance(o, URIRef) and is_useful_inference(s, p, o)
        }

    for p in relied_on:
        assert entity_links(kg.union(), p) == entity_links(expanded, p), p


def test_no_inference_mode_adds_nothing(kg: KnowledgeGraph) -> None:
    assert len(reason(kg.asserted, "none")) == 0


def test_unknown_inference_mode_is_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="unknown inference mode"):
        reason(kg.asserted, "magic")


def test_syntax_error_names_file_line_and_column() -> None:
    with pytest.raises(LoadError) as err:
        parse_file(FIXTURES / "build" / "broken.ttl")
    assert err.value.path.name == "broken.ttl"
    assert (err.value.line, err.value.column) == (3, 50)


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="No such file"):
        parse_file(tmp_path / "absent.ttl")


def test_load_refuses_a_partial_graph(tmp_path: Path) -> None:
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(FIXTURES / "build" / "broken.ttl", tmp_path / "data" / "zz-broken.ttl")
    with pytest.raises(LoadError):
        load(tmp_path)


def test_content_hash_changes_with_any_source_byte(tmp_path: Path) -> None:
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    before = SourceSet.of(tmp_path).content_hash()
    with (tmp_path / "data" / "shared.ttl").open("a") as f:
        f.write("\n# a comment\n")
    assert SourceSet.of(tmp_path).content_hash() != before


def test_a_syntax_error_is_one_line_naming_the_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <http://ex/> .\nex:a ex:b "open .\n', encoding="utf-8")
    with pytest.raises(LoadError) as err:
        parse_file(path)
    assert str(err.value).startswith(f"{path}:2:")
    assert "\n" not in str(err.value) and "Parser error" not in str(err.value)


def test_quads_are_read_as_triples_of_one_graph(tmp_path: Path) -> None:
    path = tmp_path / "data.nq"
    path.write_text(
        '<http://ex/a> <http://ex/label> "a b <c> d"@en <http://ex/g> .\n'
        '<http://ex/a> <http://ex/size> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        "<http://ex/a> <http://ex/knows> _:b <http://ex/g> .\n",
        encoding="utf-8",
    )
    (_, _, node), *rest = sorted(parse_triples(path))
    assert node.startswith("_:") and rest == [
        ("<http://ex/a>", "<http://ex/label>", '"a b <c> d"@en'),
        ("<http://ex/a>", "<http://ex/size>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ]


def test_a_blank_node_label_is_scoped_to_its_file(tmp_path: Path) -> None:
    for name in ("one.ttl", "two.ttl"):
        (tmp_path / name).write_text("<http://ex/a> <http://ex/knows> _:x .\n", encoding="utf-8")
    nodes = {o for name in ("one.ttl", "two.ttl") for _, _, o in parse_triples(tmp_path / name)}
    assert len(nodes) == 2


def test_load_makes_no_rdflib_graph_until_one_is_asked_for() -> None:
    kg = load(ROOT)
    assert not {"ontology", "data", "inferred", "shapes", "asserted"} & kg.__dict__.keys()
    assert len(kg.data) == len(kg.data_triples)


def test_a_format_oxigraph_does_not_read_goes_through_rdflib(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.owl"  # RDF/XML under a suffix Oxigraph does not know
    path.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://ex/"><rdf:Description rdf:about="http://ex/a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>\n',
        encoding="utf-8",
    )
    assert parse_triples(path) == [("<http://ex/a>", "<http://ex/p>", '"v"')]
