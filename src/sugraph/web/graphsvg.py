"""The picture of an entity's neighbourhood, or of any small set of triples: a radial layout
computed on the server.

Laying the graph out here (entity in the centre, its neighbours on an inner ring, theirs on an outer
ring next to the neighbour that leads to them) makes the picture an ordinary SVG whose nodes are
links, so it works without JavaScript, prints, and is the same for every reader. A query's triples
(`graph`) are drawn the same way around their most linked node.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

CENTRE = (460.0, 330.0)
RING_GAP = 150.0  # between the centre and the inner ring, and between the rings
NODE_SPACING = 150.0  # room each inner-ring node needs along the ring for its label
STAGGER = 36.0  # extra radius of every other node of a group on the outer ring
MAX_FIRST = 16  # neighbours drawn around the centre
MAX_SECOND = 24  # nodes drawn on the outer ring, shared out among the neighbours
MAX_SECOND_EACH = 8
CHAR_WIDTH = 6.6  # rough width of a label character, to fit the picture around its labels
LABEL_CHARS = (34, 20, 24)  # per ring: longer labels are cut, the full one is in the tooltip


@dataclass(frozen=True)
class Link:
    """A triple between two entities, with the property's human label."""

    subject: str
    object: str
    label: str


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    short: str
    ring: int
    x: float
    y: float
    anchor: str  # text-anchor of the label: start, middle or end
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str
    ends: tuple[str, str] = ("", "")  # the two nodes it joins


@dataclass(frozen=True)
class Picture:
    nodes: list[Node]
    edges: list[Edge]
    hidden: int  # neighbours (for `graph`, nodes) left out to keep the picture readable
    links: int = 0  # for `graph`: the links given
    drawn: int = 0  # for `graph`: the links between two drawn nodes

    @property
    def view_box(self) -> str:
        """The drawing's bounds, labels included, so the picture has no empty margins."""
        xs, ys = [], []
        for n in self.nodes:
            width = len(n.short) * CHAR_WIDTH
            left = {"start": n.label_x, "middle": n.label_x - width / 2, "end": n.label_x - width}[n.anchor]
            xs += [n.x - 18, n.x + 18, left, left + width]
            ys += [n.y - 18, n.y + 18, n.label_y + 6]
        pad = 12
        x0, y0 = min(xs) - pad, min(ys) - pad
        return f"{x0:.0f} {y0:.0f} {max(xs) - x0 + pad:.0f} {max(ys) - y0 + pad:.0f}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _adjacent(links: Iterable[Link]) -> dict[str, dict[str, str]]:
    """node → neighbour → label of one link between them (either direction)."""
    adjacent: dict[str, dict[str, str]] = {}
    for link in links:
        adjacent.setdefault(link.subject, {}).setdefault(link.object, link.label)
        adjacent.setdefault(link.object, {}).setdefault(link.subject, f"← {link.label}")
    return adjacent


def _inner_ring(
    center: str, around: Iterable[str], label: Callable[[str], str], group: Callable[[str], str]
) -> list[str]:
    """The centre's neighbours in the order the inner ring takes them: by kind, then label as an
    entity page sorts a property's values (casefolded, then as written, then by IRI)."""
    return sorted((n for n in around if n != center), key=lambda n: (group(n), label(n).casefold(), label(n), n))


def inner_ring(
    center: str, links: Iterable[Link], label: Callable[[str], str], group: Callable[[str], str]
) -> list[str]:
    """The neighbours `neighbourhood` draws around `center` (the first MAX_FIRST): only theirs are
    worth asking the store for, however many links the centre has."""
    return _inner_ring(center, _adjacent(links).get(center, {}), label, group)[:MAX_FIRST]


