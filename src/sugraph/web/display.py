"""A term as a page shows it, whichever page: entity facts, workbench cells, ontology documentation.

Templates print every shown term alike (`_value.html`, the workbench table, the ontology's links), so
each page turns its terms into this one class and no page has its own shape of the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Value:
    """One term, ready to print: its text, where it links (None for a literal or a blank node), and
    what a reader may need besides."""

    text: str
    href: str | None = None
    lang: str | None = None  # a literal's language, when the page should say it
    title: str | None = None  # the IRI behind a label
    inferred: bool = False  # added by the reasoner, not stated in the data
    parts: list[Group] = field(default_factory=list)  # a blank node's own facts (e.g. an amount)


@dataclass(frozen=True)
class Group:
    """The values of one property, under its label."""

    prop: str
    label: str
    values: list[Value]
