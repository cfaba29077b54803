"""xxgk: parse, check and tabulate 政府信息公开工作年度报告 (government information
disclosure annual reports)."""
from .audit import audit
from .errors import ReportError
from .loaders import load_narratives, load_parse_log, load_reports, load_tables
from .parse import parse_report

__version__ = "0.1.0"

__all__ = ["load_reports", "load_tables", "load_narratives", "load_parse_log", "audit", "parse_report",
           "ReportError", "__version__"]
