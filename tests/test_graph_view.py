"""The graph view of CONSTRUCT and DESCRIBE results in the workbench (graphsvg `graph`, drawn by the
entity pages' `_graph.svg`): which nodes, which edges, and what a result too big to draw leaves out."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
from svgkit import all_of, picture, pictures, title

from sugraph.web.graphsvg import Link, graph

ADDRESSES = "CONSTRUCT { ?m sug:addresses ?t } WHERE { ?m sug:addresses ?t }"


def page(client: httpx.Client, query: str, view: str = "graph") -> str:
    response = client.get("/workbench?" + urlencode({"query": query, "view": view, "lang": "en"}))
    assert response.status_code == 200
    return response.text


def note(html: str) -> str:
    (found,) = re.findall(r'<p role="note">(.*?)</p>', html, re.S)
    return found


def test_a_describe_is_drawn_around_the_described_entity(client: httpx.Client) -> None:
    svg = picture(page(client, "DESCRIBE actor:nato"), "neighbourhood")
    assert title(svg) == "The result as a graph"
    nodes = {(a.get("href"), a.get("class", "").split()[1]) for a in all_of(svg, "a")}
    assert nodes == {
        ("/id/actor/nato", "ring0"),
        ("/ontology#Actor", "ring1"),
        ("/ontology#InternationalOrganisation", "ring1"),
        ("http://xmlns.com/foaf/0.1/Agent", "ring1"),
        ("http://www.w3.org/ns/org#Organization", "ring1"),
        ("/id/document/ip-20-1379", "ring1"),
        ("/id/measure/eu-approach-hybrid-threats", "ring1"),
        ("http://www.w3.org/ns/prov#Derivation", "ring2"),
    }


def test_a_blank_node_is_drawn_but_links_nowhere(client: httpx.Client) -> None:
    svg = picture(page(client, "DESCRIBE actor:nato"), "neighbourhood")
    (blank,) = [g for g in all_of(svg, "g", "node")]
    assert title(blank).startswith("_:")
    assert not all_of(blank, "a")


def test_the_edges_are_the_links_between_resources(client: httpx.Client) -> None:
    svg = picture(page(client, "DESCRIBE actor:nato"), "neighbourhood")
    assert sorted(title(line) for line in all_of(svg, "line")) == [
        "derived from",
        "involved in",
        "prov:entity",  # the derivation's document: a link between two nodes of the inner ring
        "prov:qualifiedDerivation",
        "type",
        "type",
        "type",
        "type",
        "type",
    ]


def test_the_page_says_what_it_drew_and_that_literals_are_in_the_table(client: httpx.Client) -> None:
    assert note(page(client, "DESCRIBE actor:nato")) == (
        "9 nodes and 9 of the 9 links between resources are drawn. "
        "7 triples whose value is a literal are in the table only."
    )


def test_a_result_too_big_to_draw_says_how_much_was_left_out(client: httpx.Client) -> None:
    html = page(client, ADDRESSES)
    triples = len(client.get("/sparql?" + urlencode({"query": ADDRESSES, "format": "nt"})).text.splitlines())
    assert triples == 63
    assert note(html) == (
        "14 nodes and 16 of the 63 links between resources are drawn. "
        "Too big to draw whole: 51 nodes and 47 links are left out (see the table)."
    )
    assert len(all_of(picture(html, "neighbourhood"), "a")) == 14


def test_the_graph_view_replaces_the_table_which_stays_one_link_away(client: httpx.Client) -> None:
    html = page(client, "DESCRIBE actor:nato")
    assert '<table class="results">' not in html
    assert '<a href="/workbench?query=DESCRIBE+actor%3Anato&amp;lang=en&amp;view=table">Table</a>' in html
    assert '<table class="results">' in page(client, "DESCRIBE actor:nato", view="table")
    assert ">Turtle</a>" in html and ">JSON-LD</a>" in html


def test_a_result_of_literals_only_draws_nothing_and_says_so(client: httpx.Client) -> None:
    html = page(client, "CONSTRUCT { actor:nato rdfs:label ?l } WHERE { actor:nato rdfs:label ?l }")
    assert not pictures(html, "neighbourhood")
    assert note(html) == (
        "0 nodes and 0 of the 0 links between resources are drawn. "
        "2 triples whose value is a literal are in the table only."
    )


def test_a_select_offers_no_graph(client: httpx.Client) -> None:
    html = page(client, "SELECT ?s WHERE { ?s a sug:Actor }")
    assert not pictures(html, "neighbourhood")
    assert '<nav class="views"' not in html


def test_the_most_linked_node_is_the_centre_and_links_between_neighbours_are_drawn() -> None:
    links = [Link("a", "b", "p"), Link("a", "c", "p"), Link("b", "c", "q"), Link("d", "e", "r")]
    picture = graph(links, str.upper, lambda n: "")
    assert [(n.iri, n.ring) for n in picture.nodes] == [("a", 0), ("b", 1), ("c", 1)]
    assert sorted(e.ends for e in picture.edges) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert (picture.hidden, picture.links, picture.drawn) == (2, 4, 3)  # d and e, two links away from nothing


def test_no_links_draw_nothing() -> None:
    empty = graph([], str, str)
    assert (empty.nodes, empty.edges, empty.hidden) == ([], [], 0)
