"""Code that runs the current query from a program: curl, Python with httpx, and a pandas table that
keeps the datatypes (numbers, dates and booleans as such, language tags in a column of their own).

The workbench's query goes to /sparql (POST, so a long query fits); a named query's page gives its
/queries/{name} URL with its parameters. Both are shown by templates/_code.html. The code asks for
SPARQL JSON (CSV for curl): JSON carries each value's datatype and language, which CSV loses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..store.analysis import analyse
from ..store.errors import QueryError
from .formats import CSV, RESULTS_JSON, TURTLE

# The parameter of a page URL that chooses its representation, not the query's answer (`lang` stays:
# a named query's own parameter, when it has one, is named so).
PAGE_PARAMS = ("format",)
TIMEOUT = 60

# The pandas recipe's conversion, after `results = response.json()`: one column per variable, typed
# by the one XSD datatype its values share, and `{name}@lang` beside a column with language tags.
TABLE = """
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "gYear")
DTYPES = {
    **{XSD + name: "Int64" for name in INTEGERS},
    **{XSD + name: "Float64" for name in ("decimal", "double", "float")},
    XSD + "boolean": "boolean",
    XSD + "date": "datetime",
    XSD + "dateTime": "datetime",
}

names = results["head"]["vars"]
rows = results["results"]["bindings"]
table = pd.DataFrame(
    {name: pd.Series([row.get(name, {}).get("value") for row in rows], dtype="string") for name in names}
)
for name in names:
    terms = [row[name] for row in rows if name in row]
    datatypes = {term.get("datatype") for term in terms}
    dtype = DTYPES.get(datatypes.pop()) if len(datatypes) == 1 else None
    if dtype == "datetime":
        table[name] = pd.to_datetime(table[name])
    elif dtype == "boolean":
        table[name] = table[name].map({"true": True, "1": True, "false": False, "0": False}).astype("boolean")
    elif dtype:
        table[name] = pd.to_numeric(table[name]).astype(dtype)
    if any("xml:lang" in term for term in terms):
        table[name + "@lang"] = pd.Series([row.get(name, {}).get("xml:lang") for row in rows], dtype="string")

print(table.dtypes)
print(table)
"""


@dataclass(frozen=True)
class Snippet:
    title: str  # "curl", "Python (httpx)", "pandas"
    language: str  # for the <code> element's class: "shell" or "python"
    code: str


@dataclass(frozen=True)
class _Call:
    """One HTTP request that answers the query."""

    url: str
    params: Sequence[tuple[str, str]]
    post: bool  # the query text as a form body; else the parameters in the URL
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE


def for_sparql(endpoint: str, query: str) -> list[Snippet]:
    """Code that sends `query` to the SPARQL endpoint at `endpoint`; none for a text that is no query."""
    try:
        form = analyse(query).form
    except QueryError:
        return []
    return _snippets(_Call(endpoint, [("query", query.replace("\r\n", "\n"))], post=True, form=form))


def for_url(url: str, params: Sequence[tuple[str, str]], form: str) -> list[Snippet]:
    """Code that asks a named query's URL, with the page's parameters (but `format`: the code asks
    for its own)."""
    kept = [(k, v) for k, v in params if k not in PAGE_PARAMS]
    return _snippets(_Call(url, kept, post=False, form=form))


def _snippets(call: _Call) -> list[Snippet]:
    found = [Snippet("curl", "shell", _curl(call)), Snippet("Python (httpx)", "python", _python(call))]
    if call.form == "SELECT":
        found.append(Snippet("pandas", "python", _pandas(call)))
    return found


def _accept(call: _Call, for_table: bool = False) -> str:
    if call.form in ("CONSTRUCT", "DESCRIBE"):
        return TURTLE.media_type
    return CSV.media_type if for_table and call.form == "SELECT" else RESULTS_JSON.media_type


def _shell(text: str) -> str:
    """A single-quoted shell word: every character literal, a quote closed, escaped and reopened."""
    return "'" + text.replace("'", "'\\''") + "'"


def _curl(call: _Call) -> str:
    lines = [
        f"curl {'' if call.post else '--get '}{_shell(call.url)}",
        f"-H {_shell('Accept: ' + _accept(call, True))}",
    ]
    lines += [f"--data-urlencode {_shell(f'{name}={value}')}" for name, value in call.params]
    return " \\\n  ".join(lines) + "\n"


def _string(text: str) -> str:
    """A Python literal for `text`: triple-quoted when that reads as the text itself."""
    if "\n" in text and '"""' not in text and "\\" not in text and not text.endswith('"'):
        return f'"""{text}"""'
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Python literal


def _list(values: list[str]) -> str:
    return "[" + ", ".join(map(_string, values)) + "]"


def _request(call: _Call) -> str:
    """The httpx call and its check, shared by the Python and pandas recipes."""
    if call.post:
        ((_, query),) = call.params
        head = f"QUERY = {_string(query)}\n\n"
        method, payload = "post", 'data={"query": QUERY}'
    else:
        values: dict[str, list[str]] = {}
        for name, value in call.params:
            values.setdefault(name, []).append(value)
        items = ", ".join(f"{_string(k)}: {_string(v[0]) if len(v) == 1 else _list(v)}" for k, v in values.items())
        head, method, payload = "", "get", f"params={{{items}}}"
    return (
        f"{head}response = httpx.{method}(\n"
        f"    {_string(call.url)},\n"
        f"    {payload},\n"
        f'    headers={{"Accept": "{_accept(call)}"}},\n'
        f"    timeout={TIMEOUT},\n"
        ")\n"
        "response.raise_for_status()\n"
    )


def _python(call: _Call) -> str:
    if call.form == "ASK":
        use = 'print(response.json()["boolean"])\n'
    elif call.form == "SELECT":
        use = (
            'for row in response.json()["results"]["bindings"]:\n'
            '    print({name: term["value"] for name, term in row.items()})\n'
        )
    else:
        use = "print(response.text)\n"
    return f"import httpx\n\n{_request(call)}{use}"


def _pandas(call: _Call) -> str:
    return f"import httpx\nimport pandas as pd\n\n{_request(call)}results = response.json()\n{TABLE}"
