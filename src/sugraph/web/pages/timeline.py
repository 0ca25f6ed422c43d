"""The timeline: deadlines, events, document dates and strategy periods on one time axis.

One store query gathers every dated thing (`sug:deadline`, an event's `dct:date`/`sug:endDate`,
`dct:issued`, a strategy's `sug:startYear`/`sug:endYear`), filtered like the measures list (the
browse page's filters, by import). A date is drawn as precisely as the data gives it: a day as a
point, a month or a year as the span it covers (no day is invented), a period as a band. Marks are
put in lanes, so that no label runs over another; the page lists the same marks as a table, and
`?format=csv` / `?format=json` give them to scripts.

Past `MAX_DRAWN` marks (at 100 times the data, 600 share one day) the picture and the table draw the
marks of one kind that share a date as one, with their number, leading to the timeline of that date
(`?date=2020-07-24`, a date as the data writes it: a day, a month or a year), which lists them all.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pyoxigraph as ox

from ...store import Store
from ..i18n import XSD, format_date
from .browse import MEASURE_FILTERS
from .site import Site, href

FILTERS = tuple(f for f in MEASURE_FILTERS if f.name in ("threat", "actor", "source"))
KINDS = ("deadline", "event", "issued", "period")

# One fixed query: a filter left out keeps its UNDEF placeholder and is skipped by !BOUND. A mark
# passes the threat filter when its entity links to the threat or a narrower one, the actor filter
# when it links to the actor or the actor to it, the source filter when it derives from the source
# (or is the source).
QUERY = """
PREFIX sug: <https://w3id.org/sugraph/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?entity ?kind ?date ?end WHERE {
  VALUES ?threat { UNDEF }
  VALUES ?actor { UNDEF }
  VALUES ?source { UNDEF }
  {
    { ?entity sug:deadline ?date BIND("deadline" AS ?kind) }
    UNION { ?entity a sug:Event ; dct:date ?date OPTIONAL { ?entity sug:endDate ?end } BIND("event" AS ?kind) }
    UNION { ?entity dct:issued ?date BIND("issued" AS ?kind) }
    UNION { ?entity sug:startYear ?date OPTIONAL { ?entity sug:endYear ?end } BIND("period" AS ?kind) }
  }
  FILTER(isIRI(?entity))
  FILTER(!BOUND(?threat) || EXISTS { ?entity ?link ?t . ?t skos:broaderTransitive* ?threat })
  FILTER(!BOUND(?actor) || EXISTS { { ?entity ?to ?actor } UNION { ?actor ?from ?entity } })
  FILTER(!BOUND(?source) || ?entity = ?source || EXISTS { ?entity prov:wasDerivedFrom ?source })
}
"""

WIDTH = 1000.0
MARGIN = 24.0  # left and right of the axis
TOP = 44.0  # the year labels above the first lane
LANE = 24.0
CHAR_WIDTH = 6.4  # rough width of a label character (12px), to keep labels apart
LABEL_CHARS = 40  # longer labels are cut, the full one is in the tooltip
GAP = 10.0  # between a label and the next mark in its lane
MAX_DRAWN = 300  # marks drawn one by one; past them, those sharing a date and kind are drawn as one
DATE = re.compile(r"^\d{4}(-\d\d(-\d\d)?)?$")  # the `date` filter: a year, a month or a day


@dataclass(frozen=True)
class When:
    """A date as precise as the data: `precision` day, month or year, spanning [start, stop) in years."""

    lexical: str
    datatype: str
    precision: str
    start: float
    stop: float


@dataclass(frozen=True)
class Mark:
    iri: str
    label: str
    kind: str
    when: When
    until: When | None  # the end of an event or a period
    count: int = 1  # more than one: the marks of this kind sharing this date, drawn as one (`together`)
    link: str = ""  # where such a mark leads: the timeline of its date


@dataclass(frozen=True)
class Placed:
    """A mark where the picture draws it: a point (`width` 0) or a band, in a lane, its label beside it."""

    mark: Mark
    short: str
    x: float
    width: float
    y: float
    label_x: float
    anchor: str  # start (label right of the mark) or end (left of it, near the axis' end)


@dataclass(frozen=True)
class Picture:
    placed: list[Placed]
    years: list[tuple[int, float]]  # each year's start on the axis
    height: float
    width: float = WIDTH


def parse_when(literal: ox.Literal) -> When | None:
    """An xsd:date (or dateTime), gYearMonth or gYear as the span it covers; None for anything else."""
    value, datatype = literal.value, literal.datatype.value
    try:
        if datatype in (XSD + "date", XSD + "dateTime"):
            year, month, day = (int(p) for p in value[:10].split("-"))
            days = 366 if calendar.isleap(year) else 365
            start = year + (sum(calendar.monthrange(year, m)[1] for m in range(1, month)) + day - 1) / days
            return When(value[:10], XSD + "date", "day", start, start + 1 / days)
        if datatype == XSD + "gYearMonth":
            year, month = (int(p) for p in value[:7].split("-"))
            return When(value[:7], datatype, "month", year + (month - 1) / 12, year + month / 12)
        if datatype == XSD + "gYear":
            year = int(value[:4])
            return When(value[:4], datatype, "year", year, year + 1)
    except ValueError:
        return None
    return None


def marks(store: Store, site: Site, lang: str, chosen: dict[str, str]) -> list[Mark]:
    """Every dated mark that passes the chosen filters (IRIs by filter name), in time order."""
    found = []
    for row in store.select(QUERY, {name: ox.NamedNode(iri) for name, iri in chosen.items()}):
        date = row["date"]
        when = parse_when(date) if isinstance(date, ox.Literal) else None
        if when is None:
            continue
        end = row.get("end")
        until = parse_when(end) if isinstance(end, ox.Literal) else None
        iri = row["entity"].value
        found.append(Mark(iri, site.label(iri, lang), row["kind"].value, when, until))
    return sorted(found, key=lambda m: (m.when.start, KINDS.index(m.kind), m.label.casefold(), m.iri))


def on_date(found: list[Mark], date: str) -> list[Mark]:
    """The marks whose date is written `date` (a day, a month or a year, as in the data)."""
    return [m for m in found if m.when.lexical == date]


def together(found: list[Mark], many: Callable[[int], str], link: Callable[[str], str]) -> list[Mark]:
    """The marks to draw: all of them up to MAX_DRAWN, else one per kind and date (and end), with
    their number (`many(n)` names them) and `link(date)`, where they are listed; in time order."""
    if len(found) <= MAX_DRAWN:
        return found
    groups: dict[tuple[str, str, str], list[Mark]] = {}
    for m in found:
        groups.setdefault((m.when.lexical, m.kind, m.until.lexical if m.until else ""), []).append(m)
    return [
        ms[0] if len(ms) == 1 else replace(ms[0], iri="", label=many(len(ms)), count=len(ms), link=link(date))
        for (date, _, _), ms in groups.items()
    ]


def shown_date(when: When | None, lang: str) -> str:
    """A date as the page's language writes it, as precisely as the data gives it."""
    return format_date(when.lexical, when.datatype, lang) if when else ""


