"""A query worker gives pyoxigraph the client's own text, capped, when its characters alone prove the
checks could refuse nothing (`Preparation.verbatim`, `runs_as_written`), and every answer and error
is the one the checked canonical text gives (`worker.checked`). The generated differential is in
test_analysis_differential.py; these are the cases by name."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from sugraph.named_queries import load_queries
from sugraph.store.analysis import analyse
from sugraph.store.engine import Dataset
from sugraph.store.errors import QueryError
from sugraph.store.lexer import MAX_CHAIN, MAX_DEPTH
from sugraph.store.prepare import Preparation, Rules, runs_as_written
from sugraph.store.worker import answer, checked

EX = "http://example.org/"
JSON = "application/sparql-results+json"
RULES = Rules(frozenset({f"{EX}g"}), (), (), "none: a test")
QUERIES = Path(__file__).parent.parent / "queries"
HEADLINE = load_queries(QUERIES)["measures-by-threat-and-actor"].text({})


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(30):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i), ox.NamedNode(f"{EX}g")))
    return s


def preparation(max_rows: int | None = 10, media_type: str | None = None) -> Preparation:
    return Preparation(media_type, None, max_rows, RULES)


def outcome(store: ox.Store, text: str, prep: Preparation, *, how=answer) -> bytes | str:
    try:
        if how is answer:
            return answer(store, text, "", prep.media_type or "", None, None, prep)
        return checked(store, text, None, prep)
    except QueryError as error:
        return f"{type(error).__name__}: {error}"


def rows(body: bytes | str) -> int:
    assert isinstance(body, bytes), body
    return len(json.loads(body)["results"]["bindings"])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        "select * where { ?s <http://x/service> ?o }",  # in an IRI, any case
        "SELECT * WHERE { ?s ?p 'SeRvIcE' }",
        "SELECT * WHERE { ?s ?p ?o } # service, in a trailing comment",
        "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?from }",
        "SELECT * WHERE { ?s ?p 'a\\u0027b' }",
        "SELECT * WHERE { << ?s ?p ?o >> ?q ?r }",
        "SELECT * WHERE { ?s ?p '\ud800' }",
        '# a comment line that a long string hides\nSELECT * WHERE { ?s ?p """\n# SERVICE\n""" }',
        "SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1),
        "SELECT * WHERE { FILTER(" + "!" * (MAX_DEPTH + 1) + "true) }",
        "SELECT * WHERE { FILTER(1" + " + 1" * MAX_CHAIN + " > 0) }",
    ],
)
def test_a_text_whose_characters_could_hide_what_the_checks_refuse_is_checked(text: str) -> None:
    assert not runs_as_written(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "# SERVICE and FROM, in whole-line comments\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?o }",
        "SELECT * WHERE { ?s ?p 'Ausfromm' }",
        "SELECT * WHERE { ?s ?p 'Sécurité' }",
        HEADLINE,
    ],
)
def test_a_text_that_can_hide_nothing_runs_as_written(text: str) -> None:
    assert runs_as_written(text)
    assert preparation().verbatim(text) is not None


def test_a_run_as_written_text_gets_the_row_cap_on_a_line_of_its_own() -> None:
    """A comment on the text's last line cannot swallow the cap."""
    prepared = preparation(10).verbatim("SELECT * WHERE { ?s ?p ?o } # the end")
    assert prepared is not None
    assert prepared.query.text == "SELECT * WHERE { ?s ?p ?o } # the end\nLIMIT 10"
    assert prepared.dataset == Dataset()


def test_every_shipped_named_query_runs_as_written() -> None:
    """PROV-O's wasDerivedFrom and the comments do not send the project's own queries the slow way."""
    for name, query in load_queries(QUERIES).items():
        params = {"threat": ["threat:terrorism"]} if name == "measures-for-threat" else {}
        assert runs_as_written(query.text(params)), name


def test_two_groups_under_the_chain_limit_each_pass_the_analyser_but_are_checked() -> None:
    """The characters cannot tell one nesting path from another: the whole text is counted."""
    text = "SELECT * WHERE { " + ("{ FILTER(1" + " + 1" * (MAX_CHAIN // 2 + 10) + " > 0) } ") * 2 + "}"
    analyse(text)
    assert not runs_as_written(text)


def test_no_text_runs_as_written_with_a_clause_the_analyser_would_check() -> None:
    """What the characters prove, the tokens agree with: no SERVICE, no FROM."""
    for text in ["SELECT * WHERE { ?s ?p ?o }", HEADLINE, "ASK { ?s ?p 'Ausfrom' }"]:
        assert runs_as_written(text), text
        info = analyse(text)
        assert (info.services, info.from_graphs, info.from_named) == ((), (), ()), text


def test_a_row_cap_below_one_is_checked() -> None:
    """`LIMIT 0` would change an ASK's answer: the checked path does not cap an ASK."""
    assert preparation(0).verbatim("ASK { ?s ?p ?o }") is None


def test_a_graph_the_store_does_not_hold_is_left_to_the_checks() -> None:
    prep = Preparation(None, Dataset((f"{EX}nowhere",)), 10, RULES)
    assert prep.verbatim("SELECT * WHERE { ?s ?p ?o }") is None


def test_a_text_with_its_own_top_level_limit_answers_that_many_rows(store: ox.Store) -> None:
    assert rows(outcome(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 4", preparation(10))) == 4


def test_a_limit_above_the_cap_is_lowered_to_it(store: ox.Store) -> None:
    assert rows(outcome(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 25", preparation(10))) == 10


def test_a_limit_in_a_subquery_only_still_gets_the_cap(store: ox.Store) -> None:
    text = "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 20 } }"
    assert rows(outcome(store, text, preparation(10))) == 10


def test_an_undeclared_default_prefix_is_expanded_by_the_checked_path(store: ox.Store) -> None:
    text = "SELECT * WHERE { ?s rdf:type ?o }"
    assert outcome(store, text, preparation()) == outcome(store, text, preparation(), how=checked)
    assert rows(outcome(store, text, preparation())) == 0


@pytest.mark.parametrize(
    "text, media_type",
    [
        ("SELECT * WHERE { ?s ?p ?o", None),  # a syntax error, placed where the client wrote it
        ("# first\n# second\nSELECT * WHERE { ?s ?p ?o } LIMIT 2 LIMIT 3", None),
        ("INSERT DATA { <a> <b> <c> }", None),
        ("SELECT * WHERE { ?s ?p ?o }", "text/turtle"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv"),
        ("ASK { ?s ?p ?o }", None),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?o", "application/n-triples"),
        ("DESCRIBE <http://example.org/s1>", None),
        ("SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o) OFFSET 3", "text/csv"),
        ("SELECT * WHERE { ?s ?p ?o } VALUES ?o { 1 2 }", None),
    ],
)
def test_the_answer_or_error_is_the_checked_texts(store: ox.Store, text: str, media_type: str | None) -> None:
    prep = preparation(10, media_type)
    assert outcome(store, text, prep) == outcome(store, text, prep, how=checked)


def test_a_syntax_error_is_reported_where_the_client_wrote_it(store: ox.Store) -> None:
    got = outcome(store, "# one\nSELECT * WHERE {\n  ?s ?p ?o ?x }", preparation())
    assert isinstance(got, str) and got.startswith("QueryError: syntax error at line 3, column "), got
