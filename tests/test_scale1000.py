"""Requests stay bounded at 1000× the data (issue 15): the 404 page's suggestions read a window of
the name index, not every name; a browse list's type facet is counted when the snapshot is written."""

from __future__ import annotations

from collections import Counter

import pytest

from sugraph.describe import close_matches
from sugraph.web.context import context_of
from sugraph.web.pages.site import KINDS

from conftest import LiveServer

ACTOR = "https://w3id.org/sugraph/id/actor/"


def test_a_slug_mistyped_inside_a_word_suggests_the_entity(client) -> None:
    r = client.get("/id/actor/european-comision")
    assert (r.status_code, "/id/actor/european-commission\tEuropean Commission" in r.text.splitlines()) == (404, True)


def test_suggestions_come_from_the_names_sorted_beside_the_slug(server: LiveServer) -> None:
    labels = context_of(server.server.config.app).site.labels
    assert close_matches(labels, "natoo") == [ACTOR + "nato"]


def test_the_names_beside_a_key_are_distinct_and_on_both_sides(server: LiveServer) -> None:
    texts = context_of(server.server.config.app).site.labels.texts
    assert texts is not None
    near = texts.keys_near("natoo", 3)
    assert (len(near), len(set(near)), min(near) < "natoo" < max(near)) == (6, 6, True)


@pytest.mark.parametrize("kind", ["actor", "measure", "threat"])
def test_members_types_count_the_members_asserted_classes(server: LiveServer, kind: str) -> None:
    site = context_of(server.server.config.app).site
    members = site.members(KINDS[kind], "en")
    assert site.snapshot.members_types(KINDS[kind]) == Counter(
        c for iri in members for c in site.asserted_types.get(iri, ())
    )