def neighbourhood(
    center: str,
    links: Iterable[Link],
    label: Callable[[str], str],
    group: Callable[[str], str],
    expandable: Callable[[str], bool],
) -> Picture:
    """Lay out `center`, its neighbours and (through expandable neighbours) theirs.

    `label` names a node; neighbours of one `group` (kind) sit side by side; `expandable` says
    whether a neighbour's own neighbours are worth drawing (not for hubs such as source documents,
    which link to everything)."""
    adjacent = _adjacent(links)
    around = adjacent.get(center, {})
    first_all = _inner_ring(center, around, label, group)
    first = first_all[:MAX_FIRST]
    seen = {center, *first}
    second: dict[str, list[str]] = {}
    budget = MAX_SECOND
    each = max(2, min(MAX_SECOND_EACH, MAX_SECOND // max(len(first), 1)))
    for parent in first:
        if not expandable(parent) or budget <= 0:
            continue
        children = sorted(
            (n for n in adjacent.get(parent, {}) if n not in seen), key=lambda n: (label(n).casefold(), n)
        )
        children = children[: min(each, budget)]
        seen.update(children)
        budget -= len(children)
        second[parent] = children

    cx, cy = CENTRE
    inner = max(RING_GAP, len(first) * NODE_SPACING / (2 * math.pi))
    radii = (0.0, inner, inner + RING_GAP)
    nodes = [_node(center, label(center), 0, cx, cy, -math.pi / 2)]
    edges: list[Edge] = []
    step = 2 * math.pi / max(len(first), 1)
    # With a multiple of four neighbours one would sit level with the centre, its label on the
    # centre's: turn the ring by half a step.
    start = -math.pi / 2 + (step / 2 if len(first) % 4 == 0 else 0)
    for i, parent in enumerate(first):
        angle = start + i * step
        p = _node(parent, label(parent), 1, cx + radii[1] * math.cos(angle), cy + radii[1] * math.sin(angle), angle)
        nodes.append(p)
        edges.append(Edge(cx, cy, p.x, p.y, around[parent], (center, parent)))
        children = second.get(parent, [])
        spread = step * 0.7 / max(len(children), 1)
        for j, child in enumerate(children):
            a = angle + (j - (len(children) - 1) / 2) * spread
            r = radii[2] + (j % 2) * STAGGER  # alternate radii so neighbouring labels do not touch
            c = _node(child, label(child), 2, cx + r * math.cos(a), cy + r * math.sin(a), a)
            nodes.append(c)
            edges.append(Edge(p.x, p.y, c.x, c.y, adjacent[parent][child], (parent, child)))
    return Picture(nodes, edges, len(first_all) - len(first))


def graph(links: Sequence[Link], label: Callable[[str], str], group: Callable[[str], str]) -> Picture:
    """Any small set of links (a CONSTRUCT or DESCRIBE result), laid out as the neighbourhood of
    its most linked node, with the links between drawn nodes that the rings leave out drawn too.
    What does not fit (nodes more than two links away, or beyond the rings' room) is counted."""
    if not links:
        return Picture([], [], 0)
    degree = Counter(n for link in links for n in {link.subject, link.object})
    center = min(degree, key=lambda n: (-degree[n], n))
    picture = neighbourhood(center, links, label, group, lambda n: True)
    at = {n.iri: n for n in picture.nodes}
    joined = {frozenset(e.ends) for e in picture.edges}
    edges = list(picture.edges)
    for link in links:
        pair = frozenset((link.subject, link.object))
        if link.subject in at and link.object in at and pair not in joined and len(pair) == 2:
            joined.add(pair)
            a, b = at[link.subject], at[link.object]
            edges.append(Edge(a.x, a.y, b.x, b.y, link.label, (link.subject, link.object)))
    drawn = sum(1 for link in links if link.subject in at and link.object in at)
    return Picture(picture.nodes, edges, len(degree) - len(at), len(links), drawn)


def _node(iri: str, text: str, ring: int, x: float, y: float, angle: float) -> Node:
    """A node with its label placed where it collides least: below the centre and the inner ring,
    outwards (left or right) on the outer ring."""
    short = _shorten(text, LABEL_CHARS[ring])
    if ring < 2:
        offset = 30 if ring == 0 else 22
        return Node(iri, text, short, ring, round(x, 1), round(y, 1), "middle", round(x, 1), round(y + offset, 1))
    right = math.cos(angle) >= -1e-9
    dx = 11 if right else -11
    return Node(
        iri, text, short, ring, round(x, 1), round(y, 1), "start" if right else "end", round(x + dx, 1), round(y + 4, 1)
    )
