"""Charts: Chinese glyphs render, global rcParams untouched, inputs untouched, files saved."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

import toolkit as tk  # noqa: E402
from toolkit import plots  # noqa: E402

RC_KEYS = ("font.family", "font.sans-serif", "axes.unicode_minus", "figure.facecolor",
           "axes.prop_cycle", "axes.grid")
# Which table each table-based chart draws from (for the expected report count).
CHART_TABLE = {"applications_by_applicant": "t3", "outcomes": "t3",
               "proactive_disclosure": "t2", "appeals": "t4"}
# Reports of the five seeds that contribute to the indicator charts, read by hand: 002 has no
# table (its text states one application: left out of the default applications chart, which
# draws table values only); 000, 001 and 004 received and handled no application, 003 one (granted).
INDICATOR_SOURCES = {"applications_and_refusals": 4, "rates": 1}


def _glyph_warnings(record) -> list[str]:
    msgs = [str(w.message) for w in record]
    return [m for m in msgs if "Glyph" in m or "missing from" in m]


def _source_text(fig) -> str:
    texts = [t.get_text() for t in fig.texts if "数据来源" in t.get_text()]
    assert len(texts) == 1, [t.get_text() for t in fig.texts]
    return texts[0]


def _all_text(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))


@pytest.fixture(scope="module", autouse=True)
def _seed_corpus_default(seed_corpus):
    """Expected counts in this module were read from the five seeds: make them the default corpus."""
    import os

    old = os.environ.get("XXGK_CORPUS")
    os.environ["XXGK_CORPUS"] = str(seed_corpus)
    yield
    if old is None:
        del os.environ["XXGK_CORPUS"]
    else:
        os.environ["XXGK_CORPUS"] = old


@pytest.fixture(scope="module")
def tables():
    return tk.load_tables()


@pytest.fixture(scope="module")
def reports():
    return tk.load_reports()


@pytest.fixture(scope="module")
def audit_frame():
    return tk.audit()


def test_detector_catches_missing_glyphs():
    """Sanity check of the test itself: Chinese in a Latin-only font does warn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, "中文标题", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert _glyph_warnings(record)


@pytest.mark.parametrize("name", list(plots.CHARTS))
def test_render_has_no_missing_glyphs(name):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = plots.render(name)
        fig.canvas.draw()
    assert isinstance(fig, matplotlib.figure.Figure)
    assert not _glyph_warnings(record), _glyph_warnings(record)
    text = _all_text(fig)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # there is Chinese to render


@pytest.mark.parametrize("name", list(plots.CHARTS))
def test_glyphs_render_outside_style_context(name):
    """Drawn later under a user's own style, the figure still finds its CJK font."""
    fig = plots.render(name)
    with matplotlib.rc_context({"font.family": "serif", "font.serif": ["DejaVu Serif"]}):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            fig.canvas.draw()
    assert not _glyph_warnings(record), _glyph_warnings(record)


def test_global_rcparams_unchanged():
    before = {k: matplotlib.rcParams[k] for k in RC_KEYS}
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in before.items()}
    for name in plots.CHARTS:
        fig = plots.render(name)
        fig.canvas.draw()
    after = {k: matplotlib.rcParams[k] for k in RC_KEYS}
    after = {k: (list(v) if isinstance(v, list) else v) for k, v in after.items()}
    assert after == before


def test_save_png_and_svg(tmp_path):
    from PIL import Image

    fig = plots.render("outcomes")
    paths = plots.save(fig, tmp_path / "sub" / "dir" / "outcomes")
    assert [p.name for p in paths] == ["outcomes.png", "outcomes.svg", "outcomes.sources.csv"]
    png, svg, _sources = paths
    assert png.exists() and svg.exists()
    with Image.open(png) as im:
        dpi = im.info["dpi"]
        assert dpi[0] == pytest.approx(300, abs=1) and dpi[1] == pytest.approx(300, abs=1)
        # 9 x 5.5 inches at 300 dpi
        assert im.size == (2700, 1650)
    text = svg.read_text(encoding="utf-8")
    assert svg.stat().st_size > 1000 and "<svg" in text
    # svg.fonttype 'none': labels stay <text> a graphics desk can edit, naming CJK font fallbacks.
    import re

    labels = re.findall(r"<text[^>]*>([^<]*)</text>", text)
    # The title, its English line, the outcome labels and the axis title, as written in outcomes().
    # Of the seeds only 003 (吴忠 2023) handled an application: the mean of its own shares.
    for label in ("依申请公开：办理结果（2023 年 1 份报告占比的平均）",
                  "How applications were handled (mean of 1 report's own shares, 2023)",
                  "予以公开", "Granted", "不予处理", "办理结果 / Outcome"):
        assert label in labels, label
    assert any(t.startswith("数据来源：") and "outcomes.sources.csv" in t for t in labels)
    assert "<path" in text  # the bars are still drawn
    families = re.findall(r"font-family: ([^;\"]*)", text)
    assert families and set(families) == {", ".join(
        f"'{f}'" if f != "sans-serif" else f for f in plots.SVG_FONT_FAMILIES)}
    assert "'Noto Sans CJK SC'" in families[0] and "'Microsoft YaHei'" in families[0]


def test_svg_text_setting_leaves_png_bytes_unchanged(tmp_path):
    import io

    import matplotlib

    fig = plots.render("appeals")
    png = plots.save(fig, tmp_path / "appeals", formats=("png",), dpi=72)[0].read_bytes()
    for fonttype in ("path", "none"):
        buffer = io.BytesIO()
        with matplotlib.rc_context({"svg.fonttype": fonttype, "savefig.facecolor": "white",
                                    "svg.hashsalt": "xxgk"}):
            fig.savefig(buffer, format="png", dpi=72, facecolor="white")
        assert buffer.getvalue() == png, fonttype


def test_save_is_byte_identical_across_renders(tmp_path):
    # A rebuilt chart must not show up as changed: no date stamped in, no random SVG ids.
    first = plots.save(plots.render("appeals"), tmp_path / "a" / "appeals")
    second = plots.save(plots.render("appeals"), tmp_path / "b" / "appeals")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert "<dc:date>" not in first[1].read_text(encoding="utf-8")


def test_save_other_formats_and_suffix(tmp_path):
    fig = plots.render("appeals")
    paths = plots.save(fig, tmp_path / "chart.png", formats=("png",), dpi=72)
    assert paths == [tmp_path / "chart.png", tmp_path / "chart.sources.csv"]
    assert paths[0].stat().st_size > 0


