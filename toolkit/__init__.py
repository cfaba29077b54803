"""xxgk: parse, check and tabulate 政府信息公开工作年度报告 (government information
disclosure annual reports).

Loaders return one DataFrame each (``load_reports``, ``load_tables``,
``load_narratives``, ``load_parse_log``, ``audit``).  Text mining lives in
``toolkit.text`` (tokenizer), ``toolkit.topics`` (topics, distinctive terms) and
``toolkit.reuse`` (template reuse); their main names are importable from here
too, loaded on first use so that ``import toolkit`` stays light.
"""
from .audit import audit
from .errors import ReportError
from .loaders import load_narratives, load_parse_log, load_reports, load_tables
from .parse import parse_report

__version__ = "0.1.0"

_LAZY = {
    "Tokenizer": "text", "load_stopwords": "text",
    "TopicModel": "topics", "choose_n_topics": "topics", "distinctive_terms": "topics",
    "similarity_pairs": "reuse", "reused_share": "reuse",
}

__all__ = ["load_reports", "load_tables", "load_narratives", "load_parse_log", "audit",
           "parse_report", "ReportError", "__version__", *_LAZY]


def __getattr__(name: str):
    # scikit-learn and jieba are slow to import; load them only when asked for.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
