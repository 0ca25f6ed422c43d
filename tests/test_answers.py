"""The site's slow answers kept beside the prebuilt store (store/answers.py), and the named questions
answered ahead of their readers (web/ahead.py): a kept answer is the engine's answer, byte for byte,
read back by the next store over the same folder; nothing a client wrote, nothing that may call a
SERVICE, and nothing fast is kept."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from sugraph.build import KnowledgeGraph
from sugraph.config import Settings
from sugraph.named_queries import NamedQuery, Param, load_queries
from sugraph.store import open_store
from sugraph.store.answers import ANSWERS_FILE, MIN_SECONDS, AnswerFile, answering_code
from sugraph.store.base import CLIENT, Store
from sugraph.store.pool import PooledStore
from sugraph.web.ahead import MAX_MEMBERS, offered
from sugraph.web.app import create_app
from sugraph.web.context import context_of
from sugraph.web.formats import RESULTS_JSON

from conftest import ROOT, LiveServer

KEY = ("SELECT * WHERE { ?s ?p ?o }", RESULTS_JSON.media_type, None, 10_000, None)
BODY = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
SALT = "pyoxigraph 0.5.13, max_response_bytes 67108864"
QUERIES = load_queries(ROOT / "queries")
THREAT = "https://w3id.org/sugraph/id/threat/terrorism"


def answer_file(folder: Path, salt: str = SALT, max_bytes: int = 1 << 20) -> AnswerFile:
    answers = AnswerFile.beside(folder, salt, max_bytes)
    assert answers is not None
    return answers


def test_an_answer_the_engine_gave_fast_is_not_kept(tmp_path: Path) -> None:
    answers = answer_file(tmp_path)
    answers.put(KEY, BODY, MIN_SECONDS / 2)
    assert KEY not in answers and answers.get(KEY) is None


def test_an_answer_asked_ahead_of_its_readers_is_kept_however_fast(tmp_path: Path) -> None:
    answer_file(tmp_path).put(KEY, BODY, 0.0, ahead=True)
    assert answer_file(tmp_path).get(KEY) == BODY


def test_a_slow_answer_is_read_back_by_the_next_opening_of_the_file(tmp_path: Path) -> None:
    answer_file(tmp_path).put(KEY, BODY, MIN_SECONDS)
    assert answer_file(tmp_path).get(KEY) == BODY


def test_an_answer_is_not_read_with_another_engine_version_or_limit(tmp_path: Path) -> None:
    answer_file(tmp_path).put(KEY, BODY, 1.0)
    assert answer_file(tmp_path, salt="pyoxigraph 0.6.0, max_response_bytes 67108864").get(KEY) is None


def test_the_code_that_answers_is_part_of_the_key(pool: PooledStore, monkeypatch) -> None:
    text = question("deadlines")
    pool.run(text, RESULTS_JSON.media_type, max_rows=10_000)
    key = (text, RESULTS_JSON.media_type, None, 10_000, None)
    assert key in pool.answers  # type: ignore[operator]
    salt = f"pyoxigraph {ox.__version__}, code {answering_code()}, max_response_bytes {64 << 20}"
    assert AnswerFile.beside(pool.path, salt, 1 << 20).get(key) is not None  # type: ignore[union-attr]
    monkeypatch.setattr("sugraph.store.answers.ANSWERING_CODE", ("lexer.py",))  # as if the others changed
    assert answering_code() not in salt


def test_a_file_opened_earlier_sees_the_answers_kept_meanwhile_once_it_holds_the_lock(tmp_path: Path) -> None:
    early = answer_file(tmp_path)  # another uvicorn worker, or a replica, over the same folder
    answer_file(tmp_path).put(KEY, BODY, 1.0)
    assert KEY not in early
    with early.one_at_a_time():
        assert early.get(KEY) == BODY


def test_the_oldest_answers_leave_first_when_the_file_is_full(tmp_path: Path) -> None:
    answers = answer_file(tmp_path, max_bytes=2500)
    bodies = [os.urandom(1024) for _ in range(3)]  # 1 KiB each, that zlib cannot shrink
    keys = [(f"ASK {{}} # {i}", None, None, None, None) for i in range(3)]
    for key, body in zip(keys, bodies, strict=True):
        answers.put(key, body, 1.0)
    assert [key in answers for key in keys] == [False, True, True]
    assert answers.get(keys[2]) == bodies[2]


def test_answers_asked_ahead_leave_the_full_file_last(tmp_path: Path) -> None:
    answers = answer_file(tmp_path, max_bytes=2500)
    bodies = [os.urandom(1024) for _ in range(3)]
    keys = [(f"ASK {{}} # {i}", None, None, None, None) for i in range(3)]
    answers.put(keys[0], bodies[0], 0.0, ahead=True)  # the oldest, but an offered page
    answers.put(keys[1], bodies[1], 1.0)
    answers.put(keys[2], bodies[2], 1.0)  # a reader's own parameter values, newer
    assert [key in answers for key in keys] == [True, False, True]


def test_a_folder_where_no_file_can_be_written_keeps_nothing_and_says_so(tmp_path: Path, caplog) -> None:
    (tmp_path / ANSWERS_FILE).mkdir()  # the file's name is taken by a folder
    assert AnswerFile.beside(tmp_path, SALT, 1 << 20) is None
    assert "answers will not be kept beside the store" in caplog.text


def test_a_damaged_file_keeps_nothing_and_fails_no_query(tmp_path: Path) -> None:
    (tmp_path / ANSWERS_FILE).write_bytes(b"not an SQLite file" * 100)
    assert AnswerFile.beside(tmp_path, SALT, 1 << 20) is None


def test_no_file_is_made_when_the_budget_is_zero(tmp_path: Path) -> None:
    assert AnswerFile.beside(tmp_path, SALT, 0) is None
    assert not (tmp_path / ANSWERS_FILE).exists()


@pytest.fixture
def pool(kg: KnowledgeGraph, tmp_path: Path) -> Iterator[PooledStore]:
    """A store that keeps every site answer, however fast (the shipped graph answers in ms)."""
    store = open_store(Settings(cache_dir=tmp_path, query_workers=1), kg)
    assert isinstance(store, PooledStore) and store.answers is not None
    store.answers.min_seconds = 0
    yield store
    store.close()


def question(name: str, **values: str) -> str:
    return QUERIES[name].text({k: [v] for k, v in values.items()})


def test_the_next_store_over_the_folder_answers_from_the_file_without_its_engine(
    pool: PooledStore, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    text = question("measures-for-threat", threat=THREAT)
    first = asyncio.run(pool.arun(text, RESULTS_JSON.media_type, max_rows=10_000))
    pool.close()
    again = open_store(Settings(cache_dir=tmp_path, query_workers=1), kg)
    try:

        async def no_engine(*args, **kwargs) -> bytes:
            raise AssertionError("the engine was asked")

        again._aexecute = no_engine  # type: ignore[method-assign]
        assert asyncio.run(again.arun(text, RESULTS_JSON.media_type, max_rows=10_000)) == first
        assert b"Europol" in first  # the real answer, not an empty one
    finally:
        again.close()


def test_a_clients_own_query_is_not_kept(pool: PooledStore) -> None:
    text = question("measures-for-threat", threat=THREAT)
    pool.run(text, RESULTS_JSON.media_type, lane=CLIENT)
    assert (text, RESULTS_JSON.media_type, None, None, None) not in pool.answers  # type: ignore[operator]


def test_a_query_that_may_call_a_service_is_not_kept(pool: PooledStore) -> None:
    text = 'SELECT ?x WHERE { VALUES ?x { "Service" } }'  # the word alone is enough to keep nothing
    pool.run(text, RESULTS_JSON.media_type)
    assert (text, RESULTS_JSON.media_type, None, None, None) not in pool.answers  # type: ignore[operator]


def test_a_site_query_is_kept_by_the_threads_path_too(pool: PooledStore) -> None:
    text = question("most-involved-actors")
    body = pool.run(text, RESULTS_JSON.media_type, max_rows=10_000)
    assert pool.answers.get((text, RESULTS_JSON.media_type, None, 10_000, None)) == body  # type: ignore[union-attr]


def test_answering_ahead_runs_a_question_once_and_holds_no_memory(pool: PooledStore) -> None:
    text = question("deadlines")
    assert pool.answer_ahead(text, RESULTS_JSON.media_type, max_rows=10_000) is True
    assert pool.answer_ahead(text, RESULTS_JSON.media_type, max_rows=10_000) is False
    assert len(pool.cache) == 0
    assert pool.run(text, RESULTS_JSON.media_type, max_rows=10_000) == pool.answers.get(  # type: ignore[union-attr]
        (text, RESULTS_JSON.media_type, None, 10_000, None)
    )


def test_an_answer_in_the_result_cache_is_kept_ahead_without_the_engine(pool: PooledStore) -> None:
    pool.answers.min_seconds = 10  # type: ignore[union-attr]  # a reader's run keeps nothing on disk
    text = question("money")
    body = pool.run(text, RESULTS_JSON.media_type, max_rows=10_000)
    key = (text, RESULTS_JSON.media_type, None, 10_000, None)
    assert key not in pool.answers  # type: ignore[operator]

    def no_engine(*args, **kwargs) -> bytes:
        raise AssertionError("the engine was asked")

    pool._execute = no_engine  # type: ignore[method-assign]
    assert pool.answer_ahead(text, RESULTS_JSON.media_type, max_rows=10_000) is False
    assert pool.answers.get(key) == body  # type: ignore[union-attr]


def test_a_closed_store_answers_nothing_ahead(pool: PooledStore) -> None:
    pool.close()  # a reload retired it while its questions were being answered ahead
    assert pool.answer_ahead(question("deadlines"), RESULTS_JSON.media_type, max_rows=10_000) is False


def param(name: str, **fields) -> Param:
    return Param(name, fields.pop("type", "iri"), {"en": name}, **fields)


def named(*params: Param) -> NamedQuery:
    return NamedQuery("q", {"en": "q"}, {"en": "q"}, params, "SELECT * WHERE {}", "SELECT")


def test_a_required_parameter_is_offered_with_each_member_of_its_class_in_each_language() -> None:
    query = named(param("threat", required=True, cls="T"), param("lang", type="string", default=("en",)))
    assert list(offered(query, lambda cls: ["t1", "t2"])) == [
        {"threat": ["t1"], "lang": ["en"]},
        {"threat": ["t1"], "lang": ["fr"]},
        {"threat": ["t2"], "lang": ["en"]},
        {"threat": ["t2"], "lang": ["fr"]},
    ]


def test_a_parameter_with_a_default_is_offered_with_its_default_alone() -> None:
    query = named(param("strategy", default=("s",), cls="S"), param("year", type="year"))
    assert list(offered(query, lambda cls: ["a", "b"])) == [{"strategy": ["s"]}]


def test_a_question_whose_class_has_too_many_members_is_not_offered() -> None:
    query = named(param("actor", required=True, cls="A"))
    assert list(offered(query, lambda cls: [f"a{i}" for i in range(MAX_MEMBERS + 1)])) == []
    assert list(offered(named(param("text", type="string", required=True)), lambda cls: [])) == []


def kept_keys(store: Store, site_members) -> list[tuple]:
    return [
        (query.text(values), RESULTS_JSON.media_type, None, 10_000, None)
        for query in QUERIES.values()
        for values in offered(query, site_members)
    ]


def test_after_a_start_every_page_the_site_offers_is_kept_and_served_as_the_engine_answers(
    tmp_path: Path, client: httpx.Client
) -> None:
    app = create_app(Settings(root=ROOT, cache_dir=tmp_path, query_workers=1))
    ctx = context_of(app)
    assert ctx.store.answers is not None
    ctx.store.answers.min_seconds = 0
    with LiveServer(app) as live:
        keys = kept_keys(ctx.store, lambda cls: ctx.site.members(cls, "en"))
        assert len(keys) == 25 * 2 + 10 * 2  # the 25 threats in both languages; the 10 others' defaults in both
        deadline = time.monotonic() + 60
        while httpx.get(live.url + "/ready").json()["answers_ahead"] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(live.url + "/ready").json()["answers_ahead"] == "done"
        assert [key for key in keys if key not in ctx.store.answers] == []
        path = "/queries/measures-for-threat?threat=threat:terrorism&lang=fr&format=csv"
        assert httpx.get(live.url + path).text == client.get(path).text  # the session server: no file


def test_a_store_that_keeps_no_answers_says_so_in_ready(tmp_path: Path) -> None:
    app = create_app(Settings(root=ROOT, cache_dir=tmp_path, query_workers=1, answers_bytes=0))
    with LiveServer(app) as live:
        assert httpx.get(live.url + "/ready").json()["answers_ahead"] == "off"
