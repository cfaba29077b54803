"""The chart registry: every chart declared once, with what it needs.

A :class:`Chart` names the chart function and declares the frames it is drawn
from (``inputs``), the indicators and table cells it reads, the groupings it
may be drawn ``by``, the report selections it accepts and a one-line
description in Chinese and English.  :func:`toolkit.plots.render`,
:func:`toolkit.plots.write_charts`, ``xxgk chart`` (its choices and help) and
the package docstring all read :data:`REGISTRY`; a chart is handed only the
cells it declares (under ``xxgk chart`` as under ``xxgk build``), so it can
never be drawn from cells the build did not keep.

Adding a chart is one function (taking the declared inputs, in order, and
``by=`` when it has groupings) plus one :func:`register` call.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import charts

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Cells", "Chart", "REGISTRY", "register", "unregister", "chart_spec", "CHARTS", "BY_CHARTS",
           "INPUTS", "FILTERS", "GROUPINGS"]

#: The frames a chart can be drawn from: ``indicators()`` (the build's indicators), the tidy
#: tables (``load_tables()``), the reports (``load_reports()``) and the audit (``audit()``).
INPUTS = ("indicators", "tables", "reports", "audit")
#: The report selections :func:`toolkit.plots.render` applies before drawing.
FILTERS = ("organ", "province", "year")
#: The groupings a chart may be drawn ``by``.
GROUPINGS = ("organ", "year", "province", "admin_level", "sector")


@dataclass(frozen=True)
class Cells:
    """Cells of one table a chart reads: *rows* and *columns* are template keys (None: all)."""

    table: str
    rows: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Chart:
    """One chart and what it needs.

    *draw* is called with the frames of *inputs* in that order (``reports`` may be None) and,
    when *by* is not empty, ``by=``; its first grouping is the default.  *built_by* are the
    groupings ``xxgk build`` writes (``NAME_by_GROUP``).  *indicators* are the indicators it
    reads from the ``indicators`` frame, *cells* the table cells it reads from ``tables``.

    *aggregate* (optional) gathers what the chart draws a run of reports at a time:
    ``aggregate()`` (``aggregate(by=…)`` for a chart with groupings) is empty, its ``add(…)``
    takes the chart's inputs for some reports (all of a report's rows in one call) and returns
    it, and its ``figure(source=None)`` is the chart of everything added.  A build then draws
    the chart from one pass over its files, a run of reports at a time, so that neither the
    memory nor the work of the chart grows with the corpus beyond what it gathers; *draw* must
    be the one-run case (``aggregate().add(*frames).figure()``).  An aggregate whose gathering does
    not depend on the grouping may have ``grouped(by)``: the same gathering drawn by *by*, so that a
    chart written by several groupings is gathered once.  An aggregate taking ``reports`` may say
    which of their columns it reads (``REPORT_COLUMNS``): a build then reads only those (and the
    ones citations read), else every column.
    """

    name: str
    draw: Callable[..., "Figure"]
    zh: str
    en: str
    inputs: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    cells: tuple[Cells, ...] = ()
    by: tuple[str, ...] = ()
    built_by: tuple[str, ...] = ()
    filters: tuple[str, ...] = FILTERS
    aggregate: Callable[..., Any] | None = None

    def __post_init__(self):
        bad = [i for i in self.inputs if i not in INPUTS]
        if bad or not self.inputs:
            raise ValueError(f"chart {self.name!r}: inputs must be some of {', '.join(INPUTS)}, not {self.inputs!r}")
        if "tables" in self.inputs and not self.cells:
            raise ValueError(f"chart {self.name!r} reads tables: declare the cells it draws")
        if self.indicators and "indicators" not in self.inputs:
            raise ValueError(f"chart {self.name!r} declares indicators but not the indicators input")
        for name, values, allowed in (("by", self.by, GROUPINGS), ("built_by", self.built_by, self.by),
                                      ("filters", self.filters, FILTERS)):
            if any(v not in allowed for v in values):
                raise ValueError(f"chart {self.name!r}: {name} must be some of {', '.join(allowed) or '(none)'}")

    @property
    def default_by(self) -> str | None:
        return self.by[0] if self.by else None

    def stems(self) -> list[tuple[str | None, str]]:
        """(by, file stem) of each file ``xxgk build`` writes for this chart."""
        return [(b, f"{self.name}_by_{b}") for b in self.built_by] or [(None, self.name)]


#: Chart name -> :class:`Chart`, in the order charts are listed and written.
REGISTRY: dict[str, Chart] = {}


def register(chart: Chart, *, replace: bool = False) -> Chart:
    """Add *chart* to :data:`REGISTRY` (``ValueError`` when the name is taken, unless *replace*)."""
    if chart.name in REGISTRY and not replace:
        raise ValueError(f"a chart named {chart.name!r} is registered already")
    REGISTRY[chart.name] = chart
    return chart


def unregister(name: str) -> None:
    """Remove chart *name* from :data:`REGISTRY`."""
    REGISTRY.pop(name, None)


def chart_spec(name: str) -> Chart:
    """The :class:`Chart` called *name*; ``KeyError`` lists the chart names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown chart {name!r}; charts: {', '.join(REGISTRY)}") from None


