"""The analyser and pyoxigraph's parser agree: generated queries, run both ways, side by side.

Hypothesis assembles queries from pieces chosen to confuse a tokenizer (strings of every quoting
with quotes, backslashes and `#` inside, escaped local names, `<` before strings, comments,
subqueries with LIMIT) around real SERVICE, FROM and LIMIT clauses. Each query runs in pyoxigraph
as the client wrote it and as the analyser's canonical text, on a small in-memory store, and:
- SERVICE: the analyser finds a SERVICE clause (or refuses the text) whenever pyoxigraph calls the
  listener for the original text, and the canonical text of a query with none never calls it;
- meaning: where both accept the text, the canonical text gives the same rows;
- LIMIT: capping the canonical text at 3 rows gives min(rows, 3) rows;
- FROM: the graphs the analyser reads are the ones pyoxigraph uses (graph sizes 1, 2 and 4 make a
  count name the set);
- as written: a query worker's answer (the client's text run as written when `runs_as_written`
  vouches for it) is byte for byte the answer or the error of the checked canonical text, and a
  text it vouches for never calls SERVICE.
`SUGRAPH_FUZZ_EXAMPLES=20000` runs a longer, random campaign.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sugraph.namespaces import PREFIXES
from sugraph.store.analysis import QUERY_FORMS, QueryInfo, analyse, capped, lexed_form, plain_form, query_form
from sugraph.store.errors import QueryError
from sugraph.store.prepare import Preparation, Rules, runs_as_written
from sugraph.store.worker import answer, checked

from endpoints import Endpoint

CAMPAIGN = int(os.environ.get("SUGRAPH_FUZZ_EXAMPLES", "0"))
MANY = settings(max_examples=CAMPAIGN or 1500, deadline=None, derandomize=not CAMPAIGN, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

EX = "http://example.org/"
GRAPHS = {f"{EX}g1": 1, f"{EX}g2": 2, f"{EX}g4": 4}
TRICKY_TEXT = ["SERVICE <{url}> { ?x ?y ?z }", "'", '"', "''", '""', "\\", "\\'", '\\"', "\\u005C", "#", "\n",
               "<", ">", "}", "{", "LIMIT 1", "FROM <" + EX + "g1>", "x", " "]


@pytest.fixture(scope="module")
def listener() -> Iterator[Endpoint]:
    with Endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(20):  # the default graph: 20 rows for ?s ?p ?o
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i), ox.DefaultGraph()))
    for graph, size in GRAPHS.items():
        for i in range(size):
            s.add(ox.Quad(ox.NamedNode(f"{EX}g{i}"), ox.NamedNode(f"{EX}q"), ox.Literal(i), ox.NamedNode(graph)))
    return s


def inner_text() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TRICKY_TEXT), max_size=6).map("".join)


def pieces() -> st.SearchStrategy[str]:
    """One group-pattern element, valid or nearly so."""
    string = st.tuples(st.sampled_from(["'", '"', "'''", '"""']), inner_text()).map(lambda p: f"{p[0]}{p[1]}{p[0]}")
    return st.one_of(
        st.just("?s ?p ?o ."),
        st.just("SERVICE <{url}> { ?x ?y ?z }"),
        st.just("SERVICE SILENT <{url}> { ?x ?y ?z }"),
        string.map(lambda s: f"BIND({s} AS ?str)"),
        string.map(lambda s: f"FILTER(?o != {s})"),
        string.map(lambda s: f"FILTER(?a<{s} || true)"),
        st.sampled_from(["OPTIONAL { ?s ex:a\\#b ?w }", "OPTIONAL { ?s ex:a\\'b ?w }", "OPTIONAL { ?s ex:a%23b ?w }",
                         "OPTIONAL { ?s ex:a.b ?w }", "OPTIONAL { ?s <http://x/#'> ?w }", "BIND(1 AS ?a)",
                         "FILTER(?a<?b&&?c>?d)", "FILTER(?a<true#>)", "OPTIONAL { ?s ex:service ?w }",
                         "{ SELECT * WHERE { ?s ?p ?o } LIMIT 2 }", "VALUES ?v { 1 2 }"]),
        inner_text().map(lambda t: f"# {t}\n"),
        st.sampled_from(TRICKY_TEXT),
    )


