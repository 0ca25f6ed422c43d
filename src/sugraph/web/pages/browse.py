"""The browse pages: threats as a tree; measures, and the members of every other class, as a table
(web/tables.py) with facets.

A facet is a filter that shows its values with counts. Values of one facet combine with OR
(`?actor=nato&actor=europol`: measures involving either), facets with AND (`&status=adopted`: and
adopted). A value's count is how many entities have it among those the other facets' choices keep
(the facet's own choices do not narrow its counts, so a count never depends on which of its
siblings is ticked): the list it would give as the facet's only choice. A value with no entity
there is not offered, and of the others the 30 most frequent and the chosen ones, unless the URL
asks for all (`_facet_size=max`, as Datasette does): at 100 times the data an actor facet would
otherwise offer thousands. The lists, their counts and their order come from the snapshot file
(snapshot.py: its facet values and sort keys), which sorts and pages them, so a page reads the rows
it shows and the values it offers, not the 43,000 measures or 28,000 actors of 1000 times the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from ...errors import UsageError
from ...namespaces import ASSERTED_GRAPH
from ...snapshot import MEASURE_FACETS, Order
from ...store import Store
from ...terms import fold
from ..display import Value
from ..i18n import translator
from ..tables import Cell, Window, by_name, link, text_key
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


@dataclass(frozen=True)
class Filter:
    """A measure filter: its URL parameter, the kind of the IRIs it takes, the class they belong to."""

    name: str
    kind: str
    cls: str


MEASURE_FILTERS = tuple(
    Filter(name, kind, cls)
    for name, kind in (
        ("threat", "threat"),
        ("actor", "actor"),
        ("strategy", "strategy"),
        ("priority", "priority"),
        ("source", "document"),
        ("status", "status"),
    )
    if (cls := MEASURE_FACETS[name])
)
TYPE = "type"  # the facet of the other lists: the classes people gave their members
FACET_SIZE = 30  # values a facet offers (the most frequent, and every chosen one) unless asked for all
FACET_SIZE_PARAM = "_facet_size"  # `max`: every value of every facet (Datasette's parameter)
# A facet's values over what the other facets' choices keep, best first: (facet, others' choices,
# how many (None: all), the facet's own choices) → ([(value, count, among the first so many, its
# label)], how many values have a count); the chosen values come even past the first.
Values = tuple[list[tuple[str, int, bool, str]], int]
Ranked = Callable[[str, Mapping[str, Sequence[str]], int | None, Sequence[str]], Values]


class UnknownValue(ValueError):
    """A filter value that names no entity of the filter's class."""

    def __init__(self, name: str, value: str):
        super().__init__(f"{name}={value}")
        self.name, self.value = name, value


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
    rows: Window[str]  # the listed IRIs, sorted and paged by the snapshot file
    variables: list[str]
    binding: Callable[[str], dict]  # a listed IRI's row as a SPARQL JSON binding of `variables`
    chosen: dict[str, list[str]]

    def results(self, indices: Sequence[int]) -> dict:
        """The rows `indices` picks, in that order, as SPARQL JSON results (what a download holds)."""
        return _results(self.variables, [self.binding(self.rows.item(i)) for i in indices])


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
    names: Sequence[str],
    chosen: Mapping[str, Sequence[str]],
    ranked: Ranked,
    site: Site,
    lang: str,
    path: str,
    params: Sequence[tuple[str, str]],
) -> list[Facet]:
    """Each facet's values with their counts (see the module): the `FACET_SIZE` most frequent and
    every chosen one unless the URL asks for all (`_facet_size=max`), as `ranked` counts them."""
    everything = _facet_size(params)
    links = (
        link(path, params, {FACET_SIZE_PARAM, "offset"}, [(FACET_SIZE_PARAM, "max")]),
        link(path, params, {FACET_SIZE_PARAM, "offset"}),
    )
    found = []
    for name in names:
        picked = chosen.get(name, [])
        others = {n: iris for n, iris in chosen.items() if n != name}
        values, total = ranked(name, others, None if everything else FACET_SIZE, picked)
        counts = {iri: n for iri, n, _, _ in values}
        labels = {iri: label for iri, _, _, label in values} | {
            iri: term_label(site, iri, lang) for iri in picked if iri not in counts
        }
        offered = [iri for iri, _, first, _ in values if first]
        add = _adder(path, params, name)
        shown = sorted(picked, key=lambda iri: (-counts.get(iri, 0), text_key(labels[iri])))
        shown += [iri for iri in offered if iri not in picked]
        hidden = total - len(offered) - sum(1 for iri in picked if iri in counts and iri not in offered)
        facet_values = [
            FacetValue(
                iri,
                labels[iri],
                counts.get(iri, 0),
                iri in picked,
                _toggle(path, params, name, slug(iri)) if iri in picked else add(slug(iri)),
            )
            for iri in shown
        ]
        found.append(Facet(name, facet_values, hidden, everything and total > FACET_SIZE, *links))
    return found


def ranked_here(counts: Mapping[str, int], site: Site, lang: str) -> Ranked:
    """`Ranked` for a facet with few values and no sibling (a kind's classes): its whole list's
    `counts`, ranked here by count, then label."""

    def ranked(_name: str, _others: Mapping[str, Sequence[str]], size: int | None, picked: Sequence[str]) -> Values:
        order = sorted(counts, key=lambda iri: (-counts[iri], text_key(term_label(site, iri, lang))))
        first = set(order if size is None else order[:size])
        shown = [iri for iri in order if iri in first or iri in picked]
        return [(iri, counts[iri], iri in first, term_label(site, iri, lang)) for iri in shown], len(order)

    return ranked


