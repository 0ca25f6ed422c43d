"""Every check and rewrite a client's text gets before an engine sees it, as one function of the text
and the store's rules: read-only, SERVICE and FROM, the media type, the dataset's graphs, the row cap.

The server runs it for an in-process or remote engine (`Store._prepare`); a query worker runs it
beside its own engine (pool.py, worker.py), so for the embedded store the server's event loop
never reads a client's text, and the text the checks passed is the one that runs, in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import QueryInfo, Rewritten, analyse, capped, check
from .engine import Dataset
from .errors import QueryError

RESULTS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)


def media_types_for(form: str) -> tuple[str, ...]:
    """What a query of this form can be answered in: result sets for SELECT/ASK, RDF otherwise."""
    return RESULTS_MEDIA_TYPES if form in ("SELECT", "ASK") else GRAPH_MEDIA_TYPES


@dataclass(frozen=True)
class Rules:
    """What a store allows: the graphs a query may name, the SERVICE endpoints it may call, the IRI
    its engine calls for each (None: not safely, and `isolation` says why)."""

    known_graphs: frozenset[str]
    allowed_endpoints: tuple[str, ...]
    service_iris: tuple[str | None, ...]
    isolation: str


@dataclass(frozen=True)
class Prepared:
    """A checked query: the canonical text to run (which also places the engine's syntax errors back
    in the client's text), its form, the media type to answer in, and its dataset."""

    query: Rewritten
    form: str
    media_type: str
    dataset: Dataset | None


@dataclass(frozen=True)
class Preparation:
    """A request's own part of the checks: what it asks for, with the rules of the store it asks."""

    media_type: str | None
    dataset: Dataset | None
    max_rows: int | None
    rules: Rules

    def apply(self, sparql: str) -> Prepared:
        """The checked query, or QueryError: an update, not a query, a refused SERVICE or FROM, a
        media type the form cannot be answered in, a graph the store does not hold."""
        info = analyse(sparql)
        rules = self.rules
        check(info, rules.known_graphs, rules.allowed_endpoints)
        offered = media_types_for(info.form)
        media_type = self.media_type or offered[0]
        if media_type not in offered:
            raise QueryError(f"a {info.form} query cannot be answered as {media_type}")
        dataset = self.dataset
        for graph in (dataset.default_graphs + (dataset.named_graphs or ())) if dataset else ():
            if graph not in rules.known_graphs:
                raise QueryError(f"no graph <{graph}> here, and remote graphs are never fetched")
        if dataset is None and not (info.from_graphs or info.from_named):
            dataset = Dataset()
        return Prepared(capped(info, self.max_rows, _routes(info, rules)), info.form, media_type, dataset)


def _routes(info: QueryInfo, rules: Rules) -> dict[int, str]:
    """SERVICE endpoint tokens → what the engine is to call instead (check() allowed them)."""
    routes = {}
    for endpoint, index in zip(info.services, info.service_tokens, strict=True):
        iri = rules.service_iris[rules.allowed_endpoints.index(endpoint)] if endpoint else None
        if iri is None:
            raise QueryError(
                "SERVICE (federated query) is refused: this server cannot keep its query "
                f"engine off the network ({rules.isolation.removeprefix('none: ')})"
            )
        routes[index] = iri
    return routes
