"""The one rule for progress bars: shown for long runs on a terminal, never in notebooks or logs."""
from __future__ import annotations

import sys

__all__ = ["progress_bar", "show_progress", "MIN_ITEMS"]

#: Runs of more items than this get a bar (on a terminal).
MIN_ITEMS = 20


def show_progress(n_items: int, progress: bool | None = None, min_items: int = MIN_ITEMS) -> bool:
    """Whether to draw a bar: *progress* if given, else a run of more than *min_items* items
    on a terminal.  Slow items (a download is seconds) earn a bar sooner: a lower *min_items*."""
    if progress is not None:
        return bool(progress)
    return n_items > min_items and sys.stderr.isatty()


def progress_bar(total: int, desc: str, unit: str, progress: bool | None = None, min_items: int = MIN_ITEMS):
    """A tqdm bar on stderr (disabled unless :func:`show_progress` says so)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr,
                disable=not show_progress(total, progress, min_items))
