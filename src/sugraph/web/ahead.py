"""The named questions answered ahead of their readers.

A named question whose answer grows with the data takes the engine seconds at 1000x (20,000 rows
of measures, each a few index seeks: bench/RESULTS.md). So after a start, a background thread asks
the store for each question with every set of values the site offers without typing — its
defaults; for a required parameter with a class, each member of the class, as the workbench lists
them; for a `lang` parameter, each of the site's languages — exactly as its page would (same text,
format and row cap), and the store keeps the slow answers in its answer file (store/answers.py).
A reader then gets a kept answer, also after a restart; a reader who comes first gets the engine,
as without this. Answers already kept are not run again, so this costs once per store.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..named_queries import NamedQuery
from ..store import BackendError, QueryTimeout, Store
from ..store.errors import QueryError
from .formats import RESULTS_JSON
from .i18n import LANGUAGES

log = logging.getLogger(__name__)

MAX_MEMBERS = 100  # a required parameter whose class has more members than this is not answered ahead


@dataclass
class Progress:
    """What /ready says of the answers ahead (`answers_ahead`): "off" (the store keeps no answers),
    "running", "done" (then `ran`: how many the engine ran) or "failed"."""

    state: str = "off"
    ran: int = 0


def offered(
    query: NamedQuery, members: Callable[[str], Sequence[str]], languages: Sequence[str] = LANGUAGES
) -> Iterator[dict[str, list[str]]]:
    """The parameter values of each page of `query` the site offers without typing (see above); none
    when a required parameter has no class, or one with too many members."""
    choices: list[tuple[str, list[list[str]]]] = []
    for param in query.params:
        if param.name == "lang" and param.type == "string":
            options = [[lang] for lang in languages]
        elif param.default:
            options = [list(param.default)]
        elif param.required and param.cls:
            iris = members(param.cls)
            if not iris or len(iris) > MAX_MEMBERS:
                return
            options = [[iri] for iri in iris]
        elif param.required:
            return
        else:
            continue
        choices.append((param.name, options))
    names = [name for name, _ in choices]
    for combination in itertools.product(*(options for _, options in choices)):
        yield dict(zip(names, combination, strict=True))


def answer_ahead(
    store: Store, queries: Mapping[str, NamedQuery], members: Callable[[str], Sequence[str]], max_rows: int
) -> int:
    """Ask the store each offered page's question (see above); how many the engine ran. Stops when
    the store is closed (a reload retired it)."""
    ran = 0
    for query in queries.values():
        for values in offered(query, members):
            try:
                ran += store.answer_ahead(query.text(values), RESULTS_JSON.media_type, max_rows=max_rows)
            except (QueryError, QueryTimeout) as error:  # its reader will get the same error
                log.info("named query %s %s not answered ahead: %s", query.name, values, error)
            except BackendError as error:
                log.info("answering the named queries ahead stopped: %s", error)
                return ran
    return ran


def in_background(
    store: Store,
    queries: Mapping[str, NamedQuery],
    members: Callable[[str], Sequence[str]],
    max_rows: int,
    progress: Progress,
) -> None:
    """`answer_ahead` in a daemon thread, if the store keeps answers at all; `progress` says how far."""
    answers = store.answers
    if answers is None:
        return

    def run() -> None:
        try:
            with answers.one_at_a_time():  # the other uvicorn workers and replicas over this store wait
                progress.ran = answer_ahead(store, queries, members, max_rows)
            progress.state = "done"
            log.info("named queries answered ahead: %d run, the others already kept", progress.ran)
        except Exception:  # never needed to answer: the pages go on without it
            progress.state = "failed"
            log.exception("answering the named queries ahead failed")

    progress.state = "running"
    threading.Thread(target=run, name="answers-ahead", daemon=True).start()
