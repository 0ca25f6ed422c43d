"""`sugraph validate` and `sugraph check` through the real command line: the exit codes CI relies on
(0 conforms, 1 violations, 2 unreadable input or shapes, 3 usage error), and the Python API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sugraph
from sugraph import validate as validate_function
from sugraph.build import LoadError
from sugraph.validation.shacl import bundled, resolve_inputs

from expectations import CONFORMING, FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SUGRAPH = str(Path(sys.executable).parent / "sugraph")
VIOLATING = FIXTURES / "shapes" / "violating"


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SUGRAPH_ROOT"} | {"NO_COLOR": "1"}
    return subprocess.run([SUGRAPH, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def broken_turtle(tmp_path: Path) -> Path:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:p "x" ;\n  ex:q .\n')
    return path


def test_conforming_data_exits_0():
    assert run("validate", CONFORMING).returncode == 0


def test_a_violation_exits_1():
    assert run("validate", CONFORMING, VIOLATING / "label.ttl").returncode == 1


def test_a_warning_exits_0():
    assert run("validate", CONFORMING, VIOLATING / "Actor-kind.ttl").returncode == 0


def test_a_warning_exits_1_when_strict():
    assert run("validate", "--strict", CONFORMING, VIOLATING / "Actor-kind.ttl").returncode == 1


def test_an_info_exits_0_even_when_strict():
    assert run("validate", "--strict", CONFORMING, VIOLATING / "Event-dated.ttl").returncode == 0


def test_a_syntax_error_exits_2_naming_file_line_and_column(broken_turtle: Path):
    done = run("validate", broken_turtle)
    assert (done.returncode, done.stderr) == (2, f"error: {broken_turtle}:3:8: . is not a valid RDF object\n")


def test_a_syntax_error_is_also_an_annotation_in_github_format(broken_turtle: Path):
    done = run("validate", "--format", "github", broken_turtle)
    assert (done.returncode, done.stdout) == (
        2,
        f"::error file={broken_turtle},line=3,col=8,title=Unreadable RDF::. is not a valid RDF object\n",
    )


def test_a_missing_file_exits_2(tmp_path: Path):
    assert run("validate", tmp_path / "missing.ttl").returncode == 2


def test_unreadable_shapes_exit_2(broken_turtle: Path):
    assert run("validate", "--shapes", broken_turtle, CONFORMING).returncode == 2


def test_invalid_shacl_shapes_exit_2(tmp_path: Path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix sug: <https://w3id.org/sugraph/ontology#> .\n"
        "sug:S a sh:NodeShape ; sh:targetClass sug:Measure ;\n"
        '    sh:property [ sh:path sug:status ; sh:minCount "many" ] .\n'
    )
    done = run("validate", "--shapes", shapes, CONFORMING)
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        2,
        f"error: {shapes}: invalid SHACL shapes: MinCountConstraintComponent sh:minCount must be a literal "
        "with datatype xsd:integer.",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--format", "xml"],
        ["validate", "--no-such-option"],
        ["validate", "--inference", "magic"],
        ["nonsense"],
    ],
    ids=" ".join,
)
def test_a_usage_error_exits_3(args: list[str]):
    assert run(*args).returncode == 3


def test_validate_ignores_the_quality_checks():
    assert run("validate", CONFORMING, FIXTURES / "checks" / "undeclared-term.ttl").returncode == 0


def test_check_runs_the_quality_checks():
    assert run("check", CONFORMING, FIXTURES / "checks" / "undeclared-term.ttl").returncode == 1


def test_validate_all_is_check():
    assert run("validate", "--all", CONFORMING, FIXTURES / "checks" / "undeclared-term.ttl").returncode == 1


def test_defaults_validate_the_project_data(tmp_path: Path):
    project = tmp_path / "project"
    for folder in ("ontology", "shapes"):
        (project / folder).mkdir(parents=True)
        for f in (ROOT / folder).glob("*.ttl"):
            (project / folder / f.name).write_bytes(f.read_bytes())
    (project / "data").mkdir()
    (project / "data" / "example.ttl").write_bytes(CONFORMING.read_bytes())
    done = run("validate", "--format", "json", cwd=project)
    assert (done.returncode, json.loads(done.stdout)["files"]) == (0, ["data/example.ttl"])


def test_messages_in_french():
    done = run("validate", "--lang", "fr", "--format", "json", CONFORMING, VIOLATING / "label.ttl")
    assert json.loads(done.stdout)["results"][0]["sourceName"] == "libellé en français et en anglais"


def test_the_summary_line_is_in_the_language_of_the_messages():
    french = run("validate", "--lang", "fr", CONFORMING, VIOLATING / "label.ttl").stdout.splitlines()[-1]
    english = run("validate", CONFORMING, VIOLATING / "label.ttl").stdout.splitlines()[-1]
    assert re.fullmatch(
        r"non conforme : 1 violation, 0 avertissement, 0 info dans 2 fichiers "
        r"\(vérifié en \d+,\d\d s\)",
        french,
    ), french
    assert re.fullmatch(
        r"does not conform: 1 violation, 0 warnings, 0 infos in 2 files \(checked in \d+\.\d\d s\)", english
    ), english


def test_the_python_api_is_sugraph_validate():
    report = sugraph.validate([CONFORMING, VIOLATING / "label.ttl"])
    assert (validate_function is sugraph.validate, report.conforms, report.exit_code(), len(report.results)) == (
        True,
        False,
        1,
        1,
    )


def test_outside_a_project_the_packaged_shapes_and_ontology_are_used(monkeypatch: pytest.MonkeyPatch):
    def nowhere():
        raise LoadError(".", "no sugraph project found")

    monkeypatch.setattr(sys.modules["sugraph.validation.shacl"], "find_root", nowhere)
    inputs = resolve_inputs([CONFORMING])
    assert (inputs.shapes, inputs.ontology) == (
        tuple(sorted((bundled() / "shapes").glob("*.ttl"))),
        tuple(sorted((bundled() / "ontology").glob("*.ttl"))),
    )


def test_the_packaged_shapes_and_ontology_are_the_project_ones():
    def contents(base: Path) -> list[bytes]:
        return [f.read_bytes() for folder in ("shapes", "ontology") for f in sorted((base / folder).glob("*.ttl"))]

    assert contents(bundled()) == contents(ROOT)


def test_a_file_without_positions_is_named_without_a_line():
    jsonld = FIXTURES / "shapes" / "unsourced.jsonld"  # a measure without provenance, in JSON-LD
    [result] = sugraph.validate([CONFORMING, jsonld]).results
    assert (Path(result.file).resolve(), result.line) == (jsonld, None)
