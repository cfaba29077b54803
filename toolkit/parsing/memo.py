"""Readings kept per text: reports repeat the template's wording (headers, row labels, rows
of zeros, stock sentences) from one report to the next, so a pure reading of a short piece
of text is kept and reused."""
from __future__ import annotations

from functools import lru_cache, wraps

__all__ = ["per_text"]


def per_text(maxsize: int, longest: int):
    """:func:`functools.lru_cache` for a pure function whose first argument is a text and
    whose result is immutable; a text longer than *longest* characters is read each time,
    so the cache holds at most *maxsize* × *longest* characters."""
    def wrap(fn):
        kept = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: str, *args):
            return kept(text, *args) if len(text) <= longest else fn(text, *args)
        call.cache_clear, call.cache_info = kept.cache_clear, kept.cache_info
        return call
    return wrap