@pytest.mark.parametrize("name", list(plots.CHARTS))
def test_source_line_counts_reports(name, tables, audit_frame):
    fig = plots.render(name)
    source = _source_text(fig)
    if name == "audit_summary":
        n = audit_frame["report_id"].nunique()
        assert n == 5  # the seeds
    elif name in INDICATOR_SOURCES:
        n = INDICATOR_SOURCES[name]
    else:
        present = tables[tables["status"] != "table_absent"]  # absent tables contribute nothing
        n = present.loc[present["table"] == CHART_TABLE[name], "report_id"].nunique()
    assert f"（{n} 份）" in source
    assert source.startswith("数据来源：各机关政府信息公开工作年度报告")
    if name == "applications_and_refusals":
        # 002 published its tables as images: its applications come from its text (2023年收到1件
        # 信息公开申请), a stated count the default chart leaves out — and says so.
        assert source.endswith("xxgk；另有 1 份报告仅有正文所述数字，未计入 / 1 reports with stated counts only, not drawn")
    elif name == "applications_by_applicant":
        # No missing cell in the seeds' tables; 003 (吴忠 2023) has the only application, the
        # other three with a table 3 received none: they have no share, and the line says so.
        assert source.endswith("xxgk；其中 3 份报告本年无新收申请，无占比 / 3 reports received no application: no share")
    elif name == "outcomes":
        assert source.endswith("xxgk；其中 3 份报告办理结果均为 0，无占比 / 3 reports handled no application: no share")
    elif name == "audit_summary":
        # 004 (卫辉 2022) writes section 五 as unnumbered prose: not an error, and the line says so.
        assert source.replace("\n", "").endswith("xxgk；未分项：第五部分为不分项的段落，不是错误 / not enumerated: "
                                                  "section 5 is unnumbered prose, not an error")
    else:
        assert source.endswith("xxgk")  # no missing cell in the seeds' tables


def test_source_override(tables):
    fig = plots.applications_by_applicant(tables, source="数据来源：自行整理")
    assert _source_text(fig) == "数据来源：自行整理"


def test_titles_and_axis_labels_bilingual(tables):
    fig = plots.applications_by_applicant(tables)
    texts = [t.get_text() for t in fig.texts]
    assert texts[0].startswith("新收申请：按申请人类型（")
    assert texts[1].startswith("New ")
    ax = fig.axes[0]
    assert "申请人类型" in ax.get_xlabel() and "Applicant" in ax.get_xlabel()
    assert "占比" in ax.get_ylabel() and "share" in ax.get_ylabel()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0].startswith("自然人")


def test_inputs_not_modified(tables, reports, audit_frame):
    indicators = tk.indicators()
    before = indicators.copy()
    plots.applications_and_refusals(indicators)
    plots.rates(indicators, by="organ")
    assert_frame_equal(indicators, before)
    # the indicator charts (applications_and_refusals, rates) were checked just above
    calls = {
        "applications_by_applicant": lambda t, r, a: plots.applications_by_applicant(t),
        "outcomes": lambda t, r, a: plots.outcomes(t),
        "proactive_disclosure": lambda t, r, a: plots.proactive_disclosure(t, r),
        "appeals": lambda t, r, a: plots.appeals(t),
        "audit_summary": lambda t, r, a: plots.audit_summary(a),
    }
    assert set(calls) | {"applications_and_refusals", "rates"} == set(plots.CHARTS)
    for name, call in calls.items():
        t, r, a = tables.copy(), reports.copy(), audit_frame.copy()
        call(t, r, a)
        assert_frame_equal(t, tables)
        assert_frame_equal(r, reports)
        assert_frame_equal(a, audit_frame)


def test_applicant_bars_are_the_reports_own_shares(tables):
    # Of the seeds only 003 (吴忠 2023) received an application: one, from a natural person.
    fig = plots.applications_by_applicant(tables)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    assert labels == ["100%", "0%", "0%", "0%", "0%", "0%"]


def test_outcome_shares_add_up_to_one(tables):
    fig = plots.outcomes(tables)
    widths = [p.get_width() for p in fig.axes[0].patches]
    # 003 granted its one application (予以公开 1 of 1); the other seeds handled none.
    assert widths == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert len(widths) == len(plots.OUTCOME_GROUPS)


def test_proactive_disclosure_uses_agency_names(tables, reports):
    fig = plots.proactive_disclosure(tables, reports)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    present = tables[tables["status"] != "table_absent"]
    with_t2 = set(present.loc[present["table"] == "t2", "report_id"])
    agencies = set(reports.loc[reports["report_id"].isin(with_t2), "agency"])
    assert {t.split("\n")[0] for t in ticks} == agencies
    # One report per organ in the seeds: each tick says so, with its year.
    assert all(t.split("\n")[1].endswith("，1 份报告") for t in ticks)
    # Without load_reports() the report ids label the bars.
    fig = plots.proactive_disclosure(tables)
    assert {t.get_text() for t in fig.axes[0].get_yticklabels()} == with_t2


def test_missing_values_excluded_and_noted(tables):
    t = tables.copy()
    sel = (t["table"] == "t3") & (t["row"] == "new_received") & (t["column"] == "natural_person")
    t.loc[sel, "value"] = pd.NA
    fig = plots.applications_by_applicant(t)
    # Every natural-person cell missing: no report's shares can be formed (never a 0 bar), every
    # bar is n/a, and the line names the four reports left out (by id: no indicators given).
    source = _source_text(fig).replace("\n", "")
    assert "缺失值未计入：000_390bec4f8b72bc77，001_0d529075b8579b4b，003_03a04d677c33f02f，004_90c37852d1e90522" \
        "（4 份报告）/ 4 reports left out, a value missing" in source
    assert len(fig.axes[0].patches) == 0
    assert len([t for t in fig.axes[0].texts if t.get_text() == "n/a"]) == 6
    # Only 003's cell missing: 003 is left out and named, the three others (no application) remain.
    t = tables.copy()
    t.loc[sel & (t["report_id"] == "003_03a04d677c33f02f"), "value"] = pd.NA
    source = _source_text(plots.applications_by_applicant(t, tk.indicators())).replace("\n", "")
    assert "（3 份）" in source and "缺失值未计入：吴忠市民政局 2023（1 份报告）" in source
    # A missing value in cells the chart does not use is not mentioned.
    t = tables.copy()
    t.loc[(t["table"] == "t4"), "value"] = pd.NA
    assert "缺失值" not in _source_text(plots.applications_by_applicant(t))
    assert "缺失值未计入" in _source_text(plots.appeals(t))


