"""The browse pages: threats as a tree; measures, and the members of every other class, as a table
(web/tables.py) with facets.

A facet is a filter that shows its values with counts. Values of one facet combine with OR
(`?actor=nato&actor=europol`: measures involving either), facets with AND (`&status=adopted`: and
adopted). A value's count is how many entities have it among those the other facets' choices keep
(the facet's own choices do not narrow its counts, so a count never depends on which of its
siblings is ticked): the list it would give as the facet's only choice. A value with no entity
there is not offered, and of the others the 30 most frequent and the chosen ones, unless the URL
asks for all (`_facet_size=max`, as Datasette does): at 100 times the data an actor facet would
otherwise offer thousands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ...errors import UsageError
from ...namespaces import ASSERTED_GRAPH, SUG
from ...store import Store
from ..display import Value
from ..i18n import translator
from ..tables import Cell, Rows, by_name, link, text_key
from .site import KINDS, Site, entity_iri, href, term_label

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

# Every measure with the values it has for each facet, and the threats it addresses (a column).
MEASURES_QUERY = """
PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?measure ?facet ?value WHERE {
  ?measure a sug:Measure .
  OPTIONAL {
    { ?measure sug:addresses/skos:broaderTransitive* ?value BIND("threat" AS ?facet) }
    UNION { ?measure sug:involves ?value BIND("actor" AS ?facet) }
    UNION { ?measure sug:implements/(^sug:hasPriority)? ?value BIND("strategy" AS ?facet) }
    UNION { ?measure sug:implements ?value BIND("priority" AS ?facet) }
    UNION { ?measure prov:wasDerivedFrom ?value BIND("source" AS ?facet) }
    UNION { ?measure sug:status ?value BIND("status" AS ?facet) }
    UNION { ?measure sug:addresses ?value BIND("addresses" AS ?facet) }
  }
}
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
TYPE = "type"  # the facet of the other lists: the classes people gave their members
FACET_SIZE = 30  # values a facet offers (the most frequent, and every chosen one) unless asked for all
FACET_SIZE_PARAM = "_facet_size"  # `max`: every value of every facet (Datasette's parameter)
Once = Callable[[str, Callable[[], Any]], Any]  # `ServingContext.once`: computed once per graph


class UnknownValue(ValueError):
    """A filter value that names no entity of the filter's class."""

    def __init__(self, name: str, value: str):
        super().__init__(f"{name}={value}")
        self.name, self.value = name, value


@dataclass(frozen=True)
class Entity:
    """One listed entity and its values for each facet (IRIs)."""

    iri: str
    values: dict[str, set[str]]


@dataclass(frozen=True)
class FacetValue:
    iri: str
    label: str
    count: int
    selected: bool
    link: str  # the list with this value added to the facet's choices, or taken out if it is one


@dataclass(frozen=True)
class Facet:
    name: str
    values: list[FacetValue]
    hidden: int  # values with a count left out (past the FACET_SIZE most frequent)
    all_shown: bool  # every value is shown though there are more than FACET_SIZE (`_facet_size=max`)
    all_link: str  # this list with every value of every facet
    few_link: str  # this list with the FACET_SIZE most frequent values of each


@dataclass(frozen=True)
class Listing:
    """A browse list once filtered: its facets, its table's columns and rows, and the same rows as
    SPARQL JSON for downloads (`variables` name its columns)."""

    facets: list[Facet]
    columns: list[tuple[str, str]]  # (name, label)
    rows: Rows
    variables: list[str]
    binding: Callable[[int], dict]  # row i as a SPARQL JSON binding of `variables`
    chosen: dict[str, list[str]]

    def results(self, indices: Sequence[int]) -> dict:
        """The rows `indices` picks, in that order, as SPARQL JSON results (what a download holds)."""
        return _results(self.variables, [self.binding(i) for i in indices])


@dataclass
class TreeNode:
    iri: str
    slug: str
    measures: int
    children: list[TreeNode] = field(default_factory=list)


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


def slug(iri: str) -> str:
    """The last segment of an IRI (after / or #): how a facet value is written in a URL."""
    return iri.replace("#", "/").rsplit("/", 1)[-1]


def choose_values(
    params: Mapping[str, Sequence[str]], names: Sequence[str], known: Callable[[str, str], str | None]
) -> dict[str, list[str]]:
    """The facet values the URL names (slugs) as IRIs, by facet; `known(facet, slug)` gives the IRI
    or None, and None raises UnknownValue."""
    chosen: dict[str, list[str]] = {}
    for name in names:
        for value in (v.strip() for v in params.get(name, [])):
            if not value:
                continue
            iri = known(name, value)
            if iri is None:
                raise UnknownValue(name, value)
            if iri not in chosen.setdefault(name, []):
                chosen[name].append(iri)
    return {name: iris for name, iris in chosen.items() if iris}


