"""All HTML comes from templates of one Jinja environment, and every page a browser reads is in the
site's layout, without inline script. Runs against the real server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parent.parent / "src" / "sugraph" / "web"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = [
    ("/sparql", 200),
    ("/queries/deadlines", 200),
    ("/dumps/", 200),
    ("/ontology", 200),
    ("/doc/threat/terorism", 404),
    ("/doc/threat/terrorism.xls", 404),
]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_page_is_in_the_site_layout(client, path, status):
    r = client.get(path, headers={"Accept": BROWSER})
    assert (r.status_code, r.headers["content-type"]) == (status, "text/html; charset=utf-8")
    assert '<header class="top">' in r.text and "<footer>" in r.text
    assert re.findall(r"<script(?![^>]*\bsrc=)", r.text) == []


def test_one_template_environment_and_no_html_in_python():
    sources = {p.name: p.read_text() for p in WEB.glob("*.py")}
    assert [name for name, text in sources.items() if "jinja2.Environment(" in text] == ["layout.py"]
    assert [name for name, text in sources.items() if re.search(r"<!doctype|<html", text, re.I)] == []
