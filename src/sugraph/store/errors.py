"""The ways a query can fail, each with the HTTP status the service answers with."""

import re

from ..errors import SugraphError, UsageError


class QueryError(UsageError):
    """The query is malformed or not allowed (the client's fault)."""

    status = 400


class QueryTooLarge(QueryError):
    """The query text, or its answer, is over a configured size limit."""

    status = 413


def answer_too_large(limit: int) -> QueryTooLarge:
    """The one wording for an answer over the byte limit, whichever backend stopped it."""
    return QueryTooLarge(
        f"the answer is over the limit of {limit:,} bytes: narrow the query or page it with LIMIT and OFFSET"
    )


class QueryTimeout(SugraphError):
    """The query ran past its time limit and was stopped (the embedded engine's worker is freed)."""

    status = 503


class UpstreamTimeout(QueryTimeout):
    """A remote endpoint did not answer within the time limit (a gateway timeout)."""

    status = 504


class BackendError(SugraphError):
    """The backend cannot answer: unreachable, broken or returning garbage."""

    status = 502


_SYNTAX_POSITION = re.compile(r"^(?:Parser )?error at (\d+):(\d+): ")


def syntax_message(error: SyntaxError) -> str:
    """pyoxigraph's 'error at 2:5: expected …' → 'syntax error at line 2, column 5: expected …'."""
    m = _SYNTAX_POSITION.match(error.msg)
    if not m:
        return "syntax error: " + error.msg.splitlines()[0][:300]
    return f"syntax error at line {m.group(1)}, column {m.group(2)}: {error.msg[m.end() :].splitlines()[0][:300]}"
