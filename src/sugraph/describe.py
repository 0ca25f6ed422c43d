"""What a linked-data client gets back for one IRI, read from the store.

The description is the IRI's concise bounded description (its own triples, and those of the blank
nodes it leads to, such as qualified derivations and monetary amounts), plus the triples that point
at it from named resources, plus the labels and types of every IRI it mentions — so a client needs
no second request to display it. Every triple keeps its named graph, so asserted and inferred
triples stay distinguishable.
"""

from __future__ import annotations

import difflib

import pyoxigraph as ox

from .search import LabelIndex, normalise
from .store import Store

# Blank nodes are followed two levels deep (entity → derivation or amount → nested node): SPARQL
# cannot constrain the intermediate nodes of a property path to be blank, so the depth is explicit.
# The entity takes the place of ?s or ?o in the projection (COALESCE), not by BIND inside a branch:
# Virtuoso 7.2 fails on that BIND with an internal compiler error (SP031 "equiv replaces filter").
DESCRIPTION_QUERY = """
SELECT DISTINCT (COALESCE(?bs, ?entity) AS ?s) ?p (COALESCE(?bo, ?entity) AS ?o) ?g WHERE {
  VALUES ?entity { UNDEF }
  {
    GRAPH ?g { ?entity ?p ?bo }
  } UNION {
    ?entity ?p1 ?bs . FILTER(isBlank(?bs))
    GRAPH ?g { ?bs ?p ?bo }
  } UNION {
    ?entity ?p1 ?b . ?b ?p2 ?bs . FILTER(isBlank(?b) && isBlank(?bs))
    GRAPH ?g { ?bs ?p ?bo }
  } UNION {
    GRAPH ?g { ?bs ?p ?entity } FILTER(isIRI(?bs))
  }
}
"""

# The linked IRIs' triples are read from their subject and filtered by property: with the two
# properties in VALUES, Oxigraph read every label and type of the store from the property side
# (4 s at 1000×, 6 ms this way: bench/RESULTS.md).
NEIGHBOURS_QUERY = """
SELECT DISTINCT ?s ?p ?o ?g WHERE {
  VALUES ?s { UNDEF }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>, <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>))
}
"""

NEAR_KEYS = 200  # distinct names on each side of a mistyped slug that its suggestions are chosen from

EXISTS_QUERY = """
ASK {
  VALUES ?entity { UNDEF }
  { ?entity ?p ?o } UNION { ?s ?p ?entity }
}
"""


def _quad(row: dict) -> ox.Quad:
    return ox.Quad(row["s"], row["p"], row["o"], row["g"])


def describe(store: Store, iri: str) -> list[ox.Quad]:
    """The description of `iri` as quads in the asserted or inferred graph, in a stable order
    (its own triples first); empty if unknown."""
    entity = ox.NamedNode(iri)
    quads = [_quad(row) for row in store.select(DESCRIPTION_QUERY, {"entity": entity})]
    linked = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    linked.discard(entity)
    if linked:
        quads += [_quad(row) for row in store.select(NEIGHBOURS_QUERY, {"s": sorted(linked, key=str)})]

    def rank(q: ox.Quad) -> tuple[int, str]:  # the entity first, then its blank nodes, then the rest
        return (0 if q.subject == entity else 1 if isinstance(q.subject, ox.BlankNode) else 2, str(q))

    return sorted(set(quads), key=rank)


def exists(store: Store, iri: str) -> bool:
    """Whether any triple names `iri`, as subject or object."""
    return store.ask(EXISTS_QUERY, {"entity": ox.NamedNode(iri)})


def close_matches(index: LabelIndex, words: str, limit: int = 5) -> list[str]:
    """Entity IRIs whose names resemble `words` (e.g. a mistyped slug): name matches first,
    then names within a small edit distance among the NEAR_KEYS names sorted on either side of it
    (a typo after the first letters: difflib over every name took 4 s at 1000×)."""
    texts = index.texts  # None while the index is built: no suggestions then
    if texts is None:
        return []
    if hits := [hit.iri for hit in index.search(words, limit)]:
        return hits
    key = normalise(words)
    keys = difflib.get_close_matches(key, texts.keys_near(key, NEAR_KEYS), n=limit * 2, cutoff=0.75)
    return list(dict.fromkeys(texts.named(k) for k in keys))[:limit]
