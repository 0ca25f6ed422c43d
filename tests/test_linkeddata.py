"""Entity IRIs dereference like Cool URIs: 303 to a described document, in every format, for every
entity; unknown and malformed paths fail cleanly. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDFS

from sugraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, SUG

BASE = "https://w3id.org/sugraph"
ENTITY = "threat/terrorism"
IRI = URIRef(f"{BASE}/id/{ENTITY}")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_EXTS = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
RDFLIB_NAMES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt", "trig": "trig", "nq": "nquads"}
HTACCESS = Path(__file__).resolve().parent.parent / "w3id" / ".htaccess"


def without_blank_nodes(triples) -> set:
    return {t for t in triples if not any(isinstance(x, BNode) for x in t)}


def test_entity_iri_answers_303_to_its_document(client):
    r = client.get(f"/id/{ENTITY}")
    assert (r.status_code, r.headers["location"]) == (303, f"/doc/{ENTITY}")


def test_format_parameter_on_entity_iri_redirects_to_that_format(client):
    r = client.get(f"/id/{ENTITY}", params={"format": "jsonld"})
    assert (r.status_code, r.headers["location"]) == (303, f"/doc/{ENTITY}.jsonld")


@pytest.mark.parametrize(
    ("params", "location"),
    [({"lang": "fr"}, f"/doc/{ENTITY}?lang=fr"), ({"lang": "fr", "format": "html"}, f"/doc/{ENTITY}.html?lang=fr")],
)
def test_entity_iri_keeps_the_chosen_language_on_its_303(client, params, location):
    r = client.get(f"/id/{ENTITY}", params=params)
    assert (r.status_code, r.headers["location"]) == (303, location)


def test_entity_iri_drops_a_language_it_does_not_serve(client):
    r = client.get(f"/id/{ENTITY}", params={"lang": "de"})
    assert r.headers["location"] == f"/doc/{ENTITY}"


def test_negotiated_document_names_its_representation(client):
    r = client.get(f"/doc/{ENTITY}", headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/rdf+xml"
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    assert r.headers["content-location"] == f"/doc/{ENTITY}.rdf"


def test_document_links_every_alternate_format(client):
    r = client.get(f"/doc/{ENTITY}.ttl")
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["link"])
    expected = [(f"/doc/{ENTITY}.{ext}", media_type) for ext, media_type in RDF_EXTS.items()]
    assert sorted(links) == sorted([*expected, (f"/doc/{ENTITY}.html", "text/html")])


@pytest.mark.parametrize(
    "accept,media_type",
    [
        ("*/*", "text/turtle; charset=utf-8"),
        ("text/plain", "application/n-triples"),
        ("application/json", "application/ld+json"),
    ],
)
def test_accept_fallbacks(client, accept, media_type):
    assert client.get(f"/doc/{ENTITY}", headers={"Accept": accept}).headers["content-type"] == media_type


def test_format_parameter_overrides_accept(client):
    r = client.get(f"/doc/{ENTITY}", params={"format": "nt"}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"] == "application/n-triples"


@pytest.mark.parametrize("rdflib_format", ["turtle", "xml", "json-ld", "nt", None])
def test_rdflib_parses_the_entity_iri(server, kg, rdflib_format):
    g = Graph().parse(f"{server.url}/id/{ENTITY}", format=rdflib_format)
    assert without_blank_nodes(kg.data.triples((IRI, None, None))) <= set(g)


def test_inferred_triples_are_merged_into_triple_formats(client, kg):
    r = client.get(f"/doc/{ENTITY}.ttl")
    g = Graph().parse(data=r.text, format="turtle")
    own_inferred = set(kg.inferred.triples((IRI, None, None)))
    assert own_inferred and own_inferred <= set(g)


def test_quad_formats_keep_inferred_triples_in_their_graph(client, kg):
    ds = Dataset().parse(data=client.get(f"/doc/{ENTITY}.trig").text, format="trig")
    assert set(kg.inferred.triples((IRI, None, None))) <= set(ds.graph(INFERRED_GRAPH))
    assert without_blank_nodes(kg.data.triples((IRI, None, None))) <= set(ds.graph(ASSERTED_GRAPH))


def test_inferred_triples_header_counts_the_inferred_graph(client):
    ds = Dataset().parse(data=client.get(f"/doc/{ENTITY}.trig").text, format="trig")
    r = client.get(f"/doc/{ENTITY}.nt")
    assert int(r.headers["sugraph-inferred-triples"]) == len(ds.graph(INFERRED_GRAPH))


def test_description_follows_blank_nodes_to_the_quotes(client, kg):
    g = Graph().parse(data=client.get(f"/doc/{ENTITY}.ttl").text, format="turtle")
    quotes = {
        q
        for d in kg.data.objects(IRI, URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"))
        for q in kg.data.objects(d, SUG.quote)
    }
    assert quotes and quotes == set(g.objects(None, SUG.quote))


def test_description_includes_incoming_links(client, kg):
    g = Graph().parse(data=client.get(f"/doc/{ENTITY}.ttl").text, format="turtle")
    incoming = {(s, p, IRI) for s, p in kg.data.subject_predicates(IRI) if isinstance(s, URIRef)}
    assert incoming and incoming <= set(g)


def test_description_labels_every_linked_iri(client, kg):
    g = Graph().parse(data=client.get(f"/doc/{ENTITY}.ttl").text, format="turtle")
    linked = {o for o in g.objects(IRI) if isinstance(o, URIRef) and (o, RDFS.label, None) in kg.data}
    assert linked and all((o, RDFS.label, None) in g for o in linked)


@pytest.mark.parametrize("ext", list(RDF_EXTS))
def test_every_format_parses_alike_with_rdflib_and_oxigraph(client, ext):
    r = client.get(f"/doc/{ENTITY}.{ext}")
    assert r.headers["content-type"].split(";")[0] == RDF_EXTS[ext]
    with_rdflib = Dataset().parse(data=r.content, format=RDFLIB_NAMES[ext])
    with_oxigraph = list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(RDF_EXTS[ext])))
    assert len(with_oxigraph) == len(with_rdflib) > 0


def test_rdf_keeps_canonical_iris_when_served_locally(client, server):
    body = client.get(f"/doc/{ENTITY}.nt").text
    assert f"<{IRI}>" in body and server.url not in body


STAGING = {"Host": "staging.example.org"}  # a mirror or staging host: the same canonical IRIs


def test_any_host_serves_the_canonical_iris_under_its_own_paths(client):
    """No setting names the public base: every server serves `https://w3id.org/sugraph/X` at its `/X`,
    links with paths, and its RDF names the canonical IRIs, whatever host it is reached at."""
    assert client.get(f"/id/{ENTITY}", headers=STAGING).headers["location"] == f"/doc/{ENTITY}"
    page = client.get(f"/doc/{ENTITY}.html", headers=STAGING).text
    assert 'href="/id/threat/' in page and "staging.example.org" not in page and f'href="{BASE}/id/' not in page
    for path in (f"/doc/{ENTITY}.nt", "/.well-known/void.nt", "/ontology.nt"):
        body = client.get(path, headers=STAGING).text
        assert f"<{BASE}/" in body and "staging.example.org" not in body, path
    assert client.get("/graph/asserted", headers=STAGING).headers["location"] == "/.well-known/void"


def test_browser_gets_the_html_page(client):
    r = client.get(f"/id/{ENTITY}", headers={"Accept": BROWSER}, follow_redirects=True)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-location"] == f"/doc/{ENTITY}.html"
    assert "Terrorism" in r.text


def test_unknown_entity_is_404_with_close_matches(client):
    r = client.get("/id/threat/terorism")
    assert r.status_code == 404
    assert f"/id/{ENTITY}\tTerrorism" in r.text.splitlines()


def test_unknown_entity_page_links_close_matches_for_browsers(client):
    r = client.get("/doc/threat/terorism", headers={"Accept": BROWSER})
    assert r.status_code == 404
    assert f'<a href="/id/{ENTITY}">Terrorism</a>' in r.text


@pytest.mark.parametrize(
    "path",
    [
        "/id/threat/Terrorism",
        "/id/threat/a/b",
        "/id/threat/..%2F..%2Fetc%2Fpasswd",
        "/id/threat/x--y",
        "/doc/threat/terrorism.ttl.gz",
        "/id/threat/%00",
    ],
)
def test_malformed_paths_are_rejected(client, path):
    assert client.get(path).status_code == 400


def test_over_long_paths_are_rejected(client):
    assert client.get("/id/threat/" + "a" * 300).status_code == 414


def test_unknown_document_format_is_404(client):
    assert client.get(f"/doc/{ENTITY}.xls").status_code == 404


def test_unknown_format_parameter_is_406(client):
    assert client.get(f"/doc/{ENTITY}", params={"format": "xls"}).status_code == 406


def test_unacceptable_accept_is_406(client):
    assert client.get(f"/doc/{ENTITY}", headers={"Accept": "image/png"}).status_code == 406


def test_every_subject_in_the_data_dereferences(client, kg):
    """Crawl: each entity IRI used as a subject 303s to a document that parses and describes it."""
    subjects = sorted(
        {
            s
            for g in (kg.data, kg.inferred)
            for s in g.subjects()
            if isinstance(s, URIRef) and s.startswith(f"{BASE}/id/")
        }
    )
    failures = []
    for iri in subjects:
        r = client.get(iri.removeprefix(BASE), headers={"Accept": "application/n-triples"}, follow_redirects=True)
        described = r.status_code == 200 and any(
            t.subject == ox.NamedNode(iri) for t in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)
        )
        if not described:
            failures.append((str(iri), r.status_code))
    assert len(subjects) > 100 and failures == []


def test_every_ontology_term_is_described_at_the_ontology_url(client, kg):
    g = Graph().parse(data=client.get("/ontology", headers={"Accept": "text/turtle"}).text, format="turtle")
    terms = {s for s in kg.ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(SUG))}
    assert terms and terms <= set(g.subjects())


def _w3id_rules() -> tuple[str, list[tuple[re.Pattern, str, str]]]:
    """The deployment host and the redirect rules of w3id/.htaccess, as (pattern, target, status)."""
    text = HTACCESS.read_text()
    host = re.search(r"E=SUGRAPH_HOST:([^\]]+)\]", text).group(1)
    rules = [
        (re.compile(p), t, s)
        for p, t, s in re.findall(r"^RewriteRule (\S+) (%\{ENV:SUGRAPH_HOST\}\S*) \[R=(\d+),L\]$", text, re.M)
    ]
    return host, rules


def w3id_redirect(path: str) -> tuple[str, str] | None:
    """Where w3id.org/sugraph/{path} redirects to (with the host placeholder kept), and the status."""
    for pattern, target, status in _w3id_rules()[1]:
        if m := pattern.match(path):
            return m.expand(target.replace("$", "\\")), status
    return None


@pytest.mark.parametrize(
    "path,expected",
    [
        ("id/threat/terrorism", ("%{ENV:SUGRAPH_HOST}/doc/threat/terrorism", "303")),
        ("doc/threat/terrorism.ttl", ("%{ENV:SUGRAPH_HOST}/doc/threat/terrorism.ttl", "302")),
        ("ontology", ("%{ENV:SUGRAPH_HOST}/ontology", "302")),
        ("ontology/1.0.0", ("%{ENV:SUGRAPH_HOST}/ontology/1.0.0", "302")),
        ("dumps/sugraph.nq.gz", ("%{ENV:SUGRAPH_HOST}/dumps/sugraph.nq.gz", "302")),
        (".well-known/void", ("%{ENV:SUGRAPH_HOST}/.well-known/void", "302")),
        ("graph/inferred", ("%{ENV:SUGRAPH_HOST}/graph/inferred", "302")),
        ("id/../etc/passwd", None),
    ],
)
def test_w3id_redirects(path, expected):
    assert w3id_redirect(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "id/threat/terrorism",
        "doc/threat/terrorism.html",
        "ontology",
        "ontology/1.0.0.ttl",
        "dumps/sugraph.ttl.gz",
        ".well-known/void",
        "graph/asserted",
        "",
    ],
)
def test_w3id_targets_exist_on_the_service(client, server, path):
    target, _ = w3id_redirect(path)
    r = client.get(target.replace("%{ENV:SUGRAPH_HOST}", server.url), follow_redirects=True)
    assert r.status_code == 200


def test_every_w3id_rule_targets_the_one_configured_host():
    text = HTACCESS.read_text()
    redirects = re.findall(r"^RewriteRule \S+ (\S+) \[R=", text, re.M)
    assert text.count("E=SUGRAPH_HOST:") == 1
    assert redirects and all(t.startswith("%{ENV:SUGRAPH_HOST}/") for t in redirects)


OLD_SCHINAS, NEW_SCHINAS = "person/margaritis-schinias", "person/margaritis-schinas"


def test_a_replaced_iri_answers_301_to_the_new_iri(client):
    r = client.get(f"/id/{OLD_SCHINAS}")
    assert (r.status_code, r.headers["location"]) == (301, f"/id/{NEW_SCHINAS}")


@pytest.mark.parametrize("suffix", ["", ".ttl", ".html"])
def test_a_replaced_document_answers_301_to_the_same_document_of_the_new_iri(client, suffix):
    r = client.get(f"/doc/{OLD_SCHINAS}{suffix}")
    assert (r.status_code, r.headers["location"]) == (301, f"/doc/{NEW_SCHINAS}{suffix}")


def test_the_replacement_is_stated_in_the_data_and_followed_to_a_described_entity(client):
    r = client.get(f"/id/{OLD_SCHINAS}", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith(f"/doc/{NEW_SCHINAS}")
    graph = Graph().parse(data=client.get(f"/doc/{NEW_SCHINAS}.ttl").text, format="turtle")
    assert set(graph.subjects(URIRef("http://purl.org/dc/terms/isReplacedBy"), URIRef(f"{BASE}/id/{NEW_SCHINAS}"))) == {
        URIRef(f"{BASE}/id/{OLD_SCHINAS}")
    }
