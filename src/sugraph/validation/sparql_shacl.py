"""The "sugraph" SHACL engine: each constraint of the shapes as ONE set-based SPARQL query on pyoxigraph.

pySHACL (and pyshacl-turbo) evaluate every constraint once per focus node; here every constraint of a
shape is one query over the whole graph that joins the shape's targets with the constraint's failure
condition, so the cost is a handful of index scans whatever the number of focus nodes. What the queries
find is written as the report graph pySHACL writes (same result triples and messages), so `shacl`,
the line map and every output format read it unchanged.

Only what can be translated exactly is: SHACL Core's targets, property paths, the value tests of
`_VALUE_TESTS` (sh:or of shapes made of them included), the counts, sh:uniqueLang, sh:hasValue,
sh:equals, sh:disjoint, qualified counts, and `sh:sparql` SELECT constraints without pre-bound
variables other than `$this`; a shape with anything else (sh:node, sh:not, sh:closed, a message
template, no sh:message at all …) raises `Untranslatable`, and the engine hands the whole validation to
pyshacl-turbo. An Oxigraph store normalises literals ("1.0"^^xsd:decimal is stored as "1", integer
subtypes as xsd:integer, "1.0" and "1.00" become one term): reported values are taken back from the
parsed triples, an integer's written subtype is kept in a graph of its own, and data whose terms the
store would merge is not `faithful`, so it also goes to pyshacl-turbo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..build import LoadError, _located_error, parse_all, parse_file
from ..namespaces import SH
from ..terms import to_ox, to_rdflib

# a pyoxigraph term as quads and solutions give them (their stubs allow RDF 1.2 triple terms)
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _rdf(term: OxTerm) -> Node:
    return to_rdflib(term)  # type: ignore[arg-type]  # TypeError for a triple term, which no shape writes


class Untranslatable(Exception):
    """The shapes use something this engine does not translate exactly: another engine must run them."""


_XSD = str(XSD)
# Oxigraph stores these as xsd:integer, so DATATYPE() cannot tell them from it
_INTEGER_SUBTYPES = {
    _XSD + name
    for name in (
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
}
_INTEGERS = _INTEGER_SUBTYPES | {_XSD + "integer"}
_WRITTEN = ox.NamedNode("urn:sugraph:written")  # a graph no query of the shapes reads (not the default one)
_WRITTEN_AS = "urn:sugraph:written:"
_FOCUS = "urn:sugraph:focus:"  # graphs of the focus nodes of each shape, for the time of one validation
_STRINGS = {_XSD + "string", str(RDF.langString)}
# datatypes Oxigraph can cast to: a literal of one is well-formed when its lexical form casts
_CASTABLE = {
    _XSD + name
    for name in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time", "gYear", "gYearMonth")
}

# parameters of a shape that constrain nothing (or are read with the constraint they qualify)
_INERT = {
    RDF.type,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.path,
    SH.property,
    SH.sparql,
    SH.targetClass,
    SH.targetNode,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.flags,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
_RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL_NS = "http://www.w3.org/2002/07/owl#"


# ---------------------------------------------------------------- data: the store and the parsed literals


@dataclass
class Data:
    """The graph to validate in an Oxigraph store, with the typed literals as they were written (the store
    normalises them) and the files (or rdflib graph) it was read from, for the engines that need rdflib."""

    store: ox.Store
    files: tuple[Path, ...] = ()
    graph: Graph | None = None
    written: dict[tuple[OxTerm, ox.NamedNode], list[ox.Literal]] = field(default_factory=dict)
    faithful: bool = True
    files_of: dict[OxTerm, list[Path]] = field(default_factory=dict)
    subtyped: bool = False  # some integer is written with a subtype of xsd:integer (kept in _WRITTEN)

    @classmethod
    def of_files(cls, files: Iterable[Path]) -> Data:
        """Parse the files (LoadError on a syntax error, as `build.parse_file` says it)."""
        data = cls(ox.Store(), tuple(files))
        for path in data.files:
            quads = _parsed(path)
            data.store.extend(quads)
            data._index(quads, path)
        data._close()
        return data

    @classmethod
    def of_graph(cls, graph: Graph) -> Data:
        data = cls(ox.Store(), graph=graph)
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]
        data.store.extend(quads)
        data._index(quads, None)
        data._close()
        return data

    def _index(self, quads: list[ox.Quad], path: Path | None) -> None:
        if path is not None:
            for subject in {q.subject for q in quads}:
                self.files_of.setdefault(subject, []).append(path)
        literal = ox.Literal
        for q in quads:
            o = q.object
            if type(o) is literal and o.language is None and o.datatype.value not in _STRINGS:
                self.written.setdefault((q.subject, q.predicate), []).append(o)
                if o.datatype.value in _INTEGER_SUBTYPES:
                    self._subtyped(q.subject, q.predicate, o)
                self.faithful &= o.datatype.value != _XSD + "dateTimeStamp"  # stored as xsd:dateTime

    def _subtyped(self, subject: OxTerm, predicate: ox.NamedNode, literal: ox.Literal) -> None:
        """The store types it xsd:integer: its written datatype goes in the graph _WRITTEN, on the same
        subject and predicate, as a literal of a datatype the store does not know ("5"^^written:int)."""
        datatype = literal.datatype.value
        try:
            value = int(literal.value)
        except ValueError:
            self.faithful = False  # an ill-formed subtype literal: not stored as an integer at all
            return
        if Literal(literal.value, datatype=URIRef(datatype)).ill_typed:
            datatype = "ill-typed"
        written_as = ox.Literal(str(value), datatype=ox.NamedNode(_WRITTEN_AS + datatype))
        self.store.add(ox.Quad(subject, predicate, written_as, _WRITTEN))  # type: ignore[arg-type]
        self.subtyped = True

    def _close(self) -> None:
        """Unfaithful if two typed literals written on one subject and predicate are one stored term."""
        triples = {(s, p, o) for (s, p), objects in self.written.items() for o in objects}
        stored = ox.Store()
        stored.extend(ox.Quad(s, p, o) for s, p, o in triples)  # type: ignore[arg-type]
        self.faithful &= len(stored) == len(triples)

    def rdflib_graph(self) -> Graph:
        """The same triples as rdflib terms, as written: for the engines that read rdflib."""
        if self.graph is None:
            self.graph = parse_all(self.files)
        return self.graph

    def as_written(self, focus: OxTerm, predicates: list[ox.NamedNode], value: OxTerm) -> OxTerm:
        """`value` as the data wrote it: the stored literal may be normalised ("1.0" → "1")."""
        if not isinstance(value, ox.Literal) or value.language is not None or value.datatype.value in _STRINGS:
            return value
        for p in predicates:
            for written in self.written.get((focus, p), []):
                if written == value or _same_value(written, value):
                    return written
        return value

    # what the line map asks of a graph, to find where a blank node is written

    def predicate_objects(self, node: Node) -> Iterator[tuple[Node, Node]]:
        for q in self.store.quads_for_pattern(to_ox(node), None, None):  # type: ignore[arg-type]
            yield _rdf(q.predicate), _rdf(q.object)

    def subject_predicates(self, node: Node) -> Iterator[tuple[Node, Node]]:
        for q in self.store.quads_for_pattern(None, None, to_ox(node)):
            yield _rdf(q.subject), _rdf(q.predicate)

    def describing(self, node: Node) -> list[Path]:
        """The files with a triple about `node`, when read from files (else every file)."""
        return self.files_of.get(to_ox(node), []) if self.files_of else list(self.files)


def _same_value(a: ox.Literal, b: ox.Literal) -> bool:
    """The literal `a` (as written) is `b` (as stored): the same datatype and value, or an integer of a
    subtype (well-formed or not) that the store typed xsd:integer."""
    if a.datatype.value in _INTEGER_SUBTYPES and b.datatype.value == _XSD + "integer":
        try:
            return int(a.value) == int(b.value)
        except ValueError:
            return False
    if a.datatype != b.datatype:
        return False
    try:
        return bool(
            Literal(a.value, datatype=URIRef(a.datatype.value)).eq(Literal(b.value, datatype=URIRef(b.datatype.value)))
        )
    except TypeError:  # rdflib cannot compare an ill-formed literal with another
        return False


def _parsed(path: Path) -> list[ox.Quad]:
    ox_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    if ox_format is None:
        return [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in parse_file(path)]  # type: ignore[arg-type]
    try:
        # a blank node's label is scoped to its file, as in the build
        return list(ox.parse(path=path, format=ox_format, base_iri=path.resolve().as_uri(), rename_blank_nodes=True))
    except OSError as e:
        raise LoadError(path, e.strerror or str(e)) from None
    except SyntaxError as e:
        raise _located_error(path, e) from None


# ---------------------------------------------------------------- shapes → checks


@dataclass(frozen=True)
class Check:
    """One query and what its rows become: results of `shape` for `component`. Rows bind ?this, and
    ?value (and ?path for sh:sparql) when the result has one."""

    shape: Node
    component: URIRef
    query: str
    severity: URIRef
    path: Node | None  # the shape's sh:path node, copied into the report
    predicates: tuple[ox.NamedNode, ...]  # the path's predicates, to find values as written
    messages: tuple[Literal, ...]
    focus: str  # the group of `query` that binds ?this to the focus nodes
    sparql: Node | None = None  # the sh:sparql node of a SPARQL-based constraint


def compile_shapes(shapes: Graph, data: Data, messages: bool = True) -> list[Check]:
    """Every check of every shape that has targets, or that is a property of one (once per parent, as
    pySHACL evaluates it), on `data` (whose integer literals decide what sh:datatype asks). Raises
    Untranslatable — also for a shape without sh:message, unless `messages` is False (its results then
    have none, where pySHACL writes its own: for tests that compare reports without their messages)."""
    compiler = _Compiler(shapes, data, messages)
    checks: list[Check] = []
    try:
        for shape in compiler.targeted():
            if shapes.value(shape, SH.deactivated) == Literal(True):
                continue
            focus = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(compiler.targets(shape)) + " } }"
            checks += compiler.shape_checks(shape, focus)
            for prop in shapes.objects(shape, SH.property):  # once per parent: pySHACL reports it each time
                checks += compiler.shape_checks(prop, focus)
    except (ValueError, TypeError) as e:  # a malformed parameter: pySHACL says what is wrong with it
        raise Untranslatable(str(e)) from None
    return checks


class _Compiler:
    def __init__(self, shapes: Graph, data: Data, messages: bool):
        self.g = shapes
        self.data = data
        self.messages = messages
        self.fresh = 0

    def var(self) -> str:
        self.fresh += 1
        return f"?_v{self.fresh}"

    def targeted(self) -> list[Node]:
        """The shapes that have targets, in a stable order."""
        found = {
            s
            for p in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
            for s in self.g.subjects(p)
        }
        for kind in (SH.NodeShape, SH.PropertyShape):
            for s in self.g.subjects(RDF.type, kind):
                if self.is_class(s):
                    found.add(s)  # an implicit class target
        for s in self.g.subjects(SH.target):
            raise Untranslatable(f"sh:target (SPARQL-based target) of {s}")
        return sorted(found, key=str)

    def is_class(self, shape: Node) -> bool:
        return any((shape, RDF.type, URIRef(ns + "Class")) in self.g for ns in (_RDFS_NS, _OWL_NS))

    def targets(self, shape: Node) -> list[str]:
        """Groups binding ?this to the focus nodes of `shape`, one per target."""
        parts = [
            f"{{ ?this <{RDF.type}>/<{_RDFS_NS}subClassOf>* {_n(c)} }}" for c in self.g.objects(shape, SH.targetClass)
        ]
        if self.is_class(shape):
            parts.append(f"{{ ?this <{RDF.type}>/<{_RDFS_NS}subClassOf>* {_n(shape)} }}")
        nodes = " ".join(_n(n) for n in self.g.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {nodes} }} }}")
        parts += [f"{{ [] {_n(p)} ?this }}" for p in self.g.objects(shape, SH.targetObjectsOf)]
        parts += [f"{{ ?this {_n(p)} [] }}" for p in self.g.objects(shape, SH.targetSubjectsOf)]
        return parts

    # -- paths

    def path(self, node: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return _n(node)
        if self.g.value(node, RDF.first) is not None:
            return "(" + "/".join(self.path(step) for step in Collection(self.g, node)) + ")"
        for predicate, operator in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if (inner := self.g.value(node, predicate)) is not None:
                return f"({self.path(inner)}){operator}"
        if (inner := self.g.value(node, SH.inversePath)) is not None:
            return f"^({self.path(inner)})"
        if (inner := self.g.value(node, SH.alternativePath)) is not None:
            return "(" + "|".join(self.path(step) for step in Collection(self.g, inner)) + ")"
        raise Untranslatable(f"the path {node}")

    def predicates(self, node: Node | None) -> tuple[ox.NamedNode, ...]:
        """The predicates whose triples state a value of the path, when it is one step (or alternatives)."""
        if isinstance(node, URIRef):
            return (ox.NamedNode(str(node)),)
        if node is not None and (inner := self.g.value(node, SH.alternativePath)) is not None:
            return tuple(p for step in Collection(self.g, inner) for p in self.predicates(step))
        return ()

    # -- one shape

    def shape_checks(self, shape: Node, focus: str) -> list[Check]:
        if self.g.value(shape, SH.deactivated) == Literal(True):
            return []
        self._refuse_unknown(shape, member=False)
        path_node = self.g.value(shape, SH.path)
        if path_node is not None and (shape, SH.property, None) in self.g:
            raise Untranslatable(f"sh:property of the property shape {shape}: pySHACL reports each of its paths")
        severity = URIRef(str(self.g.value(shape, SH.severity) or SH.Violation))
        messages = tuple(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal))
        checks: list[Check] = []
        values = f"?this {self.path(path_node)} ?value ." if path_node is not None else "BIND(?this AS ?value)"

        def check(
            component: URIRef, where: str, projection: str = "?this ?value", grouped: str = "", wrap: bool = False
        ) -> None:
            if not messages and self.messages:
                raise Untranslatable(f"{shape} has no sh:message (pySHACL would write its own)")
            pattern = f"{{ {focus} {where} }}" if wrap else f"{focus} {where}"
            checks.append(
                Check(
                    shape,
                    component,
                    f"SELECT {projection} WHERE {{ {pattern} }} {grouped}",
                    severity,
                    path_node,
                    self.predicates(path_node),
                    messages,
                    focus,
                )
            )

        for parameter, component in _VALUE_TESTS.items():
            for argument in self.g.objects(shape, parameter):
                test = self.value_test(shape, parameter, argument, "?value", _context("?this", path_node))
                check(component, f"{values} FILTER(!COALESCE({test}, false))")
        # not a value node of the shape: off its path (MINUS, both sides binding ?this and ?value, is
        # NOT EXISTS here and ten times faster on a sequence path), or not the focus node itself
        off = (
            f"MINUS {{ ?this {self.path(path_node)} ?value }}"
            if path_node is not None
            else "FILTER(!sameTerm(?this, ?value))"
        )
        for other in self.g.objects(shape, SH.equals):
            check(  # the focus in each branch: Oxigraph would evaluate a bare UNION over the whole graph
                SH.EqualsConstraintComponent,
                f"}} UNION {{ {focus} ".join(
                    (f"{values} FILTER NOT EXISTS {{ ?this {_n(other)} ?value }}", f"?this {_n(other)} ?value {off}")
                ),
                wrap=True,
            )
        for other in self.g.objects(shape, SH.disjoint):
            check(SH.DisjointConstraintComponent, f"{values} ?this {_n(other)} ?value .")
        if path_node is not None:
            p = self.path(path_node)

            def counted(component: URIRef, pattern: str, above: bool, bound: Node) -> None:
                op = ">" if above else "<"
                check(
                    component, pattern, "?this", f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_value) {op} {_int(bound)})"
                )

            for n in self.g.objects(shape, SH.minCount):
                counted(SH.MinCountConstraintComponent, f"OPTIONAL {{ ?this {p} ?_value }}", False, n)
            for n in self.g.objects(shape, SH.maxCount):
                counted(SH.MaxCountConstraintComponent, f"?this {p} ?_value .", True, n)
            for flag in self.g.objects(shape, SH.uniqueLang):
                if isinstance(flag, Literal) and flag.value is True:
                    check(
                        SH.UniqueLangConstraintComponent,
                        f'?this {p} ?_value . FILTER(LANG(?_value) != "") BIND(LCASE(LANG(?_value)) AS ?_lang)',
                        "?this ?_lang",  # one result per language written twice
                        "GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_value) > 1)",
                    )
            for value in self.g.objects(shape, SH.hasValue):
                check(SH.HasValueConstraintComponent, f"FILTER NOT EXISTS {{ ?this {p} {_n(value)} }}", "?this")
            if (qualified := self.g.value(shape, SH.qualifiedValueShape)) is not None:
                if self.g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                    raise Untranslatable(f"sh:qualifiedValueShapesDisjoint of {shape}")
                conforms = self.conforms(qualified, "?_value", _context("?this", path_node))
                conforming = f"OPTIONAL {{ ?this {p} ?_value FILTER(COALESCE({conforms}, false)) }}"
                for n in self.g.objects(shape, SH.qualifiedMinCount):
                    counted(SH.QualifiedMinCountConstraintComponent, conforming, False, n)
                for n in self.g.objects(shape, SH.qualifiedMaxCount):
                    counted(SH.QualifiedMaxCountConstraintComponent, conforming, True, n)
        else:
            for value in self.g.objects(shape, SH.hasValue):
                check(SH.HasValueConstraintComponent, f"FILTER(!sameTerm(?this, {_n(value)}))")
        checks += [
            self.sparql_check(shape, node, focus, severity, path_node, messages)
            for node in self.g.objects(shape, SH.sparql)
        ]
        return checks

    def _refuse_unknown(self, shape: Node, member: bool) -> None:
        known = (
            _INERT | set(_VALUE_TESTS) | {SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue, SH.equals, SH.disjoint}
        )
        for p in self.g.predicates(shape):
            if str(p).startswith(str(SH)) and p not in known:
                raise Untranslatable(f"{p} of {shape}")
            if member and p in (SH.sparql, SH.property, SH.qualifiedValueShape, SH.equals, SH.disjoint, SH.uniqueLang):
                raise Untranslatable(f"{p} in a shape that sh:or or sh:qualifiedValueShape refers to")

    # -- tests on one value, as SPARQL expressions

    def value_test(self, shape: Node, parameter: Node, argument: Node, x: str, context: Context) -> str:
        if parameter == SH["class"]:
            return f"EXISTS {{ {x} <{RDF.type}>/<{_RDFS_NS}subClassOf>* {_n(argument)} }}"
        if parameter == SH.datatype:
            return self.datatype_test(str(argument), x, context)
        if parameter == SH.nodeKind:
            kinds = {
                SH.IRI: f"isIRI({x})",
                SH.BlankNode: f"isBlank({x})",
                SH.Literal: f"isLiteral({x})",
                SH.BlankNodeOrIRI: f"(isBlank({x}) || isIRI({x}))",
                SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
                SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))",
            }
            if argument not in kinds:
                raise Untranslatable(f"sh:nodeKind {argument}")
            return kinds[argument]  # type: ignore[index]
        if parameter == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            flag_arg = f", {_string(str(flags))}" if flags is not None else ""
            return f"(!isBlank({x}) && REGEX(STR({x}), {_string(str(argument))}{flag_arg}))"
        if parameter == SH.languageIn:
            tags = [str(t) for t in Collection(self.g, argument)]
            matches = " || ".join(f"langMatches(LANG({x}), {_string(t)})" for t in tags) or "false"
            return f'(isLiteral({x}) && LANG({x}) != "" && ({matches}))'
        if parameter in (SH.minLength, SH.maxLength):
            op = ">=" if parameter == SH.minLength else "<="
            return f"(!isBlank({x}) && STRLEN(STR({x})) {op} {int(argument)})"  # type: ignore[call-overload]
        if parameter in _COMPARISONS:
            return f"({x} {_COMPARISONS[parameter]} {_n(argument)})"  # type: ignore[index]
        if parameter == SH["in"]:
            members = [f"sameTerm({x}, {_n(m)})" for m in Collection(self.g, argument)]
            return "(" + (" || ".join(members) or "false") + ")"
        if parameter == SH["or"]:
            members = [self.conforms(m, x, context) for m in Collection(self.g, argument)]
            return "(" + (" || ".join(members) or "false") + ")"
        raise Untranslatable(f"{parameter}")  # pragma: no cover -- _VALUE_TESTS lists what is above

    def datatype_test(self, datatype: str, x: str, context: Context) -> str:
        if datatype == _XSD + "string":
            return f'(isLiteral({x}) && DATATYPE({x}) = <{datatype}> && LANG({x}) = "")'
        if datatype == str(RDF.langString):
            return f'(isLiteral({x}) && LANG({x}) != "")'
        if datatype in _INTEGERS and self.data.subtyped:  # the store types them all xsd:integer
            if context is None:
                raise Untranslatable(f"sh:datatype {datatype} on a path of more than one step, with integer subtypes")
            subject, predicate = context
            integer = f"(isLiteral({x}) && DATATYPE({x}) = <{_XSD}integer>"
            written = f"GRAPH {_WRITTEN} {{ {subject} {predicate} ?_written }} FILTER(STR(?_written) = STR({x}))"
            if datatype == _XSD + "integer":
                return f"{integer} && {_castable(datatype, x)} && NOT EXISTS {{ {written} }})"
            return f"{integer} && EXISTS {{ {written} FILTER(DATATYPE(?_written) = <{_WRITTEN_AS}{datatype}>) }})"
        same = f"(isLiteral({x}) && DATATYPE({x}) = <{datatype}>)"
        return f"({same} && {_castable(datatype, x)})" if datatype in _CASTABLE else same

    def conforms(self, member: Node, x: str, context: Context) -> str:
        """An expression: the node `x` conforms to the shape `member` (of sh:or or sh:qualifiedValueShape)."""
        self._refuse_unknown(member, member=True)
        if self.g.value(member, SH.deactivated) == Literal(True):
            return "true"
        tests: list[str] = []
        path_node = self.g.value(member, SH.path)
        if path_node is None:
            tests += [
                self.value_test(member, parameter, argument, x, context)
                for parameter in _VALUE_TESTS
                for argument in self.g.objects(member, parameter)
            ]
            tests += [f"sameTerm({x}, {_n(v)})" for v in self.g.objects(member, SH.hasValue)]
        else:
            p, y = self.path(path_node), self.var()
            for n in self.g.objects(member, SH.minCount):
                if int(n) > 1:  # type: ignore[call-overload]
                    raise Untranslatable(f"sh:minCount {n} in {member}")
                if int(n) == 1:  # type: ignore[call-overload]
                    tests.append(f"EXISTS {{ {x} {p} {y} }}")
            if any(True for _ in self.g.objects(member, SH.maxCount)):
                raise Untranslatable(f"sh:maxCount in {member}")
            for v in self.g.objects(member, SH.hasValue):
                tests.append(f"EXISTS {{ {x} {p} {_n(v)} }}")
            for parameter in _VALUE_TESTS:
                for argument in self.g.objects(member, parameter):
                    t = self.value_test(member, parameter, argument, y, _context(x, path_node))
                    tests.append(f"NOT EXISTS {{ {x} {p} {y} FILTER(!COALESCE({t}, false)) }}")
        return "(" + (" && ".join(f"COALESCE({t}, false)" for t in tests) or "true") + ")"

    # -- SPARQL-based constraints

    def sparql_check(
        self,
        shape: Node,
        node: Node,
        focus: str,
        severity: URIRef,
        path_node: Node | None,
        messages: tuple[Literal, ...],
    ) -> Check:
        if self.g.value(node, SH.deactivated) == Literal(True):
            raise Untranslatable(f"a deactivated sh:sparql of {shape}")
        if set(self.g.predicates(node)) - {RDF.type, SH.select, SH.message, SH.prefixes}:
            raise Untranslatable(f"the sh:sparql of {shape}")
        select = str(self.g.value(node, SH.select) or "")
        if re.search(r"\$(?!this\b)\w+|\{[$?]\w+\}", select + " ".join(map(str, self.g.objects(node, SH.message)))):
            raise Untranslatable(
                f"the sh:sparql of {shape} pre-binds a variable other than $this, or templates a message"
            )
        if self.g.value(node, SH.prefixes) is not None:
            raise Untranslatable(f"sh:prefixes in the sh:sparql of {shape}")
        head = re.match(
            r"(?is)\s*((?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*)SELECT\s+(DISTINCT\s+)?([^{]*?)\s*WHERE\s*\{",
            select,
        )
        if head is None or re.search(r"(?i)\b(SELECT|GROUP|ORDER|LIMIT|OFFSET|VALUES|MINUS)\b", select[head.end() :]):
            raise Untranslatable(f"the sh:sparql query of {shape} is not a plain SELECT … WHERE {{ … }}")
        projection = head.group(3).replace("$this", "?this")
        if "?this" not in projection.split() and projection != "*":  # `SELECT *` has ?this, bound by the focus
            projection = "?this " + projection
        query = f"{head.group(1)}SELECT DISTINCT {projection} WHERE {{ {focus} {select[head.end() :]}"
        own = tuple(m for m in self.g.objects(node, SH.message) if isinstance(m, Literal))
        # pySHACL writes a SPARQL constraint's messages (its own, then the shape's) without their language
        written = tuple(dict.fromkeys(Literal(str(m)) for m in own + tuple(m for m in messages if m not in own)))
        if not written and self.messages:
            raise Untranslatable(f"{shape} has no sh:message (pySHACL would write its own)")
        return Check(
            shape,
            SH.SPARQLConstraintComponent,
            query,
            severity,
            path_node,
            self.predicates(path_node),
            written,
            focus,
            node,
        )


_VALUE_TESTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
}
_COMPARISONS = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}


Context = tuple[str, str] | None  # the subject and the predicate a value is stated with, when one step


def _context(subject: str, path: Node | None) -> Context:
    return (subject, _n(path)) if isinstance(path, URIRef) else None


def _int(node: Node) -> int:
    """A count parameter (sh:minCount …); ValueError when it is none, which pySHACL reports."""
    if not isinstance(node, Literal):
        raise ValueError(f"{node} is not an integer")
    return int(str(node))


def _castable(datatype: str, x: str) -> str:
    """The lexical form of `x` is one of `datatype` (Oxigraph keeps ill-formed literals as they are)."""
    return f"COALESCE(DATATYPE(<{datatype}>(STR({x}))) = <{datatype}>, false)"


def _n(term: Node) -> str:
    """A constant of the shapes in a query; a blank node would be a variable there, so it is refused."""
    if isinstance(term, BNode):
        raise Untranslatable(f"the blank node {term} as a class, value or predicate")
    return str(to_ox(term))


def _string(text: str) -> str:
    return str(ox.Literal(text))


# ---------------------------------------------------------------- checks × data → report graph


def report_graph(data: Data, checks: list[Check], shapes: Graph) -> Graph:
    """Run every check on `data` and write pySHACL's report graph of what they find."""
    report = Graph()
    for prefix, namespace in shapes.namespaces():  # as pySHACL's report, which results print with
        report.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for check, query in zip(checks, _with_focus_sets(data, checks), strict=True):
        for this, path, value in _rows(data, check, query):
            conforms = False  # as pySHACL decides it: any result, whatever its severity
            result = BNode()
            report.add((root, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.sourceConstraintComponent, check.component))
            report.add((result, SH.sourceShape, check.shape))
            _describe(report, shapes, check.shape)
            report.add((result, SH.resultSeverity, check.severity))
            focus = _as_targeted(shapes, this)
            report.add((result, SH.focusNode, _described(report, data, focus)))
            if value == this:  # a node shape's result is about its focus node
                report.add((result, SH.value, _described(report, data, focus)))
            elif value is not None:
                predicates = [path] if isinstance(path, ox.NamedNode) else list(check.predicates)
                report.add((result, SH.value, _described(report, data, data.as_written(this, predicates, value))))
            result_path = _rdf(path) if path is not None else check.path
            if result_path is not None:
                report.add((result, SH.resultPath, result_path))
                _describe(report, shapes, result_path)
            if check.sparql is not None:
                report.add((result, SH.sourceConstraint, check.sparql))
                _describe(report, shapes, check.sparql)
            for message in check.messages:
                report.add((result, SH.resultMessage, message))
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _with_focus_sets(data: Data, checks: list[Check]) -> Iterator[str]:
    """Each check's query, reading its focus nodes from a graph where they were put once: many checks
    share the targets of one shape (a class and its subclasses), which would be found again for each.
    The focus nodes are objects there (<urn:sugraph:focus:> sh:focusNode ?this), as they may be literals."""
    patterns: dict[str, str] = {}
    graphs: list[ox.NamedNode] = []
    try:
        for check in checks:
            if check.focus not in patterns:
                graphs.append(ox.NamedNode(f"{_FOCUS}{len(graphs)}"))
                patterns[check.focus] = f"GRAPH {graphs[-1]} {{ <{_FOCUS}> <{SH.focusNode}> ?this }}"
                data.store.update(f"INSERT {{ {patterns[check.focus]} }} WHERE {check.focus}")
            yield check.query.replace(check.focus, patterns[check.focus])
    finally:
        for graph in graphs:
            data.store.remove_graph(graph)


