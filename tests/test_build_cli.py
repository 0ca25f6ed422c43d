"""`sugraph build`: the graph with its closure, validated side by side, through the real command."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_validate_cli import ROOT, run

from expectations import FIXTURES


def project(tmp_path: Path, extra: Path | None = None) -> Path:
    """A copy of the project (ontology, shapes, data), optionally with one more data file."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    if extra is not None:
        shutil.copy(extra, tmp_path / "data" / extra.name)
    return tmp_path


def test_build_of_the_shipped_data_conforms_and_reports_its_size() -> None:
    done = run("build")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "data triples:     2880"
    assert lines[2] == "inferred triples: 507"
    assert "(load + reasoning + validation)" in lines[5]
    assert lines[-1].startswith("conforms: 0 violations, 0 warnings, 4 infos in 3 files")


def test_build_with_a_violation_exits_1_and_names_the_shape(tmp_path: Path) -> None:
    bad = tmp_path / "nato-is-no-threat.ttl"
    bad.write_text(
        "<https://w3id.org/sugraph/id/measure/eu-approach-hybrid-threats>\n"
        "    <https://w3id.org/sugraph/ontology#addresses> <https://w3id.org/sugraph/id/actor/nato> .\n"
    )
    done = run("--root", project(tmp_path / "project", bad), "build")
    assert done.returncode == 1
    assert "sug:addresses" in done.stdout and "[sugsh:Action-addresses]" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("does not conform: 1 violation")


def test_build_with_a_broken_file_exits_2_with_its_position(tmp_path: Path) -> None:
    done = run("--root", project(tmp_path, FIXTURES / "build" / "broken.ttl"), "build")
    assert done.returncode == 2
    assert "broken.ttl:3:50" in done.stderr
