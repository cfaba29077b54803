"""Data: the parse cache, the frames and their dtypes, the ``load_*`` functions and the build."""
from __future__ import annotations

from .home import HOME_ENV, clear_data_home, corpus_home, get_data_home, resolve_data_home

__all__ = ["HOME_ENV", "get_data_home", "resolve_data_home", "clear_data_home", "corpus_home", "CorpusData",
           "corpus_handle", "parse_corpus", "load_reports", "load_tables", "load_parse_log", "load_statements",
           "audit", "parse_report"]


def __getattr__(name: str):
    # The loaders bring the parser and the checks with them: loaded when asked for, so that an
    # up-to-date ``xxgk build`` (toolkit.data.build) does not import them.
    if name in __all__:
        from . import loaders

        return getattr(loaders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
