"""Configurable size limits on queries and answers: a clear 413, never a truncated or huge answer."""

from __future__ import annotations

import httpx

from sugraph.config import Settings
from sugraph.memo import cache_short

from conftest import ROOT, serve

SMALL = Settings(root=ROOT, max_query_length=60, max_response_bytes=2000)


def test_a_query_over_the_length_limit_is_413_with_the_sizes() -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } # " + "x" * 40
    with serve(SMALL) as live:
        r = httpx.post(f"{live.url}/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.text == f"the query is {len(query)} characters long; the limit is 60"


def test_an_answer_over_the_byte_limit_is_413_with_advice() -> None:
    with serve(SMALL) as live:
        r = httpx.get(f"{live.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 413
    assert r.text == "the answer is over the limit of 2,000 bytes: narrow the query or page it with LIMIT and OFFSET"


def test_answers_within_the_limits_are_served() -> None:
    with serve(SMALL) as live:
        r = httpx.get(
            f"{live.url}/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
    assert r.status_code == 200
    assert r.json()["boolean"] is True


def test_memo_keeps_short_texts_only() -> None:
    calls: list[str] = []

    @cache_short(maxsize=8, max_length=5)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    for text in ("short", "short", "much longer", "much longer"):
        length(text)
    assert calls == ["short", "much longer", "much longer"]
