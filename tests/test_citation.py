"""Cite this: an entity, or a named question's answer, as plain text, BibTeX and CSL-JSON, shown on its
page and downloadable from /cite. Against a real server; the dates are the data's release (the
ontology's dct:modified) and today (UTC)."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest
from test_pages import page

from sugraph.build import KnowledgeGraph
from sugraph.web import citation
from sugraph.web.citation import bibtex_escape, today

from conftest import LiveServer

NATO = "https://w3id.org/sugraph/id/actor/nato"
HYBRID = "https://w3id.org/sugraph/id/measure/eu-approach-hybrid-threats"
RELEASED = "2026-11-25"
TITLE_2020 = (
    "Stratégie de l'UE sur l'union de la sécurité: établir des liens au sein d'un nouvel écosystème de la sécurité"
)
TITLE_2017 = (
    "Union de la sécurité: la Commission prend de nouvelles mesures pour prévenir la radicalisation et les cybermenaces"
)
PAGE_2020 = "https://ec.europa.eu/commission/presscorner/detail/fr/ip_20_1379"  # the originals (foaf:page)
BIBTEX_PAGE_2020 = PAGE_2020.replace("_", r"\_")  # TeX's special characters escaped in a note
PAGE_2017 = "https://ec.europa.eu/commission/presscorner/detail/fr/ip_17_1789"
NATO_QUOTE = "en étroite coopération avec les partenaires stratégiques, dont l'OTAN et le G7"

# The rules of the CSL-JSON schema (citation-style-language/schema, csl-data.json) this service's
# items rely on: an array of items, `type` and `id` required, only CSL variables, dates as date-parts.
DATE = {
    "type": "object",
    "properties": {
        "date-parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": ["string", "number"]}},
        }
    },
    "required": ["date-parts"],
    "additionalProperties": False,
}
CSL_DATA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": ["string", "number"]},
            "type": {"enum": ["dataset", "webpage", "document"]},
            "title": {"type": "string"},
            "author": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"literal": {"type": "string"}},
                    "additionalProperties": False,
                },
            },
            "container-title": {"type": "string"},
            "publisher": {"type": "string"},
            "version": {"type": "string"},
            "issued": DATE,
            "accessed": DATE,
            "URL": {"type": "string"},
            "language": {"type": "string"},
            "note": {"type": "string"},
        },
        "required": ["type", "id"],
        "additionalProperties": False,
    },
}


def cite(server: LiveServer, url: str, fmt: str, lang: str = "en", **headers: str):
    return httpx.get(server.url + "/cite", params={"url": url, "format": fmt, "lang": lang}, headers=headers)


def date_parts(day: str) -> dict:
    return {"date-parts": [[int(p) for p in day.split("-")]]}


# --- escaping -----------------------------------------------------------------------------------


def test_bibtex_escapes_latex_special_characters_and_keeps_accents() -> None:
    text = r"Sécurité {UE} : 100 % & co_1 #2 $3 ~4 ^5 \6"
    assert bibtex_escape(text) == (
        r"Sécurité \{UE\} : 100 \% \& co\_1 \#2 \$3 \textasciitilde{}4 \textasciicircum{}5 \textbackslash{}6"
    )


# --- one entity, exactly ------------------------------------------------------------------------


def test_an_entitys_citation_as_plain_text(server: LiveServer, kg: KnowledgeGraph) -> None:
    r = cite(server, NATO, "text")
    assert (r.status_code, r.headers["content-type"]) == (200, "text/plain; charset=utf-8")
    assert r.text == (
        "North Atlantic Treaty Organization. In: sugraph, the EU Security Union knowledge graph, data version "
        f"{kg.version} ({RELEASED}). {NATO} (accessed {today()}).\n"
        f"Source: IP/20/1379, “{TITLE_2020}”, 2020-07-24, {PAGE_2020} — “{NATO_QUOTE}”\n"
    )


def test_an_entitys_citation_as_bibtex(server: LiveServer, kg: KnowledgeGraph) -> None:
    r = cite(server, NATO, "bibtex")
    assert (r.status_code, r.headers["content-type"]) == (200, "application/x-bibtex")
    assert r.text == (
        "@misc{sugraph-actor-nato,\n"
        "  title = {{North Atlantic Treaty Organization}},\n"
        "  author = {{The sugraph project}},\n"
        "  howpublished = {sugraph, the EU Security Union knowledge graph},\n"
        f"  version = {{{kg.version}}},\n"
        "  year = {2026},\n"
        f"  date = {{{RELEASED}}},\n"
        f"  url = {{{NATO}}},\n"
        f"  urldate = {{{today()}}},\n"
        f"  note = {{Source: IP/20/1379, {TITLE_2020}, 2020-07-24, {BIBTEX_PAGE_2020} — “{NATO_QUOTE}”}}\n"
        "}\n"
    )


def test_an_entitys_citation_as_csl_json(server: LiveServer, kg: KnowledgeGraph) -> None:
    r = cite(server, NATO, "csl-json")
    assert (r.status_code, r.headers["content-type"]) == (200, "application/vnd.citationstyles.csl+json")
    assert r.json() == [
        {
            "id": "sugraph-actor-nato",
            "type": "dataset",
            "title": "North Atlantic Treaty Organization",
            "author": [{"literal": "The sugraph project"}],
            "container-title": "sugraph, the EU Security Union knowledge graph",
            "publisher": "sugraph",
            "version": kg.version,
            "issued": date_parts(RELEASED),
            "accessed": date_parts(today()),
            "URL": NATO,
            "language": "en",
            "note": f"Source: IP/20/1379, {TITLE_2020}, 2020-07-24, {PAGE_2020} — “{NATO_QUOTE}”",
        }
    ]


@pytest.mark.parametrize("url", [NATO, HYBRID, "/queries/money?lang=fr"])
def test_csl_json_follows_the_csl_data_schema(server: LiveServer, url: str) -> None:
    jsonschema.validate(cite(server, url, "csl-json").json(), CSL_DATA)


def test_a_french_label_keeps_its_accents_in_bibtex(server: LiveServer) -> None:
    lines = cite(server, HYBRID, "bibtex", lang="fr").text.splitlines()
    assert lines[1] == "  title = {{Approche de l'UE en matière de lutte contre les menaces hybrides}},"


def test_a_plain_text_citation_is_in_the_readers_language(server: LiveServer, kg: KnowledgeGraph) -> None:
    first = cite(server, NATO, "text", lang="fr").text.splitlines()[0]
    assert first == (
        "Organisation du traité de l'Atlantique nord. Dans : sugraph, le graphe de connaissances de l'union de la "
        f"sécurité de l'UE, version des données {kg.version} ({RELEASED}). {NATO} (consulté le {today()})."
    )


def test_french_quotes_its_sources_the_french_way(server: LiveServer) -> None:
    second = cite(server, NATO, "text", lang="fr").text.splitlines()[1]
    assert second == f"Source : IP/20/1379, « {TITLE_2020} », 2020-07-24, {PAGE_2020} — « {NATO_QUOTE} »"


def test_every_quote_of_the_entity_is_cited_with_its_source(server: LiveServer) -> None:
    sources = [line for line in cite(server, HYBRID, "text").text.splitlines() if line.startswith("Source")]
    assert sources == [
        f"Source: IP/20/1379, “{TITLE_2020}”, 2020-07-24, {PAGE_2020} — “2. Faire face à l'évolution des menaces”; "
        "“La Commission et le haut représentant continueront à poursuivre conjointement ces travaux, en étroite "
        "coopération avec les partenaires stratégiques, dont l'OTAN et le G7.”; “Les mesures clés comprennent une "
        "approche de l'UE en matière de lutte contre les menaces hybrides”"
    ]


# --- a named question's answer -----------------------------------------------------------------


def test_a_questions_citation_names_it_its_parameters_its_url_and_its_sources(server: LiveServer) -> None:
    path = "/queries/measures-by-threat-and-actor?actor=actor:nato&format=html"
    lines = cite(server, path, "text").text.splitlines()
    assert lines[0].startswith(
        "Measures that address a threat and involve an actor "
        "(threat = threat:hybrid-threats; actor = actor:nato; lang = en). In: sugraph,"
    )
    assert lines[0].endswith(
        f"{server.url}/queries/measures-by-threat-and-actor?actor=actor:nato (accessed {today()})."
    )
    assert lines[1:] == [
        f"Source: IP/17/1789, “{TITLE_2017}”, 2017-06-29, {PAGE_2017}",
        f"Source: IP/20/1379, “{TITLE_2020}”, 2020-07-24, {PAGE_2020}",
    ]


def test_a_questions_bibtex_key_names_the_question(server: LiveServer) -> None:
    assert cite(server, "/queries/money", "bibtex").text.startswith("@misc{sugraph-query-money,\n")


# --- the route ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("text", "sugraph-actor-nato.txt"),
        ("bibtex", "sugraph-actor-nato.bib"),
        ("csl-json", "sugraph-actor-nato.csl.json"),
    ],
)
def test_each_form_downloads_as_a_file(server: LiveServer, fmt: str, name: str) -> None:
    assert cite(server, NATO, fmt).headers["content-disposition"] == f'attachment; filename="{name}"'


def test_an_entity_is_cited_by_its_path_as_by_its_iri(server: LiveServer) -> None:
    assert cite(server, "/id/actor/nato", "bibtex").text == cite(server, NATO, "bibtex").text


def test_accept_chooses_the_form_without_a_format(server: LiveServer) -> None:
    r = httpx.get(server.url + "/cite", params={"url": NATO}, headers={"Accept": "application/x-bibtex"})
    assert (r.status_code, r.text[:6]) == (200, "@misc{")


@pytest.mark.parametrize(
    "url", ["https://w3id.org/sugraph/id/actor/no-such-actor", "/queries/no-such", "/browse/threat"]
)
def test_what_cannot_be_cited_is_404(server: LiveServer, url: str) -> None:
    assert cite(server, url, "text").status_code == 404


def test_an_unknown_citation_format_is_406(server: LiveServer) -> None:
    assert cite(server, NATO, "ris").status_code == 406


def test_a_citation_answers_304_to_its_validator(server: LiveServer) -> None:
    tag = cite(server, NATO, "bibtex").headers["etag"]
    again = cite(server, NATO, "bibtex", **{"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")


# --- on the pages -------------------------------------------------------------------------------


def test_an_entity_page_shows_the_three_forms_with_their_downloads(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    details = doc.find("details", class_="cite")
    links = [(a.attrs["href"], a.attrs["download"]) for a in details.find_all("a", class_="cite-download")]
    assert links == [
        ("/cite?url=https%3A%2F%2Fw3id.org%2Fsugraph%2Fid%2Factor%2Fnato&format=text", "sugraph-actor-nato.txt"),
        ("/cite?url=https%3A%2F%2Fw3id.org%2Fsugraph%2Fid%2Factor%2Fnato&format=bibtex", "sugraph-actor-nato.bib"),
        (
            "/cite?url=https%3A%2F%2Fw3id.org%2Fsugraph%2Fid%2Factor%2Fnato&format=csl-json",
            "sugraph-actor-nato.csl.json",
        ),
    ]


def test_the_page_shows_what_the_download_gives(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    shown = [pre.text() for pre in doc.find("details", class_="cite").find_all("pre")]
    assert shown[1] == cite(server, NATO, "bibtex").text
    assert json.loads(shown[2]) == cite(server, NATO, "csl-json").json()


def test_a_named_question_result_page_offers_its_citation(server: LiveServer) -> None:
    _, doc = page(server, "/queries/money?format=html")
    details = doc.find("details", class_="cite")
    assert details.find("pre").text().startswith("Money reported, and what for (lang = en). In: sugraph,")


def test_a_questions_citation_names_its_first_sources_and_counts_the_others(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citation, "LISTED_SOURCES", 1)
    assert cite(server, "/queries/money", "text").text.splitlines()[1:] == [
        f"Source: IP/17/1789, “{TITLE_2017}”, 2017-06-29, {PAGE_2017}",
        f"Other source documents of the dataset (1): {server.url}/browse/document",
    ]


def test_a_questions_bibtex_note_counts_the_sources_it_does_not_name(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citation, "LISTED_SOURCES", 0)
    note = next(line for line in cite(server, "/queries/money", "bibtex").text.splitlines() if "note" in line)
    assert note == f"  note = {{Other source documents of the dataset (2): {server.url}/browse/document}}"


def test_an_entitys_citation_names_its_first_sources_and_counts_the_others(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citation, "LISTED_SOURCES", 1)
    cyberattacks = "https://w3id.org/sugraph/id/threat/cyberattacks"  # quoted in both sources
    lines = cite(server, cyberattacks, "text").text.splitlines()[1:]
    assert [line.split(" — ")[0] for line in lines[:-1]] == [
        f"Source: IP/17/1789, “{TITLE_2017}”, 2017-06-29, {PAGE_2017}"
    ]
    assert lines[-1] == f"Other source documents quoted for it (1): {cyberattacks}"