def draw(found: list[Mark]) -> Picture:
    """The marks on one axis of whole years, each in the first lane where it and its label do
    not run into the previous mark's label."""
    if not found:
        return Picture([], [], TOP)
    first = int(min(m.when.start for m in found))
    last = int(max((m.until or m.when).stop for m in found) - 1e-9) + 1
    scale = (WIDTH - 2 * MARGIN) / (last - first)

    def x_of(t: float) -> float:
        return round(MARGIN + (t - first) * scale, 1)

    lanes: list[float] = []  # the right end of what each lane holds so far
    placed = []
    for m in found:
        stop = (m.until or m.when).stop
        x = x_of(m.when.start)
        width = 0.0 if m.when.precision == "day" and m.until is None else max(x_of(stop) - x, 2.0)
        short = m.label if len(m.label) <= LABEL_CHARS else m.label[: LABEL_CHARS - 1].rstrip() + "…"
        text = len(short) * CHAR_WIDTH
        right = x + width + 8 + text <= WIDTH
        left, end = (x - 6, x + width + 8 + text) if right else (x - 8 - text, x + width + 6)
        lane = next((i for i, edge in enumerate(lanes) if edge + GAP <= left), len(lanes))
        if lane == len(lanes):
            lanes.append(end)
        lanes[lane] = end
        label_x = round(x + width + 8 if right else x - 8, 1)
        anchor = "start" if right else "end"
        placed.append(Placed(m, short, x, round(width, 1), TOP + lane * LANE, label_x, anchor))
    years = [(year, x_of(year)) for year in range(first, last + 1)]
    return Picture(placed, years, TOP + len(lanes) * LANE + 8)


COLUMNS = ("entity", "label", "kind", "date", "end", "page")


def records(found: list[Mark]) -> list[dict[str, str]]:
    """The marks as scripts get them: dates as written in the data (2017-10 stays a month)."""
    return [
        {
            "entity": m.iri,
            "label": m.label,
            "kind": m.kind,
            "date": m.when.lexical,
            "end": m.until.lexical if m.until else "",
            "page": href(m.iri),
        }
        for m in found
    ]


def as_csv(found: list[Mark]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records(found))
    return out.getvalue().encode()
