"""What an entity page shows: facts grouped by property, incoming links, evidence, neighbourhood.

Four store queries per page (the entity's own triples with their blank nodes, its incoming links,
how many links the neighbours drawn have, and the links of those that are not hubs), everything
else from the snapshot file (`Site`). A property shows its first GROUP_SIZE values, the rest
are a workbench query away: at 1000 times the data a status is that of 33,000 measures and a
shared threat is addressed by 8,000, so such crowds are counted and sorted in the snapshot, and
the page reads only the members it shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pyoxigraph as ox

from ...iris import kind_of
from ...namespaces import ASSERTED_GRAPH, ENTITY_BASE, PROV, RDF, RDFS, SKOS, SUG
from ...search import short_name
from ...snapshot import (
    SORTED_LANGUAGES,
    Crowd,
    Derivation,
    Part,
    blank_key,
    blank_label,
    by_date,
    derivation,
    facts_in_order,
)
from ...store import Store
from ...terms import Term, in_language
from ..display import Group, Value
from ..formats import ENTITY_FORMATS, HTML
from ..graphsvg import MAX_FIRST, Link, Picture, inner_ring, neighbourhood
from ..i18n import format_literal
from .site import Site, href, term_label


@dataclass(frozen=True)
class Reading:
    """Which of an entity's own triples its page reads, when the snapshot holds some of what it
    shows (an entity with crowds, much evidence or many blank nodes) or tells what `_facts` would
    drop (an inferred link to a crowd member, which links back)."""

    # (graph, property) of the triples read, looked up rather than scanned (a shared threat has
    # 12,000 at 1000×, of which the page reads a few dozen), and whether some values are blank nodes
    pairs: tuple[tuple[str, str, bool], ...]
    blanks: frozenset[str]  # properties whose blank nodes the snapshot holds
    inferred_blanks: bool  # whether inferred links to blank nodes all reach stated ones (not read)


def outgoing_query(reading: Reading | None = None) -> str:
    """The entity's own triples, and its blank nodes' facts (rows with `bp`, without `g`): all of
    them, or as `reading` says. An inferred link to what a stated one reaches (a super-property's)
    or to what links back to the entity (the inverse of an incoming link: "addressed by", which
    the incoming links say) is dropped by `_facts`. No EXISTS where it can: the store evaluates
    one for every row, whatever comes before it (45 ms for a shared threat's triples)."""

    def iris(terms: Collection[str], separator: str = " ") -> str:
        return separator.join(str(ox.NamedNode(t)) for t in sorted(terms))

    looked_up, kept, blank_props = "", "", ""
    if reading is not None:
        pairs = " ".join(f"({ox.NamedNode(g)} {ox.NamedNode(p)})" for g, p, _ in reading.pairs)
        looked_up = f"VALUES (?g ?p) {{ {pairs} }} "
        # the blank nodes read: not those the snapshot holds, nor those of inferred links not read
        read = {p for g, p, b in reading.pairs if b and (g == str(ASSERTED_GRAPH) or not reading.inferred_blanks)}
        blank_props = f"VALUES ?p {{ {iris(read - reading.blanks)} }} "
        if reading.blanks:
            stated = f"NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?stated ?o }} }}"
            kept = (
                f" FILTER(!isBlank(?o) || ?p NOT IN ({iris(reading.blanks, ', ')}))"
                f" FILTER(?g = <{ASSERTED_GRAPH}> || !isBlank(?o){'' if reading.inferred_blanks else ' || ' + stated})"
            )
    # The blank nodes' facts in a branch of their own, one pattern: as an OPTIONAL, or after a GRAPH,
    # the store read every value's triples, or every blank node's, first (70 ms for a measure).
    return f"""
SELECT DISTINCT ?p ?o ?g ?bp ?bo WHERE {{
  VALUES ?s {{ UNDEF }}
  {{ {looked_up}GRAPH ?g {{ ?s ?p ?o }}{kept} }}
  UNION
  {{ {blank_props}?s ?p ?o . ?o ?bp ?bo FILTER(isBlank(?o)) }}
}}
"""


# The entity's stated incoming links (of the properties `p`, when it has crowds: the others are read
# from the snapshot), from IRIs it does not link back to. `?p` first: bound, the store looks up
# each property's links rather than reading all of them.
INCOMING_QUERY = f"""
SELECT DISTINCT ?x ?p WHERE {{
  VALUES ?p {{ UNDEF }}
  VALUES ?s {{ UNDEF }}
  GRAPH <{ASSERTED_GRAPH}> {{ ?x ?p ?s }}
  FILTER(isIRI(?x))
  FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?q ?x }} }}
}}
"""

# The direction as a string: engines write a bound boolean differently (Virtuoso 7.2: 1 for true).
NEIGHBOURS_QUERY = f"""
SELECT DISTINCT ?n ?p ?m ?direction WHERE {{
  VALUES ?n {{ UNDEF }}
  GRAPH <{ASSERTED_GRAPH}> {{ {{ ?n ?p ?m BIND("out" AS ?direction) }} UNION {{ ?m ?p ?n BIND("in" AS ?direction) }} }}
  FILTER(isIRI(?m) && STRSTARTS(STR(?m), "{ENTITY_BASE}"))
}}
"""


# How many links each neighbour has, counted in the store: one with more than HUB_LINKS is drawn as
# a hub is, not expanded, rather than read whole for 8 of them. Those with a crowd (a threat every
# copy of the data shares: 13,000 links at 1000×, 80 ms to count) have more: the snapshot says so.
DEGREES_QUERY = f"""
SELECT ?n (COUNT(*) AS ?links) WHERE {{
  VALUES ?n {{ UNDEF }}
  GRAPH <{ASSERTED_GRAPH}> {{ {{ ?n ?p ?m }} UNION {{ ?m ?p ?n }} }}
  FILTER(isIRI(?m) && STRSTARTS(STR(?m), "{ENTITY_BASE}"))
}}
GROUP BY ?n
"""

# The workbench's start for one entity: every link in and out, labelled, so a researcher edits from
# the facts rather than from DESCRIBE's raw triples (blank nodes such as the quotes are on the page).
# Ordered by text, then language: SPARQL leaves the order of literals in two languages to the engine.
STARTING_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Every link of {label}, out of it and into it, with the labels in "{lang}".
SELECT ?direction ?property ?propertyLabel ?value ?valueLabel WHERE {{
  VALUES ?entity {{ <{iri}> }}
  {{ ?entity ?property ?value BIND("out" AS ?direction) }}
  UNION
  {{ ?value ?property ?entity BIND("in" AS ?direction) }}
  FILTER(!isBlank(?value))
  OPTIONAL {{ ?property rdfs:label ?propertyLabel FILTER(LANG(?propertyLabel) = "{lang}") }}
  OPTIONAL {{ ?value rdfs:label ?valueLabel FILTER(LANG(?valueLabel) = "{lang}") }}
}}
ORDER BY DESC(?direction) ?property STR(?value) LANG(?value)
"""

# Shown elsewhere on the page (title, type, evidence) rather than among the facts.
SHOWN_APART = {str(RDF.type), str(RDFS.label), "http://purl.org/dc/terms/description", str(PROV.qualifiedDerivation)}
ALL_LANGUAGES = {str(SKOS.altLabel)}  # names in every language help readers of both
NOT_IN_PICTURE = {str(RDF.type), str(PROV.wasDerivedFrom), str(SKOS.broaderTransitive), str(SKOS.narrowerTransitive)}
HUB_KINDS = {"document", "status", "scheme"}  # linked to by almost everything: never expanded
GROUP_SIZE = 50  # values a property shows on the page; the rest are a workbench query away
HUB_LINKS = 200  # a neighbour with more links than this is drawn but not expanded, like a hub kind

# All the values of one of the entity's properties, in either direction, by label: what a property's
# "more" link opens when the page shows only its first GROUP_SIZE values.
ALL_VALUES_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# {what} of {label}.
SELECT DISTINCT ?value ?valueLabel WHERE {{
  {pattern}
  OPTIONAL {{ ?value rdfs:label ?valueLabel FILTER(LANG(?valueLabel) = "{lang}") }}
}}
ORDER BY LCASE(STR(?valueLabel)) STR(?value)
"""

# Every quote of the entity's evidence, with its source: the evidence past its first GROUP_SIZE.
ALL_QUOTES_QUERY = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sug: <https://w3id.org/sugraph/ontology#>
# The evidence for {label}: each quote and the source it comes from.
SELECT ?quote ?document WHERE {{
  <{iri}> prov:qualifiedDerivation ?derivation .
  ?derivation prov:entity ?document .
  OPTIONAL {{ ?derivation sug:quote ?quote }}
}}
ORDER BY ?document STR(?quote)
"""


@dataclass
class Evidence:
    quote: str
    lang: str | None
    document: str
    document_label: str
    identifier: str
    issued: str
    page: str | None


@dataclass(frozen=True)
class Question:
    """A named question that takes the entity as a parameter, opened in the workbench with it."""

    title: str
    param: str  # what the entity stands for in the question ("The actor involved")
    url: str


@dataclass
class EntityView:
    iri: str
    label: str
    description: str
    types: list[Value]
    groups: list[Group]
    incoming: list[Group]
    more: dict[str, tuple[int, str]]  # property → how many values it has, the workbench listing them all
    more_incoming: dict[str, tuple[int, str]]
    evidence: list[Evidence]  # the first GROUP_SIZE, by date
    quoted: list[tuple[str, str]]  # (source document, quote) of all of it, by date: the citation's
    evidence_more: str  # the workbench listing every quote
    picture: Picture
    downloads: list[tuple[str, str, str]]  # url, format name, media type
    questions: list[Question]
    workbench: str  # the workbench with a query of the entity's links


def describe_entity(store: Store, site: Site, iri: str, lang: str) -> EntityView | None:
    """Everything the page of `iri` shows, or None when the graph says nothing about it."""
    subject = ox.NamedNode(iri)
    crowds = site.snapshot.crowds(iri) if lang in SORTED_LANGUAGES else []
    blanks = site.snapshot.blank_crowds(iri) if lang in SORTED_LANGUAGES else set()
    rows, derivations = _own(store, site, iri, crowds, blanks)
    if not rows:
        return None
    incoming_rows, unseen = _incoming(store, site, subject, crowds, lang)
    facts = _facts(rows, _linked_from(site, iri, rows, incoming_rows, crowds))
    # An incoming link whose property has an inverse reads better as this entity's own fact
    # ("addressed by", "narrower threat"); the others stay incoming ("has partner").
    facts += [(site.inverses[r["p"].value], r["x"], False) for r in incoming_rows if r["p"].value in site.inverses]
    incoming_rows = [r for r in incoming_rows if r["p"].value not in site.inverses]
    crowd_blanks = site.snapshot.blanks(iri, lang) if blanks else []
    groups = _outgoing_groups(site, rows, facts, lang, {d.document for d in derivations}, crowd_blanks)
    incoming = _group(site, lang, ((r["p"].value, _iri_value(site, r["x"].value, lang)) for r in incoming_rows))
    more = _more(site, iri, groups, lang, False, unseen)
    more_incoming = _more(site, iri, incoming, lang, True, unseen)
    groups, incoming = _first_values(groups), _first_values(incoming)
    types = [_iri_value(site, t, lang) for t in sorted(site.asserted_types.get(iri, ()))]
    downloads = [
        (f"/doc/{iri[len(ENTITY_BASE) :]}.{f.ext}", f.name, f.media_type) for f in ENTITY_FORMATS if f is not HTML
    ]
    return EntityView(
        iri,
        site.label(iri, lang),
        site.description(iri, lang),
        types,
        groups,
        incoming,
        more,
        more_incoming,
        [_evidence(site, d, lang) for d in derivations[:GROUP_SIZE]],
        [(d.document, d.quote) for d in derivations],
        "/workbench?" + urlencode({"query": ALL_QUOTES_QUERY.format(label=_one_line(site, iri, lang), iri=iri)}),
        _picture(store, site, iri, facts, incoming_rows, lang, [c.prop for c in crowds]),
        downloads,
        questions(site, iri, lang),
        "/workbench?" + urlencode({"query": starting_query(site, iri, lang)}),
    )


def _incoming(
    store: Store, site: Site, subject: ox.NamedNode, crowds: list[Crowd], lang: str
) -> tuple[list[dict], dict[tuple[bool, str], int]]:
    """The entity's incoming links as rows (x, p): from the store, and of each crowd the members
    the page may show (the first GROUP_SIZE of each kind, and the picture's MAX_FIRST), from the
    snapshot; and how many of each crowd's links are not among them, by where the page shows them
    (among the incoming links or, read the other way, among the facts) and property."""
    if not crowds:
        return store.select(INCOMING_QUERY, {"s": subject}), {}
    others = site.snapshot.linked_by(subject.value) - {c.prop for c in crowds}
    rows = (
        store.select(INCOMING_QUERY, {"s": subject, "p": [ox.NamedNode(p) for p in sorted(others)]}) if others else []
    )
    unseen: dict[tuple[bool, str], int] = {}
    for c in crowds:
        members = site.snapshot.crowd_members(subject.value, c.prop, lang, max(GROUP_SIZE, MAX_FIRST))
        rows += [{"x": ox.NamedNode(m), "p": ox.NamedNode(c.prop)} for m in members]
        shown = (True, c.prop) if c.prop not in site.inverses else (False, site.inverses[c.prop])
        unseen[shown] = c.n - len(members)
    return rows, unseen


def _more(
    site: Site, iri: str, groups: list[Group], lang: str, incoming: bool, unseen: dict[tuple[bool, str], int]
) -> dict[str, tuple[int, str]]:
    """The groups with more than GROUP_SIZE values: how many, the workbench listing them all."""
    found = {}
    for g in groups:
        total = len(g.values) + unseen.get((incoming, g.prop), 0)
        if total > GROUP_SIZE:
            found[g.prop] = (total, all_values(site, iri, g, lang, incoming))
    return found


def questions(site: Site, iri: str, lang: str) -> list[Question]:
    """The named questions with an IRI parameter whose class the entity belongs to (asserted or
    inferred), each pre-filled with the entity, and with the reader's language for the labels when
    the question takes one; sorted by title."""
    classes = site.types.get(iri, set())
    found = []
    for query in site.queries.values():
        labels = {"lang": lang} if any(p.name == "lang" for p in query.params) else {}
        for param in query.params:
            if param.type == "iri" and param.cls in classes:
                url = "/workbench?" + urlencode({"name": query.name, param.name: short_name(iri), **labels}, safe=":")
                found.append(
                    Question(
                        in_language(query.title, lang, query.name),
                        in_language(param.description, lang, param.name),
                        url,
                    )
                )
    return sorted(found, key=lambda q: (q.title.casefold(), q.url))


def starting_query(site: Site, iri: str, lang: str) -> str:
    return STARTING_QUERY.format(label=_one_line(site, iri, lang), iri=iri, lang=lang)


def _one_line(site: Site, iri: str, lang: str) -> str:
    """The entity's label on one line: it stays inside a query's comment."""
    return " ".join(site.label(iri, lang).split())


def all_values(site: Site, iri: str, group: Group, lang: str, incoming: bool) -> str:
    """The workbench listing all the values of a property group: the page shows the first
    GROUP_SIZE (a shared threat is addressed by thousands of measures at 100 times the data), the
    workbench pages through the rest, sorted and downloadable."""
    subject, prop = f"<{iri}>", f"<{group.prop}>"
    if incoming:
        # as "Linked from" lists them: stated links from entities that the entity does not link back to
        pattern = (
            f"GRAPH <{ASSERTED_GRAPH}> {{ ?value {prop} {subject} }} FILTER(isIRI(?value))\n"
            f"  FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ {subject} ?back ?value }} }}"
        )
    elif group.prop in site.inverses:  # the page reads "addressed by" from the other side's links
        pattern = f"{{ {subject} {prop} ?value }} UNION {{ ?value <{site.inverses[group.prop]}> {subject} }}"
    else:
        pattern = f"{subject} {prop} ?value ."
    what = " ".join(group.label.split())
    query = ALL_VALUES_QUERY.format(what=what, label=_one_line(site, iri, lang), pattern=pattern, lang=lang)
    return "/workbench?" + urlencode({"query": query})


def _first_values(groups: list[Group]) -> list[Group]:
    return [replace(g, values=g.values[:GROUP_SIZE]) if len(g.values) > GROUP_SIZE else g for g in groups]


def quoted_by(store: Store, site: Site, iri: str) -> list[tuple[str, str]]:
    """(source document, quote) of the entity's evidence, by date: what its citation quotes."""
    return [(d.document, d.quote) for d in _own(store, site, iri, site.snapshot.crowds(iri))[1]]


def _own(
    store: Store, site: Site, iri: str, crowds: list[Crowd], blanks: Collection[str] = ()
) -> tuple[list[dict], list[Derivation]]:
    """The entity's own triples (`outgoing_query`; its blank nodes of the properties `blanks` not
    read: the snapshot's are shown) and its evidence, by date: from the snapshot when it holds
    it, and then its links to the quotes are not read, nor those to its sources if every one is a
    quote's."""
    evidenced = site.snapshot.evidenced(iri)
    reading = None
    if owned := site.snapshot.own_properties(iri):
        unread = {str(PROV.qualifiedDerivation)} if evidenced else set()
        unread |= {str(PROV.wasDerivedFrom)} if evidenced and evidenced[1] else set()
        skipped = {c.skipped for c in crowds if c.skipped}  # inferred: all link back
        pairs = tuple(
            (g, p, b) for g, p, b in owned if p not in unread and (g == str(ASSERTED_GRAPH) or p not in skipped)
        )
        if pairs:  # none would read nothing: the entity would not be found
            reading = Reading(pairs, frozenset(blanks), bool(blanks) and site.snapshot.inferred_blanks_stated(iri))
    rows = store.select(outgoing_query(reading), {"s": ox.NamedNode(iri)})
    return rows, site.snapshot.evidence(iri) if evidenced is not None else _derivations(site, rows)


def _linked_from(site: Site, iri: str, rows: list[dict], incoming_rows: list[dict], crowds: list[Crowd]) -> set[str]:
    """The IRIs among the entity's links that link to it: those of its incoming links the page
    read, and of its crowds' members (the snapshot's) those an inferred link reaches."""
    found = {r["x"].value for r in incoming_rows}
    if crowds:
        inferred = {
            r["o"].value
            for r in _links(rows)
            if r["g"].value != str(ASSERTED_GRAPH) and isinstance(r["o"], ox.NamedNode)
        }
        found |= site.snapshot.crowd_linked(iri, inferred - found)
    return found


def _links(rows: list[dict]) -> list[dict]:
    """The rows of `outgoing_query` that are the entity's triples (the others, a blank node's facts)."""
    return [r for r in rows if "bp" not in r]


def _facts(rows: list[dict], linked_from: set[str]) -> list[tuple[str, Term, bool]]:
    """(property, object, inferred) of the entity's own triples worth showing: an inferred one only
    when it reaches something no stated link in either direction reaches (so not a super-property
    of a stated link, nor an inverse of an incoming one, which the caller adds itself)."""
    asserted = {r["o"].value for r in _links(rows) if r["g"].value == str(ASSERTED_GRAPH)}
    facts: dict[tuple[str, Term], bool] = {}
    for r in _links(rows):
        prop, obj, inferred = r["p"].value, r["o"], r["g"].value != str(ASSERTED_GRAPH)
        if prop in SHOWN_APART or (inferred and (obj.value in asserted or obj.value in linked_from)):
            continue
        facts.setdefault((prop, obj), inferred)
    return [(prop, obj, inferred) for (prop, obj), inferred in facts.items()]


def _iri_value(site: Site, iri: str, lang: str, inferred: bool = False) -> Value:
    return Value(term_label(site, iri, lang), href(iri), inferred=inferred)


def _literal_value(literal: ox.Literal, lang: str) -> Value:
    text = format_literal(literal.value, literal.datatype.value, lang)
    other = literal.language if literal.language and literal.language != lang else None
    return Value(text, lang=other)


def _group(site: Site, lang: str, pairs) -> list[Group]:
    """(property, value) pairs → groups sorted by property label, values sorted by text. Of values
    with the same text and link, the one in the reader's language (no language badge) is kept, so
    the page does not depend on the order the store gives its rows in."""
    by_prop: dict[str, list[Value]] = {}
    seen: set[tuple[str, str, str | None]] = set()
    for prop, value in sorted(pairs, key=lambda pv: (pv[0], pv[1].text, pv[1].href or "", pv[1].lang or "")):
        if (prop, value.text, value.href) not in seen:
            seen.add((prop, value.text, value.href))
            by_prop.setdefault(prop, []).append(value)
    groups = [
        Group(p, term_label(site, p, lang), sorted(vs, key=lambda v: (v.text.casefold(), v.text)))
        for p, vs in by_prop.items()
    ]
    return sorted(groups, key=lambda g: (g.label.casefold(), g.prop))


def _outgoing_groups(
    site: Site,
    rows: list[dict],
    facts: list[tuple[str, Term, bool]],
    lang: str,
    cited: set[str],
    crowd_blanks: list[tuple[str, list[Part]]],
) -> list[Group]:
    """The facts as groups, literals in the reader's language when there is one, blank nodes with
    their own facts (one per property and label, `_keep`; with those of `crowd_blanks`, the
    snapshot's for properties with too many to read), source documents only when no quote
    already cites them."""
    in_lang = {p for p, o, _ in facts if isinstance(o, ox.Literal) and o.language == lang}
    blank_parts: dict[ox.BlankNode, dict[Part, None]] = {}  # a link in both graphs comes twice
    for r in rows:
        if "bp" in r and r["bp"].value != str(RDF.type):
            blank_parts.setdefault(r["o"], {})[(r["bp"].value, r["bo"])] = None
    blanks: dict[tuple[str, str], tuple[tuple[tuple[str, str], ...], list[Part]]] = {}
    pairs = []
    for prop, obj, inferred in facts:
        if prop == str(PROV.wasDerivedFrom) and obj.value in cited:
            continue
        if isinstance(obj, ox.Literal):
            if obj.language and obj.language != lang and prop in in_lang and prop not in ALL_LANGUAGES:
                continue
            pairs.append((prop, _literal_value(obj, lang)))
        elif isinstance(obj, ox.BlankNode):
            _keep(blanks, prop, facts_in_order(blank_parts.get(obj, {})), lang)
        else:
            pairs.append((prop, _iri_value(site, obj.value, lang, inferred)))
    for prop, parts in crowd_blanks:
        _keep(blanks, prop, parts, lang)
    pairs += [(prop, _blank_value(site, parts, lang)) for (prop, _), (_, parts) in blanks.items()]
    return _group(site, lang, pairs)


def _keep(
    blanks: dict[tuple[str, str], tuple[tuple[tuple[str, str], ...], list[Part]]],
    prop: str,
    parts: list[Part],
    lang: str,
) -> None:
    """Keep the blank node whose facts are `parts` if it is the one the page shows of those of
    `prop` with its label (`blank_key`): a page shows one blank node per property and label."""
    text, key = blank_label(parts, lang), blank_key(parts)
    if (prop, text) not in blanks or key < blanks[prop, text][0]:
        blanks[prop, text] = (key, parts)


def _blank_value(site: Site, parts: list[Part], lang: str) -> Value:
    """A blank node (an amount of money, say) as its label with its other facts beneath."""
    others = [
        (p, _literal_value(o, lang) if isinstance(o, ox.Literal) else _iri_value(site, o.value, lang))
        for p, o in parts
        if p != str(RDFS.label) and not isinstance(o, ox.BlankNode)
    ]  # no page to link to
    return Value(blank_label(parts, lang), parts=_group(site, lang, others))


def _derivations(site: Site, rows: list[dict]) -> list[Derivation]:
    """Each qualified derivation, as one quote (or none) and one source per pair it names, by
    date: a threat every copy of the data shares has 2,000, of which the page shows GROUP_SIZE."""
    parts: dict[ox.BlankNode, dict[str, dict[Term, None]]] = {}  # a link in both graphs comes twice
    for r in rows:
        if r["p"].value == str(PROV.qualifiedDerivation) and "bp" in r:
            parts.setdefault(r["o"], {}).setdefault(r["bp"].value, {})[r["bo"]] = None
    found = []
    for facts in parts.values():
        for document in facts.get(str(PROV.entity), []):
            source = site.source(document.value)
            for quote in facts.get(str(SUG.quote)) or [None]:
                found.append(derivation(source.issued if source else "", document.value, quote))
    return by_date(found)


def _evidence(site: Site, derivation: Derivation, lang: str) -> Evidence:
    """A derivation as the page shows it: with its source's label, identifier, page and date."""
    source = site.source(derivation.document)
    issued = format_literal(derivation.issued, "http://www.w3.org/2001/XMLSchema#date", lang) if source else ""
    return Evidence(
        derivation.quote,
        derivation.lang,
        derivation.document,
        site.label(derivation.document, lang),
        source.identifier if source else "",
        issued,
        source.page if source else None,
    )


def _picture(
    store: Store,
    site: Site,
    iri: str,
    facts: list[tuple[str, Term, bool]],
    incoming_rows: list[dict],
    lang: str,
    crowds: list[str],
) -> Picture:
    """The entity's links and its neighbours' stated links, laid out around the entity; of its
    `crowds` the rows hold the members the inner ring may draw, the others are counted as hidden."""

    def wanted(prop: str, other: str) -> bool:
        return prop not in NOT_IN_PICTURE and other.startswith(ENTITY_BASE) and other != iri

    links = [
        Link(iri, obj.value, term_label(site, prop, lang))
        for prop, obj, _ in facts
        if isinstance(obj, ox.NamedNode) and wanted(prop, obj.value)
    ]
    links += [
        Link(r["x"].value, iri, term_label(site, r["p"].value, lang))
        for r in incoming_rows
        if wanted(r["p"].value, r["x"].value)
    ]
    around = {link.object if link.subject == iri else link.subject for link in links}
    drawn_crowds = [p for p in crowds if site.inverses.get(p, p) not in NOT_IN_PICTURE]
    unseen = site.snapshot.crowds_others(iri, drawn_crowds, around) if drawn_crowds else 0
    # Only the neighbours the picture draws are expanded (asking for all of a shared threat's
    # thousands would take most of its page's time, for nodes never drawn).
    expandable = [
        n for n in inner_ring(iri, links, lambda n: site.label(n, lang), _kind) if kind_of(n) not in HUB_KINDS
    ]
    hubs = site.snapshot.crowded(expandable, HUB_LINKS)
    if counted := [n for n in expandable if n not in hubs]:
        degrees = store.select(DEGREES_QUERY, {"n": [ox.NamedNode(n) for n in counted]})
        hubs |= {r["n"].value for r in degrees if int(r["links"].value) > HUB_LINKS}
    expandable = [n for n in expandable if n not in hubs]
    if expandable:
        for r in store.select(NEIGHBOURS_QUERY, {"n": [ox.NamedNode(n) for n in expandable]}):
            n, m, prop = r["n"].value, r["m"].value, r["p"].value
            if prop in NOT_IN_PICTURE or m == iri:
                continue
            label = term_label(site, prop, lang)
            links.append(Link(n, m, label) if r["direction"].value == "out" else Link(m, n, label))
    links.sort(key=lambda link: (link.subject, link.object, link.label))  # rows come in any order
    picture = neighbourhood(iri, links, lambda n: site.label(n, lang), _kind, lambda n: n in expandable)
    return replace(picture, hidden=picture.hidden + unseen)


def _kind(iri: str) -> str:
    return kind_of(iri) or ""