def test_audit_summary_counts(audit_frame):
    fig = plots.audit_summary(audit_frame)
    ax = fig.axes[0]
    total = sum(p.get_width() for p in ax.patches)
    families = tuple(f for f, _z, _e in plots.AUDIT_FAMILIES)
    shown = audit_frame["check"].map(
        lambda c: any(c == f or c.startswith(f + ".") for f in families))
    assert total == shown.sum()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    drawn = [f"{z}\n{e}" for f, z, e in plots.AUDIT_FAMILIES
             if audit_frame["check"].map(lambda c: c == f or c.startswith(f + ".")).any()]
    assert ticks == drawn


@pytest.mark.parametrize("name", list(plots.CHARTS))
def test_empty_frames_give_no_data_figure(name, tables, reports, audit_frame):
    frame = (audit_frame if name == "audit_summary" else tables).iloc[0:0]
    args = (frame, reports.iloc[0:0]) if name == "proactive_disclosure" else (frame,)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = plots.CHARTS[name](*args)
        fig.canvas.draw()
    assert not _glyph_warnings(record)
    assert "无数据" in _all_text(fig)
    # A bare empty DataFrame works too.
    assert "无数据" in _all_text(plots.CHARTS[name](pd.DataFrame()))


def test_tables_without_the_chart_table_give_no_data(tables):
    only_t2 = tables[tables["table"] == "t2"]
    assert "无数据" in _all_text(plots.appeals(only_t2))
    assert "无数据" in _all_text(plots.outcomes(only_t2))


def test_unknown_chart_and_wrong_frame(tables):
    with pytest.raises(KeyError, match="applications_by_applicant"):
        plots.render("pie")
    with pytest.raises(ValueError, match="load_tables"):
        plots.outcomes(pd.DataFrame({"x": [1]}))


def test_missing_font_package_raises(monkeypatch):
    from toolkit.plots import theme

    monkeypatch.setattr(theme, "FONT_PACKAGE", "no_such_font_package_xyz")
    monkeypatch.setattr(theme, "_FONT", None)
    with pytest.raises(RuntimeError, match="no_such_font_package_xyz|mplfonts"):
        plots.render("outcomes")


def test_font_comes_from_mplfonts():
    path = plots.font_path()
    assert path.endswith("NotoSansCJKsc-Regular.otf") and "mplfonts" in path
    assert plots.font_family() == "Noto Sans CJK SC"


def test_topic_terms_chart_renders_chinese_without_missing_glyphs():
    import warnings

    import toolkit as tk

    items = tk.load_narratives()
    items = items[items["item"] > 0]
    model = tk.TopicModel(n_topics=2, tokenizer=tk.Tokenizer(), min_df=1).fit(items["text"])
    terms = model.top_terms(5)
    before = terms.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.topic_terms(terms, int(items["report_id"].nunique()))
        fig.canvas.draw()
    assert not [w for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    pd.testing.assert_frame_equal(terms, before)
    texts = [t.get_text() for t in fig.texts]
    assert any("数据来源" in t and "5 份" in t for t in texts)


def test_proactive_disclosure_by_year_sums_each_years_reports():
    """A year chart sums each year's reports; a missing cell is left out, never read as 0."""
    n = 45
    ids = [f"r{i:03d}" for i in range(n)]
    years = [2021 if i < 20 else 2022 for i in range(n)]
    rows = []
    for rid in ids:
        rows += [{"report_id": rid, "table": "t2", "row": "licensing", "column": "decisions", "value": 71},
                 {"report_id": rid, "table": "t2", "row": "penalty", "column": "decisions", "value": 2},
                 {"report_id": rid, "table": "t2", "row": "coercion", "column": "decisions",
                  "value": pd.NA if rid == "r000" else 1}]
    tables = pd.DataFrame(rows).astype({"value": "Float64"})
    reports = pd.DataFrame({"report_id": ids, "agency": "某局", "year": years}).astype({"year": "Int64"})
    for frame in (tables, tables.astype({c: "category" for c in ("report_id", "table", "row", "column")})):
        fig = plots.proactive_disclosure(frame, reports, by="year")
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["2021年\n20 份报告", "2022年\n25 份报告"]
        widths = [round(p.get_width()) for p in ax.patches]
        # licensing 20×71, 25×71; penalty 20×2, 25×2; coercion 19×1 (one missing), 25×1
        assert widths == [1420, 1775, 40, 50, 19, 25]
        labels = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
        assert "≥19" in labels and "25" in labels  # the sum that leaves a cell out is a lower bound
        assert f"（{n} 份）" in _source_text(fig) and "缺失值未计入（1 个）" in _source_text(fig)
        # The same reports by organ: one organ (某局), summed over both years.
        fig = plots.proactive_disclosure(frame, reports, by="organ")
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["某局\n2021–2022，45 份报告"]


# ------------------------------------------------------------------ missing, labels, organ vs year

SHIPPED = __import__("pathlib").Path(__file__).resolve().parents[1] / "corpus"
VARIANTS = [(name, by) for name in plots.CHARTS
            for by in ((None,) if name not in plots.BY_CHARTS else ("organ", "year"))]


def _label_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        texts = [t for t in ax.texts if t.get_visible() and t.get_text()
                 and t.get_gid() in ("xxgk-value", "xxgk-na", "xxgk-inside")]
        legend = ax.get_legend()
        out.append(([t.get_window_extent(renderer).shrunk(0.98, 0.98) for t in texts],
                    legend.get_window_extent(renderer) if legend is not None else None))
    return out


def _assert_no_collision(fig):
    for boxes, legend in _label_boxes(fig):
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), (a, b)
            if legend is not None:
                assert not a.overlaps(legend), (a, legend)


