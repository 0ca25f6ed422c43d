"""What every page needs to know about the graph (and the named questions).

Labels, descriptions, types, counts and sources change only when the graph is rebuilt, so pages
read them from the snapshot, a file written once per store (snapshot.py) and read by indexed
lookups, and query the store only for what is specific to one page. Both it and the full-text
index are files beside the prebuilt store (opened, or built once if missing); a remote backend has
no such folder: its snapshot is built at start-up into a temporary folder (as the in-memory one
was), its search index after start-up in the background while searches answer 503.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import TypeVar

from ...iris import kind_of
from ...named_queries import NamedQuery
from ...namespaces import ENTITY_BASE, SUG
from ...search import INDEX_FILE, LabelIndex, TextIndex, build_index, in_background, open_or_build
from ...snapshot import KINDS, SNAPSHOT_FILE, Snapshot, Source, build_snapshot
from ...store import Store
from ...store.pool import PooledStore
from ...store.prebuilt import rows_of
from ...terms import in_language
from ..i18n import TERM_LABELS, interface_text

T = TypeVar("T")


class Types:
    """The classes of an IRI, as a mapping's `.get(iri, default)`: every one, or only those people
    wrote (`asserted`), each a lookup in the snapshot file."""

    def __init__(self, snapshot: Snapshot, asserted: bool) -> None:
        self._snapshot, self._asserted = snapshot, asserted

    def get(self, iri: str, default: T) -> set[str] | T:
        return self._snapshot.types(iri, self._asserted) or default


@dataclass
class Site:
    snapshot: Snapshot
    labels: LabelIndex
    inverses: dict[str, str]  # property → its owl:inverseOf, both ways (a few dozen)
    queries: dict[str, NamedQuery]  # the named questions, for the workbench

    @classmethod
    def from_store(cls, store: Store, queries: dict[str, NamedQuery]) -> Site:
        """Open the store's snapshot file (built now if it has none) and its search index (built
        now beside a prebuilt store, in the background for a remote one)."""
        folder = store.path if isinstance(store, PooledStore) else None
        rows = rows_of(folder) if folder is not None else store.select
        snapshot = open_or_build(folder, SNAPSHOT_FILE, partial(build_snapshot, rows=rows), Snapshot)
        labels = LabelIndex(snapshot)
        build = partial(build_index, rows=rows, snapshot=snapshot, kind=kind_of)
        texts = partial(open_or_build, folder, INDEX_FILE, build, TextIndex)
        if store.name == "remote":
            in_background(labels, texts)
        else:
            labels.attach(texts())
        return cls(snapshot, labels, snapshot.inverses(), queries)

    @property
    def types(self) -> Types:
        """Every type of an IRI, asserted or inferred: `site.types.get(iri, default)`."""
        return Types(self.snapshot, asserted=False)

    @property
    def asserted_types(self) -> Types:
        """The types people wrote (the most specific ones): `site.asserted_types.get(iri, default)`."""
        return Types(self.snapshot, asserted=True)

    @cached_property
    def sources(self) -> list[Source]:
        """The source documents, by date (read once: every entity page's citation filters them)."""
        return self.snapshot.sources()

    def label(self, iri: str, lang: str) -> str:
        return self.labels.label(iri, lang)

    def description(self, iri: str, lang: str) -> str:
        return in_language(self.snapshot.descriptions(iri), lang)

    def members(self, class_iri: str, lang: str) -> list[str]:
        """The entities of a class (asserted or inferred), sorted by label in `lang`."""
        return self.snapshot.members(class_iri, lang)

    def count(self, kind: str) -> int:
        return self.snapshot.count(KINDS[kind])

    def main_type(self, iri: str) -> str | None:
        """The most specific class people gave the entity (alphabetically first if several)."""
        classes = sorted(self.asserted_types.get(iri, ()))
        return classes[0] if classes else None

    @cached_property
    def _sources_by_iri(self) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for s in self.sources:
            found.setdefault(s.iri, s)  # the first by date, if the store gives several
        return found

    def source(self, iri: str) -> Source | None:
        """A lookup: an entity page looks up each of its quotes' sources (2,000 of 2,000 at 1000×)."""
        return self._sources_by_iri.get(iri)


def entity_iri(kind: str, slug: str) -> str:
    return f"{ENTITY_BASE}{kind}/{slug}"


def href(iri: str) -> str:
    """Where a page links for an IRI: this server's page for graph entities and ontology terms,
    else the IRI itself."""
    if iri.startswith(ENTITY_BASE):
        return "/id/" + iri[len(ENTITY_BASE) :]
    if iri.startswith(str(SUG)):
        return "/ontology#" + iri[len(str(SUG)) :]
    return iri


def term_label(site: Site, iri: str, lang: str) -> str:
    """A human label for a class or property: the ontology's, else the interface's, else a short name."""
    if iri in TERM_LABELS and not site.labels.has_label(iri):
        return interface_text(TERM_LABELS[iri], lang)
    return site.label(iri, lang)
