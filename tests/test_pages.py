"""The human pages, against a real server: home, browse, search, entity pages, workbench, in fr and en."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from sugraph.build import load
from sugraph.config import Settings
from sugraph.namespaces import ENTITY_BASE
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.app import create_app
from sugraph.web.graphsvg import MAX_FIRST, Link, neighbourhood
from sugraph.web.i18n import choose_language
from sugraph.web.layout import entity_page

from conftest import ROOT, LiveServer, serve

HTML = {"accept": "text/html"}
NATO_PAGE = "/doc/actor/nato.html"
HYBRID_MEASURE = "/id/measure/eu-approach-hybrid-threats"

# --- a small HTML tree, enough to ask "which links are inside this element" -----------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Elements of `tag` whose attributes equal `attrs` (`class_` matches one class)."""
        found = []
        for el in self.iter():
            if el.tag != tag:
                continue
            wanted = dict(attrs)
            cls = wanted.pop("class_", None)
            if cls is not None and cls not in el.attrs.get("class", "").split():
                continue
            if all(el.attrs.get(k) == v for k, v in wanted.items()):
                found.append(el)
        return found

    def find(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def hrefs(self) -> list[str]:
        return [a.attrs["href"] for a in self.find_all("a")]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup: str) -> Element:
    builder = _Builder()
    builder.feed(markup)
    return builder.root


def page(server: LiveServer, path: str, **headers: str) -> tuple[httpx.Response, Element]:
    r = httpx.get(server.url + path, headers={**HTML, **headers}, follow_redirects=True)
    return r, parse(r.text)


def count_of(store: OxigraphStore, cls: str) -> int:
    rows = store.select(
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} FILTER(STRSTARTS(STR(?s), "{ENTITY_BASE}")) }}'
    )
    return int(rows[0]["n"].value)


# --- language -----------------------------------------------------------------------------------


def test_language_prefers_the_explicit_choice() -> None:
    assert choose_language("fr", "en", "en-GB,en;q=0.9") == "fr"


def test_language_remembers_the_cookie_before_the_browser() -> None:
    assert choose_language(None, "fr", "en") == "fr"


def test_language_follows_accept_language_quality() -> None:
    assert choose_language(None, None, "de-DE, en;q=0.5, fr;q=0.8") == "fr"


def test_language_defaults_to_english() -> None:
    assert choose_language("de", None, "de, es") == "en"


def test_accept_language_fr_gives_a_french_page(server: LiveServer) -> None:
    r, doc = page(server, "/", **{"accept-language": "fr-FR,fr;q=0.9"})
    assert (doc.find("html").attrs["lang"], r.headers["content-language"]) == ("fr", "fr")


def test_lang_switch_overrides_the_browser_and_is_remembered(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers={**HTML, "accept-language": "en"}) as client:
        client.get("/?lang=fr")
        r = client.get("/browse/threat")
    assert parse(r.text).find("html").attrs["lang"] == "fr"


def test_every_page_links_to_both_languages(server: LiveServer) -> None:
    _, doc = page(server, "/search?q=otan")
    assert doc.find("nav", class_="lang").hrefs() == ["/search?q=otan&lang=en", "/search?q=otan&lang=fr"]


# --- home ---------------------------------------------------------------------------------------


def test_home_counts_threats_from_the_graph(server: LiveServer, store: OxigraphStore) -> None:
    _, doc = page(server, "/")
    card = next(a for a in doc.find("ul", class_="counts").find_all("a") if a.attrs["href"] == "/browse/threat")
    assert card.find("span", class_="n").text() == str(count_of(store, "sug:Threat"))


def test_home_links_to_workbench_questions_dumps_and_api(server: LiveServer) -> None:
    _, doc = page(server, "/")
    assert doc.find("dl", class_="uses").hrefs() == ["/workbench", "/queries", "/timeline", "/dumps/", "/docs"]


def test_home_lists_both_sources(server: LiveServer) -> None:
    _, doc = page(server, "/")
    links = doc.find("ul", class_="sources").hrefs()
    assert [h for h in links if h.startswith("/id/")] == ["/id/document/ip-17-1789", "/id/document/ip-20-1379"]


def test_home_shows_the_data_version(server: LiveServer, kg) -> None:
    _, doc = page(server, "/")
    assert kg.version in doc.find("footer").text()


# --- browse -------------------------------------------------------------------------------------


def test_threat_tree_puts_narrower_threats_under_their_broader_one(server: LiveServer) -> None:
    _, doc = page(server, "/browse/threat")
    terrorism = next(
        li
        for li in doc.find("div", class_="tree").find_all("li")
        if li.find("a").attrs["href"] == "/id/threat/terrorism"
    )
    assert "/id/threat/radicalisation" in terrorism.find("ul").hrefs()