def test_collision_check_detects_overlap():
    """Sanity check of the checker: two labels at one spot do collide."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for _ in range(2):
        ax.annotate("1,234", (0.5, 0.5), gid="xxgk-value")
    with pytest.raises(AssertionError):
        _assert_no_collision(fig)


@pytest.mark.parametrize("name,by", VARIANTS)
def test_value_labels_never_collide_nor_sit_under_the_legend(name, by):
    _assert_no_collision(plots.render(name, SHIPPED, by=by))


def test_crowded_charts_keep_labels_apart():
    # Sixty organs with close, wide numbers, and six vertical bars with seven-digit labels.
    rows, meta = [], []
    for i in range(60):
        rid = f"r{i:02d}"
        meta.append({"report_id": rid, "agency": f"第{i}局", "organ_id": f"1:{i}", "year": 2022})
        for j, key in enumerate(("licensing", "penalty", "coercion")):
            rows.append({"report_id": rid, "table": "t2", "row": key, "column": "decisions",
                         "value": 1_000_000 + 1000 * i + j})
    tables = pd.DataFrame(rows).astype({"value": "Float64"})
    reports = pd.DataFrame(meta).astype({"year": "Int64"})
    fig = plots.proactive_disclosure(tables, reports, top=60)
    _assert_no_collision(fig)
    assert len(fig.axes[0].get_yticklabels()) == 60
    wide = pd.DataFrame([{"report_id": "r", "table": "t3", "row": "new_received", "column": c,
                          "value": 1_234_567.0 + k}
                         for k, c in enumerate(("natural_person", "commercial", "research", "social_org",
                                                "legal_service", "other_org"))]).astype({"value": "Float64"})
    _assert_no_collision(plots.applications_by_applicant(wide))


def _indicator_corpus():
    """Hand-built indicators: organ A (two years), organ B (one), organ C (table 3 absent)."""
    from toolkit.analysis import compute_indicators

    reports = pd.DataFrame([
        {"report_id": "a21", "agency": "甲局", "organ_id": "1:甲局", "year": 2021, "template": "2021",
         "has_t2": True, "has_t3": True, "has_t4": True},
        {"report_id": "a22", "agency": "甲局", "organ_id": "1:甲局", "year": 2022, "template": "2021",
         "has_t2": True, "has_t3": True, "has_t4": True},
        {"report_id": "b22", "agency": "乙局", "organ_id": "2:乙局", "year": 2022, "template": "2021",
         "has_t2": True, "has_t3": True, "has_t4": True},
        {"report_id": "c22", "agency": "丙局", "organ_id": "3:丙局", "year": 2022, "template": "2021",
         "has_t2": True, "has_t3": False, "has_t4": True},
    ]).astype({"year": "Int64", "has_t2": "boolean", "has_t3": "boolean", "has_t4": "boolean"})
    from toolkit import schema

    def t3(rid, values):
        return [{"report_id": rid, "table": "t3", "row": r, "column": c, "value": values.get(r, 0) if c == "total"
                 else 0, "status": "read"} for r, c in schema.cells("t3")]

    rows = (t3("a21", {"new_received": 10, "granted": 8, "denied.third_party": 2, "total_handled": 10})
            + t3("a22", {"new_received": 5, "granted": 5, "denied.state_secret": None, "total_handled": 5})
            + t3("b22", {"new_received": 30, "granted": 30, "total_handled": 30}))
    tables = pd.DataFrame(rows).astype({"value": "Float64"})
    tables.loc[tables["value"].isna(), "status"] = "ambiguous"
    return compute_indicators(reports, tables)


def test_applications_and_refusals_ranks_organs_and_keeps_the_missing_one():
    ind = _indicator_corpus()
    fig = plots.applications_and_refusals(ind)
    ax = fig.axes[0]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    assert ticks == ["乙局", "甲局", "丙局"]  # 30 per report, then (10 + 5) / 2, then the organ with no table
    values = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    # 甲局: 7.5 applications per report; refused 2 in 2021 and unknown in 2022 (a denied cell
    # missing): a mean over the one report that has it, which the bar says.
    assert "7.5" in values and "2（1 份）" in values and "30" in values
    assert "甲局\n2021–2022，2 份报告" in [t.get_text() for t in ax.get_yticklabels()]
    na = [t for t in ax.texts if t.get_gid() == "xxgk-na"]
    assert len(na) == 1 and na[0].xy[1] == 2  # one n/a for 丙局's whole row, never a 0 bar
    source = _source_text(fig)
    assert "（3 份）" in source and "缺失值未计入（2 份报告）" in source
    _assert_no_collision(fig)
    year = plots.applications_and_refusals(ind, by="year")
    # By year too a tick counts the reports its bars rest on: 丙局 (c22) has no table 3 and adds nothing to 2022.
    assert [t.get_text() for t in year.axes[0].get_yticklabels()] == ["2021年\n1 份报告", "2022年\n计入 2 份（共 3 份报告）"]


def test_rates_chart_pools_with_intervals():
    from toolkit.analysis import wilson_interval

    fig = plots.rates(_indicator_corpus(), by="year")
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    # 2022 disclosure: (5 + 30) / (5 + 30) from a22 and b22; denial: only b22 (a22's denied cell missing).
    assert "100%（35/35）" in labels and "0%（0/30）" in labels
    lines = [line for line in fig.axes[0].lines if len(line.get_xdata()) == 2]
    lo, hi = wilson_interval(35, 35)
    assert any(abs(line.get_xdata()[0] - lo) < 1e-9 and abs(line.get_xdata()[1] - hi) < 1e-9 for line in lines)


def test_rates_tick_labels_count_the_reports_that_contribute():
    """A report without a rate (table absent, a cell missing) or with no case is not counted in the
    tick label; the label says of how many reports the group has."""
    from toolkit import schema
    from toolkit.analysis import compute_indicators

    ind = _indicator_corpus()
    zero = compute_indicators(
        pd.DataFrame([{"report_id": "d22", "agency": "丁局", "organ_id": "4:丁局", "year": 2022, "template": "2021",
                       "has_t2": True, "has_t3": True, "has_t4": True}]).astype(
            {"year": "Int64", "has_t2": "boolean", "has_t3": "boolean", "has_t4": "boolean"}),
        pd.DataFrame([{"report_id": "d22", "table": "t3", "row": r, "column": c, "value": 0.0, "status": "read"}
                      for r, c in schema.cells("t3")]).astype({"value": "Float64"}))
    ind = pd.concat([ind, zero], ignore_index=True)
    year = plots.rates(ind, by="year")
    # 2022: a22 (disclosure rate) and b22 contribute; c22 has no table 3, d22 handled nothing.
    assert [t.get_text() for t in year.axes[0].get_yticklabels()] == ["2021年\n1 份报告",
                                                                       "2022年\n计入 2 份（共 4 份报告）"]
    assert "（3 份）" in _source_text(year)
    organ = [t.get_text() for t in plots.rates(ind, by="organ").axes[0].get_yticklabels()]
    assert "甲局\n2021–2022，2 份报告" in organ and "乙局\n2022，1 份报告" in organ
    assert "丙局\n2022，计入 0 份（共 1 份报告）" in organ and "丁局\n2022，计入 0 份（共 1 份报告）" in organ


def test_by_only_for_organ_or_year_charts():
    with pytest.raises(ValueError, match="not drawn by a grouping"):
        plots.render("outcomes", by="year")
    with pytest.raises(ValueError, match="organ"):
        plots.proactive_disclosure(pd.DataFrame(columns=["report_id", "table", "row", "column", "value"]), by="region")
    assert set(plots.BY_CHARTS) <= set(plots.CHARTS)


def test_style_gives_chinese_glyphs_in_own_figures():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(plots.style()):
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.add_subplot().set_title("依申请公开")
    plots.apply_font(fig)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert not _glyph_warnings(record)


def test_stated_values_are_marked_in_the_chart():
    from toolkit.analysis import compute_indicators

    reports = pd.DataFrame([{"report_id": "s", "agency": "丁厅", "organ_id": "4:丁厅", "year": 2022,
                             "template": None, "has_t2": False, "has_t3": False, "has_t4": False}]
                           ).astype({"year": "Int64", "has_t2": "boolean", "has_t3": "boolean", "has_t4": "boolean"})
    statements = pd.DataFrame([{"report_id": "s", "table": "t3", "row": "new_received", "column": "total",
                                "value": 166.0, "sentence": "全年共收到信息公开申请166件。", "start": 0, "end": 14}])
    empty = pd.DataFrame(columns=["report_id", "table", "row", "column", "value", "status"])
    ind = compute_indicators(reports, empty, statements)
    default = plots.applications_and_refusals(ind)
    assert not [t for t in default.axes[0].texts if t.get_gid() == "xxgk-value"] if default.axes else True
    assert "另有 1 份报告仅有正文所述数字，未计入" in _source_text(default)
    fig = plots.applications_and_refusals(ind, table_only=False)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    assert labels == ["166*"]  # never silently mixed with tabled values
    assert "标 * 者含报告正文所述数字" in _source_text(fig)


def _organ_counts(per_organ: dict[str, list[float]]):
    """Indicators with only ``applications``: organ -> its reports' counts (one report a year from 2019)."""
    rows = []
    for organ, counts in per_organ.items():
        for i, k in enumerate(counts):
            rows.append({"report_id": f"{organ}{i}", "organ_id": f"1:{organ}", "agency": organ, "year": 2019 + i,
                         "template": "2021", "indicator": "applications", "numerator": k, "denominator": pd.NA,
                         "value": k, "source": "table"})
    return pd.DataFrame(rows).astype({"year": "Int64", "numerator": "Float64", "denominator": "Float64",
                                      "value": "Float64"})


