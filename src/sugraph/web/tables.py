"""One table mechanism for every page that lists rows: workbench results, named queries, browse lists.

A page hands over its columns and its rows of cells (all of them, up to the row cap); this module
sorts them (`_sort=COL` / `_desc=COL`, Datasette's parameters), cuts the page (`limit`, `offset`),
counts, and makes the links (column headers, previous/next). Sorting happens here rather than in
SPARQL because readers sort IRIs by the label they see, which no ORDER BY knows. Every view is a
URL, and the same URL with `format=csv|json` downloads the same rows in the same order
(`results_in_order` writes them back as SPARQL results).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox

from ..errors import UsageError
from ..store.analysis import column_order
from ..terms import fold, read_results
from .display import Value
from .formats import Format
from .i18n import XSD
from .pages.site import Site, href

SORT, DESC = "_sort", "_desc"
PAGING = ("limit", "offset")
PAGE_SIZE = 100  # rows a page shows unless `limit` asks for more

_NUMERIC = {
    XSD + t
    for t in (
        "integer",
        "decimal",
        "float",
        "double",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_TEMPORAL = {XSD + t for t in ("date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth")}
_DATE = re.compile(r"^(-?\d{4,})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d):(\d\d(?:\.\d+)?))?)?)?")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SortKey = tuple[int, Any]
T = TypeVar("T")


def sort_key(term: Term | None, shown: str) -> SortKey | None:
    """How a cell compares, as SPARQL compares its values: numbers as numbers, dates and years as
    dates (a year before the days of that year), everything else — IRIs by the label the reader
    sees — as text regardless of case and accents. None for an unbound cell (always sorted last)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            try:
                number = Decimal(term.value.strip())
            except InvalidOperation:
                number = None
            if number is not None and not math.isnan(number):
                return (0, number)
        elif datatype in _TEMPORAL and (m := _DATE.match(term.value.strip())):
            return (1, tuple(float(part) for part in m.groups() if part is not None))
    return text_key(shown)


@lru_cache(maxsize=8192)
def text_key(shown: str) -> SortKey:
    """Text as a reader alphabetises it: case and accents ignored."""
    return (2, fold(shown))


@dataclass(frozen=True)
class Cell:
    """One cell: what it shows (one value, several for a multi-valued column, none if unbound) and
    how it sorts."""

    values: tuple[Value, ...]
    key: SortKey | None

    @classmethod
    def of(cls, value: Value | None, term: Term | None) -> Cell:
        return cls((value,) if value else (), sort_key(term, value.text) if value else None)


class Rows(Sequence[list[Cell]]):
    """Rows whose cells are made only when a page shows them: a browse list of 17,500 measures
    shows 100, and sorting it needs of every row only its key in the sort column.
    `cells(i)` makes row i; `key(i, column)` is what `cells(i)[column].key` would be."""

    def __init__(self, count: int, cells: Callable[[int], list[Cell]], key: Callable[[int, int], SortKey | None]):
        self._count, self._cells, self._key = count, cells, key
        self._keys: dict[int, list[SortKey | None]] = {}

    def keys(self, column: int) -> list[SortKey | None]:
        """Every row's key in `column`, made once (a page and its download order sort alike)."""
        if column not in self._keys:
            self._keys[column] = [self._key(i, column) for i in range(self._count)]
        return self._keys[column]

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> list[Cell]:  # type: ignore[override]  # one row at a time, no slices
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return self._cells(i % self._count)


class Window(Sequence[list[Cell]], Generic[T]):
    """Rows their source sorts and pages itself (the snapshot file, for browse lists of 43,000
    measures at 1000×), so no request makes every row's key: `arrange` tells it the view, and it
    reads the items of the view's page. `read(column, descending, offset, limit)` gives the items
    in that order (column None: the source's own), `cells(item)` makes a row; positions are in
    the view's order."""

    def __init__(
        self, count: int, read: Callable[[int | None, bool, int, int], list[T]], cells: Callable[[T], list[Cell]]
    ):
        self._count, self._read, self._cells = count, read, cells
        self._sort: tuple[int | None, bool] = (None, False)
        self._items: dict[int, T] = {}

    def arrange(self, column: int | None, descending: bool, offset: int, limit: int) -> range:
        """Every row's position once sorted by `column`, having read those from `offset` on."""
        self._sort, self._items = (column, descending), {}
        self._fetch(offset, limit)
        return range(self._count)

    def item(self, i: int) -> T:
        """The item at position `i` (read with the page from there if the view's page lacks it)."""
        if i not in self._items:
            self._fetch(i, PAGE_SIZE)
        return self._items[i]

    def _fetch(self, offset: int, limit: int) -> None:
        if offset < self._count:
            self._items.update(enumerate(self._read(*self._sort, offset, limit), start=offset))

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> list[Cell]:  # type: ignore[override]  # one row at a time, no slices
        if not 0 <= i < self._count:
            raise IndexError(i)
        return self._cells(self.item(i))


