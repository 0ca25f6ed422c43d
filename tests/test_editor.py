"""The workbench's SPARQL editor: the committed bundle is the one web-editor/ pins, with the licences
of what it bundles, served from /static; and /workbench/terms.json gives what it completes."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import httpx

from sugraph.iris import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "sugraph"
VENDOR = PACKAGE / "web" / "static" / "vendor"
BUNDLE, LICENSES = VENDOR / "editor.bundle.js", VENDOR / "editor.LICENSES.txt"


def bundled() -> dict[str, str]:
    """Package → version, as the bundle's header names them."""
    header = BUNDLE.read_text(encoding="utf-8").split("\n", 1)[0]
    names = re.search(r"Bundles: (.*?)\. Licences", header)
    assert names, header
    return dict(entry.rsplit("@", 1) for entry in names.group(1).split(", "))


def test_package_json_pins_exact_versions() -> None:
    manifest = json.loads((ROOT / "web-editor" / "package.json").read_text())
    pins = {**manifest["dependencies"], **manifest["devDependencies"]}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pins.values()), pins


def test_the_bundle_holds_the_pinned_versions() -> None:
    dependencies = json.loads((ROOT / "web-editor" / "package.json").read_text())["dependencies"]
    assert {name: bundled()[name] for name in dependencies} == dependencies


def test_every_bundled_package_is_the_locked_one() -> None:
    locked = json.loads((ROOT / "web-editor" / "package-lock.json").read_text())["packages"]
    assert {name: locked[f"node_modules/{name}"]["version"] for name in bundled()} == bundled()


def test_the_licences_file_names_every_bundled_package_with_its_licence() -> None:
    headings = re.findall(r"^(\S+)@(\S+) \((\S+)\)$", LICENSES.read_text(encoding="utf-8"), re.M)
    assert {name: version for name, version, _ in headings} == bundled()
    assert {licence for _, _, licence in headings} == {"MIT"}


def test_the_bundle_needs_no_eval() -> None:
    """The CSP's script-src 'self' has no 'unsafe-eval'."""
    text = BUNDLE.read_text(encoding="utf-8")
    assert "eval(" not in text and "new Function" not in text


def test_the_package_data_ships_the_bundle() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sugraph"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    assert {BUNDLE, LICENSES} <= shipped


def test_the_bundle_is_served_as_javascript(client: httpx.Client) -> None:
    response = client.get("/static/vendor/editor.bundle.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.content == BUNDLE.read_bytes()


def test_the_licences_are_served_as_text(client: httpx.Client) -> None:
    response = client.get("/static/vendor/editor.LICENSES.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_terms_give_the_known_prefixes(client: httpx.Client) -> None:
    assert client.get("/workbench/terms.json").json()["prefixes"] == PREFIXES


def test_terms_give_the_ontology_classes_and_properties_in_the_readers_language(client: httpx.Client) -> None:
    terms = {t["name"]: t for t in client.get("/workbench/terms.json", params={"lang": "fr"}).json()["terms"]}
    assert terms["sug:Measure"]["kind"] == "class"
    assert terms["sug:Measure"]["label"] == "Mesure"
    assert terms["sug:addresses"]["kind"] == "property"
    assert terms["rdfs:label"] == {"name": "rdfs:label", "kind": "property", "label": "libellé", "description": ""}
    assert terms["foaf:Person"]["kind"] == "class"


def test_terms_give_the_editors_words(client: httpx.Client) -> None:
    words = client.get("/workbench/terms.json", params={"lang": "fr"}).json()["words"]
    assert words == {"history": "Requêtes récentes dans ce navigateur", "clear": "Les oublier"}


def test_terms_are_validated_by_their_etag(client: httpx.Client) -> None:
    first = client.get("/workbench/terms.json", params={"lang": "en"})
    again = client.get("/workbench/terms.json", params={"lang": "en"}, headers={"If-None-Match": first.headers["etag"]})
    assert (first.status_code, again.status_code) == (200, 304)
    assert first.headers["content-type"] == "application/json"