def test_organs_are_ranked_per_report_not_by_sums_over_different_numbers_of_reports():
    # 教育厅: 119 over six reports (19.8 a report); 洪泽: 95 in one.  By sums 教育厅 would lead.
    ind = _organ_counts({"教育厅": [20, 20, 20, 20, 20, 19], "洪泽": [95]})
    ax = plots.applications_and_refusals(ind).axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["洪泽\n2019，1 份报告", "教育厅\n2019–2024，6 份报告"]
    values = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    assert values[:2] == ["95", "19.8"]


def test_organs_beyond_the_top_are_summarised_in_one_row():
    ind = _organ_counts({f"局{i:02d}": [float(100 - i)] * (1 + i % 2) for i in range(30)})
    ax = plots.applications_and_refusals(ind, top=5).axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 6 and ticks[0].startswith("局00")
    # The other 25 organs: 局05 … 局29, the 13 odd ones with two reports, the 12 even with one = 38.
    assert ticks[-1] == "其余 25 个机关 / 25 other organs\n38 份报告"
    values = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    # Their mean per report: (71 + … + 95, and the odd ones' second reports 95, 93, … 71) / 38 = 3154 / 38.
    assert values[5] == "83"


def test_the_source_line_says_how_many_organs_are_drawn_and_how_many_summed_up():
    ind = _organ_counts({f"局{i:02d}": [float(100 - i)] * (1 + i % 2) for i in range(30)})
    source = _source_text(plots.applications_and_refusals(ind, top=5)).replace("\n", "")
    assert "仅单列前 5 个机关，其余 25 个机关合为一行" in source
    few = _organ_counts({"教育厅": [20, 19], "洪泽": [95]})
    assert "合为一行" not in _source_text(plots.applications_and_refusals(few)).replace("\n", "")


def test_rates_by_organ_pool_the_organs_beyond_the_first_25_in_one_row():
    # 30 organs, one report each: organ i handled 100 + i applications and granted 50, so the 25
    # with the most cases are 局29 … 局05, and 局04 … 局00 are pooled: 5 × 50 of 100 + … + 104 = 250 of 510.
    rows = [{"report_id": f"r{i:02d}", "organ_id": f"1:局{i:02d}", "agency": f"局{i:02d}", "year": 2023,
             "template": "2021", "indicator": "disclosure_rate", "numerator": 50.0, "denominator": 100.0 + i,
             "value": 50.0 / (100.0 + i), "source": "table"} for i in range(30)]
    ind = pd.DataFrame(rows).astype({"year": "Int64", "numerator": "Float64", "denominator": "Float64",
                                     "value": "Float64"})
    fig = plots.rates(ind, by="organ", names=["disclosure_rate"])
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 26 and ticks[0] == "局29\n2023，1 份报告" and ticks[24] == "局05\n2023，1 份报告"
    assert ticks[-1] == "其余 5 个机关 / 5 other organs\n5 份报告"
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    assert labels[-1] == "49%（250/510）"
    assert "仅单列前 25 个机关，其余 5 个机关合为一行" in _source_text(fig).replace("\n", "")
    assert sorted(fig.xxgk_reports) == [f"r{i:02d}" for i in range(30)]  # the pooled ones are drawn on too


def test_a_long_source_line_is_broken_to_fit_the_figure():
    """A source line that names a long sources file and several notes is broken at its clauses
    and stays inside the figure, in PNG as in SVG (never cut at the right edge)."""
    from toolkit.plots.layout import chart_figure
    from toolkit.plots.theme import fit_source

    source = ("数据来源：各机关政府信息公开工作年度报告（22 份，见 a_very_long_chart_file_name_for_testing.sources.csv）"
              "· xxgk；缺失值未计入（24 份报告）；标 * 者含报告正文所述数字（表格缺失）；标 ≥ 者为下限")
    fig = chart_figure("标题", "Title", 3, 0, source, lambda f: f.add_subplot().bar([0], [1]))
    fit_source(fig)
    fig.canvas.draw()
    line = next(t for t in fig.texts if t.get_gid() == "xxgk-source")
    box = line.get_window_extent(fig.canvas.get_renderer())
    assert "\n" in line.get_text()
    assert box.x1 <= fig.bbox.x1 and box.y0 >= 0
    assert line.get_text().replace("\n", "") == source  # broken, nothing dropped
    axes_box = fig.axes[0].get_tightbbox(fig.canvas.get_renderer())
    assert box.y1 <= axes_box.y0  # the lines it takes do not run into the chart