@dataclass(frozen=True)
class View:
    """How the reader asked to see a table: sorted by which column (None: as it came), which way,
    which rows."""

    sort: str | None
    descending: bool
    limit: int
    offset: int


@dataclass(frozen=True)
class Column:
    name: str  # the table's own name for it (a variable): what `_sort` takes
    label: str
    sorted: str | None  # "ascending", "descending" or None, as aria-sort says it
    link: str  # the URL of the table sorted by it (descending if it is sorted ascending now)


@dataclass(frozen=True)
class Table:
    """One page of a sorted table, ready for `_table.html`."""

    columns: list[Column]
    rows: list[list[Cell]]
    first: int  # 1-based number of the first row shown (0 when none is)
    last: int
    total: int
    capped: bool  # the query gave more rows than the row cap: `total` is the cap
    previous: str | None
    next: str | None
    row_header: bool  # the first column names the row (browse lists) rather than being one more value


def by_name(params: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """A URL's parameters by name, each with its values in the URL's order."""
    found: dict[str, list[str]] = {}
    for key, value in params:
        found.setdefault(key, []).append(value)
    return found


def read_view(params: Mapping[str, Sequence[str]], names: Sequence[str], default_limit: int, max_limit: int) -> View:
    """The request's sort and page; 400 for a column the table does not have or bad numbers."""
    asked = [(name, False) for name in params.get(SORT, [])] + [(name, True) for name in params.get(DESC, [])]
    if len(asked) > 1:
        raise UsageError(f"sort by one column: give one {SORT} or one {DESC}")
    sort, descending = asked[0] if asked else (None, False)
    if sort is not None and sort not in names:
        raise UsageError(f"no column {sort!r} to sort by; the columns are {', '.join(names)}")
    limit = _integer(params.get("limit", []), "limit", min(default_limit, max_limit), 1, max_limit)
    return View(sort, descending, limit, _integer(params.get("offset", []), "offset", 0, 0, 10**9))


def _integer(values: Sequence[str], name: str, default: int, low: int, high: int) -> int:
    if not values:
        return default
    if len(values) > 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
        raise UsageError(f"{name} must be one integer from {low} to {high}")
    return int(values[0])


def arrange(rows: Sequence[Sequence[Cell]], names: Sequence[str], view: View) -> Sequence[int]:
    """The order rows are shown in, as indices: by the view's column, stable (rows that compare equal
    keep the query's order, either way), unbound cells last either way (a `Window` sorts itself)."""
    if isinstance(rows, Window):
        sort = names.index(view.sort) if view.sort is not None else None
        return rows.arrange(sort, view.descending, view.offset, view.limit)
    if view.sort is None:
        return list(range(len(rows)))
    column = names.index(view.sort)
    keys = rows.keys(column) if isinstance(rows, Rows) else [row[column].key for row in rows]
    bound = [i for i in range(len(rows)) if keys[i] is not None]
    unbound = [i for i in range(len(rows)) if keys[i] is None]
    return sorted(bound, key=lambda i: keys[i], reverse=view.descending) + unbound  # type: ignore[arg-type, return-value]


def page_of(order: Sequence[int], view: View) -> list[int]:
    return list(order[view.offset : view.offset + view.limit])


def table(
    path: str,
    params: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Cell]],
    view: View,
    *,
    capped: bool = False,
    row_header: bool = False,
) -> Table:
    """The page `view` asks for of `rows` under `columns` ((name, label) pairs), with its links;
    `path` and `params` are the request's, so every link keeps the page's other parameters."""
    names = [name for name, _ in columns]
    shown = page_of(arrange(rows, names, view), view)

    def sorted_by(name: str) -> str | None:
        if view.sort != name:
            return None
        return "descending" if view.descending else "ascending"

    def sort_link(name: str) -> str:
        parameter = DESC if view.sort == name and not view.descending else SORT
        return link(path, params, {SORT, DESC, "offset"}, [(parameter, name)])

    def offset_link(offset: int) -> str:
        return link(path, params, {"offset"}, [("offset", str(offset))] if offset else [])

    end = view.offset + len(shown)
    return Table(
        [Column(name, label, sorted_by(name), sort_link(name)) for name, label in columns],
        [list(rows[i]) for i in shown],
        view.offset + 1 if shown else 0,
        end,
        len(rows),
        capped,
        # past the last row, the previous page is the list's last one
        offset_link(max(0, min(view.offset, len(rows)) - view.limit)) if view.offset > 0 else None,
        offset_link(end) if end < len(rows) else None,
        row_header,
    )


