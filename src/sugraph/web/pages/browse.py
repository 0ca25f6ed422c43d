"""The browse pages: threats as a tree, measures with filters, other classes grouped by type."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import ASSERTED_GRAPH, SUG
from ...store import Store
from .site import KINDS, Site, entity_iri, term_label

THREATS_QUERY = f"""
PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?threat ?broader (COUNT(DISTINCT ?measure) AS ?measures) WHERE {{
  ?threat a sug:Threat .
  OPTIONAL {{ GRAPH <{ASSERTED_GRAPH}> {{ ?threat skos:broader ?broader }} }}
  OPTIONAL {{ ?measure a sug:Measure ; sug:addresses ?threat }}
}}
GROUP BY ?threat ?broader
"""

# One fixed query: a filter left out keeps its UNDEF placeholder and is skipped by !BOUND.
MEASURES_QUERY = """
PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?measure ?state (GROUP_CONCAT(DISTINCT STR(?addressed); separator=" ") AS ?threats) WHERE {
  VALUES ?threat { UNDEF }
  VALUES ?actor { UNDEF }
  VALUES ?strategy { UNDEF }
  VALUES ?priority { UNDEF }
  VALUES ?source { UNDEF }
  VALUES ?status { UNDEF }
  ?measure a sug:Measure .
  FILTER(!BOUND(?threat) || EXISTS { ?measure sug:addresses/skos:broaderTransitive* ?threat })
  FILTER(!BOUND(?actor) || EXISTS { ?measure sug:involves ?actor })
  FILTER(!BOUND(?strategy) || EXISTS { ?measure sug:implements/(^sug:hasPriority)? ?strategy })
  FILTER(!BOUND(?priority) || EXISTS { ?measure sug:implements ?priority })
  FILTER(!BOUND(?source) || EXISTS { ?measure prov:wasDerivedFrom ?source })
  FILTER(!BOUND(?status) || EXISTS { ?measure sug:status ?status })
  OPTIONAL { ?measure sug:status ?state }
  OPTIONAL { ?measure sug:addresses ?addressed }
}
GROUP BY ?measure ?state
"""


@dataclass(frozen=True)
class Filter:
    """A measure filter: its URL parameter, the kind of the IRIs it takes, the class they belong to."""

    name: str
    kind: str
    cls: str


MEASURE_FILTERS = (
    Filter("threat", "threat", str(SUG.Threat)),
    Filter("actor", "actor", str(SUG.Actor)),
    Filter("strategy", "strategy", str(SUG.Strategy)),
    Filter("priority", "priority", str(SUG.StrategicPriority)),
    Filter("source", "document", str(SUG.SourceDocument)),
    Filter("status", "status", str(SUG.Status)),
)


class UnknownValue(ValueError):
    """A filter value that names no entity of the filter's class."""

    def __init__(self, name: str, value: str):
        super().__init__(f"{name}={value}")
        self.name, self.value = name, value


@dataclass
class TreeNode:
    iri: str
    slug: str
    measures: int
    children: list[TreeNode] = field(default_factory=list)


@dataclass(frozen=True)
class MeasureRow:
    iri: str
    status: str | None
    threats: list[str]


def threat_tree(store: Store, site: Site, lang: str) -> list[TreeNode]:
    """Top threats with their narrower threats beneath (a threat with two broader ones appears twice)."""
    rows = store.select(THREATS_QUERY)
    counts = {r["threat"].value: int(r["measures"].value) for r in rows}
    children: dict[str | None, list[str]] = {}
    for r in rows:
        children.setdefault(r["broader"].value if "broader" in r else None, []).append(r["threat"].value)

    def build(iri: str, path: frozenset[str]) -> TreeNode:
        below = sorted(set(children.get(iri, [])) - path, key=lambda c: site.label(c, lang).casefold())
        return TreeNode(iri, iri.rsplit("/", 1)[-1], counts[iri], [build(c, path | {c}) for c in below])

    roots = sorted(set(children.get(None, [])), key=lambda c: site.label(c, lang).casefold())
    return [build(r, frozenset({r})) for r in roots]


def parse_filters(site: Site, params: dict[str, str], filters: tuple[Filter, ...] = MEASURE_FILTERS) -> dict[str, str]:
    """URL parameters (slugs) of `filters` → the IRIs they name; raises UnknownValue for anything else."""
    chosen: dict[str, str] = {}
    for f in filters:
        value = params.get(f.name, "").strip()
        if not value:
            continue
        iri = entity_iri(f.kind, value)
        if f.cls not in site.types.get(iri, ()):
            raise UnknownValue(f.name, value)
        chosen[f.name] = iri
    return chosen


def measures(store: Store, site: Site, lang: str, chosen: dict[str, str]) -> list[MeasureRow]:
    rows = store.select(MEASURES_QUERY, {name: ox.NamedNode(iri) for name, iri in chosen.items()})
    found = [
        MeasureRow(
            r["measure"].value,
            r["state"].value if "state" in r else None,
            sorted(r["threats"].value.split() if "threats" in r else [], key=lambda t: site.label(t, lang).casefold()),
        )
        for r in rows
    ]
    return sorted(found, key=lambda m: site.label(m.iri, lang).casefold())


def grouped(site: Site, kind: str, lang: str) -> list[tuple[str, list[str]]]:
    """The members of a kind's class, grouped under their most specific class, groups by label."""
    groups: dict[str, list[str]] = {}
    for iri in site.members(KINDS[kind], lang):
        groups.setdefault(site.main_type(iri) or KINDS[kind], []).append(iri)
    return sorted(
        ((term_label(site, cls, lang), members) for cls, members in groups.items()), key=lambda g: g[0].casefold()
    )
