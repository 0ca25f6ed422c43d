"""A SELECT result as horizontal bar charts, and the switch between the views of a result.

A result with a label column (IRIs or strings) and a numeric column can be read as bars: one bar a
row, in the query's order, the number written on it in the page's language. Amounts of money carry
their currency in a column of their own: they are drawn one chart per currency, so sums in
different currencies are never set against (or added to) each other. Laid out here and drawn as
plain SVG (`_chart.svg`), a chart works without JavaScript, prints, and has the same data as its
CSV, which is one link away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.requests import Request

from .i18n import XSD, format_number
from .pages.site import Site, href

Term = ox.NamedNode | ox.BlankNode | ox.Literal
VIEW_PARAMS = ("view", "x", "y", "currency")  # the page's own parameters, never a query's
_NUMERIC_TYPES = ("integer", "decimal", "double", "float", "long", "int", "short", "byte")
_SIGNED = ("nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger")
_UNSIGNED = ("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
NUMERIC = {XSD + name for name in (*_NUMERIC_TYPES, *_SIGNED, *_UNSIGNED)}
TEXTUAL = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
RANGE = ("minValue", "maxValue")  # schema.org's bounds of an amount given as a range
MAX_BARS = 60  # per chart; the CSV has them all
LABEL_WIDTH = 300.0  # room for the labels, left of the bars
BAR_WIDTH = 400.0  # the longest bar
VALUE_ROOM = 260.0  # right of the longest bar, for its number (a range with its currency)
ROW = 28.0
BAR = 18.0
MIN_BAR = 1.0  # a number too small for its scale still shows a sliver, not nothing
LABEL_CHARS = 38  # longer labels are cut (the full one is in the tooltip), so they fit LABEL_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    href: str | None
    value: float
    text: str  # the number as the page's language writes it (with the currency, for money)
    y: float
    width: float
    offset: float = 0.0  # where a range's bar starts, right of the axis


@dataclass(frozen=True)
class Chart:
    currency: str | None
    bars: list[Bar]
    cut: int  # rows left out of this chart to keep it readable

    bar_x = LABEL_WIDTH
    bar_height = BAR

    @property
    def width(self) -> float:
        return LABEL_WIDTH + BAR_WIDTH + VALUE_ROOM

    @property
    def height(self) -> float:
        return len(self.bars) * ROW + 8


@dataclass(frozen=True)
class ChartView:
    """The charts of a result, with the columns they were drawn from and the other columns that
    could be chosen instead (`x=`, `y=`, `currency=`)."""

    x: str
    y: str
    currency: str | None
    labels: list[str]  # columns that can label the bars
    numbers: list[str]  # columns that can give their lengths
    charts: list[Chart]
    unnumbered: int  # rows without a number in the chosen column, not drawn
    csv: str  # the same data as CSV


@dataclass(frozen=True)
class Views:
    """Which view of a result the page shows, and a link to each view it offers."""

    current: str
    links: list[tuple[str, str]]  # (view, URL)
    kept: list[tuple[str, str]]  # the request's other parameters, for a form that changes columns


def views(request: Request, offered: Sequence[str]) -> Views:
    """The view `?view=` asks for if offered, else the first (the table); the other parameters of
    the URL are kept in each link, so each view of a result is a URL of its own."""
    url, params = request.url, request.query_params
    asked = params.get("view", offered[0])
    current = asked if asked in offered else offered[0]
    links = [(view, f"{url.path}?{url.include_query_params(view=view).query}") for view in offered]
    kept = [(k, v) for k, v in params.multi_items() if k not in VIEW_PARAMS]
    return Views(current, links, kept)


def _is_number(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in NUMERIC


def _is_label(term: Term | None) -> bool:
    return isinstance(term, ox.NamedNode) or (isinstance(term, ox.Literal) and term.datatype.value in TEXTUAL)


def _columns(variables: Sequence[str], rows: Sequence[Sequence[Term | None]], test) -> list[str]:
    """The columns whose bound values all pass `test` (and that have one)."""
    found = []
    for i, name in enumerate(variables):
        bound = [row[i] for row in rows if row[i] is not None]
        if bound and all(test(term) for term in bound):
            found.append(name)
    return found


def chart_view(
    site: Site,
    lang: str,
    variables: Sequence[str],
    rows: Sequence[Sequence[Term | None]],
    params: Mapping[str, str],
    csv: str,
) -> ChartView | None:
    """The result as charts, or None when it has no label column and numeric column to draw.

    The columns are `x=` (labels), `y=` (numbers) and `currency=` when they name suitable ones,
    else the first label column, the first numeric column, and a label column called `currency`
    (`currency=` with no value draws one chart, for numbers that are not money). A row without a
    number in `y` but with schema.org's `minValue` and `maxValue` (an amount given as a range) is
    drawn as a bar from the one to the other."""
    labels, numbers = _columns(variables, rows, _is_label), _columns(variables, rows, _is_number)
    if not labels or not numbers:
        return None
    x = next((c for c in labels if c == params.get("x")), labels[0])
    y = next((c for c in numbers if c == params.get("y")), numbers[0])
    default_currency = next((c for c in labels if c.casefold() == "currency"), None)
    asked = params.get("currency")
    currency = default_currency if asked is None else (asked if asked in labels else None)
    ix, iy = variables.index(x), variables.index(y)
    ic = variables.index(currency) if currency else None
    ranges = [variables.index(c) for c in RANGE if c in numbers and c != y]
    groups: dict[str | None, list[tuple[Term | None, ox.Literal | None, ox.Literal]]] = {}
    unnumbered = 0
    for row in rows:
        number, low = row[iy], None
        if not isinstance(number, ox.Literal) and len(ranges) == 2:
            low, number = row[ranges[0]], row[ranges[1]]
        if not isinstance(number, ox.Literal) or not isinstance(low, ox.Literal | None):
            unnumbered += 1
            continue
        unit = row[ic] if ic is not None else None
        groups.setdefault(unit.value if unit is not None else None, []).append((row[ix], low, number))
    charts = [_chart(site, lang, unit, members) for unit, members in groups.items()]
    return ChartView(x, y, currency, labels, numbers, charts, unnumbered, csv)


def _chart(
    site: Site, lang: str, currency: str | None, members: list[tuple[Term | None, ox.Literal | None, ox.Literal]]
) -> Chart:
    """One chart: bars in the rows' order (a range from its low to its high number), scaled to
    this chart's largest number."""
    shown = members[:MAX_BARS]
    largest = max((abs(float(high.value)) for _, _, high in shown), default=0.0) or 1.0
    bars = []
    for i, (term, low, high) in enumerate(shown):
        if isinstance(term, ox.NamedNode):
            text, link = site.label(term.value, lang), href(term.value)
        else:
            text, link = (term.value if term is not None else "—"), None
        value = float(high.value)
        start = float(low.value) if low is not None else 0.0
        amount = format_number(high.value, lang)
        if low is not None:
            amount = f"{format_number(low.value, lang)}–{amount}"
        short = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"
        bars.append(
            Bar(
                text,
                short,
                link,
                value,
                f"{amount} {currency}" if currency else amount,
                i * ROW + 4,
                max(round(abs(value - start) / largest * BAR_WIDTH, 1), MIN_BAR if value else 0.0),
                round(abs(start) / largest * BAR_WIDTH, 1),
            )
        )
    return Chart(currency, bars, len(members) - len(shown))