@st.composite
def queries(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(["SELECT *", "SELECT ?s ?o ?x", "ASK", "CONSTRUCT { ?s ?p ?o }"]))
    sep = draw(st.sampled_from([" ", "\n", ""]))
    body = sep.join(draw(st.lists(pieces(), min_size=1, max_size=6)))
    modifiers = draw(st.sampled_from(["", "LIMIT 5", "LIMIT 50", "ORDER BY ?s LIMIT 4", "LIMIT 2 VALUES ?s { ex:s1 ex:s2 }"]))
    return f"PREFIX ex: <{EX}>\n{form} WHERE {{ {body} }} {modifiers}"


def outcome(store: ox.Store, text: str, **options) -> Counter | bool | None:
    """pyoxigraph's answer (rows as a multiset, or a boolean), or None if it does not parse."""
    try:
        result = store.query(text, prefixes=PREFIXES, **options)
    except SyntaxError:
        return None
    except OSError:  # a SERVICE call that failed: it was made, which is what the listener records
        return Counter()
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return Counter(str(t) for t in result)
    return Counter(tuple(str(s[v]) for v in result.variables) for s in result)


def analysed(text: str) -> QueryInfo | None:
    try:
        return analyse(text)
    except QueryError:
        return None


def calls(listener: Endpoint, store: ox.Store, text: str) -> tuple[Counter | bool | None, bool]:
    before = len(listener.requests)
    answer = outcome(store, text)
    return answer, len(listener.requests) > before


@MANY
@given(template=queries())
def test_service_is_seen_exactly_where_the_engine_sees_it(listener: Endpoint, store: ox.Store, template: str) -> None:
    text = template.replace("{url}", listener.url)
    original, engine_called = calls(listener, store, text)
    info = analysed(text)
    if engine_called:
        assert info is None or info.services, f"pyoxigraph calls SERVICE the analyser did not see:\n{text}"
    if info is None:
        return
    canonical, canonical_called = calls(listener, store, info.text)
    if not info.services:
        assert not canonical_called, f"the canonical text calls SERVICE:\n{info.text}"
    if original is not None:
        assert canonical == original, f"the canonical text means something else:\n{text}\n{info.text}"


@MANY
@given(template=queries())
def test_the_row_cap_is_the_top_level_limit(listener: Endpoint, store: ox.Store, template: str) -> None:
    text = template.replace("{url}", listener.url)
    info = analysed(text)
    original = outcome(store, text)
    if info is None or info.form == "ASK" or not isinstance(original, Counter):
        return
    limited = outcome(store, capped(info, 3).text)
    assert isinstance(limited, Counter)
    if info.form == "SELECT":
        assert sum(limited.values()) == min(sum(original.values()), 3), \
            f"the cap is not the top-level LIMIT:\n{text}\n{capped(info, 3).text}"
    else:  # LIMIT caps a CONSTRUCT's solutions, not its triples: a template may give several or none
        assert limited <= original and bool(limited) == bool(original), \
            f"the cap changed what the CONSTRUCT says:\n{text}\n{capped(info, 3).text}"


@MANY
@given(froms=st.lists(st.tuples(st.sampled_from(["FROM", "FROM NAMED"]), st.sampled_from(sorted(GRAPHS))), max_size=3),
       decoy=inner_text(), sep=st.sampled_from([" ", "\n", ""]))
def test_from_graphs_are_the_ones_the_engine_reads(store: ox.Store, froms: list[tuple[str, str]], decoy: str,
                                                    sep: str) -> None:
    dataset = sep.join(f"{kw} <{g}>" for kw, g in froms)
    text = f'SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o FILTER(STR(?o) != "{decoy}") }}'
    info = analysed(text)
    answer = outcome(store, text)
    if info is None or not isinstance(answer, Counter):
        return
    # pyoxigraph merges FROM graphs as a bag: a graph named twice counts twice
    expected = sum(GRAPHS[g] for g in info.from_graphs) if (info.from_graphs or info.from_named) else 20
    (count,), = answer
    assert int(count.split('"')[1]) == expected, f"FROM read differently:\n{text}"


