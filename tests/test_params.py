"""Query strings and form bodies are read exactly as `urllib.parse.parse_qsl` reads them, strictly
UTF-8: the C-speed percent-decoding in web/http.py is checked against the standard library."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sugraph.errors import UsageError
from sugraph.web.http import decode_params

PIECES = [*"%&=+\\xX0123456789aAfFgG ;#é€", "%C3%A9", "%e2%82%ac", "%zz", "%4", "%FF", "%5C", "\\x41", "%25", "%2B"]


def standard(encoded: bytes) -> tuple[tuple[str, str], ...] | str:
    """`parse_qsl`'s reading, or that the bytes are not UTF-8."""
    try:
        return tuple(parse_qsl(encoded.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        return "not UTF-8"


def ours(encoded: bytes) -> tuple[tuple[str, str], ...] | str:
    try:
        return decode_params(encoded)
    except UsageError as error:
        assert str(error) == "the request is not valid UTF-8"
        return "not UTF-8"


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map(lambda p: "".join(p).encode()) | st.binary(max_size=40))
def test_parameters_read_as_the_standard_library_reads_them(encoded):
    assert ours(encoded) == standard(encoded)


@pytest.mark.parametrize(
    "encoded, expected",
    [
        (b"query=ASK%20%7B%7D&format=json", (("query", "ASK {}"), ("format", "json"))),
        (b"a=1+2&b&=c&&d=%", (("a", "1 2"), ("b", ""), ("", "c"), ("d", "%"))),
        (b"q=%5Cx41%zz", (("q", "\\x41%zz"),)),  # a backslash stays one; a bad escape stays as written
        (b"q=caf%C3%A9+%E2%82%AC", (("q", "café €"),)),
    ],
)
def test_parameters_of_known_strings(encoded, expected):
    assert decode_params(encoded) == expected


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(UsageError, match=r"^the request is not valid UTF-8$"):
        decode_params(b"q=%E9")
    with pytest.raises(UsageError, match=r"^the request is not valid UTF-8$"):
        decode_params(b"q=\xe9")


@pytest.mark.parametrize(
    "path", ["/browse/measure?x=%E9", "/browse/measure?_sort=%E9", "/workbench?query=%E9", "/queries/deadlines?x=%E9"]
)
def test_every_route_answers_parameters_that_are_not_utf8_with_400(server, path: str):
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code == 400 and "the request is not valid UTF-8" in response.text
