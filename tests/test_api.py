"""The Python API: the names `sugraph.__all__` promises, its doctests, and `Report.count` by name."""

from __future__ import annotations

import doctest

import pytest

import sugraph
from sugraph.build import KnowledgeGraph, LoadError, load
from sugraph.validation.report import Report, Result, Severity
from sugraph.validation.shacl import validate

from conftest import ROOT


def test_all_names_the_api() -> None:
    assert {name: getattr(sugraph, name) for name in sugraph.__all__} == {
        "KnowledgeGraph": KnowledgeGraph,
        "LoadError": LoadError,
        "Report": Report,
        "Result": Result,
        "Severity": Severity,
        "__version__": "0.1.0",
        "load": load,
        "validate": validate,
    }
    assert set(sugraph.__all__) <= set(dir(sugraph))


def test_the_doctests_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples name files relative to the project
    assert doctest.testmod(sugraph).failed == 0


@pytest.mark.slow
def test_count_takes_a_severity_or_its_name() -> None:
    """`sugraph check` on the shipped data gives four infos; count("info") used to say 0."""
    report = sugraph.validate(checks=True)
    assert [report.count(name) for name in ("violation", "warning", "info")] == [0, 0, 4]
    assert [report.count(severity) for severity in Severity] == [0, 0, 4]
    with pytest.raises(ValueError, match="'infos' is not a valid Severity"):
        report.count("infos")