def test_threat_tree_counts_link_to_the_filtered_measures(server: LiveServer) -> None:
    _, doc = page(server, "/browse/threat")
    assert "/browse/measure?threat=hybrid-threats" in [a.attrs["href"] for a in doc.find_all("a", class_="count")]


def test_measures_filtered_by_threat_and_actor(server: LiveServer) -> None:
    _, doc = page(server, "/browse/measure?threat=hybrid-threats&actor=nato")
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    assert [row.find("th").find("a").attrs["href"] for row in rows] == [HYBRID_MEASURE]


def test_measure_facet_marks_the_chosen_value_and_links_to_its_removal(server: LiveServer) -> None:
    _, doc = page(server, "/browse/measure?status=announced")
    chosen = doc.find("aside", class_="facets").find("a", **{"aria-current": "true"})
    assert (chosen.text(), chosen.attrs["href"]) == ("✕ announced", "/browse/measure")


def test_measures_unfiltered_lists_every_measure(server: LiveServer, store: OxigraphStore) -> None:
    _, doc = page(server, "/browse/measure")
    assert len(doc.find("table", class_="results").find("tbody").find_all("tr")) == count_of(store, "sug:Measure")


def test_unknown_filter_value_is_a_400_page(server: LiveServer) -> None:
    r, doc = page(server, "/browse/measure?threat=no-such-threat")
    assert (r.status_code, doc.find("p", class_="error").text()) == (
        400,
        "Unknown value for “Threat (or a narrower one)”: no-such-threat",
    )


def test_actors_show_their_kind_and_a_facet_by_it(server: LiveServer) -> None:
    _, doc = page(server, "/browse/actor?type=InternationalOrganisation")
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    nato = next(row for row in rows if row.find("th").hrefs() == ["/id/actor/nato"])
    assert nato.find("td").text() == "International organisation"


def test_unknown_class_is_a_404(server: LiveServer) -> None:
    r, _ = page(server, "/browse/unicorn")
    assert r.status_code == 404


# --- search -------------------------------------------------------------------------------------


def test_search_page_finds_nato_by_its_french_acronym(server: LiveServer) -> None:
    _, doc = page(server, "/search?q=OTAN")
    assert doc.find("ol", class_="hits").find("a", class_="hit").attrs["href"] == "/id/actor/nato"