def _rows(data: Data, check: Check, query: str) -> Iterator[tuple[OxTerm, OxTerm | None, OxTerm | None]]:
    solutions = data.store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = {v.value for v in solutions.variables}
    seen = set()
    for row in solutions:
        this = row["this"]
        if this is None:
            continue
        path = row["path"] if check.sparql is not None and "path" in names else None
        value = row["value"] if "value" in names else None
        if check.sparql is not None and value is None and check.path is None:
            value = this  # pySHACL: a node shape's SPARQL result without ?value is about the focus node
        key = tuple(row[v] for v in solutions.variables)  # pySHACL: one result per distinct solution
        if key not in seen:
            seen.add(key)
            yield this, path, value


def _describe(report: Graph, graph: Graph, node: Node) -> None:
    """A blank node's triples (and those of the blank nodes under it) copied into the report, as pySHACL
    does, so that it says what the node is: a path's steps, a shape, a derivation."""
    if isinstance(node, BNode) and (node, None, None) not in report:
        for p, o in graph.predicate_objects(node):
            report.add((node, p, o))
            _describe(report, graph, o)


def _as_targeted(shapes: Graph, term: OxTerm) -> OxTerm:
    """A literal focus node as sh:targetNode wrote it (the store normalises the one in the query)."""
    if isinstance(term, ox.Literal):
        for node in shapes.objects(None, SH.targetNode):
            written = to_ox(node)
            if isinstance(written, ox.Literal) and (written == term or _same_value(written, term)):
                return written
    return term


def _described(report: Graph, data: Data, term: OxTerm) -> Node:
    """`term` as rdflib; a blank node with its triples from the data (values as written), as `_describe`."""
    node = _rdf(term)
    if isinstance(term, ox.BlankNode) and (node, None, None) not in report:
        for q in data.store.quads_for_pattern(term, None, None, ox.DefaultGraph()):
            value = data.as_written(term, [q.predicate], q.object)
            report.add((node, _rdf(q.predicate), _described(report, data, value)))
    return node