class _View(Mapping):
    """A read-only view of :data:`REGISTRY` (it follows charts registered later)."""

    def __init__(self, value: Callable[[Chart], object], keep: Callable[[Chart], bool] = lambda c: True):
        self._value, self._keep = value, keep

    def __getitem__(self, name):
        chart = REGISTRY.get(name)
        if chart is None or not self._keep(chart):
            raise KeyError(name)
        return self._value(chart)

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, c in REGISTRY.items() if self._keep(c)])

    def __len__(self) -> int:
        return sum(1 for c in REGISTRY.values() if self._keep(c))

    def __repr__(self) -> str:
        return repr(dict(self))


#: Chart name -> chart function.
CHARTS: Mapping[str, Callable[..., "Figure"]] = _View(lambda c: c.draw)
#: Charts drawn by a grouping (``by=``) -> their default grouping.
BY_CHARTS: Mapping[str, str] = _View(lambda c: c.default_by, lambda c: bool(c.by))

_T3_OUTCOMES = Cells("t3", None, ("total",))

register(Chart(
    "applications_and_refusals", charts.applications_and_refusals,
    "新收申请及被拒绝、未予提供的数量（每份报告平均）",
    "new applications and how many were refused or not answered, mean per report",
    inputs=("indicators",),
    indicators=("applications", "denial_rate", "unavailable_rate", "not_processed_rate"),
    by=GROUPINGS, built_by=("organ", "year"), aggregate=charts.ApplicationRows))
register(Chart(
    "rates", charts.rates, "公开率与不予公开率及 Wilson 95% 区间，按组合并",
    "disclosure and denial rates with Wilson 95% intervals, pooled per group",
    inputs=("indicators",), indicators=("disclosure_rate", "denial_rate"),
    by=("year", "organ", "province", "admin_level", "sector"), built_by=("organ", "year"),
    aggregate=charts.RateRows))
# The table charts read indicators' ``conflict`` only, to mark a value the report's text contradicts.
_T3_CONFLICT = charts.CONFLICT_OF["t3"]
_T4_CONFLICT = charts.CONFLICT_OF["t4"]

register(Chart(
    "applications_by_applicant", charts.applications_by_applicant, "表三新收申请：按申请人类型（各报告占比的平均）",
    "table 3 new applications by applicant type, mean of each report's own shares",
    inputs=("tables", "indicators"), indicators=_T3_CONFLICT, cells=(Cells("t3", ("new_received",)),),
    aggregate=charts.ApplicantShares))
register(Chart(
    "outcomes", charts.outcomes, "表三办理结果（总计列），分组，各报告占比的平均",
    "table 3 outcomes (total column), grouped, mean of each report's own shares",
    inputs=("tables", "indicators"), indicators=_T3_CONFLICT, cells=(_T3_OUTCOMES,),
    aggregate=charts.OutcomeShares))
register(Chart(
    "proactive_disclosure", charts.proactive_disclosure, "表二行政许可、处罚、强制决定数量（一种模板）",
    "table 2 licensing, penalty and coercion decisions, one template",
    inputs=("tables", "reports"), cells=(Cells("t2", ("licensing", "penalty", "coercion"), ("decisions",)),),
    by=GROUPINGS, built_by=("organ", "year"), aggregate=charts.ProactiveCells))
register(Chart(
    "appeals", charts.appeals, "表四行政复议、行政诉讼结果（各报告占比的平均）",
    "table 4 reconsideration and litigation cases by result, mean of each report's own shares",
    inputs=("tables", "indicators"), indicators=_T4_CONFLICT, cells=(Cells("t4"),),
    aggregate=charts.AppealShares))
register(Chart(
    "audit_summary", charts.audit_summary, "核查结果：通过、未通过、无法核查（含跨年度核查）",
    "audit checks passed, failed and not checkable, cross-year checks included", inputs=("audit",),
    aggregate=charts.AuditTally))