# ------------------------------------------------------------------ like with like on the shipped corpus

_APP_INDICATORS = ("applications", "denial_rate", "unavailable_rate", "not_processed_rate")


@pytest.fixture(scope="module")
def shipped_indicators():
    return tk.indicators(SHIPPED)


def _stated_only_reports(ind) -> set[str]:
    """Reports with a count among the chart's indicators but none from a template table (2019 on)."""
    sub = ind[ind["indicator"].isin(_APP_INDICATORS)].copy()
    sub["v"] = sub["value"].where(sub["indicator"] == "applications", sub["numerator"])
    sub = sub[sub["v"].notna()]
    tabled = sub[(sub["source"] == "table") & (sub["year"] >= 2019)]
    return set(sub["report_id"]) - set(tabled["report_id"])


def test_applications_by_year_draws_only_table_values_of_template_years(shipped_indicators):
    ind = shipped_indicators
    fig = plots.applications_and_refusals(ind, by="year")
    ax = fig.axes[0]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    assert ticks and all(int(t[:4]) >= 2019 for t in ticks), ticks  # no pre-template year
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    assert not any("*" in t for t in labels)
    app = ind[(ind["indicator"] == "applications") & (ind["source"] == "table") & (ind["year"] >= 2019)
              & ind["value"].notna()]
    expected = app.groupby("year")["value"].sum()
    # The first series drawn is the applications bar of each year, in year order.
    # The applications bar is the first of each row's three (drawn 0.8/3 above the row's centre).
    for row, tick in enumerate(ticks):
        got = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value" and abs(t.xy[1] - (row - 0.8 / 3)) < 0.05]
        want = expected.get(int(tick[:4]))
        # (≥: a sum that leaves a report with no readable count out)
        assert [float(g.strip("≥†").replace(",", "")) for g in got] == ([] if want is None else [want]), (tick, got)
    left_out = _stated_only_reports(ind)
    assert len(left_out) >= 10  # 人社厅 2017–2022, the pre-template years of four more organs …
    assert f"另有 {len(left_out)} 份报告仅有正文所述数字，未计入" in _source_text(fig).replace("\n", "")


def test_applications_by_organ_draws_no_stated_or_pre_template_counts(shipped_indicators):
    ind = shipped_indicators
    fig = plots.applications_and_refusals(ind, by="organ")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # 人社厅 states its counts only (2017–2022; its 2023 report has none): not drawn.
    assert not any("人力资源和社会保障厅" in t for t in ticks)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value"]
    assert not any("*" in t for t in labels)
    # 教育厅: the mean of its table counts 2019–2023 (16, 37, 44, 19), not its 2014 and 2017 stated ones.
    app = ind[(ind["indicator"] == "applications") & (ind["source"] == "table") & (ind["year"] >= 2019)
              & ind["value"].notna() & (ind["agency"] == "河北省教育厅")]
    edu = next(t for t in ticks if t.startswith("河北省教育厅"))
    assert "2019–2023" in edu and f"{len(app)} 份报告" in edu
    row = ticks.index(edu)
    bars = [t for t in ax.texts if t.get_gid() == "xxgk-value" and abs(t.xy[1] - row) < 0.4]
    assert float(bars[0].get_text()) == app["value"].mean() == 29  # 116 / 4: the applications bar
    n = len(_stated_only_reports(ind))
    assert f"另有 {n} 份报告仅有正文所述数字，未计入" in _source_text(fig).replace("\n", "")


def test_a_bar_resting_on_a_contradicted_cell_is_marked(shipped_indicators):
    ind = shipped_indicators
    app = ind[(ind["indicator"] == "applications") & ind["value"].notna() & (ind["source"] == "table")
              & (ind["year"] >= 2019)]
    hit = app[app["conflict"].astype(bool)]
    assert list(hit["agency"]) == ["淮安市洪泽区人民政府"] and list(hit["value"]) == [95]  # text: 17
    for by in ("organ", "year"):
        fig = plots.applications_and_refusals(ind, by=by)
        ax = fig.axes[0]
        marked = [t.get_text() for t in ax.texts if t.get_gid() == "xxgk-value" and t.get_text().endswith("†")]
        if by == "organ":  # 洪泽 has one report: its bar is its table's 95
            assert "95†" in marked
        else:  # 2024: 洪泽 and 开州 (0)
            want = app.loc[app["year"] == 2024, "value"].sum()
            assert f"{want:.0f}†" in marked
        assert "† 报告正文与表格不一致" in _source_text(fig).replace("\n", "")
    # A chart without a contradicted value says nothing of it.
    clean = plots.applications_and_refusals(ind[ind["report_id"] != hit["report_id"].iloc[0]], by="year")
    assert "†" not in _source_text(clean) + "".join(t.get_text() for t in clean.axes[0].texts)


def test_table_charts_mark_a_report_whose_text_contradicts_its_table(shipped_indicators):
    ind = shipped_indicators
    hit = set(ind.loc[(ind["indicator"] == "applications") & ind["conflict"].astype(bool), "report_id"])
    assert len(hit) == 1  # 洪泽 2024: table 3 says 95 applications, its text 17
    t3 = tk.load_tables(SHIPPED)
    t3 = t3[(t3["table"] == "t3") & t3["report_id"].isin(hit) & t3["value"].notna()]
    fig = plots.render("outcomes", SHIPPED)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    # 洪泽 gave a 予以公开 count in its total column: that bar carries the mark.
    assert ((t3["row"] == "granted") & (t3["column"] == "total")).any()
    assert labels[0].endswith("†")
    assert "† 报告正文与表格不一致" in _source_text(fig).replace("\n", "")
    fig = plots.render("applications_by_applicant", SHIPPED)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    natural = t3[(t3["row"] == "new_received") & (t3["column"] == "natural_person")]
    assert len(natural) == 1 and labels[0].endswith("†")
    # Without 洪泽 no mark and no note.
    tables = tk.load_tables(SHIPPED)
    for name in ("outcomes", "applications_by_applicant", "appeals"):
        fig = getattr(plots, name)(tables[~tables["report_id"].isin(hit)], ind)
        assert "†" not in _source_text(fig) + "".join(t.get_text() for t in fig.axes[0].texts), name