def member_of(site: Site, filters: Sequence[Filter]) -> Callable[[str, str], str | None]:
    """`known` for `choose_values`: a filter's slug → the IRI it names if that is of the filter's class."""
    by = {f.name: f for f in filters}

    def known(name: str, value: str) -> str | None:
        iri = entity_iri(by[name].kind, value)
        return iri if by[name].cls in site.types.get(iri, ()) else None

    return known


def parse_filters(site: Site, params: Mapping[str, str], filters: Sequence[Filter]) -> dict[str, str]:
    """One value per filter (a page with a select each, like the timeline): slugs → IRIs by filter
    name; raises UnknownValue for a slug that names nothing of the filter's class."""
    chosen = choose_values({k: [v] for k, v in params.items()}, [f.name for f in filters], member_of(site, filters))
    return {name: iris[0] for name, iris in chosen.items()}


def facets(
    entities: Sequence[Entity],
    names: Sequence[str],
    chosen: Mapping[str, Sequence[str]],
    site: Site,
    lang: str,
    path: str,
    params: Sequence[tuple[str, str]],
    once: Once,
    kind: str,
) -> tuple[list[Entity], list[Facet]]:
    """The entities the choices keep, and each facet's values with their counts (see the module),
    the `FACET_SIZE` most frequent and every chosen one unless the URL asks for all
    (`_facet_size=max`). A facet's counts depend only on the other facets' choices: without any,
    they are the whole list's, ranked once per graph and language (`once`)."""
    picked_sets = {n: set(iris) for n, iris in chosen.items()}
    everything = _facet_size(params)

    def keeps(entity: Entity, but: str | None = None) -> bool:
        return all(entity.values.get(n, set()) & iris for n, iris in picked_sets.items() if n != but)

    def ranked(name: str) -> tuple[dict[str, int], list[str]]:
        counts: dict[str, int] = {}
        for entity in entities:
            if keeps(entity, but=name):
                for iri in entity.values.get(name, ()):
                    counts[iri] = counts.get(iri, 0) + 1
        order = sorted(counts, key=lambda iri: (-counts[iri], text_key(term_label(site, iri, lang))))
        return counts, order

    links = (
        link(path, params, {FACET_SIZE_PARAM, "offset"}, [(FACET_SIZE_PARAM, "max")]),
        link(path, params, {FACET_SIZE_PARAM, "offset"}),
    )
    found = []
    for name in names:
        alone = not any(n != name for n in chosen)
        counts, order = once(f"browse.facet.{kind}.{name}.{lang}", partial(ranked, name)) if alone else ranked(name)
        picked = chosen.get(name, [])
        offered = order if everything else order[:FACET_SIZE]
        shown = sorted(picked, key=lambda iri: (-counts.get(iri, 0), text_key(term_label(site, iri, lang))))
        shown += [iri for iri in offered if iri not in picked]
        values = [
            FacetValue(
                iri,
                term_label(site, iri, lang),
                counts.get(iri, 0),
                iri in picked,
                _toggle(path, params, name, slug(iri), iri in picked),
            )
            for iri in shown
        ]
        hidden = len(order) - len(offered) - sum(1 for iri in picked if iri in counts and iri not in offered)
        found.append(Facet(name, values, hidden, everything and len(order) > FACET_SIZE, *links))
    return [e for e in entities if keeps(e)], found


def _facet_size(params: Sequence[tuple[str, str]]) -> bool:
    """Whether the URL asks for every value of every facet; 400 for another value than `max`."""
    asked = [v for k, v in params if k == FACET_SIZE_PARAM]
    if asked and asked != ["max"]:
        raise UsageError(f"{FACET_SIZE_PARAM} takes one value, max (every value of every facet)")
    return bool(asked)


def _toggle(path: str, params: Sequence[tuple[str, str]], name: str, value: str, selected: bool) -> str:
    kept = [(k, v) for k, v in params if k not in ("offset", "format") and not (k == name and v.strip() == value)]
    return link(path, kept, set(), [] if selected else [(name, value)])


