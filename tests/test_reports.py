"""Each output format, parsed back: JSON and SARIF against their JSON schemas, JUnit against its XSD,
Turtle as RDF, text and GitHub annotations line by line. The report has one result of each severity."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema
from rdflib import Graph, Literal, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.namespace import RDF

from sugraph.namespaces import SH, SUG
from sugraph.validation.formats import render
from sugraph.validation.report import Report
from sugraph.validation.report import shown as shown_path
from sugraph.validation.shacl import validate

from expectations import CONFORMING, FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = FIXTURES / "schemas"
VIOLATING = FIXTURES / "shapes" / "violating"
INVOLVES = VIOLATING / "Action-involves.ttl"  # violation, line 12
ACTOR_KIND = VIOLATING / "Actor-kind.ttl"  # warning, line 15
UNDATED = VIOLATING / "Event-dated.ttl"  # info, line 15


@pytest.fixture(scope="module")
def report() -> Report:
    return validate([CONFORMING, INVOLVES, ACTOR_KIND, UNDATED])


def shown(path: Path) -> str:
    """As the report shows file names: relative to the working directory."""
    return str(shown_path(path))


def test_text_groups_by_file_then_focus_with_one_line_per_result(report: Report):
    assert render(report, "text").splitlines()[:6] == [
        shown(INVOLVES),
        "  measure:cyber-plan",
        "      12  violation  sug:involves|sug:ledBy|sug:hasParticipant|sug:hasPartner threat:crime: sug:involves, "
        "sug:ledBy, sug:hasParticipant and sug:hasPartner must point to a foaf:Agent (an actor or a person). "
        "[sugsh:Action-involves]",
        shown(ACTOR_KIND),
        "  actor:generic",
        "      15  warning    rdf:type: An actor should be typed with a subclass of sug:Actor (sug:Institution, "
        "sug:Agency, sug:InternationalOrganisation, sug:Network, sug:ExpertGroup or sug:StakeholderGroup). "
        "[sugsh:Actor-kind]",
    ]


def test_text_ends_with_the_verdict_and_counts(report: Report):
    assert re.fullmatch(
        r"does not conform: 1 violation, 1 warning, 1 info in 4 files \(checked in \d+\.\d\d s\)",
        render(report, "text").splitlines()[-1],
    )


def test_text_is_coloured_only_when_asked(report: Report):
    assert ("\033[" in render(report, "text"), "\033[31m" in render(report, "text", color=True)) == (False, True)


def test_json_matches_its_published_schema(report: Report):
    schema = json.loads((ROOT / "src" / "sugraph" / "schemas" / "validation-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(render(report, "json")))


def test_json_gives_full_iris_and_ntriples_terms(report: Report):
    first = json.loads(render(report, "json"))["results"][0]
    assert first == {
        "severity": "violation",
        "file": shown(INVOLVES),
        "line": 12,
        "focus": "https://w3id.org/sugraph/id/measure/cyber-plan",
        "path": f"<{SUG.involves}>|<{SUG.ledBy}>|<{SUG.hasParticipant}>|<{SUG.hasPartner}>",
        "value": "<https://w3id.org/sugraph/id/threat/crime>",
        "source": "https://w3id.org/sugraph/shapes#Action-involves",
        "sourceName": "actor involved",
        "constraint": str(SH.ClassConstraintComponent),
        "message": "sug:involves, sug:ledBy, sug:hasParticipant and sug:hasPartner must point to a foaf:Agent "
        "(an actor or a person).",
    }


def test_json_counts_each_severity(report: Report):
    parsed = json.loads(render(report, "json"))
    assert (parsed["conforms"], parsed["counts"]) == (False, {"violation": 1, "warning": 1, "info": 1})


def test_turtle_is_a_shacl_validation_report_with_every_result(report: Report):
    g = Graph().parse(data=render(report, "turtle"), format="turtle")
    root = g.value(predicate=RDF.type, object=SH.ValidationReport)
    severities = sorted(str(g.value(r, SH.resultSeverity)) for r in g.objects(root, SH.result))
    assert (g.value(root, SH.conforms), severities) == (
        Literal(False),
        [str(SH.Info), str(SH.Violation), str(SH.Warning)],
    )


def test_turtle_keeps_a_complex_path_as_a_shacl_path(report: Report):
    g = Graph().parse(data=render(report, "turtle"), format="turtle")
    result = g.value(predicate=SH.sourceShape, object=URIRef("https://w3id.org/sugraph/shapes#Action-involves"))
    assert parse_shacl_path(g, g.value(result, SH.resultPath)) == report.results[0].path


def test_junit_matches_the_schema(report: Report):
    xmlschema.XMLSchema(SCHEMAS / "junit.xsd").validate(render(report, "junit"))


def test_junit_fails_violations_only(report: Report):
    failures = ET.fromstring(render(report, "junit")).findall(".//failure")
    assert [(f.get("type"), f.text.splitlines()[0]) for f in failures] == [("violation", f"{shown(INVOLVES)}:12")]


def test_junit_fails_warnings_too_when_strict(report: Report):
    failures = ET.fromstring(render(report, "junit", strict=True)).findall(".//failure")
    assert [f.get("type") for f in failures] == ["violation", "warning"]


def test_junit_has_a_passing_case_for_each_file_without_failures(report: Report):
    suites = ET.fromstring(render(report, "junit")).findall("testsuite")
    assert {s.get("name"): [c.get("name") for c in s.findall("testcase[@name='conforms']")] for s in suites} == {
        shown(CONFORMING): ["conforms"],
        shown(INVOLVES): [],
        shown(ACTOR_KIND): ["conforms"],
        shown(UNDATED): ["conforms"],
    }


def test_sarif_matches_the_sarif_2_1_0_schema(report: Report):
    schema = json.loads((SCHEMAS / "sarif-2.1.0-subset.schema.json").read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(json.loads(render(report, "sarif")))


def test_sarif_locates_each_result_by_file_and_line_with_its_level(report: Report):
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    located = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    ]
    assert located == [
        ("sugsh:Action-involves", "error", shown(INVOLVES), 12),
        ("sugsh:Actor-kind", "warning", shown(ACTOR_KIND), 15),
        ("sugsh:Event-dated", "note", shown(UNDATED), 15),
    ]


def test_github_annotates_each_result_on_its_file_and_line(report: Report):
    commands = [line.split("::")[1] for line in render(report, "github").splitlines() if line.startswith("::")]
    assert commands == [
        f"error file={shown(INVOLVES)},line=12,title=actor involved [sugsh%3AAction-involves]",
        f"warning file={shown(ACTOR_KIND)},line=15,title=Kind of actor [sugsh%3AActor-kind]",
        f"notice file={shown(UNDATED)},line=15,title=event without date [sugsh%3AEvent-dated]",
    ]


def test_github_escapes_line_breaks_and_percent_signs():
    from sugraph.validation.formats import _escape_data, _escape_property

    assert (_escape_data("50%\nnext"), _escape_property("a:b,c")) == ("50%25%0Anext", "a%3Ab%2Cc")