def _mean_of_own_shares(cells: pd.DataFrame, part: str) -> pd.Series:
    """Each report's cells over their sum, averaged over the reports with every cell read and a sum
    above 0 (the test's own pivot, not the chart's code)."""
    wide = cells.pivot_table(index="report_id", columns=part, values="value", aggfunc="sum", dropna=False)
    read = cells.groupby("report_id")["value"].apply(lambda v: v.notna().all())
    wide = wide[read.reindex(wide.index).to_numpy()].astype(float)
    wide = wide[wide.sum(axis=1) > 0]
    return wide.div(wide.sum(axis=1), axis=0).mean()


def test_table_charts_draw_the_mean_of_each_reports_own_shares_not_a_grand_total(shipped_indicators):
    """METHODS §2.1: no sum over reports of different organs and years; every report weighs the same."""
    tables = tk.load_tables(SHIPPED)
    t3 = tables[(tables["table"] == "t3") & (tables["status"] != "table_absent")]
    fig = plots.render("applications_by_applicant", SHIPPED)
    heights = [p.get_height() for p in fig.axes[0].patches]
    # Read by hand from corpus/: 18 reports have table 3; 工信厅 2019 and 2020 print their applicant
    # cells blank; 卫辉 2022, 鸡东 2023 and 开州 2024 received none. The 13 others' natural-person
    # shares: 16/16, 4/4, 2/2, 34/37, 41/44, 12/14, 11/11, 1/1, 17/17, 18/19, 8/10, 95/95, 1259/1295.
    natural = (1 + 1 + 1 + 34 / 37 + 41 / 44 + 12 / 14 + 1 + 1 + 1 + 18 / 19 + 8 / 10 + 1 + 1259 / 1295) / 13
    assert heights[0] == pytest.approx(natural) and round(natural, 3) == 0.956
    cells = t3[(t3["row"] == "new_received") & (t3["column"] != "total")]
    expected = _mean_of_own_shares(cells, "column")
    keys = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org"]
    assert heights == pytest.approx([expected[k] for k in keys])
    assert sum(heights) == pytest.approx(1.0)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "xxgk-value"]
    assert labels[0] == "96%†"  # 洪泽 2024 (its text contradicts its table 3) is among the 13
    title, subtitle = fig.texts[0].get_text(), fig.texts[1].get_text()
    assert title.endswith("（2019–2025 年 13 份报告占比的平均）"), title
    assert subtitle.endswith("(mean of 13 reports' own shares, 2019–2025)"), subtitle
    source = _source_text(fig).replace("\n", "")
    assert "（16 份" in source and "合计" not in title and "占 83%" not in source
    assert "其中 3 份报告本年无新收申请，无占比" in source
    assert "缺失值未计入：河北省工业和信息化厅 2019、2020（2 份报告）" in source

    fig = plots.render("outcomes", SHIPPED)
    widths = [p.get_width() for p in fig.axes[0].patches]
    cells = t3[t3["column"] == "total"]
    group = cells["row"].map(lambda r: next((i for i, (_z, _e, k) in enumerate(plots.OUTCOME_GROUPS)
                                             if r == k or (k.endswith(".") and r.startswith(k))), None))
    expected = _mean_of_own_shares(cells.assign(group=group).dropna(subset=["group"]), "group")
    assert widths == pytest.approx(list(expected.sort_index())) and sum(widths) == pytest.approx(1.0)
    # Granted in full: the mean of 12 reports' own shares, not 上海's pooled 17% nor a count.
    assert 0.5 < widths[0] < 0.7
    title = fig.texts[0].get_text()
    assert title.endswith("（2021–2025 年 12 份报告占比的平均）"), title
    source = _source_text(fig).replace("\n", "")
    # 教育厅 2019 prints its 部分公开 blank, 工信厅 2019 and 2020 their outcome cells.
    assert "缺失值未计入：河北省工业和信息化厅 2019、2020，河北省教育厅 2019（3 份报告）" in source
    assert "其中 3 份报告办理结果均为 0，无占比" in source


def test_appeals_chart_names_the_report_left_out_and_counts_reports_per_case_type(shipped_indicators):
    fig = plots.render("appeals", SHIPPED)
    ax = fig.axes[0]
    source = _source_text(fig).replace("\n", "")
    # 河北省教育厅（2019）prints its table 4's 维持/纠正/其他/尚未审结 blank: the one report left out.
    assert "缺失值未计入：河北省教育厅 2019（1 份报告）/ 1 report left out, a value missing" in source
    assert "（15 份" in source and "12 个" not in source
    ticks = [t.get_text().split("\n")[-1] for t in ax.get_yticklabels()]
    # Reports with a case of each type, read by hand from corpus/ (of the 15 whose table 4 was read).
    assert ticks == ["6 份有案件（共 15 份报告）", "5 份有案件（共 15 份报告）", "7 份有案件（共 15 份报告）"]
    # Reconsideration upheld: 教育厅 2022 2/4, 工信厅 2022 1/1, 教育厅 2023 6/7, 工信厅 2023 0/1
    # (pending), 洪泽 2024 1/2, 上海 2025 40/55.
    upheld = (2 / 4 + 1 + 6 / 7 + 0 + 1 / 2 + 40 / 55) / 6
    first = min((p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 0.01), key=lambda p: p.get_x())
    assert first.get_width() == pytest.approx(upheld)
    for row in range(3):  # each case type's shares add up to 100%
        assert sum(p.get_width() for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 0.01) \
            == pytest.approx(1.0)
    assert "合计" not in fig.texts[0].get_text()


def test_rates_by_organ_are_ordered_by_cases_per_report_not_summed_cases(shipped_indicators):
    fig = plots.rates(shipped_indicators, by="organ")
    ticks = [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()]
    # Handled applications per contributing report: 上海 1,191 (1 report), 洪泽 95 (1),
    # 教育厅 100 over 3 (33.3): summed cases would put 教育厅 (100) above 洪泽 (95).
    assert ticks[:3] == ["上海市人民政府办公厅", "淮安市洪泽区人民政府", "河北省教育厅"]
    ind = shipped_indicators
    d = ind[(ind["indicator"] == "disclosure_rate") & ind["numerator"].notna() & (ind["denominator"] > 0)]
    mean = d.groupby("organ_id")["denominator"].mean()
    names = d.drop_duplicates("organ_id", keep="last").set_index("organ_id")["agency"]
    assert ticks[:len(mean)] == list(names[mean.sort_values(ascending=False, kind="stable").index])
    assert "按每份报告平均件数（比例的分母）排序" in _source_text(fig).replace("\n", "")
    assert "排序" not in _source_text(plots.rates(ind, by="year"))


