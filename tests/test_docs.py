"""The docs against the code (as datasette's tests/test_docs.py does): every setting, command, option
and route is documented, and the docs name none that does not exist. Read from the code at test time,
so a new flag or route fails here until it is written down."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields

import pyoxigraph as ox
import pytest
from starlette.routing import Mount

from sugraph.cli import build_parser
from sugraph.config import Settings
from sugraph.store.oxigraph import OxigraphStore
from sugraph.web.app import create_app

from conftest import ROOT

TEXT = "\n".join(path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
# Variables that are not settings of the service: where the coverage tool finds the sources.
OTHER_VARIABLES = {"SUGRAPH_SHARED"}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"": parser, **action.choices}


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"}


def command_lines() -> list[str]:
    """Each `sugraph …` the docs show: in code spans, and lines of code blocks."""
    spans = re.findall(r"`(sugraph [^`]*)`", TEXT)
    lines = re.findall(r"^\s*(?:\$ )?(sugraph [^\n#]*)", TEXT, flags=re.MULTILINE)
    return spans + lines


@pytest.mark.parametrize("name", [f"SUGRAPH_{f.name.upper()}" for f in fields(Settings)])
def test_every_setting_is_documented(name: str) -> None:
    assert re.search(rf"\b{name}\b", TEXT), f"{name} is in sugraph.config.Settings but in no doc"


def test_the_docs_name_no_setting_that_does_not_exist() -> None:
    known = {f"SUGRAPH_{f.name.upper()}" for f in fields(Settings)} | OTHER_VARIABLES
    assert sorted(set(re.findall(r"\bSUGRAPH_[A-Z_]+\b", TEXT)) - known) == []


@pytest.mark.parametrize("command", [c for c in subcommands() if c])
def test_every_command_is_documented(command: str) -> None:
    assert any(line.split()[1:2] == [command] for line in command_lines()), f"`sugraph {command}` is in no doc"


@pytest.mark.parametrize("command, option", [(c, o) for c, p in subcommands().items() for o in sorted(long_options(p))])
def test_every_option_is_documented(command: str, option: str) -> None:
    assert re.search(rf"(?<![\w-]){option}(?![\w-])", TEXT), f"`sugraph {command} {option}` is in no doc"


def test_the_docs_show_no_command_or_option_that_does_not_exist() -> None:
    parsers = subcommands()
    unknown = []
    for line in command_lines():
        words = line.split()
        command = words[1] if len(words) > 1 and not words[1].startswith("-") else ""
        if command not in parsers:
            unknown.append(line)
            continue
        allowed = long_options(parsers[""]) | long_options(parsers[command])
        unknown += [f"{line}: {o}" for o in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line) if o not in allowed]
    assert unknown == []


@pytest.fixture(scope="module")
def routes() -> list[str]:
    """The app's paths, as it has them at test time (whatever its routers look like)."""
    app = create_app(Settings(root=ROOT), store=OxigraphStore(ox.Store()))
    paths = []
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            context = getattr(context, "starlette_route", None) or context
            paths.append(context.path + "/{path:path}" if isinstance(context, Mount) else context.path)
    return sorted(set(paths) - {"/openapi.json"})  # the OpenAPI document of /docs, not a page of its own


def pattern(path: str) -> str:
    """A route as the docs may write it: each parameter as a `{name}`, a `…` or a value (a `:path`
    one as one or more segments)."""
    segment = r"[^/\s`]+"
    parameter = {True: rf"{segment}(?:/{segment})*", False: segment}
    return "".join(
        parameter[p.endswith(":path}")] if p.startswith("{") else re.escape(p) for p in re.split(r"(\{[^}]+\})", path)
    )


def named(route: str) -> bool:
    """Whether a doc writes the route (not as part of a longer path or a URL's host)."""
    return "`/`" in TEXT if route == "/" else bool(re.search(rf"(?<![\w/.:-]){pattern(route)}(?![\w/{{-])", TEXT))


def test_every_route_is_documented(routes: list[str]) -> None:
    """A route is documented when a doc names it, or it is an instance of a documented one
    (`/queries/money` of `/queries/{name}`)."""
    general = [r for r in routes if "{" in r and named(r)]
    undocumented = [r for r in routes if not named(r) and not any(re.fullmatch(pattern(g), r) for g in general)]
    assert undocumented == []


def test_the_docs_name_no_route_that_does_not_exist(routes: list[str]) -> None:
    """Each code span that starts with a path under one of the site's first segments (`/sparql?query=…`,
    `/doc/{kind}/{slug}.html`; not `/usr/bin/chromium`) is a route, or the start of some (`/id`)."""
    firsts = {r.split("/")[1].split(".")[0] for r in routes}
    spans = {re.split(r"[?#\[ ]", m)[0].rstrip(":") for m in re.findall(r"`(/[^`]*)`", TEXT)}
    unknown = [
        m
        for m in sorted(spans)
        if m.split("/")[1].split(".")[0] in firsts
        and not any(re.fullmatch(pattern(r), m) or r.startswith(m + "/") for r in routes)
    ]
    assert unknown == []


def test_every_module_the_docs_name_exists() -> None:
    """The code maps in the docs name files by path (`web/pages/site.py`, `sugraph/store/pool.py`), or
    by file name beside one (`pool.py`, `worker.py`)."""
    package = ROOT / "src" / "sugraph"
    named = set(re.findall(r"`(?:src/)?(?:sugraph/)?((?:[a-z_]+/)*[a-z_]+\.py)`", TEXT))
    missing = [
        m
        for m in sorted(named)
        if not (package / m).exists() and not (ROOT / m).exists() and ("/" in m or not any(package.rglob(m)))
    ]
    assert not missing, f"the docs name modules that do not exist: {missing}"


def test_every_picture_the_docs_show_exists() -> None:
    """Screenshots in the docs are files of the repo (docs/images/), not links that rot."""
    shown = {
        (path.parent / target).resolve()
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", path.read_text())
    }
    missing = sorted(str(p.relative_to(ROOT)) for p in shown if not p.is_file())
    assert missing == [], f"the docs show pictures that are not in the repo: {missing}"