def link(path: str, params: Sequence[tuple[str, str]], drop: set[str], add: Sequence[tuple[str, str]] = ()) -> str:
    """`path` with the request's parameters but those named in `drop`, then `add`."""
    kept = [(k, v) for k, v in params if k not in drop]
    query = urlencode([*kept, *add])
    return f"{path}?{query}" if query else path


def results_in_order(data: dict, variables: Sequence[str], indices: Sequence[int]) -> dict:
    """SPARQL JSON results with the columns in the table's order and the rows `indices` picks, in
    that order: what a download of the table's URL holds."""
    bindings = data["results"]["bindings"]
    return {
        **data,
        "head": {**data["head"], "vars": list(variables)},
        "results": {"bindings": [bindings[i] for i in indices]},
    }


def term_value(site: Site, lang: str, term: Term) -> Value:
    """A result term as a cell shows it: an IRI by its label (else a prefixed name), linked to its
    page here; a literal as written."""
    if isinstance(term, ox.NamedNode):
        return Value(site.label(term.value, lang), href(term.value), title=term.value)
    if isinstance(term, ox.BlankNode):
        return Value(f"_:{term.value}")
    return Value(term.value, lang=term.language)


def download(data: dict, variables: Sequence[str], indices: Sequence[int], fmt: Format) -> bytes:
    """The rows `indices` picks of SPARQL JSON results, in that order, in a results format (CSV, TSV, JSON)."""
    assert fmt.results is not None
    results = read_results(json.dumps(results_in_order(data, variables, indices)))
    # pyoxigraph's stub lacks the overload that says so: without an output, the result is bytes.
    return results.serialize(format=fmt.results)  # type: ignore[return-value]


def solutions(results: ox.QuerySolutions, variables: Sequence[str]) -> list[list[Term | None]]:
    """Result rows as lists of terms in the columns' order. Read by position: a term asked by its
    variable's name costs twice as much, and a named query's answer may hold 10,000 rows."""
    names = [v.value for v in results.variables]
    at = [names.index(v) for v in variables]
    return [[row[i] for i in at] for row in results]


def cells(rows: Sequence[Sequence[Term | None]], shown: Callable[[Term], Value]) -> Rows:
    """Rows of terms as table cells, each shown by `shown`, made when a page shows the row (or,
    for a sort, the column's cell of every row)."""

    def cell(t: Term | None) -> Cell:
        return Cell.of(None if t is None else shown(t), t)

    return Rows(len(rows), lambda i: [cell(t) for t in rows[i]], lambda i, column: cell(rows[i][column]).key)


def columns_in_order(variables: Sequence[str], text: str) -> list[str]:
    """The result's variables in the order the query names them (see `column_order`)."""
    order = {name: i for i, name in enumerate(column_order(text))}
    return sorted(variables, key=lambda v: order.get(v, len(order)))


def cut_at(rows: list, cap: int) -> bool:
    """Whether the store's answer reached the row cap. Pages ask the store for the cap itself, not
    one row more (Virtuoso refuses a sorted LIMIT above 10,000, its default and ours); an answer that
    fills it may go on, so its last row is held back and the table says the answer was cut."""
    if len(rows) < cap:
        return False
    del rows[cap - 1 :]
    return True
