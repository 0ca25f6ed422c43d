"""The label index: names in both languages, case-, accent- and punctuation-insensitive, acronyms included."""

import pytest

from sugraph.namespaces import ENTITY_BASE
from sugraph.search import LabelIndex, normalise, short_name
from sugraph.store.oxigraph import OxigraphStore

NATO = f"{ENTITY_BASE}actor/nato"
RAN = f"{ENTITY_BASE}actor/radicalisation-awareness-network"
CYBERCRIME = f"{ENTITY_BASE}threat/cybercrime"


@pytest.fixture(scope="module")
def index(store: OxigraphStore) -> LabelIndex:
    return LabelIndex.from_store(store)


def test_normalise_strips_accents_and_case() -> None:
    assert normalise("Cybercriminalité") == "cybercriminalite"


def test_normalise_turns_punctuation_into_single_spaces() -> None:
    assert normalise("  Approche de l'UE — «Sécurité»  ") == "approche de l ue securite"


def test_short_name_uses_the_longest_matching_prefix() -> None:
    assert short_name(NATO) == "actor:nato"


def test_french_acronym_finds_nato_first(index: LabelIndex) -> None:
    assert index.search("OTAN")[0].iri == NATO


def test_lower_case_acronym_matches_too(index: LabelIndex) -> None:
    assert index.search("otan")[0].iri == NATO


def test_french_acronym_of_ran_finds_the_network_first(index: LabelIndex) -> None:
    assert index.search("RSR")[0].iri == RAN


def test_unaccented_french_label_finds_cybercrime_first(index: LabelIndex) -> None:
    assert index.search("cybercriminalite")[0].iri == CYBERCRIME


def test_hit_reports_the_name_that_matched(index: LabelIndex) -> None:
    assert index.search("OTAN")[0].matched == "OTAN"


def test_words_in_any_order_match_as_word_prefixes(index: LabelIndex) -> None:
    assert NATO in [hit.iri for hit in index.search("atlantique organisation")]


def test_blank_query_finds_nothing(index: LabelIndex) -> None:
    assert index.search("  ") == []


def test_search_returns_at_most_the_limit(index: LabelIndex) -> None:
    assert len(index.search("e", limit=3)) == 3


def test_label_in_the_requested_language(index: LabelIndex) -> None:
    assert index.label(NATO, "fr") == "Organisation du traité de l'Atlantique nord"


def test_label_of_an_unlabelled_iri_is_its_short_name(index: LabelIndex) -> None:
    assert index.label(f"{ENTITY_BASE}actor/nobody", "en") == "actor:nobody"


SCHINAS = f"{ENTITY_BASE}person/margaritis-schinas"


@pytest.mark.parametrize("query", ["Schinas", "Schinias", "margaritis schinias"])
def test_the_vice_president_is_found_by_his_name_and_by_the_source_spelling(index: LabelIndex, query: str) -> None:
    assert index.search(query)[0].iri == SCHINAS


def test_a_hidden_label_is_never_the_displayed_label(index: LabelIndex) -> None:
    assert (index.label(SCHINAS, "fr"), index.label(SCHINAS, "en")) == ("Margaritis Schinas", "Margaritis Schinas")
