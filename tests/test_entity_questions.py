"""From an entity to the questions about it: each entity page lists the named questions that take an
entity of its kind, pre-filled with it, and opens its links in the workbench. Against a real server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from test_pages import Element, page

from conftest import LiveServer


def questions(doc: Element) -> list[tuple[str, str]]:
    section = doc.find("section", class_="questions")
    return [(a.text(), a.attrs["href"]) for a in section.find("ul").find_all("a")]


def results(doc: Element) -> list[list[str]]:
    table = doc.find("table", class_="results")
    return [[td.text().strip() for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def test_natos_page_lists_the_questions_that_take_an_actor(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    assert questions(doc) == [
        (
            "Bodies within an organisation, and what they do",
            "/workbench?name=sub-organisations&organisation=actor:nato&lang=en",
        ),
        (
            "Measures that address a threat and involve an actor",
            "/workbench?name=measures-by-threat-and-actor&actor=actor:nato&lang=en",
        ),
    ]


def test_a_threats_page_lists_the_questions_that_take_a_threat(server: LiveServer) -> None:
    _, doc = page(server, "/doc/threat/hybrid-threats.html?lang=en")
    assert questions(doc) == [
        (
            "Measures against a threat, with actors and evidence",
            "/workbench?name=measures-for-threat&threat=threat:hybrid-threats&lang=en",
        ),
        (
            "Measures that address a threat and involve an actor",
            "/workbench?name=measures-by-threat-and-actor&threat=threat:hybrid-threats&lang=en",
        ),
    ]


def test_an_inferred_class_counts(server: LiveServer, store) -> None:
    """NATO is stated an international organisation; that it is a sug:Actor, which the questions
    ask for, is inferred."""
    stated = "ASK { GRAPH <https://w3id.org/sugraph/graph/asserted> { actor:nato a sug:Actor } }"
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    assert (store.run(stated, "application/sparql-results+json").count(b"true"), len(questions(doc))) == (0, 2)


def test_a_source_documents_page_lists_the_question_on_what_it_announces(server: LiveServer) -> None:
    _, doc = page(server, "/doc/document/ip-20-1379.html?lang=en")
    assert [href for _, href in questions(doc)] == [
        "/workbench?name=measures-by-source&document=doc:ip-20-1379&lang=en"
    ]


def test_the_questions_are_titled_in_the_pages_language(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=fr")
    assert questions(doc) == [
        (
            "Mesures qui visent une menace et impliquent un acteur",
            "/workbench?name=measures-by-threat-and-actor&actor=actor:nato&lang=fr",
        ),
        (
            "Organes au sein d'une organisation, et leur rôle",
            "/workbench?name=sub-organisations&organisation=actor:nato&lang=fr",
        ),
    ]


def test_the_question_says_what_the_entity_stands_for_in_it(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    hints = [span.text() for span in doc.find("section", class_="questions").find_all("span", class_="hint")]
    assert hints == ["(The parent organisation)", "(The actor involved)"]


def test_an_entity_no_question_takes_says_so(server: LiveServer) -> None:
    _, doc = page(server, "/doc/measure/eu-approach-hybrid-threats.html?lang=en")
    section = doc.find("section", class_="questions")
    assert (section.find_all("ul"), section.find("p").text()) == ([], "No named question takes an entity of this kind.")


def test_a_pre_filled_question_runs_with_the_entity(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    href = dict(questions(doc))["Measures that address a threat and involve an actor"]
    r, answer = page(server, href)
    assert r.status_code == 200
    assert answer.find("select", id="p-actor").find("option", selected="").attrs["value"] == "actor:nato"
    assert [row[0] for row in results(answer)] == ["EU approach to countering hybrid threats"]


def test_the_workbench_link_opens_a_query_of_the_entitys_links(server: LiveServer) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    href = doc.find("a", class_="open-workbench").attrs["href"]
    query = parse_qs(urlsplit(href).query)["query"][0]
    assert "VALUES ?entity { <https://w3id.org/sugraph/id/actor/nato> }" in query
    r, answer = page(server, href)
    rows = results(answer)
    assert r.status_code == 200
    hybrid = "EU approach to countering hybrid threats"
    assert ["out", "skos:altLabel", "", "NATO", ""] in rows
    assert ["in", "has partner", "has partner", hybrid, hybrid] in rows
    assert rows.index(["out", "skos:altLabel", "", "NATO", ""]) < rows.index(
        ["in", "has partner", "has partner", hybrid, hybrid]
    )


def test_the_workbench_query_gives_every_stated_link_of_the_entity(server: LiveServer, store) -> None:
    _, doc = page(server, "/doc/actor/nato.html?lang=en")
    query = parse_qs(urlsplit(doc.find("a", class_="open-workbench").attrs["href"]).query)["query"][0]
    rows = store.select(query)
    stated = store.select(
        "SELECT ?p ?o WHERE { GRAPH <https://w3id.org/sugraph/graph/asserted> "
        "{ <https://w3id.org/sugraph/id/actor/nato> ?p ?o FILTER(!isBlank(?o)) } }"
    )
    out = {(r["property"].value, r["value"].value) for r in rows if r["direction"].value == "out"}
    assert {(r["p"].value, r["o"].value) for r in stated} <= out
