"""Search: names, descriptions and quotes in both languages, case-, accent- and punctuation-insensitive,
on word prefixes, ranked by field; the reader's words are text, never FTS5 syntax; filtered and
counted by kind, in the index and through /search and /search.json."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sugraph.build import load
from sugraph.config import Settings
from sugraph.namespaces import ENTITY_BASE
from sugraph.search import MAX_QUERY, LabelIndex, SearchError, Snippet, UnknownKind, normalise, short_name
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.pages.site import Site

from conftest import ROOT, LiveServer, serve

NATO = f"{ENTITY_BASE}actor/nato"
RAN = f"{ENTITY_BASE}actor/radicalisation-awareness-network"
CYBERCRIME = f"{ENTITY_BASE}threat/cybercrime"
EC3 = f"{ENTITY_BASE}actor/european-cybercrime-centre"
LAW_ENFORCEMENT = f"{ENTITY_BASE}actor/law-enforcement"
WANNACRY = f"{ENTITY_BASE}event/wannacry-attack"
NEW_IT_SPECIALISTS = f"{ENTITY_BASE}measure/new-it-specialists-for-ec3"
CEF_FUNDING = f"{ENTITY_BASE}measure/cef-funding-for-csirts-network"
SCHINAS = f"{ENTITY_BASE}person/margaritis-schinas"


@pytest.fixture(scope="module")
def index(store: OxigraphStore) -> LabelIndex:
    return Site.from_store(store, {}).labels


def iris(index: LabelIndex, query: str, **options) -> list[str]:
    return [hit.iri for hit in index.search(query, **options)]


# --- normalising and labels -----------------------------------------------------------------------


def test_normalise_strips_accents_and_case() -> None:
    assert normalise("Cybercriminalité") == "cybercriminalite"


def test_normalise_turns_punctuation_into_single_spaces() -> None:
    assert normalise("  Approche de l'UE — «Sécurité»  ") == "approche de l ue securite"


def test_short_name_uses_the_longest_matching_prefix() -> None:
    assert short_name(NATO) == "actor:nato"


def test_label_in_the_requested_language(index: LabelIndex) -> None:
    assert index.label(NATO, "fr") == "Organisation du traité de l'Atlantique nord"


def test_label_of_an_unlabelled_iri_is_its_short_name(index: LabelIndex) -> None:
    assert index.label(f"{ENTITY_BASE}actor/nobody", "en") == "actor:nobody"


def test_a_hidden_label_is_never_the_displayed_label(index: LabelIndex) -> None:
    assert (index.label(SCHINAS, "fr"), index.label(SCHINAS, "en")) == ("Margaritis Schinas", "Margaritis Schinas")


# --- names ----------------------------------------------------------------------------------------


def test_french_acronym_finds_nato_first(index: LabelIndex) -> None:
    assert iris(index, "OTAN")[0] == NATO


def test_lower_case_acronym_matches_too(index: LabelIndex) -> None:
    assert iris(index, "otan")[0] == NATO


def test_french_acronym_of_ran_finds_the_network_first(index: LabelIndex) -> None:
    assert iris(index, "RSR")[0] == RAN


def test_unaccented_french_label_finds_cybercrime_first(index: LabelIndex) -> None:
    assert iris(index, "cybercriminalite")[0] == CYBERCRIME


def test_the_start_of_a_word_finds_it_as_the_reader_types(index: LabelIndex) -> None:
    hit = index.search("cyberc", lang="fr")[0]
    assert (hit.iri, str(hit.snippet.html())) == (CYBERCRIME, "<mark>Cybercriminalité</mark>")


def test_hit_reports_the_name_that_matched(index: LabelIndex) -> None:
    assert index.search("OTAN")[0].matched == "OTAN"


def test_words_in_any_order_match_as_word_prefixes(index: LabelIndex) -> None:
    assert iris(index, "atlantique organisation") == [NATO]


@pytest.mark.parametrize("query", ["Schinas", "Schinias", "margaritis schinias"])
def test_the_vice_president_is_found_by_his_name_and_by_the_source_spelling(index: LabelIndex, query: str) -> None:
    assert iris(index, query)[0] == SCHINAS


def test_blank_query_finds_nothing(index: LabelIndex) -> None:
    assert index.search("  ") == []


def test_search_returns_at_most_the_limit(index: LabelIndex) -> None:
    assert len(index.search("e", limit=3)) == 3


# --- descriptions, quotes and ranking --------------------------------------------------------------


def test_wannacry_finds_the_event_by_name_then_the_cybercrime_centre_by_its_description(index: LabelIndex) -> None:
    assert [(hit.iri, hit.field) for hit in index.search("WannaCry")] == [
        (WANNACRY, "name"),
        (EC3, "description"),
        (LAW_ENFORCEMENT, "quote"),
        (NEW_IT_SPECIALISTS, "quote"),
    ]


def test_a_word_found_only_in_a_quote_finds_the_entity_the_quote_supports(index: LabelIndex) -> None:
    assert [(hit.iri, hit.field) for hit in index.search("enveloppe")] == [(CEF_FUNDING, "quote")]


def test_the_whole_name_ranks_before_a_name_that_contains_it(index: LabelIndex) -> None:
    assert [hit.score for hit in index.search("cybercriminalité", lang="fr")][:2] == [0, 20]


def test_accents_and_case_do_not_matter_in_descriptions(index: LabelIndex) -> None:
    assert iris(index, "REPRESSIFS") == iris(index, "répressifs")


def test_the_snippet_is_in_the_readers_language_when_both_match(index: LabelIndex) -> None:
    by_lang = {lang: next(h for h in index.search("WannaCry", lang=lang) if h.iri == EC3) for lang in ("en", "fr")}
    assert {lang: (hit.lang, str(hit.snippet)) for lang, hit in by_lang.items()} == {
        "en": (
            "en",
            "Europol's centre against cybercrime, at the forefront of the law enforcement response to the "
            "WannaCry attack.",
        ),
        "fr": (
            "fr",
            "Le centre d'Europol de lutte contre la cybercriminalité, en première ligne de la réponse des services "
            "répressifs à l'attaque WannaCry.",
        ),
    }


def test_a_snippet_marks_the_matched_words_and_escapes_the_rest() -> None:
    assert str(Snippet.of("a <b>&c WannaCry d", ["wannacry"]).html()) == "a &lt;b&gt;&amp;c <mark>WannaCry</mark> d"


def test_a_long_text_is_cut_around_its_first_match() -> None:
    text = " ".join(f"w{i}" for i in range(40)) + " Cybercriminalité " + " ".join(f"v{i}" for i in range(40))
    assert str(Snippet.of(text, ["cyberc"], size=8).html()) == "…w38 w39 <mark>Cybercriminalité</mark> v0 v1 v2 v3 v4…"


# --- kinds ------------------------------------------------------------------------------------------


def test_a_kind_filter_keeps_that_kind_only(index: LabelIndex) -> None:
    assert iris(index, "WannaCry", kinds={"actor"}) == [EC3, LAW_ENFORCEMENT]


def test_several_kinds_keep_each_of_them(index: LabelIndex) -> None:
    assert iris(index, "WannaCry", kinds={"actor", "event"}) == [WANNACRY, EC3, LAW_ENFORCEMENT]


def test_counts_are_per_kind_whatever_the_filter(index: LabelIndex) -> None:
    assert index.counts("WannaCry") == {"actor": 2, "event": 1, "measure": 1}


def test_an_unknown_kind_is_refused(index: LabelIndex) -> None:
    with pytest.raises(UnknownKind, match="unknown kind 'unicorn'; the kinds are: actor, "):
        index.search("otan", kinds={"unicorn"})


# --- the reader's words are text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('"otan', "otan"),
        ("otan*", "otan"),
        ("-otan", "otan"),
        ("NEAR(otan rsr)", "near otan rsr"),
        ("otan OR rsr", "otan or rsr"),
        ("otan NOT nord", "otan not nord"),
        ("{text}: otan", "text otan"),
        ("^otan + nord", "otan nord"),
    ],
)
def test_fts5_syntax_is_searched_as_text(index: LabelIndex, query: str, words: str) -> None:
    assert (iris(index, query), index.counts(query)) == (iris(index, words), index.counts(words))


@pytest.mark.parametrize("query", ['"', "*", "-", "NEAR", "AND", "(", ")", '""*', "\x00", "\x02otan\x03"])
def test_fts5_operators_alone_do_not_fail(index: LabelIndex, query: str) -> None:
    index.search(query)
    index.counts(query)


def test_a_query_too_long_is_refused(index: LabelIndex) -> None:
    with pytest.raises(SearchError, match=f"a search is at most {MAX_QUERY} characters long; this one has 201"):
        index.search("a" * 201)


# --- /search and /search.json -----------------------------------------------------------------------


def test_search_json_filters_by_kind_and_counts_every_kind(client: httpx.Client) -> None:
    body = client.get("/search.json", params={"q": "WannaCry", "kind": "actor"}).json()
    assert (body["kind"], body["counts"], [r["iri"] for r in body["results"]]) == (
        ["actor"],
        {"actor": 2, "event": 1, "measure": 1},
        [EC3, LAW_ENFORCEMENT],
    )


def test_search_json_gives_the_field_language_and_marked_snippet(client: httpx.Client) -> None:
    body = client.get("/search.json", params={"q": "WannaCry", "kind": "actor", "limit": 1, "lang": "en"}).json()
    hit = body["results"][0]
    assert (hit["field"], hit["lang"], hit["snippet"]) == (
        "description",
        "en",
        "Europol&#39;s centre against cybercrime, at the forefront of the law enforcement response to the "
        "<mark>WannaCry</mark> attack.",
    )


def test_search_json_completes_a_label_from_its_first_letters(client: httpx.Client) -> None:
    body = client.get("/search.json", params={"q": "cyberc", "limit": 10}).json()
    assert (body["results"][0]["iri"], len(body["results"])) == (CYBERCRIME, 9)


def test_search_json_refuses_an_unknown_kind(client: httpx.Client) -> None:
    r = client.get("/search.json", params={"q": "otan", "kind": "unicorn"})
    assert (r.status_code, r.json()["detail"][:40]) == (400, "unknown kind 'unicorn'; the kinds are: a")


def test_search_json_refuses_a_query_too_long(client: httpx.Client) -> None:
    r = client.get("/search.json", params={"q": "a" * 201})
    assert (r.status_code, r.json()["detail"]) == (400, "a search is at most 200 characters long; this one has 201")


def test_search_json_treats_fts5_syntax_as_text(client: httpx.Client) -> None:
    r = client.get("/search.json", params={"q": 'NEAR("otan" *) -'})
    assert (r.status_code, r.json()["results"]) == (200, [])


def test_search_page_links_each_kinds_count_to_the_filtered_search(server: LiveServer) -> None:
    html = httpx.get(f"{server.url}/search", params={"q": "WannaCry", "lang": "en"}).text
    assert (
        '<li><a href="/search?q=WannaCry&amp;kind=actor">Actors <span class="n">2</span></a></li>' in html,
        '<li><a href="/search?q=WannaCry" aria-current="page">All <span class="n">4</span></a></li>' in html,
    ) == (True, True)


def test_search_page_marks_the_matched_word_in_the_snippet(server: LiveServer) -> None:
    html = httpx.get(f"{server.url}/search", params={"q": "WannaCry", "kind": "actor", "lang": "fr"}).text
    assert (
        '<p class="desc snippet">Le centre d&#39;Europol de lutte contre la cybercriminalité, en première ligne de la '
        "réponse des services répressifs à l&#39;attaque <mark>WannaCry</mark>.</p>"
    ) in html


def test_search_page_in_french_counts_the_filtered_results(server: LiveServer) -> None:
    html = httpx.get(f"{server.url}/search", params={"q": "WannaCry", "kind": "actor", "lang": "fr"}).text
    assert "2 résultat(s) pour « WannaCry »" in html


def test_search_page_refuses_an_unknown_kind_in_the_readers_language(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/search", params={"q": "otan", "kind": "unicorn", "lang": "fr"})
    assert (r.status_code, "Type inconnu « unicorn » ; les types sont : actor, " in r.text) == (400, True)


HOSTILE_TTL = f"""
@prefix sug: <https://w3id.org/sugraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ENTITY_BASE}threat/hostile> a sug:Threat ; rdfs:label "<script>alert(1)</script>"@en , "<b>x</b>"@fr .
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    kg = load(ROOT, data=[folder])
    with serve(Settings(root=ROOT), kg=kg, store=OxigraphStore.from_graph(kg)) as live:
        yield live


def test_a_hostile_label_is_escaped_around_its_marks(hostile_server: LiveServer) -> None:
    html = httpx.get(f"{hostile_server.url}/search", params={"q": "script", "lang": "en"}).text
    assert (
        "<script>alert" in html,
        '">&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;</a>' in html,
    ) == (
        False,
        True,
    )