def test_search_json_gives_labels_in_both_languages(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/search.json", params={"q": "OTAN", "limit": 1})
    assert r.json() == {
        "query": "OTAN",
        "kind": [],
        "counts": {"actor": 3, "measure": 1},
        "counts_complete": True,
        "results": [
            {
                "iri": f"{ENTITY_BASE}actor/nato",
                "label": {
                    "en": "North Atlantic Treaty Organization",
                    "fr": "Organisation du traité de l'Atlantique nord",
                },
                "type": "https://w3id.org/sugraph/ontology#InternationalOrganisation",
                "kind": "actor",
                "matched": "OTAN",
                "page": "/id/actor/nato",
                "field": "name",
                "lang": "fr",
                "snippet": "<mark>OTAN</mark>",
            }
        ],
    }


def test_search_without_match_says_so(server: LiveServer) -> None:
    _, doc = page(server, "/search?q=zzzzqqq")
    assert doc.find("p", role="status").text() == "Nothing matches “zzzzqqq”."


# --- entity pages -------------------------------------------------------------------------------


def test_entity_iri_leads_to_its_page_in_english(server: LiveServer) -> None:
    _, doc = page(server, "/id/actor/nato")
    assert doc.find("h1").text() == "North Atlantic Treaty Organization"


def test_entity_page_in_french(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE + "?lang=fr")
    assert doc.find("h1").text() == "Organisation du traité de l'Atlantique nord"


def test_entity_page_shows_the_type(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    assert doc.find("p", class_="types").text().strip() == "International organisation"


def test_entity_type_links_to_the_ontology_documentation(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    assert doc.find("p", class_="types").hrefs() == ["/ontology#InternationalOrganisation"]


def test_entity_page_quotes_its_evidence_with_source_and_date(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    quote = doc.find("section", class_="evidence").find("figure")
    assert (quote.find("blockquote").text(), quote.find("time").text(), quote.find("a").attrs["href"]) == (
        "en étroite coopération avec les partenaires stratégiques, dont l'OTAN et le G7",
        "24 July 2020",
        "/id/document/ip-20-1379",
    )


def test_entity_page_groups_incoming_links_by_property(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    incoming = doc.find("section", **{"aria-labelledby": "incoming-h"})
    assert (incoming.find("dt").text(), incoming.find("dd").hrefs()) == ("has partner", [HYBRID_MEASURE])


def test_inverse_of_an_incoming_link_reads_as_a_fact(server: LiveServer) -> None:
    _, doc = page(server, "/doc/threat/cyber-threats.html")
    facts = {f.find("dt").text(): f.find("dd").hrefs() for f in doc.find_all("div", class_="fact")}
    assert facts["narrower threat"] == ["/id/threat/cyberattacks", "/id/threat/cybercrime"]


def test_entity_page_draws_its_neighbourhood_with_links(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    svg = doc.find("svg", class_="neighbourhood")
    assert {"/id/actor/nato", HYBRID_MEASURE, "/id/actor/g7"} <= set(svg.hrefs())


def test_entity_page_links_every_rdf_format(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    assert doc.find("p", class_="downloads").hrefs() == [
        "/doc/actor/nato.ttl",
        "/doc/actor/nato.jsonld",
        "/doc/actor/nato.rdf",
        "/doc/actor/nato.nt",
        "/doc/actor/nato.trig",
        "/doc/actor/nato.nq",
    ]


def test_every_download_link_serves_rdf(server: LiveServer) -> None:
    _, doc = page(server, NATO_PAGE)
    statuses = {httpx.get(server.url + href).status_code for href in doc.find("p", class_="downloads").hrefs()}
    assert statuses == {200}


def test_entity_page_for_an_unknown_iri_is_a_404_page(kg, store: OxigraphStore) -> None:
    app = create_app(Settings(root=ROOT), kg=kg, store=store)
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/doc/actor/nobody.html",
            "headers": [],
            "query_string": b"",
            "app": app,
        }
    )
    response = asyncio.run(entity_page(request, f"{ENTITY_BASE}actor/nobody"))
    assert (response.status_code, parse(response.body.decode()).find("h1").text()) == (404, "404 · Not found")


def test_neighbourhood_keeps_the_first_ring_readable() -> None:
    links = [Link("c", f"n{i:02d}", "p") for i in range(MAX_FIRST + 5)]
    picture = neighbourhood("c", links, str, lambda n: "", lambda n: False)
    assert (len(picture.nodes), picture.hidden) == (MAX_FIRST + 1, 5)


# --- workbench ----------------------------------------------------------------------------------

COUNT_MEASURES = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a sug:Measure }"


def test_workbench_runs_a_query_and_says_how_long_it_took(server: LiveServer, store: OxigraphStore) -> None:
    _, doc = page(server, "/workbench?" + httpx.QueryParams({"query": COUNT_MEASURES}).__str__())
    status = doc.find("section", class_="outcome").find("p", role="status").text()
    assert status.startswith("1 row(s) in ") and status.endswith(" ms")


def test_workbench_table_shows_the_values(server: LiveServer, store: OxigraphStore) -> None:
    _, doc = page(server, "/workbench?" + str(httpx.QueryParams({"query": COUNT_MEASURES})))
    assert doc.find("table", class_="results").find("td").text() == str(count_of(store, "sug:Measure"))


def test_workbench_links_iris_to_their_pages(server: LiveServer) -> None:
    query = "SELECT ?a WHERE { VALUES ?a { actor:nato } }"
    _, doc = page(server, "/workbench?" + str(httpx.QueryParams({"query": query})))
    cell = doc.find("table", class_="results").find("td").find("a")
    assert (cell.attrs["href"], cell.text()) == ("/id/actor/nato", "North Atlantic Treaty Organization")


def test_workbench_shows_a_syntax_error_next_to_the_query(server: LiveServer) -> None:
    r, doc = page(server, "/workbench?query=SELEC")
    textarea = doc.find("textarea", id="query")
    assert (r.status_code, textarea.attrs["aria-describedby"], doc.find("div", id="query-error").attrs["role"]) == (
        400,
        "query-error",
        "alert",
    )


def test_workbench_refuses_updates_with_the_stores_message(server: LiveServer) -> None:
    r, doc = page(server, "/workbench?" + str(httpx.QueryParams({"query": "DELETE WHERE { ?s ?p ?o }"})))
    assert (r.status_code, doc.find("div", id="query-error").text()) == (
        400,
        "The query cannot runSPARQL Update is not allowed: this endpoint is read-only",
    )


def test_workbench_lists_the_named_questions(server: LiveServer) -> None:
    _, doc = page(server, "/workbench")
    expected = sorted(f"/workbench?name={p.stem}" for p in (ROOT / "queries").glob("*.rq"))
    assert sorted(doc.find("ul", class_="gallery").hrefs()) == expected


def test_named_question_form_lists_threats_with_the_default_selected(server: LiveServer) -> None:
    _, doc = page(server, "/workbench?name=measures-by-threat-and-actor")
    selected = doc.find("select", id="p-threat").find("option", selected="")
    assert (selected.attrs["value"], selected.text()) == ("threat:hybrid-threats", "Hybrid threats")


def test_named_question_runs_with_the_chosen_parameters(server: LiveServer) -> None:
    _, doc = page(server, "/workbench?name=measures-by-threat-and-actor&threat=threat:hybrid-threats&actor=actor:nato")
    rows = doc.find("table", class_="results").find("tbody").find_all("tr")
    assert [row.find("a").attrs["href"] for row in rows] == [HYBRID_MEASURE]


def test_named_question_editor_holds_the_bound_query_without_header(server: LiveServer) -> None:
    _, doc = page(server, "/workbench?name=measures-by-threat-and-actor&actor=actor:g7")
    text = doc.find("textarea", id="query").text()
    assert (text.startswith("PREFIX"), "VALUES ?actor { <https://w3id.org/sugraph/id/actor/g7> }" in text) == (
        True,
        True,
    )


def test_named_question_share_link_is_the_page_url(server: LiveServer) -> None:
    path = "/workbench?name=measures-by-threat-and-actor&actor=actor:nato"
    _, doc = page(server, path)
    assert doc.find("input", id="share").attrs["value"] == server.url + path


def test_workbench_csv_download_holds_the_results(server: LiveServer) -> None:
    _, doc = page(server, "/workbench?name=measures-by-threat-and-actor")
    csv_link = next(a for a in doc.find("ul", class_="downloads-list").find_all("a") if a.text() == "CSV")
    r = httpx.get(server.url + csv_link.attrs["href"])
    assert (r.headers["content-type"], r.text.splitlines()[0]) == (
        "text/csv; charset=utf-8",
        "measure,measureLabel,threatAddressed,threatLabel,role,roleLabel",
    )


def test_unknown_named_question_is_a_404(server: LiveServer) -> None:
    r, _ = page(server, "/workbench?name=no-such-question")
    assert r.status_code == 404


# --- standards ----------------------------------------------------------------------------------

PAGES = [
    "/",
    "/browse/threat",
    "/browse/measure",
    "/browse/actor",
    "/search?q=otan",
    NATO_PAGE,
    "/workbench?name=measures-by-threat-and-actor",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_or_style(server: LiveServer, path: str) -> None:
    _, doc = page(server, path)
    inline = [
        el.tag
        for el in doc.iter()
        if (el.tag == "script" and "src" not in el.attrs) or el.tag == "style" or "style" in el.attrs
    ]
    assert inline == []


@pytest.mark.parametrize("path", PAGES)
def test_every_form_field_has_a_label(server: LiveServer, path: str) -> None:
    _, doc = page(server, path)
    labelled = {label.attrs.get("for") for label in doc.find_all("label")}
    fields = [el for el in doc.iter() if el.tag in ("input", "select", "textarea") and el.attrs.get("type") != "hidden"]
    assert [f.attrs.get("id") for f in fields if f.attrs.get("id") not in labelled] == []


def test_stylesheet_is_served_from_this_server(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/static/site.css")
    assert (r.status_code, r.headers["content-type"]) == (200, "text/css; charset=utf-8")


# --- escaping -----------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"
HOSTILE_TTL = f"""
@prefix sug: <https://w3id.org/sugraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ENTITY_BASE}threat/hostile> a sug:Threat ; rdfs:label "{HOSTILE}"@en , "{HOSTILE}"@fr .
<{ENTITY_BASE}measure/answer> a sug:Measure ; rdfs:label "Answer"@en , "Réponse"@fr ;
    sug:addresses <{ENTITY_BASE}threat/hostile> .
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    kg = load(ROOT, data=[folder])
    with serve(Settings(root=ROOT), kg=kg, store=OxigraphStore.from_graph(kg)) as live:
        yield live


@pytest.mark.parametrize(
    "path",
    ["/browse/threat", "/doc/threat/hostile.html", "/doc/measure/answer.html", "/browse/measure"],
)  # the search page marks the words it matched in the label: tests/test_search.py checks it
def test_data_is_escaped(hostile_server: LiveServer, path: str) -> None:
    r, _ = page(hostile_server, path)
    assert (HOSTILE in r.text, "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text) == (False, True)
