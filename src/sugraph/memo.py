"""A memo for functions of one text argument that keeps only short texts.

A count-bounded lru_cache over request texts would hold gigabytes when clients send large ones (a
body may be 1 MiB); texts longer than `max_length` are computed every time instead."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")
Text = TypeVar("Text", str, bytes)
MAX_LENGTH = 8192


def cache_short(maxsize: int, max_length: int = MAX_LENGTH) -> Callable[[Callable[[Text], T]], Callable[[Text], T]]:
    def decorate(function: Callable[[Text], T]) -> Callable[[Text], T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: Text) -> T:
            return cached(text) if len(text) <= max_length else function(text)

        return call

    return decorate
