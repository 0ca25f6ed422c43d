"""The Accept parser and the format= override that every multi-format endpoint relies on."""

import pytest

from sugraph.web.conneg import negotiate, parse_accept, resolve_format

RESULTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/html",
]


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "application/sparql-results+json"),  # no header: the server's first choice
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),  # types are case-insensitive
        ("text/*", "text/csv"),  # subtype wildcard: server order within
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.9, text/tab-separated-values;q=0.95", "text/tab-separated-values"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("*/*, text/csv", "text/csv"),  # same q: the more specific range wins
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
        ("application/sparql-results+json,application/json,text/javascript", "application/sparql-results+json"),
        ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),  # q=0 excludes
        ("text/*;q=0, */*", "application/sparql-results+json"),
        ("text/csv;charset=utf-8", "text/csv"),  # charset does not restrict
        ('text/csv;foo="a,b";q=1, text/html;q=0.1', "text/html"),  # unknown param: no match; quoted comma
        ("text/csv;q=abc, text/tab-separated-values", "text/tab-separated-values"),  # malformed q: range ignored
        ("text/csv;q=1.5", None),
        ("image/png", None),
        ("*/*;q=0", None),
        ("garbage", None),
        ("text/csv;q=0.3;level=1, text/html;q=0.2", "text/csv"),  # params after q are extensions
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept, RESULTS) == expected


def test_parse_accept_keeps_q_values_and_params():
    ranges = parse_accept("text/plain;format=flowed;q=0.4, */*;q=0.1")
    assert [(r.type, r.subtype, r.params, r.q) for r in ranges] == [
        ("text", "plain", (("format", "flowed"),), 0.4),
        ("*", "*", (), 0.1),
    ]


def test_range_with_params_matches_only_offers_with_them():
    assert negotiate("text/plain;format=flowed", ["text/plain"]) is None
    assert negotiate("text/plain;format=flowed", ["text/plain;format=flowed"]) == "text/plain;format=flowed"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("CSV", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
        ("turtle", None),
        ("nonsense", None),
    ],
)
def test_resolve_format(value, expected):
    assert resolve_format(value, RESULTS) == expected
