"""Data: the parse cache, the frames and their dtypes, the ``load_*`` functions and the build."""
from __future__ import annotations

from .home import HOME_ENV, clear_data_home, corpus_home, get_data_home, resolve_data_home
from .loaders import (CorpusData, audit, corpus_handle, load_parse_log, load_reports, load_statements, load_tables,
                      parse_corpus, parse_report)

__all__ = ["HOME_ENV", "get_data_home", "resolve_data_home", "clear_data_home", "corpus_home", "CorpusData",
           "corpus_handle", "parse_corpus", "load_reports", "load_tables", "load_parse_log", "load_statements",
           "audit", "parse_report"]
