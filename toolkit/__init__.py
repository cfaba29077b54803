"""xxgk: parse, check and tabulate 政府信息公开工作年度报告 (government information
disclosure annual reports).

Loaders return one DataFrame each (``load_reports``, ``load_tables``,
``load_narratives``, ``load_parse_log``, ``audit``); ``Corpus(path, data_home)`` is
a handle with the same loaders, the indicators and the build as methods.  The package is layered,
each layer importing only those below it::

    errors, schema, textnorm, fileio, progress   the template as data; text and file helpers
    reading      bytes -> text and table grids (HTML, DOCX, PDF, encodings)
    parsing      text and grids -> Report (sections, tables, title, metadata, section 五)
    checks       the audit of one report; cross-year checks
    corpus       where a corpus is; metadata.csv; add; fetch
    data         parse cache, frames, load_* functions, build, data home
    analysis     indicators, organ × year panel, missing-aware aggregation
    mining       section 五 items, tokenizer, topics, distinctive terms, template reuse,
                 codebook coding and agreement, keyword in context
    plots        publication charts
    cli          the xxgk command

Text-mining names are importable from here too, loaded on first use so that
``import toolkit`` stays light.
"""
from __future__ import annotations

import importlib

from .errors import ReportError

__version__ = "0.2.0"

_LAZY = {
    "load_reports": "data", "load_tables": "data", "load_narratives": "mining.narratives",
    "load_parse_log": "data",
    "load_statements": "data",
    "audit": "data", "parse_report": "data", "get_data_home": "data", "clear_data_home": "data",
    "Corpus": "plots.corpus", "indicators": "analysis", "load_panel": "analysis", "aggregate": "analysis", "pooled_rate": "analysis",
    "largest_contributor": "analysis",
    "wilson_interval": "analysis", "rate_text": "analysis", "indicator_definitions": "analysis",
    "summarise_indicators": "analysis",
    "Tokenizer": "mining.tokenizer", "load_stopwords": "mining.tokenizer",
    "TopicModel": "mining.topics", "choose_n_topics": "mining.topics", "distinctive_terms": "mining.topics",
    "similarity_pairs": "mining.reuse", "reused_share": "mining.reuse", "reuse_pairs": "mining.reuse",
    "load_negation_words": "mining.tokenizer",
    "load_codebook": "mining.coding", "code_items": "mining.coding", "export_for_coding": "mining.coding",
    "read_coding": "mining.coding", "agreement": "mining.coding", "category_shares": "mining.coding",
    "krippendorff_alpha": "mining.coding", "precision_recall": "mining.coding",
    "kwic": "mining.kwic",
}

__all__ = ["ReportError", "__version__", *_LAZY]


def __getattr__(name: str):
    # pandas, scikit-learn and jieba are slow to import; load them only when asked for.
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
