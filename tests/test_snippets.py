"""Code for the current query (web/snippets.py, templates/_code.html): shown on the workbench for the
query in the box and on a named query's page for its URL, and it runs — the curl command and the
Python are run here against the live server, the pandas recipe too when pandas is installed."""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from sugraph.web.snippets import for_sparql, for_url

SOURCES_QUERY = """PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?doc ?label ?issued (COUNT(?m) AS ?announced) (COUNT(?m) > 10 AS ?many) WHERE {
  ?doc a sug:SourceDocument ; rdfs:label ?label ; dct:issued ?issued ; sug:announces ?m .
  FILTER(LANG(?label) = "fr")
}
GROUP BY ?doc ?label ?issued
ORDER BY ?issued
"""


def shown(page: httpx.Response) -> dict[str, str]:
    """The code a page shows, by title."""
    found = re.findall(r"<h3>([^<]*)</h3>\s*<pre><code class=\"language-\w+\">(.*?)</code></pre>", page.text, re.S)
    return {title: html.unescape(code) for title, code in found}


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sources(client: httpx.Client) -> list[dict]:
    """The test query's answer, as /sparql gives it."""
    answer = client.post(
        "/sparql", data={"query": SOURCES_QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    return answer.json()["results"]["bindings"]


def test_the_workbench_shows_curl_python_and_pandas_for_the_query_in_the_box(client: httpx.Client) -> None:
    page = client.get("/workbench", params={"query": SOURCES_QUERY})
    assert list(shown(page)) == ["curl", "Python (httpx)", "pandas"]
    assert '<details class="code-snippets"' in page.text
    assert '<script src="/static/code.js" defer></script>' in page.text


def test_the_curl_command_answers_the_csv_that_sparql_gives(client: httpx.Client, server) -> None:
    if shutil.which("curl") is None:
        pytest.skip("no curl on this machine")
    command = shown(client.get("/workbench", params={"query": SOURCES_QUERY}))["curl"]
    done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=60)
    expected = client.post("/sparql", data={"query": SOURCES_QUERY}, headers={"Accept": "text/csv"})
    assert done.returncode == 0
    assert done.stdout == expected.content


def test_the_python_code_prints_every_row_of_the_query(client: httpx.Client) -> None:
    code = shown(client.get("/workbench", params={"query": SOURCES_QUERY}))["Python (httpx)"]
    printed = run_python(code).splitlines()
    assert printed == [str({name: term["value"] for name, term in row.items()}) for row in sources(client)]


def test_the_pandas_recipe_types_numbers_dates_booleans_and_language_tags(client: httpx.Client) -> None:
    code = shown(client.get("/workbench", params={"query": SOURCES_QUERY}))["pandas"]
    compiled = compile(code, "pandas-recipe", "exec")
    if importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas is not installed: the recipe was only compiled")
    import pandas as pd

    scope: dict = {}
    exec(compiled, scope)
    table = scope["table"]
    assert list(table.columns) == ["doc", "label", "issued", "announced", "many", "label@lang"]
    assert pd.api.types.is_string_dtype(table["label"])
    assert pd.api.types.is_datetime64_any_dtype(table["issued"])
    assert (table["announced"].dtype, table["many"].dtype) == ("Int64", "boolean")
    assert list(table["label@lang"]) == ["fr", "fr"]
    assert list(table["announced"]) == [int(row["announced"]["value"]) for row in sources(client)]


def test_a_named_query_page_gives_its_url_with_its_parameters(client: httpx.Client, server) -> None:
    page = client.get("/queries/money", params={"format": "html", "lang": "fr"})
    code = shown(page)
    assert code["curl"] == (
        f"curl --get '{server.url}/queries/money' \\\n  -H 'Accept: text/csv' \\\n  --data-urlencode 'lang=fr'\n"
    )
    assert f'"{server.url}/queries/money",\n    params={{"lang": "fr"}},' in code["Python (httpx)"]


def test_the_named_query_code_runs_and_answers_as_the_query_does(client: httpx.Client) -> None:
    code = shown(client.get("/queries/money", params={"format": "html", "lang": "fr"}))["Python (httpx)"]
    expected = client.get(
        "/queries/money", params={"lang": "fr"}, headers={"Accept": "application/sparql-results+json"}
    )
    rows = expected.json()["results"]["bindings"]
    assert run_python(code).splitlines() == [str({n: t["value"] for n, t in row.items()}) for row in rows]


def test_an_ask_query_prints_its_answer_and_has_no_table() -> None:
    code = for_sparql("http://example.org/sparql", "ASK { ?s ?p ?o }")
    assert [s.title for s in code] == ["curl", "Python (httpx)"]
    assert code[1].code.endswith('response.raise_for_status()\nprint(response.json()["boolean"])\n')
    assert "-H 'Accept: application/sparql-results+json'" in code[0].code


def test_a_construct_query_asks_for_turtle() -> None:
    code = for_sparql("http://example.org/sparql", "CONSTRUCT WHERE { ?s ?p ?o }")
    assert [s.title for s in code] == ["curl", "Python (httpx)"]
    assert "-H 'Accept: text/turtle'" in code[0].code
    assert code[1].code.endswith("print(response.text)\n")


def test_an_update_has_no_code() -> None:
    assert for_sparql("http://example.org/sparql", "INSERT DATA { <a:b> <a:c> <a:d> }") == []


def test_a_query_that_cannot_run_has_no_code(client: httpx.Client) -> None:
    page = client.get("/workbench", params={"query": "SELECT WHERE nothing"})
    assert page.status_code == 400
    assert "code-snippets" not in page.text


def test_quotes_and_backslashes_survive_the_shell_and_python() -> None:
    query = 'SELECT * WHERE { ?s ?p "it\'s \\"quoted\\"" }'
    curl, python, _ = for_sparql("http://example.org/sparql", query)
    word = curl.code.split("--data-urlencode ", 1)[1].rstrip("\n")
    assert subprocess.run(["sh", "-c", f"printf %s {word}"], capture_output=True, text=True).stdout == f"query={query}"
    scope: dict = {}
    exec(python.code.split("\n\nresponse")[0].replace("import httpx\n", ""), scope)
    assert scope["QUERY"] == query


def test_a_repeated_parameter_is_a_list_and_format_is_left_out() -> None:
    curl, python = for_url("http://example.org/queries/q", [("x", "a"), ("x", "b"), ("format", "html")], "ASK")
    assert curl.code.endswith("--data-urlencode 'x=a' \\\n  --data-urlencode 'x=b'\n")
    assert 'params={"x": ["a", "b"]},' in python.code