def measure_list(
    measures: Sequence[Entity], site: Site, lang: str, path: str, params: Sequence[tuple[str, str]], once: Once
) -> Listing:
    """The `measures` (from `all_measures`) the URL's facet values keep (raises UnknownValue), with
    status and threats; cells are made for the rows shown only (`Rows`)."""
    names = [f.name for f in MEASURE_FILTERS]
    chosen = choose_values(by_name(params), names, member_of(site, MEASURE_FILTERS))
    kept, shown = facets(measures, names, chosen, site, lang, path, params, once, "measure")
    t = translator(lang)

    def status(e: Entity) -> list[str]:
        return sorted(e.values.get("status", ()))

    def threats(e: Entity) -> list[str]:
        return sorted(e.values.get("addresses", ()), key=lambda iri: text_key(site.label(iri, lang)))

    columns = (lambda e: [e.iri], status, threats)

    def binding(i: int) -> dict:
        e = kept[i]
        found, addressed = status(e), threats(e)
        return {
            "measure": _iri(e.iri),
            "label": _literal(site.label(e.iri, lang), lang),
            **({"status": _iri(found[0])} if found else {}),
            **({"threats": _literal(" ".join(addressed))} if addressed else {}),
        }

    return Listing(
        shown,
        [("measure", t("col.measure")), ("status", t("col.status")), ("threats", t("col.threats"))],
        Rows(
            len(kept),
            lambda i: [_cell(site, lang, column(kept[i])) for column in columns],
            lambda i, c: _cell(site, lang, columns[c](kept[i])).key,
        ),
        ["measure", "label", "status", "threats"],
        binding,
        chosen,
    )


def all_measures(store: Store, site: Site, lang: str) -> list[Entity]:
    """Every measure with its facet values, by label. The route keeps it per graph and language
    (`ServingContext.once`): parsing the few hundred rows again for each page would take half its time."""
    classes = {f.name: f.cls for f in MEASURE_FILTERS}
    values: dict[str, dict[str, set[str]]] = {}
    for r in store.select(MEASURES_QUERY):
        found = values.setdefault(r["measure"].value, {})
        if "facet" in r:
            facet, iri = r["facet"].value, r["value"].value
            if facet == "addresses" or classes[facet] in site.types.get(iri, ()):
                found.setdefault(facet, set()).add(iri)
    return sorted((Entity(iri, v) for iri, v in values.items()), key=lambda e: text_key(site.label(e.iri, lang)))


def kind_list(site: Site, kind: str, lang: str, path: str, params: Sequence[tuple[str, str]], once: Once) -> Listing:
    """The members of a kind's class, with a facet by the classes people gave them when they differ;
    the members are listed once per graph and language (`once`), cells made for the rows shown only."""

    def listed() -> list[Entity]:
        types = site.members_types(KINDS[kind])
        return [Entity(iri, {TYPE: types.get(iri, set())}) for iri in site.members(KINDS[kind], lang)]

    entities = once(f"browse.members.{kind}.{lang}", listed)
    types = {slug(c): c for e in entities for c in e.values[TYPE]}
    names = [TYPE] if len(types) > 1 else []
    chosen = choose_values(by_name(params), names, lambda _name, value: types.get(value))
    kept, shown = facets(entities, names, chosen, site, lang, path, params, once, kind)
    t = translator(lang)

    def name_cell(e: Entity) -> Cell:
        return _cell(site, lang, [e.iri])

    def type_cell(e: Entity) -> Cell:
        main = site.main_type(e.iri)
        return _text_cell(Value(term_label(site, main, lang), href(main))) if main else Cell((), None)

    def text_cell(e: Entity) -> Cell:
        description = site.description(e.iri, lang)
        return _text_cell(Value(description)) if description else Cell((), None)

    columns = (name_cell, type_cell, text_cell)

    def binding(i: int) -> dict:
        iri = kept[i].iri
        main, description = site.main_type(iri), site.description(iri, lang)
        return {
            "entity": _iri(iri),
            "label": _literal(site.label(iri, lang), lang),
            **({"type": _iri(main)} if main else {}),
            **({"description": _literal(description, lang)} if description else {}),
        }

    return Listing(
        shown,
        [("entity", t("col.name")), ("type", t("col.type")), ("description", t("col.description"))],
        Rows(len(kept), lambda i: [column(kept[i]) for column in columns], lambda i, c: columns[c](kept[i]).key),
        ["entity", "label", "type", "description"],
        binding,
        chosen,
    )


def _cell(site: Site, lang: str, iris: Sequence[str]) -> Cell:
    """IRIs shown by label, linked; sorted by the labels as the reader reads them."""
    values = tuple(Value(site.label(iri, lang), href(iri)) for iri in iris)
    return Cell(values, text_key(", ".join(v.text for v in values)) if values else None)


def _text_cell(value: Value) -> Cell:
    return Cell((value,), text_key(value.text))


def _iri(iri: str) -> dict[str, str]:
    return {"type": "uri", "value": iri}


def _literal(text: str, lang: str | None = None) -> dict[str, str]:
    return {"type": "literal", "value": text, **({"xml:lang": lang} if lang else {})}


def _results(variables: list[str], bindings: list[dict]) -> dict:
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}
