"""The sugraph SHACL engine (validation/sparql_shacl.py) where an Oxigraph store differs from the files: it
reports values as written, keeps integer subtypes apart, hands on what it cannot run exactly, and locates
results by reading only the files that describe them. tests/test_shacl_engines.py compares it with
pySHACL on every fixture and the W3C cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from sugraph.namespaces import SH
from sugraph.validation import linemap
from sugraph.validation.engines import report_graph, sugraph_report
from sugraph.validation.shacl import _shacl_results, resolve_inputs, validate
from sugraph.validation.sparql_shacl import Data, Untranslatable, compile_shapes

from expectations import CONFORMING, FIXTURES

EX = "http://example.org/"
PREFIXES = f"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <{XSD}> . @prefix ex: <{EX}> .\n"


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def shape(constraints: str) -> Graph:
    return turtle(
        f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:message "m" ; {constraints} ] .'
    )


def found(data: Graph, shapes: Graph, engine: str) -> list[tuple]:
    return sorted(
        (str(r.focus), str(r.constraint), r.value)
        for r in _shacl_results(report_graph(data, shapes, engine), shapes, "en")
    )


def test_a_value_is_reported_as_written_not_as_the_store_normalises_it():
    data, shapes = turtle("ex:a ex:p 1.0 ."), shape("sh:datatype xsd:integer")
    assert sugraph_report(data, shapes) is not None
    [(_, _, value)] = found(data, shapes, "sugraph")
    assert (value, value.datatype) == (Literal("1.0", datatype=XSD.decimal), XSD.decimal) and str(value) == "1.0"


@pytest.mark.parametrize("datatype", ["xsd:integer", "xsd:positiveInteger"])
def test_an_integer_subtype_is_not_an_integer_though_the_store_types_both_so(datatype: str):
    data = turtle('ex:a ex:p "5"^^xsd:positiveInteger , "6"^^xsd:integer , "-7"^^xsd:positiveInteger .')
    shapes = shape(f"sh:datatype {datatype}")
    assert sugraph_report(data, shapes) is not None
    assert found(data, shapes, "sugraph") == found(data, shapes, "pyshacl")


def test_literals_the_store_would_make_one_go_to_pyshacl_turbo():
    data, shapes = turtle("ex:a ex:p 1.0 , 1.00 ."), shape("sh:maxCount 1")
    assert not Data.of_graph(data).faithful
    assert (
        found(data, shapes, "sugraph")
        == found(data, shapes, "pyshacl")
        == [(f"{EX}a", str(SH.MaxCountConstraintComponent), None)]
    )


def test_shapes_it_does_not_translate_go_to_pyshacl_turbo():
    data, shapes = turtle("ex:a ex:p ex:b ."), shape("sh:node [ sh:class ex:C ]")
    with pytest.raises(Untranslatable, match="node"):
        compile_shapes(shapes, Data.of_graph(data))
    assert found(data, shapes, "sugraph") == found(data, shapes, "pyshacl") != []


def test_a_shape_without_sh_message_is_not_translated_since_pyshacl_writes_its_own():
    shapes = turtle("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .")
    with pytest.raises(Untranslatable, match="sh:message"):
        compile_shapes(shapes, Data.of_graph(Graph()))
    assert compile_shapes(shapes, Data.of_graph(Graph()), messages=False) != []


def test_each_constraint_is_one_query_however_many_focus_nodes():
    shapes = shape("sh:minCount 1 ; sh:class ex:C")
    one = turtle("ex:a ex:p ex:b .")
    many = turtle(" ".join(f"ex:a{i} ex:p ex:b{i} ." for i in range(50)))
    assert len(compile_shapes(shapes, Data.of_graph(one))) == len(compile_shapes(shapes, Data.of_graph(many))) == 2


def test_results_are_located_by_reading_only_the_files_that_describe_them(monkeypatch):
    scanned: list[Path] = []
    scan = linemap.scan_file
    monkeypatch.setattr(linemap, "scan_file", lambda path: scanned.append(path) or scan(path))
    fixture = FIXTURES / "shapes" / "violating" / "Action-addresses.ttl"
    report = validate([CONFORMING, fixture])
    [result] = report.results
    assert result.file and result.file.resolve() == fixture and result.line
    assert set(scanned) == {f for f in (CONFORMING, fixture) if (result.focus, None, None) in Graph().parse(f)}
    assert len(scanned) < len(validate_inputs())  # not the ontology's files, nor any other


def validate_inputs() -> list[Path]:
    inputs = resolve_inputs([CONFORMING])
    return [*inputs.data, *inputs.ontology]


def test_validate_locates_the_same_results_when_the_shapes_are_handed_on(tmp_path):
    shapes = tmp_path / "shapes.ttl"  # ours, plus one shape the engine does not translate
    shapes.write_text(
        (FIXTURES.parent.parent / "shapes" / "sugraph-shapes.ttl").read_text(encoding="utf-8")
        + f"\n<{EX}S> a sh:NodeShape ; sh:targetNode <{EX}a> ; sh:message 'm' ; sh:node [ sh:class <{EX}C> ] .\n",
        encoding="utf-8",
    )
    files = [CONFORMING, FIXTURES / "shapes" / "violating" / "Derivation-quote.ttl"]

    def located(engine: str) -> list[tuple]:
        report = validate(files, shapes=[shapes], engine=engine)
        return [
            (str(r.source) if isinstance(r.source, URIRef) else "[]", r.path, r.file, r.line) for r in report.results
        ]

    assert located("sugraph") == located("pyshacl-turbo") != []
