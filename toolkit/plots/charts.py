"""The chart functions.  Each takes DataFrames (from the loaders, :func:`toolkit.indicators`
or the build's aggregates; never file paths), leaves them untouched and returns a
:class:`matplotlib.figure.Figure`; :mod:`toolkit.plots.registry` declares what each needs."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..analysis.aggregation import is_missing as _is_na
from .layout import (MISSING, OTHERS, GROUP_TITLES, SHARE, ZERO, group_means, table_or_stated, MAX_ORGANS, NA_GID,
                     NA_LABEL, VALUE_GID, all_zero_note, bar_height, chart_figure, check_by, contributing_ids,
                     draw_bars, fit_inside_labels, group_sums, grouped_hbars, headroom, integer_axis, is_empty,
                     legend_above, map_values, matches, plain, first_rows, REPORT_GROUP_COLUMNS, n_missing_cells,
                     others_label, others_note, named_reports, number_text, report_groups, report_shares,
                     require_columns, select_cells, share_text, value_label, wrap_label, years_text)
from .theme import FAIL_COLOUR, MUTED_COLOUR, NA_COLOUR, NEUTRAL_COLOUR, PALETTE, PASS_COLOUR, TEXT_COLOUR

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

# ------------------------------------------------------------------ charts on indicators

_APP_SERIES = (
    ("applications", "新收申请 / Applications", PALETTE[0]),
    ("denied", "不予公开 / Refused", PALETTE[3]),
    ("unanswered", "无法提供或不予处理 / Not provided", PALETTE[1]),
)


#: The first report year of the table templates (国办公开办函〔2019〕60号): earlier reports give
#: narrative counts only, never drawn beside table counts.
TEMPLATE_FROM = 2019
CONFLICT_MARK = "†"
CONFLICT_NOTE = "† 报告正文与表格不一致 / † the report's text contradicts its table"
STATED_LEFT_OUT = "另有 {n} 份报告仅有正文所述数字，未计入 / {n} reports with stated counts only, not drawn"
_APP_INDICATORS = {"applications": "value", "denial_rate": "numerator", "unavailable_rate": "numerator",
                   "not_processed_rate": "numerator"}


def _table_values_only(indicators):
    """The rows of *indicators* read from template tables (report year 2019 on, ``source`` not
    ``stated``), without the reports left with no value of :data:`_APP_INDICATORS`; and how many
    reports that had a value (a stated or pre-template count) were left out that way.  The other
    reports of an organ left with no table value are left out too."""
    import numpy as np
    import pandas as pd

    year = pd.to_numeric(indicators["year"], errors="coerce") if "year" in indicators.columns else \
        pd.Series(float("nan"), index=indicators.index)
    pre = (year.notna() & (year < TEMPLATE_FROM)).to_numpy(dtype=bool)
    stated = matches(indicators["source"], ["stated"]) \
        if "source" in indicators.columns else pd.Series(False, index=indicators.index).to_numpy(dtype=bool)
    wanted = matches(indicators["indicator"], _APP_INDICATORS)
    value = indicators["value"].where(matches(indicators["indicator"], ["applications"]), indicators["numerator"])
    present = wanted & value.notna().to_numpy(dtype=bool)
    kept = ~pre & ~stated
    # Reports and organs as numbers (a row's report and organ), each a flag per number: an
    # indicators frame has a row per report and indicator, and its ids need not become strings.
    rid, n_rid = _numbered(indicators["report_id"])
    organ, n_organ = _numbered(indicators["organ_id"]) if "organ_id" in indicators.columns else (rid, n_rid)

    def reports_of(rows, n=n_rid, of=rid):
        flags = np.zeros(n, dtype=bool)
        flags[of[rows]] = True
        return flags

    left_out = reports_of(present) & ~reports_of(present & kept)
    # An organ with stated counts only is not drawn at all (not even as a row of n/a).
    stated_organs = reports_of(left_out[rid], n_organ, organ) & ~reports_of(present & kept, n_organ, organ)
    drop = left_out | reports_of(pre) | reports_of(stated_organs[organ])
    keep = kept & ~drop[rid]
    return indicators[keep], int(np.count_nonzero(left_out))


def _numbered(series):
    """(each item's number, how many numbers): equal strings one number, missing ones another."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes, len(uniques)


def _indicator_values(indicators, by: str):
    """Per report: group, applications, denied, unanswered (None when missing) from an indicators
    frame, with the series each report states in its text (``stated``) and whose value its text
    contradicts (``conflict``), as comma-joined series names."""
    require_columns(indicators, ("report_id", "indicator", "value", "numerator"), "indicators() frame expected")
    import numpy as np
    import pandas as pd

    wanted = {"applications": "value", "denial_rate": "numerator", "unavailable_rate": "numerator",
              "not_processed_rate": "numerator"}
    sub = indicators[matches(indicators["indicator"], wanted)]
    kind = sub["indicator"].astype(object).to_numpy(dtype=object, na_value=None)
    # A rate's numerator is present only when all its cells were read (denominator 0 or not).
    v = np.where(kind == "applications", sub["value"].to_numpy(dtype=float, na_value=np.nan),
                 sub["numerator"].to_numpy(dtype=float, na_value=np.nan))
    present = ~np.isnan(v)
    source = sub["source"].astype(object).to_numpy(dtype=object, na_value=None) if "source" in sub.columns \
        else np.full(len(sub), None, dtype=object)
    conflict = sub["conflict"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "conflict" in sub.columns \
        else np.zeros(len(sub), dtype=bool)
    long = pd.DataFrame({"report_id": sub["report_id"].astype(str).to_numpy(dtype=object), "indicator": kind,
                         "v": v, "stated": present & (source == "stated"), "conflict": present & conflict})
    rids = pd.unique(long["report_id"])
    # A report listed twice under an indicator keeps its last value, and any mark it had.
    last = long.drop_duplicates(["report_id", "indicator"], keep="last").pivot(
        index="report_id", columns="indicator", values="v").reindex(index=rids, columns=list(wanted))
    marks = long.groupby(["report_id", "indicator"], sort=False)[["stated", "conflict"]].any().unstack(
        "indicator").reindex(index=rids).fillna(False)
    series_of = {"applications": "applications", "denial_rate": "denied", "unavailable_rate": "unanswered",
                 "not_processed_rate": "unanswered"}

    def joined(mark):
        got = {s: np.zeros(len(rids), dtype=bool) for s in ("applications", "denied", "unanswered")}
        for ind, s in series_of.items():
            if (mark, ind) in marks.columns:
                got[s] |= marks[(mark, ind)].to_numpy(dtype=bool)
        return [",".join(s for s in sorted(got) if got[s][i]) for i in range(len(rids))]

    un, npr = last["unavailable_rate"], last["not_processed_rate"]
    frame = pd.DataFrame({"report_id": pd.Series(rids, dtype=object),
                          "applications": pd.array(last["applications"].to_numpy(), dtype="Float64"),
                          "denied": pd.array(last["denial_rate"].to_numpy(), dtype="Float64"),
                          "unanswered": pd.array((un + npr).to_numpy(), dtype="Float64"),
                          "stated": joined("stated"), "conflict": joined("conflict")})
    group_of, labels, axis = report_groups(list(frame["report_id"]), first_rows(indicators), by)
    frame["group"] = frame["report_id"].map(group_of)
    return frame, labels, axis


def applications_and_refusals(indicators: "pd.DataFrame", by: str = "organ", *, year: int | None = None,
                              top: int | None = None, source: str | None = None,
                              table_only: bool = True) -> "Figure":
    """Which organs receive the most applications, and how many are refused.

    *indicators* is :func:`toolkit.indicators` (its ``applications``, and the
    numerators of ``denial_rate``, ``unavailable_rate`` and
    ``not_processed_rate``).  Horizontal bars: new applications, those refused
    (不予公开) and those not answered with the information (无法提供 or 不予处理).

    Organs (``by="organ"``, also province, admin_level, sector) are compared
    like with like: each bar is the group's **mean per report** over the
    reports that have the value, the tick label says how many reports and which
    years, and a bar resting on fewer reports than its row says gives its own
    count (``2（1 份）``).  The *top* (:data:`MAX_ORGANS`) groups with the most
    applications per report are drawn, the rest summarised in one row (其余 N
    个机关).  ``by="year"`` sums each year's reports (a sum that leaves a
    report out is labelled ``≥N``).  Numbers a report states in its text
    (its table absent) are marked ``*`` and never added to table values: a
    group with table values of a series draws only those.  An organ with no
    readable count is listed with ``n/a`` rather than dropped.  *year* keeps
    one report year.

    By default (*table_only*) only table values of the template years (2019 on)
    are drawn: numbers stated in a report's text and the narrative counts of
    earlier reports are left out, and the source line says how many reports
    that leaves out (an organ with stated counts only is not drawn).
    ``table_only=False`` draws stated values too, marked ``*``.  A bar resting on
    a value the report's own text contradicts (``conflict`` in the indicators)
    is marked ``†`` and the source line says what the mark means.
    """
    check_by(by)
    per = by != "year"
    zh = {"organ": "哪些机关收到的申请最多，多少被拒绝（每份报告平均）", "year": "各年新收申请及拒绝情况"}.get(
        by, f"新收申请及拒绝情况（{GROUP_TITLES[by][0]}，每份报告平均）")
    en = {"organ": "Which organs receive the most applications, and how many are refused (mean per report)",
          "year": "Applications received and refused, by year"}.get(
        by, f"Applications received and refused, {GROUP_TITLES[by][1]} (mean per report)")
    if year is not None:
        zh += f"（{year}年）"
    if is_empty(indicators):
        return chart_figure(zh, en, 0, 0, source, None)
    ind = indicators
    if year is not None:
        ind = ind[ind["year"] == year]
        if is_empty(ind):
            return chart_figure(zh, en, 0, 0, source, None)
    notes = []
    if table_only:
        ind, left_out = _table_values_only(ind)
        if left_out:
            notes.append(STATED_LEFT_OUT.format(n=left_out))
        if is_empty(ind):
            return chart_figure(zh, en, 0, 0, source, None, notes=notes)
    frame, labels, axis = _indicator_values(ind, by)
    names = [s[0] for s in _APP_SERIES]
    long = frame.melt(id_vars=["report_id", "group", "stated", "conflict"], value_vars=names, var_name="series",
                      value_name="value")
    # The series names do not contain one another: a name within the joined list is one of them.
    for mark in ("stated", "conflict"):
        long[mark] = [key in said for key, said in zip(long["series"].tolist(), long[mark].tolist())]
    # A tick counts the reports that add to its bars and says of how many, by year as by organ.
    counted = set(plain(table_or_stated(long)["report_id"].astype(str)))
    _ids, labels, axis = report_groups(list(frame["report_id"]), first_rows(ind), by, counted=counted)
    if per:
        groups, sums, texts, stated, _drawn = group_means(
            long, names, labels, by, top or MAX_ORGANS, lambda got: got.get("applications", -1.0))
        drawn = long  # every group is drawn: in a row of its own or in the summary row
        if OTHERS in groups:
            notes.append(others_note(by, len(groups) - 1, len(set(plain(long["group"]))) - len(groups) + 1))
    else:
        used = table_or_stated(long)
        sums = group_sums(long[long.index.isin(used.index) | long["value"].isna()], ["group", "series"])
        stated = {(g, key) for g, key, st in zip(plain(used["group"]), plain(used["series"]), plain(used["stated"]))
                  if st}
        texts = None
        groups = sorted(dict.fromkeys(plain(frame["group"])), key=lambda g: (g == -1, g))
        drawn = long[long["group"].isin(groups)]
    n = sorted(set(plain(table_or_stated(drawn)["report_id"].astype(str))))
    missing = int(drawn.loc[drawn["value"].isna(), "report_id"].nunique())
    used = table_or_stated(drawn)
    used = used[used["conflict"].astype(bool).to_numpy()]
    marked = {(g if g in groups else OTHERS, key) for g, key in zip(plain(used["group"]), plain(used["series"]))}
    marked = {gk for gk in marked if gk[0] in groups and sums.get(gk, (None, True))[0] is not None}
    if marked:
        texts = dict(texts or {})
        for gk in marked:
            texts[gk] = (texts.get(gk) or number_text(sums[gk][0])) + CONFLICT_MARK
        notes.append(CONFLICT_NOTE)
    if not n and not groups:
        return chart_figure(zh, en, 0, 0, source, None, notes=notes)

    def draw(fig):
        ax = fig.add_subplot()
        top_value = grouped_hbars(ax, groups, labels, _APP_SERIES, sums, stated, texts)
        headroom(ax, top_value, horizontal=True)
        integer_axis(ax, horizontal=True)
        if top_value == 0:
            all_zero_note(ax)
        ax.set_xlabel("每份报告平均件数 / Applications per report" if per else "件 / Applications")
        ax.set_ylabel(axis)
        legend_above(ax, ncols=3)

    return chart_figure(zh, en, n, missing, source, draw, height=bar_height(len(groups) * 1.6),
                        missing_unit="份报告", notes=notes)


#: Rates drawn by :func:`rates`: (indicator, zh, en, colour).
RATE_SERIES = (
    ("disclosure_rate", "公开率", "Disclosure rate", PALETTE[0]),
    ("denial_rate", "不予公开率", "Denial rate", PALETTE[3]),
)


#: How :func:`rates` orders groups other than years (said in its source line).
RATES_ORDER_NOTE = "按每份报告平均件数（比例的分母）排序 / ordered by mean cases per report (the rate's denominator)"


def rates(indicators: "pd.DataFrame", by: str = "year", *, names: Sequence[str] | None = None,
          source: str | None = None) -> "Figure":
    """Pooled rates with Wilson 95% intervals per year (or organ, the :data:`MAX_ORGANS` organs
    with the most cases per report): dots with whiskers.

    *indicators* is :func:`toolkit.indicators`; *names* picks rate indicators
    (default disclosure and denial rate).  Each rate is Σ numerator / Σ
    denominator over the reports that have both
    (:func:`toolkit.analysis.pooled_rate`); the label gives the rate and the
    number of cases it rests on.  A group with no usable report is ``n/a``.
    The tick label counts the reports that contribute a case (numerator and
    denominator present, denominator above 0) and, when that is fewer than the
    group's reports, of how many: ``2023年 / 计入 4 份（共 7 份报告）``.  A pooled rate
    to which a report contributes whose text contradicts its table 3 (*indicators*'
    ``conflict``) ends in ``†``, and the source line says what the mark means.

    Years are in year order.  Organs (and provinces, levels, sectors) are in
    order of their mean cases per report -- the first rate's denominator
    (applications handled, for the disclosure rate), averaged over the group's
    reports that contribute a case -- never of their summed cases, which would
    put an organ of many reports above a larger one of few (``docs/METHODS.md``
    §2.1); ties by name.  The source line says so.  It is a drawing order, not
    a ranking of the rates.
    """
    import numpy as np

    from ..analysis.aggregation import pooled_rate, without_unformed_rates

    check_by(by)
    series = [s for s in RATE_SERIES if names is None or s[0] in names]
    if names is not None:
        known = {s[0] for s in series}
        series += [(n, n, n, PALETTE[(i + 2) % len(PALETTE)]) for i, n in enumerate(names) if n not in known]
    zh = "公开率与不予公开率（95% 置信区间）：" + GROUP_TITLES[by][0]
    en = "Disclosure and denial rates with 95% intervals, " + GROUP_TITLES[by][1]
    if is_empty(indicators):
        return chart_figure(zh, en, 0, 0, source, None)
    require_columns(indicators, ("report_id", "indicator", "numerator", "denominator", "value"),
             "indicators() frame expected")
    wanted = [s[0] for s in series]
    sub = indicators[matches(indicators["indicator"], wanted)]
    if sub.empty:
        return chart_figure(zh, en, 0, 0, source, None)
    sub = without_unformed_rates(sub)  # a copy; a rate that could not be formed is left out of the pool
    # Reports with 0 cases add nothing to a pooled rate: they are not counted as contributing,
    # neither in the tick labels nor in the source line.
    contributing = set(plain(sub.loc[sub["numerator"].notna() & (sub["denominator"] > 0).fillna(False),
                                     "report_id"].astype(str)))
    group_of, labels, axis = report_groups(list(dict.fromkeys(plain(sub["report_id"].astype(str)))), first_rows(sub),
                                           by, counted=contributing)
    sub["group"] = sub["report_id"].astype(str).map(group_of)
    sub["indicator"] = sub["indicator"].astype("string")
    pooled = pooled_rate(sub, "numerator", "denominator", ["group", "indicator"])
    got = {(r.group, r.indicator): r for r in pooled.itertuples(index=False)}
    # Groups are ordered per report (METHODS §2.1), not by their summed cases, which would rank an
    # organ of many reports above a larger one of few: by the mean denominator (cases) per report
    # that contributes one, each report once (its first rate's denominator, in the order drawn).
    rank = {key: i for i, key in enumerate(wanted)}
    formed = sub[(sub["numerator"].notna() & (sub["denominator"] > 0)).fillna(False).to_numpy(dtype=bool)]
    formed = formed.assign(_rank=formed["indicator"].map(rank).to_numpy()).sort_values(["_rank"], kind="stable")
    cases = formed.drop_duplicates("report_id").groupby("group")["denominator"].mean()

    def order(g):
        if by == "year":
            return (g == -1, g, "")
        c = cases.get(g)
        return (_is_na(c), -(0.0 if _is_na(c) else float(c)), labels[g])

    def usable(g, key):
        r = got.get((g, key))
        return r is not None and not _is_na(r.value)

    groups = sorted(set(plain(sub["group"])), key=order)
    rest: list = []
    if by != "year":
        # The organs with the most cases per report, as the other organ charts; the rest pooled in one row.
        groups, rest = groups[:MAX_ORGANS], groups[MAX_ORGANS:]
        if len(rest) == 1:  # one group more: drawn rather than a summary of one
            groups, rest = groups + rest, []
        if rest:
            summed = matches(sub["group"], rest)
            members = list(dict.fromkeys(plain(sub.loc[summed, "report_id"].astype(str))))
            labels[OTHERS] = others_label(by, len(rest), members, contributing)
            sub = sub.assign(group=np.where(summed, OTHERS, sub["group"].astype(object).to_numpy()))
            for r in pooled_rate(sub[summed], "numerator", "denominator", ["group", "indicator"]).itertuples(index=False):
                got[(r.group, r.indicator)] = r
            groups = groups + [OTHERS]
    n = sorted(contributing & set(plain(sub["report_id"].astype(str))))
    k = len(series)
    # A pooled rate resting on a report whose text contradicts the table carries the mark.
    marked: set = set()
    if "conflict" in sub.columns:
        hit = sub[sub["conflict"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                  & matches(sub["report_id"].astype(str), contributing)]
        marked = set(zip(plain(hit["group"]), plain(hit["indicator"].astype(str))))
    notes = [CONFLICT_NOTE] if any(usable(g, key) for g, key in marked if g in groups) else []
    if by != "year":
        notes[0:0] = [RATES_ORDER_NOTE] + ([others_note(by, len(groups) - 1, len(rest))] if rest else [])

    def draw(fig):
        ax = fig.add_subplot()
        empty = {g for g in groups if not any(usable(g, key) for key, *_rest in series)}
        for j, g in enumerate(groups):
            if g in empty:
                value_label(ax, j, 0.0, f"{NA_LABEL}（无可计算的比例 / no rate）", True, colour=MUTED_COLOUR,
                             gid=NA_GID)
        for i, (key, szh, sen, colour) in enumerate(series):
            labelled = False
            for j, g in enumerate(groups):
                y = j + (i - (k - 1) / 2) * 0.7 / k
                r = got.get((g, key))
                if not usable(g, key):
                    if g not in empty:
                        value_label(ax, y, 0.0, NA_LABEL, True, colour=MUTED_COLOUR, gid=NA_GID)
                    continue
                lo = float(r.ci_low) if not _is_na(r.ci_low) else float(r.value)
                hi = float(r.ci_high) if not _is_na(r.ci_high) else float(r.value)
                ax.plot([lo, hi], [y, y], color=colour, linewidth=2, solid_capstyle="butt")
                ax.plot([float(r.value)], [y], "o", color=colour, markersize=6,
                        label=None if labelled else f"{szh} / {sen}")
                labelled = True
                mark = CONFLICT_MARK if (g, key) in marked else ""
                ax.annotate(f"{float(r.value):.0%}（{number_text(float(r.numerator))}/{number_text(float(r.denominator))}）{mark}",
                            (hi, y), xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                            fontsize=8.5, color=TEXT_COLOUR, gid=VALUE_GID, annotation_clip=False)
        ax.set_yticks(range(len(groups)), [labels[g] for g in groups], fontsize=9 if len(groups) <= 12 else 8)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(0, 1.3)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
        ax.grid(False)
        ax.grid(True, axis="x")
        ax.set_xlabel("比例（点）及 95% 置信区间（线）/ Rate (dot), 95% interval (line)")
        ax.set_ylabel(axis)
        handles = [h for h in ax.get_legend_handles_labels()[0]]
        if handles:
            legend_above(ax, ncols=2)

    # A two-line tick label (group, then how many reports count) needs a taller row than a bar pair.
    per_row = 2.0 if any("\n" in str(labels[g]) for g in groups) else 1.3
    return chart_figure(zh, en, n, 0, source, draw, height=bar_height(len(groups) * per_row), notes=notes)


class IndicatorRows:
    """The rows of some indicators a chart drawn from :func:`toolkit.indicators` reads, gathered a
    run of reports at a time (:meth:`add`; a report's rows come in one run) and drawn at once
    (:meth:`figure`): only the columns the chart reads are kept (an indicator's ``reason``,
    ``template`` or interval are not), their strings as categories (a report's id, organ and name
    repeat on each of its rows), so a build's charts hold neither the whole corpus's indicators
    frame nor the indicators they do not draw.  The rows laid end to end are the frame the chart
    function takes, so the figure is the one it draws from the whole frame."""

    #: The chart function and the columns of the indicators frame it reads (besides groupings).
    draw = None
    columns: tuple[str, ...] = ()
    #: Columns a grouping reads (``report_groups``; province, level and sector when merged in).
    GROUP_COLUMNS = REPORT_GROUP_COLUMNS

    def __init__(self, by: str | None = None):
        self.by = by
        self.parts: list = []
        self.dtypes: dict = {}
        self.joined: dict = {}  # the frame of the parts, once made (shared with the groupings')

    def add(self, indicators: "pd.DataFrame | None") -> "IndicatorRows":
        if indicators is None or (not self.dtypes and len(indicators.columns) == 0):
            return self
        import pandas as pd

        wanted = set(self.columns) | set(self.GROUP_COLUMNS)
        part = indicators[[c for c in indicators.columns if c in wanted]].reset_index(drop=True)
        if not self.dtypes:
            self.dtypes.update(part.dtypes)
        text = [c for c in part.columns if self.dtypes.get(c) == object or isinstance(self.dtypes.get(c), pd.StringDtype)]
        self.parts.append(part.astype({c: "category" for c in text}) if len(part) else part)
        self.joined.clear()
        return self

    def grouped(self, by: str | None) -> "IndicatorRows":
        """The same rows drawn by *by*: they do not depend on the grouping, so a chart written by
        several groupings gathers them once (what is added to either is added to both)."""
        twin = type(self)(by)
        twin.parts, twin.dtypes, twin.joined = self.parts, self.dtypes, self.joined
        return twin

    def frame(self) -> "pd.DataFrame":
        """The rows added, in the order added, with the columns' types as they came (made once for
        all the groupings the rows are drawn by; the chart functions leave it untouched)."""
        if "frame" not in self.joined:
            self.joined["frame"] = self._joined()
        return self.joined["frame"]

    def _joined(self) -> "pd.DataFrame":
        import pandas as pd
        from pandas.api.types import union_categoricals

        if not self.parts:
            return pd.DataFrame()
        parts = [p for p in self.parts if len(p)] or self.parts[:1]
        columns = {}
        for c in parts[0].columns:
            if isinstance(parts[0][c].dtype, pd.CategoricalDtype):
                joined = pd.Series(union_categoricals([p[c] for p in parts]))
                # A column of strings goes back to its type; one read as categories stays so.
                kind = self.dtypes.get(c)
                columns[c] = joined if isinstance(kind, pd.CategoricalDtype) else joined.astype(kind)
            else:
                columns[c] = pd.concat([p[c] for p in parts], ignore_index=True)
        return pd.DataFrame(columns)

    def figure(self, *, source: str | None = None) -> "Figure":
        kwargs = {"source": source} if self.by is None else {"by": self.by, "source": source}
        return type(self).draw(self.frame(), **kwargs)


class ApplicationRows(IndicatorRows):
    """:func:`applications_and_refusals` gathered a run of reports at a time."""

    draw = staticmethod(applications_and_refusals)
    columns = ("report_id", "indicator", "value", "numerator", "source", "conflict")


class RateRows(IndicatorRows):
    """:func:`rates` gathered a run of reports at a time."""

    draw = staticmethod(rates)
    columns = ("report_id", "indicator", "numerator", "denominator", "value", "conflict")


# ------------------------------------------------------------------ charts on tables

#: Indicators that read one table only: their ``conflict`` says the report's text contradicts a
#: cell of that table (and so, by its sum identities, the cells drawn from it).
CONFLICT_OF = {"t3": ("applications", "disclosure_rate", "denial_rate", "unavailable_rate",
                       "not_processed_rate", "other_rate"),
                "t4": ("reconsideration_correction_rate", "litigation_correction_rate")}


def conflict_reports(indicators: "pd.DataFrame | None", table: str) -> set[str]:
    """The report_ids whose *table* (``t3`` or ``t4``) the report's own text contradicts, from the
    ``conflict`` column of *indicators* (none when it is None or has no such column)."""
    if indicators is None or is_empty(indicators) or "conflict" not in indicators.columns:
        return set()
    sub = indicators[matches(indicators["indicator"], CONFLICT_OF[table])]
    hit = sub["conflict"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return set(plain(sub.loc[hit, "report_id"].astype(str)))


def _shared(value):
    """*value*, a string as the one object of its text (:func:`sys.intern`): the share charts each
    keep every report's id and organ, and would otherwise each hold a copy of every one."""
    import sys

    return sys.intern(value) if type(value) is str else value


def _report_meta(indicators: "pd.DataFrame | None") -> dict:
    """report_id -> (agency, year) from an indicators frame ({} when it has neither); the reports
    of one organ and year share one (agency, year)."""
    if indicators is None or is_empty(indicators) or not {"report_id", "agency", "year"} <= set(indicators.columns):
        return {}
    first = indicators.drop_duplicates("report_id")
    pairs: dict = {}
    return {str(r): pairs.setdefault((_shared(a), y), (_shared(a), y))
            for r, a, y in zip(*(first[c].to_numpy(dtype=object) for c in ("report_id", "agency", "year")))}


class MeanShares:
    """The mean over reports of each report's own shares (:func:`report_shares`) of some cells,
    gathered a part of the reports at a time (:meth:`add`; a report's cells come in one part):
    the shares (one number per report and part), per unit the reports whose shares were formed,
    whose parts are all 0 and with a part missing, the organ and year of each, and the units
    whose mean includes a report whose text contradicts its *table*."""

    def __init__(self, part: str, unit: str | None, table: str):
        self.part, self.unit, self.table = part, unit, table
        self.keys: dict[tuple, int] = {}  # (unit, part) -> its number, in the order first met
        self.codes: list = []  # per part of the reports: each share's (unit, part) number ...
        self.values: list = []  # ... and the share, in the order report_shares gives them
        self.used: dict[str, set[str]] = {}
        self.zero: dict[str, set[str]] = {}
        self.missing: dict[str, set[str]] = {}
        self.marked: set = set()
        self.meta: dict = {}
        self.read = False  # some cell was read

    def add(self, cells: "pd.DataFrame | None", indicators: "pd.DataFrame | None") -> "MeanShares":
        if is_empty(cells):
            return self
        import numpy as np
        import pandas as pd

        self.read = True
        shares, status = report_shares(cells, self.part, self.unit)
        bad = conflict_reports(indicators, self.table)
        # Each share's (unit, part) numbered on the distinct pairs (few), not pair by pair.
        unit, units = pd.factorize(shares["unit"], sort=False)
        part, parts = pd.factorize(shares["part"], sort=False)
        pair, pairs = pd.factorize(unit.astype(np.int64) * max(len(parts), 1) + part, sort=False)
        number = np.array([self.keys.setdefault((units[k // max(len(parts), 1)], parts[k % max(len(parts), 1)]),
                                                len(self.keys)) for k in pairs], dtype=np.int32)
        self.codes.append(number[pair])
        self.values.append(shares["share"].to_numpy(dtype=float))
        # Each report's id made a string once (a report has a row per unit), shared (_shared).
        code, ids = pd.factorize(status["report_id"], sort=False, use_na_sentinel=False)
        rid = np.array([_shared(r) for r in ids], dtype=object)[code]
        unit, units = pd.factorize(status["unit"], sort=False)
        kinds = status["status"].to_numpy(dtype=object)
        for kind, into in ((SHARE, self.used), (ZERO, self.zero), (MISSING, self.missing)):
            for i, u in enumerate(units):
                ids = set(rid[(kinds == kind) & (unit == i)])
                if ids:
                    into.setdefault(u, set()).update(ids)
                    if kind == SHARE and ids & bad:
                        self.marked.add(u)
        meta = _report_meta(indicators)
        self.meta.update((r, meta[r]) for r in set(rid) if r in meta)
        return self

    def means(self) -> dict:
        """{(unit, part): mean of the reports' shares}."""
        import numpy as np
        import pandas as pd

        keys = list(self.keys)
        if not keys:
            return {}
        # One grouped mean over the shares in the order they were read: the same sums, in the same
        # order, as over the whole corpus at once.
        frame = pd.DataFrame({"k": np.concatenate(self.codes), "share": np.concatenate(self.values)})
        return {keys[int(i)]: float(v) for i, v in frame.groupby("k", sort=False)["share"].mean().items()}


def _reports_en(n: int) -> str:
    return f"{n:,} report" + ("" if n == 1 else "s")


def _missing_note(ids: set, meta: dict) -> list[str]:
    """The source-line clause naming the reports left out for a missing cell (none: no clause)."""
    if not ids:
        return []
    return [f"缺失值未计入：{named_reports(ids, meta)}（{len(ids):,} 份报告）/ "
            f"{_reports_en(len(ids))} left out, a value missing"]


def _ungrouped_shares(agg: "MeanShares", keys, none_zh: str, none_en: str):
    """What an ungrouped share chart draws from *agg*: the mean share of each of *keys*, the
    reports drawn on (those with a share, and those with none: *none_zh* / *none_en* say why),
    the title's scope, the conflict mark and the source line's notes."""
    means, used, zero, marked, meta = agg.means(), agg.used, agg.zero, agg.marked, agg.meta
    ids, none = used.get("", set()), zero.get("", set())
    zh_scope, en_scope = _share_scope(ids, meta)
    values = [means.get(("", k)) for k in keys]
    mark = CONFLICT_MARK if "" in marked else ""
    notes = [f"其中 {len(none):,} 份报告{none_zh}，无占比 / {_reports_en(len(none))} {none_en}: no share"] if none else []
    notes += _missing_note(agg.missing.get("", set()), meta) + ([CONFLICT_NOTE] if mark else [])
    return values, sorted(ids | none), zh_scope, en_scope, mark, notes


def _share_scope(ids: set, meta: dict) -> tuple[str, str]:
    """Title suffixes (zh, en) saying over which reports and years a mean of reports' shares is taken."""
    years = [meta[r][1] for r in ids if r in meta and not _is_na(meta[r][1])]
    n = len(ids)
    whose = "1 report's own shares" if n == 1 else f"{n:,} reports' own shares"
    if years:
        span = years_text(years)
        return f"（{span} 年 {n:,} 份报告占比的平均）", f" (mean of {whose}, {span})"
    return f"（{n:,} 份报告占比的平均）", f" (mean of {whose})"


def _share_axis(ax, horizontal: bool = False) -> None:
    """A share axis in percent (0 to 100%)."""
    from matplotlib.ticker import FixedLocator, PercentFormatter

    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(False)
    ax.grid(True, axis="x" if horizontal else "y")


class ApplicantShares:
    """What :func:`applications_by_applicant` draws, gathered a part of the reports at a time
    (:meth:`add`, the chart's inputs; :meth:`figure` draws it)."""

    def __init__(self):
        self.shares = MeanShares("column", None, "t3")

    def add(self, tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None) -> "ApplicantShares":
        from .. import schema

        cols = [c.key for c in schema.T3_COLUMNS if c.key != "total"]
        self.shares.add(None if is_empty(tables) else select_cells(tables, "t3", ["new_received"], cols), indicators)
        return self

    def figure(self, *, source: str | None = None) -> "Figure":
        from .. import schema

        zh, en = "新收申请：按申请人类型", "New applications by applicant type"
        cols = [c for c in schema.T3_COLUMNS if c.key != "total"]
        agg = self.shares
        if not agg.read:
            return chart_figure(zh, en, 0, 0, source, None)
        values, drawn, zh_scope, en_scope, mark, notes = _ungrouped_shares(
            agg, [c.key for c in cols], "本年无新收申请", "received no application")
        texts = [share_text(v) + mark if v is not None else "" for v in values]

        def draw(fig):
            ax = fig.add_subplot()
            labels = [f"{'其他组织' if c.key == 'other_org' else c.zh}\n{wrap_label(c.en)}" for c in cols]
            draw_bars(ax, range(len(cols)), values, colour=PALETTE[0], labels=texts)
            ax.set_xticks(range(len(cols)), labels, fontsize=9)
            ax.set_xlim(-0.5, len(cols) - 0.5)
            ax.set_ylim(0, 1.15)
            _share_axis(ax)
            ax.set_xlabel("申请人类型 / Applicant type")
            ax.set_ylabel("各报告占比的平均 / Mean of the reports' shares")

        return chart_figure(zh + zh_scope, en + en_scope, drawn, 0, source, draw, notes=notes)


def applications_by_applicant(tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None, *,
                              source: str | None = None) -> "Figure":
    """Bar chart: who applies -- the mean over reports of each report's own share of its new
    applications (t3 ``new_received``) by applicant type.

    *tables* is ``load_tables()``; the six applicant columns (自然人 … 其他) in
    template order, labels from :data:`toolkit.schema.T3_COLUMNS`.  A report's
    share of a type is its cell over the sum of its six applicant cells (its
    总计 where the row sums hold, audit ``t3.row_sum``), and every report weighs
    the same: the chart draws no sum over reports of different organs, years
    and templates (``docs/METHODS.md`` §2.1), so no large organ makes the bars
    its own.  The title says over how many reports and which years the mean is
    taken; the source line counts the reports read (those that received no
    application have no share, and it says how many) and names the reports
    left out because a cell is missing.  *indicators* (``toolkit.indicators``)
    gives each report's organ and year and its ``conflict``: the bars of a mean
    that includes a report whose text contradicts its table 3 are marked ``†``.
    """
    return ApplicantShares().add(tables, indicators).figure(source=source)


#: Outcome groups of table 3: (zh, en, row keys or prefix).
OUTCOME_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("予以公开", "Granted", "granted"),
    ("部分公开", "Partially granted", "partially_granted"),
    ("不予公开", "Denied", "denied."),
    ("无法提供", "Unavailable", "unavailable."),
    ("不予处理", "Not processed", "not_processed."),
    ("其他处理", "Other handling", "other."),
)


def _outcome_group(row: str) -> int | None:
    for i, (_zh, _en, key) in enumerate(OUTCOME_GROUPS):
        if row == key or (key.endswith(".") and row.startswith(key)):
            return i
    return None


class OutcomeShares:
    """What :func:`outcomes` draws, gathered a part of the reports at a time (:meth:`add`, the
    chart's inputs; :meth:`figure` draws it)."""

    def __init__(self):
        self.shares = MeanShares("group", None, "t3")

    def add(self, tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None) -> "OutcomeShares":
        cells = None if is_empty(tables) else select_cells(tables, "t3", columns=["total"])
        if not is_empty(cells):
            groups = map_values(cells["row"], lambda r: _outcome_group(str(r)))
            keep = groups.notna().to_numpy()
            cells = cells.loc[keep].assign(group=groups.to_numpy()[keep])
        self.shares.add(cells, indicators)
        return self

    def figure(self, *, source: str | None = None) -> "Figure":
        zh, en = "依申请公开：办理结果", "How applications were handled"
        agg = self.shares
        if not agg.read:
            return chart_figure(zh, en, 0, 0, source, None)
        values, drawn, zh_scope, en_scope, mark, notes = _ungrouped_shares(
            agg, range(len(OUTCOME_GROUPS)), "办理结果均为 0", "handled no application")

        def draw(fig):
            ax = fig.add_subplot()
            colours = [PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[1], PALETTE[5], PALETTE[4]]
            for i, (v, colour) in enumerate(zip(values, colours)):
                draw_bars(ax, [i], [v], horizontal=True, width=0.6, colour=colour,
                          labels=[share_text(v) + mark if v is not None else ""])
            ax.set_yticks(range(len(OUTCOME_GROUPS)), [f"{z}\n{e}" for z, e, _k in OUTCOME_GROUPS])
            ax.set_ylim(len(OUTCOME_GROUPS) - 0.5, -0.5)
            ax.set_xlim(0, 1.15)
            _share_axis(ax, horizontal=True)
            ax.set_xlabel("各报告占比的平均 / Mean of the reports' shares")
            ax.set_ylabel("办理结果 / Outcome")

        return chart_figure(zh + zh_scope, en + en_scope, drawn, 0, source, draw, notes=notes)


def outcomes(tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None, *,
             source: str | None = None) -> "Figure":
    """Horizontal bars: how applications were handled -- the mean over reports of each report's own
    share of its handled applications (t3 ``total`` column) by outcome group.

    予以公开 and 部分公开 as they are; ``denied.*`` summed as 不予公开,
    ``unavailable.*`` as 无法提供, ``not_processed.*`` as 不予处理 and
    ``other.*`` (also the 2019 template's ``other.all``) as 其他处理.  A
    report's share of a group is the group over the sum of its six groups (its
    (七)总计 where the outcome rows add up, audit ``t3.outcomes``): the
    report's own rate, as in ``docs/METHODS.md`` §1.  Every report weighs the
    same: no sum over reports of different organs and years is drawn (§2.1).
    The title says over how many reports and which years; the source line
    counts the reports read (one that handled no application has no share, and
    it says how many) and names those left out because a cell is missing.  The
    bars of a mean that includes a report whose text contradicts its table 3
    (*indicators*' ``conflict``) are marked ``†``.
    """
    return OutcomeShares().add(tables, indicators).figure(source=source)


_DISCLOSURE_ROWS = ("licensing", "penalty", "coercion")


def _disclosure_cells(tables: "pd.DataFrame | None", reports: "pd.DataFrame | None",
                      template: str | None) -> "pd.DataFrame | None":
    """The t2 decision cells :func:`proactive_disclosure` draws: of the reports of *template* (by
    *reports*' ``template``, else their year), or of every report without *reports*."""
    cells = None if is_empty(tables) else select_cells(tables, "t2", _DISCLOSURE_ROWS, ["decisions"])
    if template is not None and not is_empty(cells) and not is_empty(reports) and "report_id" in reports.columns:
        if "template" in reports.columns:
            kept = matches(reports["template"], [template])
        else:
            import pandas as pd

            year = pd.to_numeric(reports["year"], errors="coerce")
            kept = (year.between(2019, 2020) if template == "2019" else year >= 2021).fillna(False).to_numpy(dtype=bool)
        ids = set(plain(reports.loc[kept, "report_id"].astype(str)))
        cells = cells[matches(cells["report_id"].astype(str), ids)]
    return cells


class ProactiveCells:
    """What :func:`proactive_disclosure` draws, gathered a run of reports at a time (:meth:`add`, the
    chart's inputs): the three decision cells of each report of the template and the rows of
    those reports (organ, year); :meth:`figure` draws the chart from them alone."""

    #: The columns of the reports :func:`proactive_disclosure` reads (its template, groupings and names).
    REPORT_COLUMNS = ("report_id", "template", *REPORT_GROUP_COLUMNS)

    def __init__(self, by: str = "organ", *, template: str | None = "2021", top: int | None = None):
        check_by(by)
        self.by, self.template, self.top = by, template, top
        self.cells: list = []
        self.reports: list = []
        # Whether reports were given (they say each report's organ, year and template); in a dict,
        # shared with the groupings'.
        self.flags = {"given": False}

    def add(self, tables: "pd.DataFrame", reports: "pd.DataFrame | None" = None) -> "ProactiveCells":
        cells = _disclosure_cells(tables, reports, self.template)
        self.flags["given"] = self.flags["given"] or reports is not None
        if not is_empty(cells):
            self.cells.append(cells)
            if reports is not None:
                ids = set(plain(cells["report_id"].astype(str)))
                read = [c for c in reports.columns if c in self.REPORT_COLUMNS]
                self.reports.append(reports.loc[matches(reports["report_id"].astype(str), ids), read])
        return self

    def grouped(self, by: str) -> "ProactiveCells":
        """The same cells and reports drawn by *by*: what is gathered does not depend on the
        grouping, so the chart written by several groupings gathers it once (what is added to
        either is added to both)."""
        twin = type(self)(by, template=self.template, top=self.top)
        twin.cells, twin.reports, twin.flags = self.cells, self.reports, self.flags
        return twin

    def figure(self, *, source: str | None = None) -> "Figure":
        import pandas as pd

        cells = pd.concat(self.cells, ignore_index=True) if self.cells else None
        reports = pd.concat(self.reports, ignore_index=True) if self.reports else None
        if reports is None and self.flags["given"]:
            reports = pd.DataFrame({"report_id": pd.Series([], dtype=object)})
        # The cells gathered are of the template already: drawn as they are.
        return proactive_disclosure(cells, reports, self.by, top=self.top, source=source, template=self.template)


def proactive_disclosure(tables: "pd.DataFrame", reports: "pd.DataFrame | None" = None, by: str = "organ", *,
                         top: int | None = None, source: str | None = None,
                         template: str | None = "2021") -> "Figure":
    """Grouped horizontal bars: t2 licensing / penalty / coercion decisions, per organ or per year.

    *tables* is ``load_tables()``; *reports* (``load_reports()``) says which
    organ and year each report belongs to (without it each report is its own
    organ, labelled by its id, and every report falls in 年份不详).
    ``by="organ"`` (also province, admin_level, sector) compares like with like:
    each bar is the group's mean per report over the reports that have the cell
    (the tick label says how many reports and which years; a bar resting on
    fewer gives its own count); the *top* (:data:`MAX_ORGANS`) groups with the
    most decisions per report are drawn and the rest summarised in one row.
    ``by="year"`` sums each year's reports.  The
    2019 template's 处理决定数量 and the 2021 template's 本年处理决定数量 share a
    name, but nothing shows that they count the same thing, so one template is
    drawn: *template* (default ``"2021"``; ``"2019"`` for the other) keeps the
    reports of that template (*reports*' ``template``, else their year:
    2019–2020 are the 2019 template).  ``template=None`` draws every report,
    pooling the two; without *reports* nothing says a report's template and
    every report is drawn.
    """
    from .. import schema

    check_by(by)
    if template not in ("2019", "2021", None):
        raise ValueError(f"template must be '2019', '2021' or None, not {template!r}")
    mean = "" if by == "year" else "，每份报告平均"
    zh = f"主动公开：行政许可、处罚、强制决定数量（{GROUP_TITLES[by][0]}{mean}）"
    en = "Proactive disclosure: licensing, penalty and coercion decisions, " + GROUP_TITLES[by][1] \
        + ("" if by == "year" else ", mean per report")
    if template is not None:
        zh += f"，{template}年模板"
        en += f", {template} template"
    cells = _disclosure_cells(tables, reports, template)
    if is_empty(cells):
        return chart_figure(zh, en, 0, 0, source, None)
    report_ids = list(dict.fromkeys(str(r) for r in plain(cells["report_id"].dropna())))
    per = by != "year"
    counted = set(plain(cells.loc[cells["value"].notna().to_numpy(dtype=bool), "report_id"].astype(str))) \
        if per else None
    group_of, labels, axis = report_groups(report_ids, reports, by, counted=counted)
    cells = cells.assign(group=cells["report_id"].astype(object).map(lambda r: group_of.get(str(r))).to_numpy())
    texts = None
    notes: list[str] = []
    if per:  # like with like: each group's mean per report, the rest in one row
        long = cells.assign(series=cells["row"].astype(str).to_numpy(), stated=False)
        groups, sums, texts, _stated, _drawn = group_means(long, list(_DISCLOSURE_ROWS), labels, by,
                                                           top or MAX_ORGANS, lambda got: sum(got.values()))
        drawn = cells
        if OTHERS in groups:
            notes.append(others_note(by, len(groups) - 1, len(set(plain(cells["group"]))) - len(groups) + 1))
    else:
        sums = group_sums(cells, ["group", "row"])
        groups = sorted(dict.fromkeys(group_of[r] for r in report_ids), key=lambda g: (g == -1, g))
        drawn = cells[cells["group"].isin(groups)]
    rows = {r.key: r for r in schema.T2_ROWS}
    present = [v for (g, _k), (v, _c) in sums.items() if g in groups and v is not None]
    top_value = max(present, default=0.0)

    short = {"licensing": "Licensing", "penalty": "Penalties", "coercion": "Coercion"}
    series = [(key, f"{rows[key].zh} / {short[key]}", PALETTE[i]) for i, key in enumerate(_DISCLOSURE_ROWS)]

    def draw(fig):
        ax = fig.add_subplot()
        grouped_hbars(ax, groups, labels, series, sums, texts=texts)
        headroom(ax, top_value, horizontal=True)
        integer_axis(ax, horizontal=True)
        if top_value == 0:
            all_zero_note(ax)
        ax.set_ylabel(axis)
        ax.set_xlabel("每份报告平均处理决定数量（件）/ Decisions per report" if per
                      else "本年处理决定数量（件）/ Decisions")
        legend_above(ax, ncols=3)

    return chart_figure(zh, en, contributing_ids(drawn), n_missing_cells(drawn), source, draw,
                        height=bar_height(len(groups) * 1.6), notes=notes)


class AppealShares:
    """What :func:`appeals` draws, gathered a part of the reports at a time (:meth:`add`, the
    chart's inputs; :meth:`figure` draws it)."""

    def __init__(self):
        self.shares = MeanShares("column", "row", "t4")

    def add(self, tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None) -> "AppealShares":
        from .. import schema

        parts = [c.key for c in schema.T4_COLUMNS if c.key != "total"]
        cells = None if is_empty(tables) else select_cells(tables, "t4", [r.key for r in schema.T4_ROWS], parts)
        self.shares.add(cells, indicators)
        return self

    def figure(self, *, source: str | None = None) -> "Figure":
        from .. import schema

        zh, en = "行政复议、行政诉讼的结果", "Reconsideration and litigation: results"
        parts = [c for c in schema.T4_COLUMNS if c.key != "total"]
        rows = schema.T4_ROWS
        agg = self.shares
        if not agg.read:
            return chart_figure(zh, en, 0, 0, source, None)
        means, used, zero, missing, marked, meta = agg.means(), agg.used, agg.zero, agg.missing, agg.marked, agg.meta
        read = set().union(*used.values(), *zero.values())
        left_out = set().union(*missing.values()) - read
        partly = set().union(*missing.values()) & read
        years = [meta[r][1] for r in read if r in meta and not _is_na(meta[r][1])]
        span = years_text(years) if years else None
        zh_scope = f"（{span} 年各报告占比的平均）" if span else "（各报告占比的平均）"
        en_scope = f" (mean of the reports' own shares, {span})" if span else " (mean of the reports' own shares)"
        notes = _missing_note(left_out | partly, meta)
        if any(r.key in marked for r in rows):
            notes.append(CONFLICT_NOTE)

        def tick(r) -> str:
            k, n = len(used.get(r.key, ())), len(used.get(r.key, ())) + len(zero.get(r.key, ()))
            said = f"{k:,} 份有案件（共 {n:,} 份报告）" if n else "无可读数值"
            return f"{r.zh}\n{r.en}\n{said}"

        def draw(fig):
            from matplotlib.patches import Patch

            ax = fig.add_subplot()
            y = list(range(len(rows)))
            left = [0.0] * len(rows)
            for i, c in enumerate(parts):
                vals = [means.get((r.key, c.key)) for r in rows]
                drawn = [(j, v) for j, v in zip(y, vals) if v is not None]
                bars = ax.barh([j for j, _v in drawn], [v for _j, v in drawn], left=[left[j] for j, _v in drawn],
                               height=0.6, color=PALETTE[i])
                for (j, v), bar in zip(drawn, bars):
                    # At the segment's centre, as plain text (a figure must pickle); hidden when too narrow.
                    t = ax.text(left[j] + v / 2, j, share_text(v) if v else "", ha="center", va="center",
                                fontsize=8.5, color="white", gid="xxgk-inside")
                    t.xxgk_bar, t.xxgk_kind = bar, c.zh
                    left[j] += v
            ax.set_yticks(y, [tick(r) for r in rows], fontsize=9)
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xlim(0, 1.0)
            _share_axis(ax, horizontal=True)
            ax.set_xlabel("各报告占比的平均 / Mean of the reports' shares")
            ax.set_ylabel("案件类型 / Case type")
            # The legend from patches: a result no report has still shows its colour.
            ax.legend(handles=[Patch(color=PALETTE[i], label=f"{c.zh} / {c.en}") for i, c in enumerate(parts)],
                      loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=2, fontsize=9, borderaxespad=0.0)
            hidden = fit_inside_labels(fig, ax)
            for j, r in enumerate(rows):
                if not used.get(r.key):
                    said = "无案件 / no case" if zero.get(r.key) else f"{NA_LABEL}（无可读数值 / no readable value）"
                    value_label(ax, j, 0.0, said, True, colour=MUTED_COLOUR, gid=NA_GID)
                    continue
                after = "，".join(hidden.get(j, [])) + (CONFLICT_MARK if r.key in marked else "")
                if after:
                    value_label(ax, j, left[j], after, True)

        return chart_figure(zh + zh_scope, en + en_scope, sorted(read), 0, source, draw,
                            height=bar_height(len(rows) * 2.2), notes=notes)


def appeals(tables: "pd.DataFrame", indicators: "pd.DataFrame | None" = None, *,
            source: str | None = None) -> "Figure":
    """Stacked horizontal bars, one per case type (行政复议, 直接起诉, 复议后起诉): the mean over
    reports of each report's own shares of its t4 cases by result (维持 / 纠正 / 其他 / 尚未审结).

    A report's share of a result is its cell over the sum of the row's four
    result cells (the row's 总计 where it adds up, audit ``t4.row_sum``); a
    report with no case of a type has no share there, and each bar's tick label
    says how many reports had a case of that type of how many read
    (``6 份有案件（共 15 份报告）``).  Every report weighs the same: no sum over
    reports of different organs and years is drawn (``docs/METHODS.md`` §2.1).
    A share too narrow for its label has it given after the bar.  The source
    line counts the reports read and names those left out because a cell is
    missing; a bar whose mean includes a report whose text contradicts its
    table 4 (*indicators*' ``conflict``) is marked ``†``.
    """
    return AppealShares().add(tables, indicators).figure(source=source)


#: Audit check families shown by :func:`audit_summary`: (id prefix, zh, en).
AUDIT_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("section_present", "报告部分存在", "Section present"),
    ("table_present", "表格存在", "Table present"),
    ("table_complete", "表格数据完整", "Table complete"),
    ("t3.balance", "表三收支平衡", "T3 balance"),
    ("t3.row_sum", "表三行合计", "T3 row sums"),
    ("t3.outcomes", "表三办理结果合计", "T3 outcome totals"),
    ("t4.row_sum", "表四行合计", "T4 row sums"),
    ("text_vs_table", "正文与表格一致", "Text vs table"),
    ("narrative.parts", "第五部分含问题与改进", "Section 5 has both parts"),
    ("narrative.enumerated", "第五部分分项列举", "Section 5 enumerated"),
    ("cross_year.carried_over", "上年结转与上年报告一致", "Carried over = last year's"),
    ("cross_year.narrative_repeat", "第五部分未照搬上年", "Section 5 not a repeat"),
)
#: Families whose "not passed" describes the report rather than an error: (legend zh, legend en,
#: source-line note).  An unenumerated section 五 is prose the text mining takes as one item per
#: part, not a fault of the report.
NOT_A_FAILURE: dict[str, tuple[str, str, str]] = {
    "narrative.enumerated": ("未分项", "Not enumerated",
                             "未分项：第五部分为不分项的段落，不是错误 / not enumerated: section 5 is unnumbered prose, "
                             "not an error"),
}


def _family(check: str) -> str:
    parts = check.split(".")
    return ".".join(parts[:2]) if parts[0] in ("t3", "t4", "narrative", "cross_year") else parts[0]


class AuditTally:
    """What :func:`audit_summary` draws, counted a part of the audit at a time: the findings per
    check and state (passed, failed, not checkable) and the reports with a finding drawn.  Parts
    add (:meth:`add`), so a build's audit is counted without holding it whole."""

    STATES = ("passed", "failed", "na")

    def __init__(self):
        self.counts: dict[str, list[int]] = {}
        self.reports: set[str] = set()

    def add(self, audit: "pd.DataFrame") -> "AuditTally":
        """Count the findings of *audit* (report_id, check, passed)."""
        if is_empty(audit):
            return self
        require_columns(audit, ("report_id", "check", "passed"), "audit() frame expected")
        import numpy as np
        import pandas as pd

        names = [f for f, _z, _e in AUDIT_FAMILIES]
        # Counted on small integer codes: an audit of 100,000 reports has millions of findings.
        check_codes, checks = pd.factorize(audit["check"])
        drawn = np.array([_family(str(c)) in names for c in checks] + [False])
        keep = drawn[check_codes]
        passed = audit["passed"].astype("boolean")
        status = np.where(passed.isna().to_numpy(), 2, np.where(passed.fillna(False).to_numpy(dtype=bool), 0, 1))
        tally = np.bincount(check_codes[keep].astype(np.int64) * 3 + status[keep], minlength=3 * len(checks))
        for i, check in enumerate(checks):
            if drawn[i]:
                got = self.counts.setdefault(str(check), [0, 0, 0])
                for s in range(3):
                    got[s] += int(tally[3 * i + s])
        # The reports on their codes (a dictionary column's codes), each made a string once.
        report_codes, report_ids = pd.factorize(audit["report_id"])
        hit = np.unique(report_codes[keep])
        self.reports.update(str(r) for r in plain(report_ids.take(hit[hit >= 0])) if not _is_na(r))
        return self

    def figure(self, *, source: str | None = None) -> "Figure":
        """:func:`audit_summary` of the findings counted."""
        zh, en = "年度报告核查结果：按核查类别", "Audit of the reports: checks by family"
        if not self.counts:
            return chart_figure(zh, en, 0, 0, source, None)
        counts: dict[tuple[str, str], int] = {}
        for check, (ok, failed, na) in self.counts.items():
            fam = _family(check)
            # A family whose "not passed" describes the report counts it apart, not as a failure.
            key = "neutral" if fam in NOT_A_FAILURE else "failed"
            for k, v in (("passed", ok), (key, failed), ("na", na)):
                counts[(fam, k)] = counts.get((fam, k), 0) + v
        families = [f for f in AUDIT_FAMILIES if sum(counts.get((f[0], k), 0) for k in
                                                     ("passed", "failed", "na", "neutral"))]
        return _audit_figure(zh, en, counts, families, sorted(self.reports), source)


def audit_summary(audit: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Stacked horizontal bars: per check family (:data:`AUDIT_FAMILIES`, the cross-year checks
    among them), findings passed / failed / not checkable.

    *audit* is ``toolkit.audit()``; ``passed`` <NA> counts as not checkable
    (a missing table or cell), so nothing is left out; not checkable is drawn
    in grey, never in the colour of a failure.  A family in
    :data:`NOT_A_FAILURE` (section 五 not enumerated) draws its findings that
    did not pass in a neutral colour under their own name (未分项), since they
    describe the report rather than an error.  A count too small for its label
    inside its segment has the label given after the bar.  (:class:`AuditTally` counts
    the same a part of the audit at a time.)
    """
    return AuditTally().add(audit).figure(source=source)


def _audit_figure(zh: str, en: str, counts: dict, families: list, report_ids: list[str],
                  source: str | None) -> "Figure":
    kinds = [("passed", "通过", "Passed", PASS_COLOUR), ("failed", "未通过", "Failed", FAIL_COLOUR)]
    described = [NOT_A_FAILURE[f] for f, _z, _e in families if counts.get((f, "neutral"), 0)]
    if described:
        kinds.append(("neutral", "、".join(d[0] for d in described), ", ".join(d[1] for d in described),
                      NEUTRAL_COLOUR))
    kinds.append(("na", "无法核查", "Not checkable", NA_COLOUR))
    notes = [d[2] for d in described]

    def draw(fig):
        ax = fig.add_subplot()
        y = list(range(len(families)))
        left = [0.0] * len(families)
        for key, kzh, ken, colour in kinds:
            vals = [float(counts.get((f, key), 0)) for f, _z, _e in families]
            bars = ax.barh(y, vals, left=left, height=0.6, color=colour, label=f"{kzh} / {ken}")
            # Each label at its segment's centre (what bar_label(label_type="center") does, but as
            # plain text: bar_label's centred labels hold a lambda, and a figure must pickle).
            texts = [ax.text(a + v / 2, yi, number_text(v) if v else "", ha="center", va="center", fontsize=8.5,
                             color="white" if key in ("passed", "failed") else TEXT_COLOUR)
                     for a, v, yi in zip(left, vals, y)]
            for t, bar in zip(texts, bars):
                t.set_gid("xxgk-inside")
                t.xxgk_bar = bar  # the segment the label must fit in
                t.xxgk_kind = kzh
            left = [a + v for a, v in zip(left, vals)]
        ax.set_yticks(y, [f"{z}\n{e}" for _f, z, e in families], fontsize=9)
        ax.invert_yaxis()
        headroom(ax, max(left) / 1.1, horizontal=True)
        integer_axis(ax, horizontal=True)
        ax.set_xlabel("核查项数 / Checks")
        ax.set_ylabel("核查类别 / Check family")
        legend_above(ax, ncols=len(kinds))
        hidden = fit_inside_labels(fig, ax)
        # A count too narrow for its segment is given after the bar instead.
        for j in y:
            if hidden.get(j):
                value_label(ax, j, left[j], "，".join(hidden[j]), True)

    return chart_figure(zh, en, report_ids, 0, source, draw,
                        height=bar_height(len(families) * 1.6), notes=notes)



def topic_terms(top_terms: "pd.DataFrame", n_reports: int, *, source: str | None = None) -> "Figure":
    """Small multiples: the top terms of each topic with their weights.

    *top_terms* is ``TopicModel.top_terms()`` (topic, label, rank, term,
    weight); *n_reports* is how many reports the texts came from (for the
    source line).
    """
    zh, en = "问题与改进：主题及其关键词", "Problems and improvements: topics and their top terms"
    if is_empty(top_terms):
        return chart_figure(zh, en, 0, 0, source, None)
    require_columns(top_terms, ("topic", "label", "rank", "term", "weight"), "TopicModel.top_terms() frame expected")
    topics = sorted(int(t) for t in top_terms["topic"].dropna().unique())

    def draw(fig):
        axes = fig.subplots(1, len(topics), sharex=False, squeeze=False)[0]
        for ax, topic, colour in zip(axes, topics, PALETTE * (len(topics) // len(PALETTE) + 1)):
            sub = top_terms[top_terms["topic"] == topic].sort_values("rank")
            ax.barh(range(len(sub)), sub["weight"].astype(float).to_numpy(), color=colour, height=0.6)
            ax.set_yticks(range(len(sub)), sub["term"].astype(str).tolist(), fontsize=9)
            ax.invert_yaxis()
            ax.set_title(f"主题 {topic}：{sub['label'].iloc[0]}", fontsize=10, loc="left")
            ax.set_xlabel("权重 / Weight", fontsize=9)
            ax.grid(False)
            ax.grid(True, axis="x")

    return chart_figure(zh, en, n_reports, 0, source, draw)


def category_shares(shares: "pd.DataFrame", by: str, *, n_reports: int | None = None,
                    source: str | None = None) -> "Figure":
    """Dot plot of how often each codebook category is named, by group, with intervals.

    *shares* is ``toolkit.category_shares(items, by)`` (``by``, category, zh, k,
    n, share, ci_low, ci_high): one row of dots per category, one colour per
    group of *by*, each dot the share with its interval as a line; the legend
    gives each group's denominator n.  Groups with n = 0 are left out.
    *n_reports* is the number of reports behind the chart (source line);
    default: the sum of the groups' n when the unit is reports.
    """
    part = shares.attrs.get("part", "problem")
    zh, en = {"problem": ("问题类别：提及各类问题的比例", "Problem categories"),
              "improvement": ("改进类别：提及各类改进的比例", "Improvement categories")}.get(
        part, ("问题与改进类别：提及各类的比例", "Problem and improvement categories"))
    level = shares.attrs.get("confidence", 0.95)
    en = f"{en}: share naming each, with its {level:.0%} Wilson interval"
    if is_empty(shares):
        return chart_figure(zh, en, 0, 0, source, None)
    require_columns(shares, (by, "category", "zh", "k", "n", "share", "ci_low", "ci_high"),
             "toolkit.category_shares() frame expected")
    data = shares[shares["n"].fillna(0) > 0]
    groups = list(dict.fromkeys(data[by].tolist()))
    cats = list(dict.fromkeys(data["category"].astype(str).tolist()))
    names = dict(zip(data["category"].astype(str), data["zh"].astype(str)))
    unit = shares.attrs.get("unit", "report")
    if n_reports is None:
        n_reports = int(data.drop_duplicates(by)["n"].sum()) if unit == "report" else 0
    if not groups:
        return chart_figure(zh, en, n_reports, 0, source, None)

    def draw(fig):
        ax = fig.add_subplot()
        step = 0.7 / max(len(groups), 1)
        for g, (group, colour) in enumerate(zip(groups, PALETTE * (len(groups) // len(PALETTE) + 1))):
            sub = data[data[by] == group].set_index(data.loc[data[by] == group, "category"].astype(str))
            ys = [c + (g - (len(groups) - 1) / 2) * step for c in range(len(cats))]
            x = sub.reindex(cats)["share"].astype(float).to_numpy() * 100
            lo = sub.reindex(cats)["ci_low"].astype(float).to_numpy() * 100
            hi = sub.reindex(cats)["ci_high"].astype(float).to_numpy() * 100
            n = int(sub["n"].iloc[0])
            ax.hlines(ys, lo, hi, color=colour, linewidth=1.6, alpha=0.8)
            ax.plot(x, ys, "o", color=colour, markersize=5, label=f"{group}（n = {n}）")
        ax.set_yticks(range(len(cats)), [names[c] for c in cats])
        ax.invert_yaxis()
        ax.set_xlim(-2, 102)  # dots at 0% and 100% stay whole
        ax.set_xlabel("提及该类的报告比例 % / Share of reports naming the category, %" if unit == "report"
                      else "条目比例 % / Share of items, %")
        ax.grid(False)
        ax.grid(True, axis="x")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))

    return chart_figure(zh, en, n_reports, 0, source, draw)