PROLOGUES = st.lists(
    st.sampled_from(["PREFIX ex: <http://example.org/>", "BASE <http://example.org/>", "PREFIX : <x>", "# c\n",
                     "PREFIX ex:", "PREFIX ex: <a", "BASE", "prefix p: <y>", "'", "{", "PREFIXex: <x>", "BASE<x>",
                     "PREFIX ex:<x>", "PREFIX ex.: <x>", "PREFIX e.x: <x>", "PREFIX ex:a <x>", "PREFIX é: <x>",
                     "PREFIX#c\nex: <x>", "BASE <a\\u0062>", "PREFIX ex: <a b>", "prefix:", "\r", "\t"]),
    max_size=4,
).map(lambda lines: "".join(st_sep + line for st_sep, line in zip(["", "\n", " ", "\n"], lines, strict=False)))
FORMS = st.sampled_from(["SELECT * WHERE { ?s ?p ?o }", "ASK {}", "construct { } where { }", "DESCRIBE <x>",
                         "INSERT DATA { <a> <b> <c> }", "WITH <g> DELETE {} WHERE {}", "FOO", "", "SELECT * WHERE { '",
                         "SELECT * WHERE { ?s ?p ?o } }", "SELECT*{}", "ASK{}", "DESCRIBE<x>", "SELECT.x: <y>",
                         "SELECTx", "select:a", "Select(1 AS ?x) {}", "DESCRIBE ex:a", "SELECT\ud800", "ASK#c\n{}"])


@settings(max_examples=CAMPAIGN or 600, deadline=None, derandomize=not CAMPAIGN, database=None)
@given(prologue=PROLOGUES, form=FORMS)
def test_the_form_read_from_the_prologue_is_the_whole_analysis_form(prologue: str, form: str) -> None:
    """What the web layer negotiates by (query_form) is analyse's form, or analyse's own error."""
    text = f"{prologue}\n{form}"
    try:
        expected: str = analyse(text).form
    except QueryError as error:
        expected = str(error)
    try:
        got = query_form(text)
    except QueryError as error:
        got = str(error)
    assert got == expected or (expected.startswith("syntax error") and got in QUERY_FORMS)


@settings(max_examples=CAMPAIGN or 600, deadline=None, derandomize=not CAMPAIGN, database=None)
@given(prologue=PROLOGUES, form=FORMS)
def test_a_plain_prologue_s_pattern_reads_the_form_the_lexer_reads(prologue: str, form: str) -> None:
    """Where the one-pattern reading answers, it is the lexer's, not merely a form."""
    text = f"{prologue}\n{form}"
    plain = plain_form(text)
    if plain is not None:
        assert plain == lexed_form(text), text


def without_escapes_or_service(template: str) -> str:
    """The same query with nothing that keeps it from running as written, so both paths are drawn."""
    return template.replace("\\", "").replace("SERVICE SILENT", "GRAPH").replace("SERVICE", "GRAPH")


@MANY
@given(template=st.one_of(queries(), queries().map(without_escapes_or_service)),
       media_type=st.sampled_from([None, "text/csv", "application/n-triples"]), max_rows=st.sampled_from([None, 3]))
def test_a_text_run_as_written_answers_as_its_checked_text(listener: Endpoint, store: ox.Store, template: str,
                                                           media_type: str | None, max_rows: int | None) -> None:
    text = template.replace("{url}", listener.url)
    preparation = Preparation(media_type, None, max_rows, Rules(frozenset(GRAPHS), (), (), "none: a test"))

    def outcome_of(run) -> bytes | str:
        try:
            return run()
        except QueryError as error:
            return f"{type(error).__name__}: {error}"

    before = len(listener.requests)
    got = outcome_of(lambda: answer(store, text, "", media_type or "", None, None, preparation))
    if runs_as_written(text):
        assert len(listener.requests) == before, f"a text run as written called SERVICE:\n{text}"
    expected = outcome_of(lambda: checked(store, text, None, preparation))
    assert got == expected, f"run as written, the text answers otherwise:\n{text}"