def _facet_size(params: Sequence[tuple[str, str]]) -> bool:
    """Whether the URL asks for every value of every facet; 400 for another value than `max`."""
    asked = [v for k, v in params if k == FACET_SIZE_PARAM]
    if asked and asked != ["max"]:
        raise UsageError(f"{FACET_SIZE_PARAM} takes one value, max (every value of every facet)")
    return bool(asked)


def _toggle(path: str, params: Sequence[tuple[str, str]], name: str, value: str) -> str:
    """The list without a chosen value."""
    kept = [(k, v) for k, v in params if k not in ("offset", "format") and not (k == name and v.strip() == value)]
    return link(path, kept, set())


def _adder(path: str, params: Sequence[tuple[str, str]], name: str) -> Callable[[str], str]:
    """The list with a value added to a facet's choices, for each of a facet's values (47,000 with
    `_facet_size=max` at 1000×): the rest of the URL is written once."""
    start = link(path, params, {"offset", "format"})
    joined = start + ("&" if "?" in start else "?") + urlencode([(name, "")])
    return lambda value: joined + quote_plus(value)


def measure_list(site: Site, lang: str, path: str, params: Sequence[tuple[str, str]]) -> Listing:
    """The measures the URL's facet values keep (raises UnknownValue), with status and threats,
    sorted and paged by the snapshot file; cells are made for the rows shown only."""
    names = [f.name for f in MEASURE_FILTERS]
    chosen = choose_values(by_name(params), names, member_of(site, MEASURE_FILTERS))
    snapshot = site.snapshot

    def ranked(name: str, others: Mapping[str, Sequence[str]], size: int | None, picked: Sequence[str]) -> Values:
        return snapshot.facet_values(name, others, lang, size, picked)

    shown = facets(names, chosen, ranked, site, lang, path, params)
    t = translator(lang)

    def values(iri: str) -> tuple[list[str], list[str]]:
        """Its statuses (by IRI) and the threats it addresses (by label), as its cells show them."""
        found = snapshot.facets_of(iri, ("status", "addresses"))
        threats = sorted(found.get("addresses", []), key=lambda threat: text_key(site.label(threat, lang)))
        return found.get("status", []), threats

    def cells(iri: str) -> list[Cell]:
        return [_cell(site, lang, iris) for iris in ([iri], *values(iri))]

    def binding(iri: str) -> dict:
        status, addressed = values(iri)
        return {
            "measure": _iri(iri),
            "label": _literal(site.label(iri, lang), lang),
            **({"status": _iri(status[0])} if status else {}),
            **({"threats": _literal(" ".join(addressed))} if addressed else {}),
        }

    def read(column: int | None, descending: bool, offset: int, limit: int) -> list[str]:
        key = (None, "status", "threats")[column or 0]
        return snapshot.measures_page(chosen, lang, Order(key, descending, offset, limit))

    return Listing(
        shown,
        [("measure", t("col.measure")), ("status", t("col.status")), ("threats", t("col.threats"))],
        Window(snapshot.measures_count(chosen), read, cells),
        ["measure", "label", "status", "threats"],
        binding,
        chosen,
    )


def kind_list(site: Site, kind: str, lang: str, path: str, params: Sequence[tuple[str, str]]) -> Listing:
    """The members of a kind's class, with a facet by the classes people gave them when they
    differ, sorted and paged by the snapshot file; cells are made for the rows shown only."""
    snapshot, cls = site.snapshot, KINDS[kind]
    counts = snapshot.members_types(cls)
    types = {slug(c): c for c in counts}
    names = [TYPE] if len(types) > 1 else []
    chosen = choose_values(by_name(params), names, lambda _name, value: types.get(value))
    shown = facets(names, chosen, ranked_here(counts, site, lang), site, lang, path, params)
    picked = chosen.get(TYPE, [])
    t = translator(lang)

    def name_cell(iri: str) -> Cell:
        return _cell(site, lang, [iri])

    def type_cell(iri: str) -> Cell:
        main = site.main_type(iri)
        return _text_cell(Value(term_label(site, main, lang), href(main))) if main else Cell((), None)

    def text_cell(iri: str) -> Cell:
        description = site.description(iri, lang)
        return _text_cell(Value(description)) if description else Cell((), None)

    def binding(iri: str) -> dict:
        main, description = site.main_type(iri), site.description(iri, lang)
        return {
            "entity": _iri(iri),
            "label": _literal(site.label(iri, lang), lang),
            **({"type": _iri(main)} if main else {}),
            **({"description": _literal(description, lang)} if description else {}),
        }

    def read(column: int | None, descending: bool, offset: int, limit: int) -> list[str]:
        key = (None, "main", "text")[column or 0]
        main_keys = {c: fold(term_label(site, c, lang)) for c in counts} if key == "main" else {}
        return snapshot.members_page(cls, picked, lang, Order(key, descending, offset, limit, main_keys))

    return Listing(
        shown,
        [("entity", t("col.name")), ("type", t("col.type")), ("description", t("col.description"))],
        Window(snapshot.members_count(cls, picked), read, lambda iri: [name_cell(iri), type_cell(iri), text_cell(iri)]),
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
