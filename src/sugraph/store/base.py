"""The backend interface every store implements; the web and CLI layers only ever see this.

Terms are pyoxigraph terms (NamedNode, BlankNode, Literal) whatever the backend, so callers never
convert between term models.

Parameters are bound as RDF terms, never pasted into query text by hand: a query marks where a
parameter goes with a placeholder `VALUES ?name { UNDEF }` inside its WHERE clause, and
`bind_values` fills it with the terms serialized by pyoxigraph (which escapes them), so a value can
never change the query's structure. A parameter left unbound keeps UNDEF: unconstrained.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

import re

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term | Sequence[Term]]

_PLACEHOLDER = r"VALUES\s+\?{name}\s*\{{\s*UNDEF\s*\}}"


def placeholders(sparql: str) -> list[str]:
    """Names of the parameters a query declares with `VALUES ?name { UNDEF }`."""
    return re.findall(r"VALUES\s+\?(\w+)\s*\{\s*UNDEF\s*\}", sparql)


class QueryError(Exception):
    """The query is malformed or not allowed (the client's fault: HTTP 400)."""


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped (HTTP 503)."""


class BackendError(Exception):
    """The backend cannot answer: unreachable, broken or returning garbage (HTTP 502)."""


def bind_values(sparql: str, bindings: Bindings | None) -> str:
    """Fill each `VALUES ?name { UNDEF }` placeholder with the given term(s)."""
    for name, value in (bindings or {}).items():
        terms = [value] if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)) else list(value)
        if not all(isinstance(t, (ox.NamedNode, ox.Literal)) for t in terms):
            raise QueryError(f"parameter {name!r} must be bound to IRIs or literals")
        pattern = re.compile(_PLACEHOLDER.format(name=re.escape(name)))
        if not pattern.search(sparql):
            raise QueryError(f"the query has no placeholder 'VALUES ?{name} {{ UNDEF }}'")
        block = f"VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}"
        sparql = pattern.sub(lambda _m: block, sparql)
    return sparql


class Store(ABC):
    """A read-only SPARQL engine over the built knowledge graph (asserted + inferred)."""

    name: str = "store"

    @abstractmethod
    def select(self, sparql: str, bindings: Bindings | None = None,
               timeout: float | None = None) -> list[Row]:
        """Rows of a SELECT query; an unbound variable is absent from its row."""

    @abstractmethod
    def ask(self, sparql: str, bindings: Bindings | None = None,
            timeout: float | None = None) -> bool:
        """The answer of an ASK query."""

    @abstractmethod
    def construct(self, sparql: str, bindings: Bindings | None = None,
                  timeout: float | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""

    @abstractmethod
    def graphs(self) -> Sequence[str]:
        """IRIs of the named graphs in the store."""

    def close(self) -> None:
        """Release resources; the default store holds none."""
