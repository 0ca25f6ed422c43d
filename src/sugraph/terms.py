"""RDF terms between the two libraries, texts by language, and SPARQL JSON results.

rdflib reads and reasons, pyoxigraph stores and queries, so terms cross between them in both
directions: `to_ox` and `to_rdflib` are the one conversion. Labels, messages and titles come in
French and English: `in_language` is the one choice of which text a reader sees. Query results
arrive as SPARQL JSON from the embedded engine and from remote ones: `read_results` is the one reader.

rdflib is imported only inside the converters, so pyoxigraph-only code can use the rest cheaply.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib.term import Node

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Virtuoso writes its blank nodes as IRIs of this scheme, typed "uri" or "bnode".
_VIRTUOSO_BNODE = "nodeID://"


def to_ox(term: Any) -> Term:
    """rdflib term → pyoxigraph term; TypeError for anything else."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> Node:
    """pyoxigraph term → the rdflib term rdflib's own parser would have made: RDF 1.1 simple
    literals are xsd:string, which rdflib leaves untyped."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def by_language(literals: Iterable[object]) -> dict[str, str]:
    """{language: text} of the literals among `literals` (rdflib or pyoxigraph; "" for no language),
    the first text of each language kept: what `in_language` chooses from."""
    texts: dict[str, str] = {}
    for term in literals:
        if isinstance(term, ox.Literal):
            texts.setdefault(term.language or "", term.value)
        else:
            from rdflib import Literal

            if isinstance(term, Literal):
                texts.setdefault(term.language or "", str(term))
    return texts


def in_language(texts: Mapping[str, str], lang: str, default: str = "") -> str:
    """The text in `lang`, else in English, else without language, else in any, else `default`;
    an empty text counts as none. Data, messages and titles are written in fr and en."""
    for candidate in (lang, "en", ""):
        if texts.get(candidate):
            return texts[candidate]
    return next((text for text in texts.values() if text), default)


def fold(text: str) -> str:
    """Text as a reader alphabetises it, case and accents ignored ("Été" with "ete"): the one
    order of labels, whether Python sorts them (web/tables.py) or the snapshot file (its sort keys)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_results(content: bytes | str) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results, as pyoxigraph reads them (SyntaxError or ValueError when they cannot be
    read), after the blank nodes other engines write differently are made standard: `_:b0` for `b0`,
    and Virtuoso's `nodeID://b10037`, typed "bnode" or even "uri", for `b10037`."""
    raw = content.encode() if isinstance(content, str) else content
    if _VIRTUOSO_BNODE.encode() not in raw and b'"_:' not in raw:  # standard already (every answer of ours)
        return ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    data = json.loads(raw)
    results = data.get("results") if isinstance(data, dict) else None
    rows = results.get("bindings") if isinstance(results, dict) else None
    changed = [_standard_bnode(term) for row in rows or () if isinstance(row, dict) for term in row.values()]
    return ox.parse_query_results(json.dumps(data) if any(changed) else raw, format=ox.QueryResultsFormat.JSON)


def _standard_bnode(term: object) -> bool:
    """Rewrites a non-standard blank node of a result row in place; whether it did."""
    if not isinstance(term, dict) or not isinstance(term.get("value"), str):
        return False
    value = term["value"]
    if term.get("type") in ("bnode", "uri") and value.startswith(_VIRTUOSO_BNODE):
        term.update(type="bnode", value=value[len(_VIRTUOSO_BNODE) :])
        return True
    if term.get("type") == "bnode" and value.startswith("_:"):
        term["value"] = value[2:]
        return True
    return False
