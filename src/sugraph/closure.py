"""The OWL 2 RL closure of the axioms sugraph's ontology uses, in plain Python over parsed triples.

The `reasonable` engine computed it before (`build.reason`), but at 100× most of the build went into
handing it an rdflib graph, its 500k-triple output (mostly types of the anonymous `owl:unionOf`
classes) and filtering that back down (bench/RESULTS.md, "Build at 100× and 1000×"). Here the schema is
read once and the data streamed through it: each property's sub-properties, inverses and symmetric
forms are known in advance, a class's implied types too, and only transitive properties need a join.

The rules are the ones reasonable applies to these axioms — rdfs:subClassOf (transitive, with
owl:equivalentClass both ways), rdfs:subPropertyOf and owl:equivalentProperty, rdfs:domain,
rdfs:range, owl:inverseOf, owl:SymmetricProperty, owl:TransitiveProperty, owl:unionOf membership —
and what is kept is exactly what reasonable's output kept after `build.is_useful_inference`
(tests/test_closure.py compares both). A graph whose closure needs more (owl:sameAs, restrictions,
intersections, a functional property with two values for one subject, any other OWL term) raises
`Unsupported`, and `build.reason` hands it to reasonable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

Term = str  # in N-Triples syntax: <iri>, _:label or "literal"…, one string per RDF term
Triple = tuple[Term, Term, Term]


def _iri(iri: str) -> Term:
    return f"<{iri}>"


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
TYPE = _iri(_RDF + "type")
FIRST, REST, NIL = _iri(_RDF + "first"), _iri(_RDF + "rest"), _iri(_RDF + "nil")
SUBCLASS = _iri(_RDFS + "subClassOf")
SUBPROPERTY = _iri(_RDFS + "subPropertyOf")
DOMAIN, RANGE = _iri(_RDFS + "domain"), _iri(_RDFS + "range")
INVERSE = _iri(_OWL + "inverseOf")
EQUIVALENT_CLASS = _iri(_OWL + "equivalentClass")
EQUIVALENT_PROPERTY = _iri(_OWL + "equivalentProperty")
UNION = _iri(_OWL + "unionOf")
TRANSITIVE = _iri(_OWL + "TransitiveProperty")
SYMMETRIC = _iri(_OWL + "SymmetricProperty")
FUNCTIONAL = _iri(_OWL + "FunctionalProperty")
THING, NOTHING = _iri(_OWL + "Thing"), _iri(_OWL + "Nothing")

# OWL terms that trigger none of reasonable's rules (annotations, declarations)
_INERT_OWL = {
    _iri(_OWL + name)
    for name in (
        "versionIRI",
        "versionInfo",
        "imports",
        "priorVersion",
        "backwardCompatibleWith",
        "incompatibleWith",
        "deprecated",
        "Ontology",
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "OntologyProperty",
        "NamedIndividual",
        "Thing",
        "DeprecatedClass",
        "DeprecatedProperty",
    )
}
_HANDLED_OWL = {INVERSE, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, UNION, TRANSITIVE, SYMMETRIC, FUNCTIONAL}
# the predicates whose triples make up the schema: no axiom may give them sub-properties, inverses …
_SCHEMA = {
    TYPE,
    FIRST,
    REST,
    SUBCLASS,
    SUBPROPERTY,
    DOMAIN,
    RANGE,
    INVERSE,
    EQUIVALENT_CLASS,
    EQUIVALENT_PROPERTY,
    UNION,
}
_PROPERTY_KINDS = {TRANSITIVE, SYMMETRIC, FUNCTIONAL}
# what `build.is_useful_inference` drops: bookkeeping no query uses
_TRIVIAL_TYPES = {
    THING,
    _iri(_RDFS + "Resource"),
    _iri(_OWL + "NamedIndividual"),
    _iri(_RDFS + "Class"),
    _iri(_OWL + "Class"),
}
SAME_AS = _iri(_OWL + "sameAs")
_REFLEXIVE = {SUBCLASS, SUBPROPERTY, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, SAME_AS}


class Unsupported(Exception):
    """The closure of this graph needs a rule this module does not apply: another engine must compute it."""


def closure(asserted: Iterable[Triple]) -> set[Triple]:
    """The useful triples the OWL 2 RL closure adds to `asserted` (none of which is in it).

    An inferred triple that changes the schema (say `ex:p a owl:TransitiveProperty`, from a class
    axiom) is added to the schema and the closure computed again, until the schema stays put."""
    known = asserted if isinstance(asserted, set) else set(asserted)
    base: set[Triple] = known
    while True:
        graph = _Grouped(base)
        added = _Schema(graph).apply(graph, base)
        changing = {t for t in added if _changes_schema(t)}
        if not changing:
            break
        base = base | changing
    return {t for t in (*added, *(base - known)) if useful(t)}


class _Grouped:
    """A graph's triples grouped the way the rules read them: (subject, object) pairs by property,
    subjects by class."""

    def __init__(self, triples: Iterable[Triple]):
        self.pairs: dict[Term, set[tuple[Term, Term]]] = defaultdict(set)
        self.instances: dict[Term, set[Term]] = defaultdict(set)
        for s, p, o in triples:
            if p == TYPE:
                self.instances[o].add(s)
            else:
                self.pairs[p].add((s, o))


def _changes_schema(triple: Triple) -> bool:
    _, p, o = triple
    if p == TYPE:
        return _is_owl(o) and o not in _INERT_OWL
    return p in _SCHEMA and p != SUBCLASS  # the subclass closure is drawn from the schema already


def _is_owl(term: Term) -> bool:
    return term.startswith("<" + _OWL)


def useful(triple: Triple) -> bool:
    """`build.is_useful_inference` for terms in N-Triples syntax."""
    s, p, o = triple
    if s[0] == '"' or o[0] == '"' or s in (THING, NOTHING):
        return False
    if p in _REFLEXIVE and (s == o or p == SAME_AS):
        return False
    return not (p == TYPE and (o.startswith("_:") or o in _TRIVIAL_TYPES))


class _Schema:
    """The axioms of a graph, read once, as the lookups the rules need."""

    def __init__(self, graph: _Grouped):
        self.supers: dict[Term, set[Term]] = defaultdict(set)  # rdfs:subClassOf, equivalence both ways
        self.super_properties: dict[Term, set[Term]] = defaultdict(set)
        self.inverses: dict[Term, set[Term]] = defaultdict(set)
        self.domains: dict[Term, set[Term]] = defaultdict(set)
        self.ranges: dict[Term, set[Term]] = defaultdict(set)
        self.kinds: dict[Term, set[Term]] = defaultdict(set)  # property → transitive, symmetric, functional
        if unknown := [
            t for t in (*graph.pairs, *graph.instances) if _is_owl(t) and t not in _HANDLED_OWL | _INERT_OWL
        ]:
            raise Unsupported(f"axioms the closure does not handle: {', '.join(sorted(unknown))}")
        for kind in _PROPERTY_KINDS:
            for p in graph.instances.get(kind, ()):
                self.kinds[p].add(kind)
        pairs = graph.pairs
        for (predicate, lookup), both_ways in (
            ((SUBCLASS, self.supers), False),
            ((EQUIVALENT_CLASS, self.supers), True),
            ((SUBPROPERTY, self.super_properties), False),
            ((EQUIVALENT_PROPERTY, self.super_properties), True),
            ((INVERSE, self.inverses), True),
            ((DOMAIN, self.domains), False),
            ((RANGE, self.ranges), False),
        ):
            for s, o in pairs.get(predicate, ()):
                lookup[s].add(o)
                if both_ways:
                    lookup[o].add(s)
        firsts, rests = dict(pairs.get(FIRST, ())), dict(pairs.get(REST, ()))
        for axiom in (self.super_properties, self.inverses, self.kinds):
            if any(p in _SCHEMA for p in axiom) or any(q in _SCHEMA for qs in axiom.values() for q in qs):
                raise Unsupported("an axiom about a schema property itself")
        if TYPE in self.domains or TYPE in self.ranges:
            raise Unsupported("a domain or range of rdf:type")
        self.unions_of: dict[Term, set[Term]] = defaultdict(set)  # class → the unions it is a member of
        for union, head in pairs.get(UNION, ()):
            for member in _members(head, firsts, rests):
                self.unions_of[member].add(union)
        self._implied: dict[Term, frozenset[Term]] = {}
        self._kept: dict[Term, frozenset[Term]] = {}
        self._forms: dict[Term, tuple[tuple[Term, bool], ...]] = {}

    def implied(self, cls: Term) -> frozenset[Term]:
        """Every class an instance of `cls` is an instance of (cax-sco, cax-eqc, cls-uni), `cls` included."""
        if (found := self._implied.get(cls)) is None:
            found = self._implied[cls] = frozenset(_reach(cls, self._super_or_union))
        return found

    def kept(self, cls: Term) -> frozenset[Term]:
        """The classes of `implied` that `useful` keeps types of."""
        if (found := self._kept.get(cls)) is None:
            found = self._kept[cls] = frozenset(
                c for c in self.implied(cls) if not c.startswith("_:") and c not in _TRIVIAL_TYPES
            )
        return found

    def _super_or_union(self, cls: Term) -> set[Term]:
        return self.supers.get(cls, set()) | self.unions_of.get(cls, set())

    def forms(self, p: Term) -> tuple[tuple[Term, bool], ...]:
        """The (property, reversed) pairs a triple of `p` implies (prp-spo1, prp-eqp, prp-inv, prp-symp)."""
        if (found := self._forms.get(p)) is None:
            seen = {(p, False)}
            todo = [(p, False)]
            while todo:
                q, flipped = todo.pop()
                nexts = [(r, flipped) for r in self.super_properties.get(q, ())]
                nexts += [(r, not flipped) for r in self.inverses.get(q, ())]
                if SYMMETRIC in self.kinds.get(q, ()):
                    nexts.append((q, not flipped))
                for form in nexts:
                    if form not in seen:
                        seen.add(form)
                        todo.append(form)
            found = self._forms[p] = tuple(seen)
        return found

    def apply(self, graph: _Grouped, triples: set[Triple]) -> list[Triple]:
        """The triples the rules add to `triples` (grouped as `graph`, which grows with them), but for
        types no query uses (of a literal, of an anonymous class, owl:Thing …): each property's
        triples go once through its other forms, the transitive ones are joined, then the members
        of each class get the types it implies."""
        pairs, instances = graph.pairs, graph.instances
        transitive = {p for p, kinds in self.kinds.items() if TRANSITIVE in kinds}
        pending = [(p, s, o) for p in transitive for s, o in pairs.get(p, ())]
        new: list[Triple] = []

        def add(p: Term, s: Term, o: Term) -> None:
            for q, flipped in self.forms(p):
                pair = (o, s) if flipped else (s, o)
                known = pairs[q]
                if pair not in known:
                    known.add(pair)
                    new.append((pair[0], q, pair[1]))
                    if q in transitive:
                        pending.append((q, *pair))

        for p in list(pairs):
            if len(self.forms(p)) > 1:
                for s, o in list(pairs[p]):
                    add(p, s, o)
        self._transitive(pending, add)
        members: dict[Term, set[Term]] = defaultdict(set)  # asserted, and from domains and ranges
        for cls, subjects in instances.items():
            members[cls] |= subjects
        for p, known in pairs.items():
            for cls in self.domains.get(p, ()):
                members[cls].update(s for s, _ in known)
            for cls in self.ranges.get(p, ()):
                members[cls].update(o for _, o in known if o[0] != '"')
        for cls, subjects in members.items():
            for implied in self.kept(cls):
                new.extend((s, TYPE, implied) for s in subjects - instances.get(implied, set()))
        for cls in list(self.supers):  # rdfs11: subClassOf is transitive
            for c in _reach(cls, lambda c: self.supers.get(c, ())):
                if (cls, SUBCLASS, c) not in triples:
                    new.append((cls, SUBCLASS, c))
        self._check_functional(pairs)
        return new

    @staticmethod
    def _transitive(pending: list[tuple[Term, Term, Term]], add) -> None:
        """prp-trp, semi-naive: each new edge is joined with the edges before and after it once."""
        after: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        before: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        while pending:
            p, s, o = pending.pop()
            after[p, s].add(o)
            before[p, o].add(s)
            for z in list(after.get((p, o), ())):
                add(p, s, z)
            for w in list(before.get((p, s), ())):
                add(p, w, o)

    def _check_functional(self, pairs: dict[Term, set[tuple[Term, Term]]]) -> None:
        """prp-fp makes two values of a functional property owl:sameAs, whose consequences this module
        does not draw: only literals (whose sameAs consequences are all dropped) may differ."""
        for p, kinds in self.kinds.items():
            if FUNCTIONAL in kinds:
                values: dict[Term, Term] = {}
                for s, o in pairs.get(p, ()):
                    if values.setdefault(s, o) != o and not (o[0] == '"' and values[s][0] == '"'):
                        raise Unsupported(f"{s} has two values of the functional property {p}")


def _members(head: Term, firsts: dict[Term, Term], rests: dict[Term, Term]) -> list[Term]:
    """The members of the RDF list starting at `head`."""
    members, node, seen = [], head, set()
    while node in rests and node not in seen:
        seen.add(node)
        if node in firsts:
            members.append(firsts[node])
        node = rests[node]
    return members


def _reach(start: Term, step) -> set[Term]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
