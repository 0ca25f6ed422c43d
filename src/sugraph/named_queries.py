"""Named queries: `queries/*.rq` files with a YAML header (see CONVENTIONS.md), and their typed parameters.

A request's parameter values are strings; each is checked against its declared type and turned
into one RDF term (a pyoxigraph NamedNode or Literal), and `bind_values` puts the terms in the
query's `VALUES ?name { UNDEF }` placeholder. A value is therefore always one term in one place:
quotes, braces, `} UNION {` or newlines inside it cannot change the query, only fail to match or
be refused with a QueryError naming the parameter.
"""

from __future__ import annotations

import builtins
import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

import pyoxigraph as ox
import yaml

from .build import find_root
from .config import Settings
from .namespaces import expand_iri
from .store.analysis import analyse
from .store.base import bind_values, placeholders
from .store.errors import QueryError
from .terms import Term

PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "year", "boolean")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_INTEGER = re.compile(r"^[+-]?\d{1,30}$")
_DECIMAL = re.compile(r"^[+-]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})$")
_YEAR = re.compile(r"^-?\d{4}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def queries_folder(settings: Settings) -> Path:
    """`settings.queries_dir` (SUGRAPH_QUERIES_DIR), else the project's queries/ folder."""
    if settings.queries_dir is not None:
        return settings.queries_dir
    return (settings.root or find_root()) / "queries"


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    description: Mapping[str, str]
    required: bool = False
    list: bool = False
    default: tuple[str, ...] = ()
    lang: str | None = None
    cls: str | None = None  # for IRIs: the class whose instances are meaningful values

    def term(self, value: str) -> Term:
        """One request value → one RDF term, or QueryError saying what this parameter expects."""
        try:
            return _CONVERTERS[self.type](value.strip() if self.type != "string" else value, self.lang)
        except (ValueError, TypeError, KeyError):
            raise QueryError(f"parameter '{self.name}' expects {_EXPECTS[self.type]}, not {value[:80]!r}") from None

    def terms(self, values: Sequence[str]) -> builtins.list[Term]:  # in this class, `list` is the field
        values = list(values) or list(self.default)
        if not values and self.required:
            raise QueryError(f"parameter '{self.name}' is required")
        if len(values) > 1 and not self.list:
            raise QueryError(f"parameter '{self.name}' takes one value, not {len(values)}")
        return [self.term(v) for v in values]


def _iri(value: str, _lang: str | None) -> ox.NamedNode:
    iri = expand_iri(value)
    if not _SCHEME.match(iri):
        raise ValueError(value)
    return ox.NamedNode(iri)  # refuses what is not an IRI: spaces, <>, quotes, braces…


def _typed(datatype: str, check):
    def convert(value: str, _lang: str | None) -> ox.Literal:
        if not check(value):
            raise ValueError(value)
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))

    return convert


def _string(value: str, lang: str | None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _is_date(value: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and bool(datetime.date.fromisoformat(value))


_CONVERTERS = {
    "iri": _iri,
    "string": _string,
    "integer": _typed("integer", _INTEGER.match),
    "decimal": _typed("decimal", _DECIMAL.match),
    "date": _typed("date", _is_date),
    "year": _typed("gYear", _YEAR.match),
    "boolean": lambda v, _l: ox.Literal(
        {"true": "true", "1": "true", "false": "false", "0": "false"}[v.lower()],
        datatype=ox.NamedNode(_XSD + "boolean"),
    ),
}
_EXPECTS = {
    "iri": "an IRI (full, or a known prefixed name such as threat:hybrid-threats)",
    "string": "a string",
    "integer": "an integer",
    "decimal": "a decimal number",
    "date": "a date (YYYY-MM-DD)",
    "year": "a year (YYYY)",
    "boolean": "true or false",
}


@dataclass(frozen=True)
class NamedQuery:
    """One `queries/*.rq` file: its metadata, its parameters and its SPARQL text."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    params: tuple[Param, ...]
    sparql: str
    form: str

    def text(self, values: Mapping[str, Sequence[str]]) -> str:
        """The query with the request's values bound as terms; QueryError for a bad or missing value."""
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise QueryError(
                f"unknown parameter {unknown[0]!r}; this query takes: "
                + (", ".join(p.name for p in self.params) or "none")
            )
        bindings = {}
        for param in self.params:
            terms = param.terms(values.get(param.name, ()))
            if terms:
                bindings[param.name] = terms
        return bind_values(self.sparql, bindings)


def _languages(value: object, path: Path, field: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"{path}: '{field}' must be text or {{en: …, fr: …}}")
    return {str(k): v for k, v in value.items()}


def read_header(text: str) -> tuple[dict, str]:
    """The YAML header of a query file (named queries, quality checks): its first lines that start
    with `#+`, read without it and one space, as a mapping ({} when there is none); and the SPARQL
    after it. ValueError when the header is not a mapping."""
    lines = text.splitlines(keepends=True)
    header = list(takewhile(lambda line: line.startswith("#+"), lines))
    meta = yaml.safe_load("\n".join(line.rstrip("\r\n")[2:].removeprefix(" ") for line in header)) or {}
    if not isinstance(meta, dict):
        raise ValueError("the '#+' header must be a YAML mapping")
    return meta, "".join(lines[len(header) :])


def parse_query_file(path: Path) -> NamedQuery:
    """Read one named query; ValueError (naming the file) for a header or parameter that is wrong."""
    text = path.read_text(encoding="utf-8")
    try:
        meta, _ = read_header(text)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    if not _NAME.match(path.stem):
        raise ValueError(f"{path}: a query's file name must be lower case words joined by hyphens")
    declared = set(placeholders(text))
    params = []
    for name, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise ValueError(f"{path}: parameter {name!r} has unknown type {kind!r}")
        if name not in declared:
            raise ValueError(f"{path}: parameter {name!r} has no placeholder 'VALUES ?{name} {{ UNDEF }}'")
        default = spec.get("default")
        defaults = tuple(
            str(v) for v in (default if isinstance(default, list) else [default] if default is not None else [])
        )
        param = Param(
            name,
            kind,
            _languages(spec.get("description", ""), path, "description"),
            bool(spec.get("required", False)),
            bool(spec.get("list", False)),
            defaults,
            spec.get("lang"),
            expand_iri(spec["class"]) if spec.get("class") else None,
        )
        try:
            [param.term(d) for d in defaults]  # a wrong default is the file's mistake: say so at startup
        except QueryError as e:
            raise ValueError(f"{path}: default of {e}") from None
        params.append(param)
    form = analyse(text).form
    if form not in ("SELECT", "ASK"):
        raise ValueError(f"{path}: a named query must be a SELECT or ASK query, not {form}")
    return NamedQuery(
        path.stem,
        _languages(meta.get("title", path.stem), path, "title"),
        _languages(meta.get("description", ""), path, "description"),
        tuple(params),
        text,
        form,
    )


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every `*.rq` file of the folder, by name (an empty dict if there is no folder)."""
    if not folder.is_dir():
        return {}
    return {q.name: q for q in (parse_query_file(p) for p in sorted(folder.glob("*.rq")))}