def test_audit_summary_draws_cross_year_checks_and_no_unenumerated_section_as_a_failure():
    from toolkit.plots.theme import FAIL_COLOUR, NEUTRAL_COLOUR

    audit = tk.audit(SHIPPED)
    fig = plots.audit_summary(audit)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    colour = {FAIL_COLOUR.lower(): "failed", NEUTRAL_COLOUR.lower(): "neutral"}

    def segments(label):
        row = ticks.index(label)
        return {colour.get(matplotlib.colors.to_hex(p.get_facecolor()), matplotlib.colors.to_hex(p.get_facecolor())):
                p.get_width() for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 0.01 and p.get_width()}

    # Counted from tk.audit(corpus/): carried-over 42 passed, 133 not checkable; the section-5
    # repeat 20 passed, 1 failed (科技厅 2022 repeats 2021), 4 not checkable (教育厅 2014's
    # section 五, headed 六、存在的主要问题, is compared with 2013's).
    carried = segments("上年结转与上年报告一致\nCarried over = last year's")
    assert sorted(carried.values()) == [42, 133] and "failed" not in carried
    repeat = segments("第五部分未照搬上年\nSection 5 not a repeat")
    assert sorted(repeat.values()) == [1, 4, 20] and repeat["failed"] == 1
    # 15 reports write section 五 as unnumbered prose: drawn in the neutral colour, never red.
    enumerated = segments("第五部分分项列举\nSection 5 enumerated")
    assert enumerated["neutral"] == 15 and "failed" not in enumerated
    assert "未分项 / Not enumerated" in [t.get_text() for t in ax.get_legend().get_texts()]
    total = sum(p.get_width() for p in ax.patches)
    assert total == len(audit)  # every finding is drawn, the cross-year ones included


def test_a_pooled_rate_resting_on_a_contradicted_report_is_marked(shipped_indicators):
    ind = shipped_indicators
    hit = ind[(ind["indicator"] == "disclosure_rate") & ind["conflict"].astype(bool)]
    # 洪泽 2024: its text says 17 applications, table 3 says 95; every table-3 rate carries the flag.
    assert list(hit["agency"]) == ["淮安市洪泽区人民政府"] and list(hit["year"]) == [2024]
    fig = plots.rates(ind, by="year")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    row = next(i for i, t in enumerate(ticks) if t.startswith("2024"))
    marked = [t for t in ax.texts if t.get_gid() == "xxgk-value" and t.get_text().endswith("†")]
    assert marked and all(abs(t.xy[1] - row) < 0.5 for t in marked)
    assert "† 报告正文与表格不一致" in _source_text(fig).replace("\n", "")
    clean = plots.rates(ind[ind["report_id"] != hit["report_id"].iloc[0]], by="year")
    assert "†" not in _source_text(clean) + "".join(t.get_text() for t in clean.axes[0].texts)


def test_report_groups_names_an_unreadable_report_by_its_id():
    # An unreadable report has no organ, agency or year; with string columns pandas stores
    # their missing values as NaN, which must not become a group of its own (or break counting).
    import pandas as pd

    from toolkit.plots.layout import report_groups

    reports = pd.DataFrame({"report_id": ["r1", "r2", "bad"],
                            "organ_id": pd.array(["o1", "o1", None], dtype="string"),
                            "agency": pd.array(["甲局", "甲局", None], dtype="category"),
                            "year": pd.array([2021, 2022, None], dtype="Int64")})
    group_of, labels, _axis = report_groups(["r1", "r2", "bad"], reports, "organ")
    assert group_of == {"r1": "o1", "r2": "o1", "bad": "bad"}
    assert labels["o1"].startswith("甲局\n2021–2022") and labels["bad"] == "bad"


@pytest.mark.parametrize("kind", ["object", "category"])
def test_report_shares_of_three_reports(kind):
    """Each report's own shares, read by hand: R1 has x 1 and y 3 (shares 1/4 and 3/4), R2 has both
    0 (no share), R3 misses y (no share); the same whether the keys are strings or categories
    (a build's tables come as categories)."""
    from toolkit.plots.layout import MISSING, SHARE, ZERO, report_shares

    cells = pd.DataFrame({"report_id": ["R1", "R1", "R2", "R2", "R3", "R3"],
                          "part": ["x", "y", "x", "y", "x", "y"],
                          "value": pd.array([1, 3, 0, 0, 2, None], dtype="Float64")})
    cells = cells.astype({"report_id": kind, "part": kind})
    shares, status = report_shares(cells, "part")
    assert shares[["report_id", "part"]].values.tolist() == [["R1", "x"], ["R1", "y"]]
    assert shares["share"].tolist() == [0.25, 0.75]
    assert status[["report_id", "status"]].values.tolist() == [["R1", SHARE], ["R2", ZERO], ["R3", MISSING]]
    assert set(status["unit"]) == {""}


def test_share_charts_keep_one_string_per_report_and_organ():
    """Two share aggregates fed the same reports (as a build feeds three) keep the same string
    object for a report's id, and reports of one organ and year one (organ, year) pair: the
    held ids and organs do not grow with the number of share charts.  What they count is read
    by hand: R1 has shares, R2 all zero, R3 a cell missing."""
    from toolkit.plots.charts import MeanShares

    def cells():  # new string objects each time, as each run's frame gives them
        ids = ["".join(["R", str(i)]) for i in (1, 1, 2, 2, 3, 3)]
        return pd.DataFrame({"report_id": pd.array(ids, dtype="string"), "part": ["x", "y"] * 3,
                             "value": pd.array([1, 3, 0, 0, 2, None], dtype="Float64")})

    def indicators():
        return pd.DataFrame({"report_id": pd.array(["R1", "R2", "R3"], dtype="string"),
                             "agency": pd.array(["".join(["甲", "局"])] * 2 + ["乙局"], dtype="string"),
                             "year": [2022, 2022, 2023], "indicator": ["applications"] * 3})

    a, b = MeanShares("part", None, "t3").add(cells(), indicators()), MeanShares("part", None, "t3").add(cells(), indicators())
    assert (a.used, a.zero, a.missing) == ({"": {"R1"}}, {"": {"R2"}}, {"": {"R3"}})
    assert a.meta == {"R1": ("甲局", 2022), "R2": ("甲局", 2022), "R3": ("乙局", 2023)}
    assert next(iter(a.used[""])) is next(iter(b.used[""]))
    assert a.meta["R1"] is a.meta["R2"]
    assert a.meta["R1"][0] is b.meta["R1"][0]
