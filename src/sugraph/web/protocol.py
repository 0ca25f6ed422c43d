"""The HTTP/1.1 protocol `sugraph serve` gives uvicorn: httptools' C parser, bounded like h11.

h11 (pure Python) costs a cheap query a third of its time; httptools parses in C. But h11 drops a
connection whose request head (URL and headers) grows past `h11_max_incomplete_event_size`, while
uvicorn's httptools protocol buffers a head of any size: 100 MB of one header is 100 MB of memory
per connection before the middleware (`middleware.Frame`) can answer 431. So this protocol ends such a connection the
way uvicorn's h11 protocol does (400 "Invalid HTTP request received.", then close), under the same
setting. It counts the chunks received while a head is incomplete; a chunk in which a head is
completed does not count (the rest of it is a body, or the start of the next head, which is then
counted from the next chunk on): the bound is never early, and late by one chunk at most.
"""

from __future__ import annotations

from typing import Any

from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.max_head = config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        self.in_head, self.head_bytes, self.completed = True, 0, False

    def data_received(self, data: bytes) -> None:
        self.completed = False
        super().data_received(data)
        if self.in_head and not self.completed and not self.transport.is_closing():
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)

    def on_headers_complete(self) -> None:
        self.in_head, self.head_bytes, self.completed = False, 0, True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head = True
