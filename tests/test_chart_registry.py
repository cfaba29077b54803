"""The chart registry: a chart is one function plus one entry, and it sees only the cells it declares."""
from __future__ import annotations

import pandas as pd
import pytest

from toolkit import cli, plots
from toolkit.data import build as tb
from toolkit.plots import registry
from toolkit.analysis.chart_data import built_indicators_of as chart_data_built_indicators_of
from toolkit.plots.registry import Cells, Chart

SEEN: list[set] = []


def dummy_chart(tables, *, source=None):
    """Natural persons' new applications: records the cells it was handed."""
    SEEN.append(set(zip(tables["table"].astype(str), tables["row"].astype(str), tables["column"].astype(str))))
    return plots.applications_by_applicant(tables, source=source)


DUMMY = Chart("dummy_natural_persons", dummy_chart, "自然人新收申请（测试）", "natural persons' new applications (test)",
              inputs=("tables",), cells=(Cells("t3", ("new_received",), ("natural_person",)),))


@pytest.fixture
def only_dummy(monkeypatch):
    """The registry holding the dummy chart alone (restored afterwards)."""
    for name in list(registry.REGISTRY):
        monkeypatch.delitem(registry.REGISTRY, name)
    monkeypatch.setitem(registry.REGISTRY, DUMMY.name, DUMMY)
    SEEN.clear()
    return DUMMY


def test_a_registered_chart_is_written_by_the_build_and_sees_only_its_cells(tmp_path, corpus, only_dummy):
    out = tmp_path / "out"
    result = tb.build(corpus, out, excel=False, extras=[plots.write_charts])
    assert not result.skipped
    written = sorted(p.name for p in (out / "charts").iterdir())
    assert written == [f"{DUMMY.name}.png", f"{DUMMY.name}.sources.csv", f"{DUMMY.name}.svg"]
    assert SEEN and SEEN[-1] == {("t3", "new_received", "natural_person")}
    # The same cells when drawn from the corpus by render(): never more than the build keeps.
    fig = plots.render(DUMMY.name, corpus)
    assert SEEN[-1] == {("t3", "new_received", "natural_person")}
    cited = pd.read_csv(out / "charts" / f"{DUMMY.name}.sources.csv", encoding="utf-8-sig")
    assert sorted(cited["report_id"].astype(str)) == sorted(fig.xxgk_sources["report_id"].astype(str))
    assert plots.CHARTS[DUMMY.name] is dummy_chart and DUMMY.name not in plots.BY_CHARTS


def test_a_registered_chart_is_in_the_cli_help_and_drawn_by_it(tmp_path, capsys, only_dummy, seed_corpus):
    assert cli.main(["chart", "--help"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith(DUMMY.name + " "))
    assert DUMMY.en in line
    assert cli.main(["chart", DUMMY.name, "--corpus", str(seed_corpus), "--out", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d.png").stat().st_size > 10_000
    assert cli.main(["chart", DUMMY.name, "--by", "year", "--out", str(tmp_path / "e")]) == 2


def test_the_registry_refuses_an_incomplete_declaration():
    with pytest.raises(ValueError, match="declare the cells"):
        Chart("x", dummy_chart, "x", "x", inputs=("tables",))
    with pytest.raises(ValueError, match="inputs"):
        Chart("x", dummy_chart, "x", "x", inputs=("pdf",))
    with pytest.raises(ValueError, match="registered already"):
        registry.register(registry.REGISTRY["rates"])


def test_the_build_keeps_every_cell_a_registered_chart_declares():
    cells = set(plots.chart_cells())
    for chart in plots.REGISTRY.values():
        for c in chart.cells:
            for row in c.rows or (None,):
                for column in c.columns or (None,):
                    assert (c.table, row, column) in cells
    assert set(plots.chart_indicators()) == {n for c in plots.REGISTRY.values() for n in c.indicators}


def test_charts_gathered_run_by_run_are_the_charts_of_one_run(tmp_path, corpus, monkeypatch):
    """write_charts draws the charts that declare an aggregate from one pass over the build, a run
    of reports at a time: runs of two reports give the same files, byte for byte, as one run."""
    from toolkit.analysis import chart_data

    out = tmp_path / "out"
    tb.build(corpus, out, excel=False)
    gathering = [c.name for c in plots.REGISTRY.values() if c.aggregate is not None]
    assert {"applications_by_applicant", "outcomes", "appeals", "audit_summary", "proactive_disclosure",
            "applications_and_refusals", "rates"} <= set(gathering)
    one = {p: (out / p).read_bytes() for p in plots.write_charts(out)}
    runs = []
    bounds = chart_data.report_bounds
    monkeypatch.setattr(chart_data, "RUN_REPORTS", 2)
    monkeypatch.setattr(chart_data, "report_bounds", lambda o, size=chart_data.CHUNK_REPORTS: runs.append(size)
                        or bounds(o, size))
    many = {p: (out / p).read_bytes() for p in plots.write_charts(out)}
    assert runs == [2] and len(bounds(out, 2)) > 2
    assert many == one


def test_write_charts_reads_the_indicators_run_by_run_never_all_at_once(tmp_path, corpus, monkeypatch):
    """The charts drawn from indicators read the build's indicators file a run of reports at a time
    (or compute them run by run when the build has none): never every report's indicators in one
    frame, and the files are the same bytes as one run's."""
    from toolkit.analysis import chart_data

    out = tmp_path / "out"
    tb.build(corpus, out, excel=False)
    chart_data.write_built_indicators(out)  # as xxgk build does
    before = {p: (out / p).read_bytes() for p in plots.write_charts(out)}

    def whole(*_args, **_kwargs):
        raise AssertionError("every report's indicators read at once")

    built_frames = chart_data.built_frames
    monkeypatch.setattr(chart_data, "read_built_indicators", whole)
    monkeypatch.setattr(chart_data, "built_indicators_of", lambda out, ids, names: whole() if ids is None
                        else chart_data_built_indicators_of(out, ids, names))
    monkeypatch.setattr(chart_data, "built_frames", lambda out, cells=(), indicators=(), audit=True, **kw: whole()
                        if indicators else built_frames(out, cells, indicators, audit, **kw))
    monkeypatch.setattr(chart_data, "RUN_REPORTS", 2)
    assert {p: (out / p).read_bytes() for p in plots.write_charts(out)} == before
    (out / chart_data.INDICATORS_FILE).unlink()  # not computed by the build: computed run by run
    assert {p: (out / p).read_bytes() for p in plots.write_charts(out)} == before


def test_indicator_rows_gathered_in_runs_are_the_frame_the_chart_is_drawn_from(seed_corpus):
    """The rows a chart on indicators gathers run by run, laid end to end, are its indicators (the
    columns it reads), with their types, and they are gathered once for all its groupings."""
    import toolkit as tk
    from toolkit.plots.charts import ApplicationRows, RateRows

    ind = tk.indicators(seed_corpus)
    ids = sorted(set(ind["report_id"].astype(str)))
    assert len(ids) >= 3
    cut = ind["report_id"].astype(str) <= ids[len(ids) // 2]
    for kind in (ApplicationRows, RateRows):
        rows = kind(by="organ")
        by_year = rows.grouped("year")
        rows.add(ind[cut.to_numpy()]).add(ind[~cut.to_numpy()])
        wanted = [c for c in ind.columns if c in set(kind.columns) | set(kind.GROUP_COLUMNS)]
        expected = pd.concat([ind[cut.to_numpy()], ind[~cut.to_numpy()]], ignore_index=True)[wanted]
        pd.testing.assert_frame_equal(rows.frame(), expected)
        pd.testing.assert_frame_equal(by_year.frame(), expected)
        assert "reason" not in rows.frame().columns and by_year.by == "year"


def test_indicator_rows_joined_once_for_every_grouping_and_again_after_more_rows(seed_corpus):
    """The frame of the rows gathered is made once for all the groupings a chart is drawn by, and
    made again when rows are added after it was made (to either grouping)."""
    import toolkit as tk
    from toolkit.plots.charts import ApplicationRows

    ind = tk.indicators(seed_corpus)
    ids = sorted(set(ind["report_id"].astype(str)))
    cut = (ind["report_id"].astype(str) <= ids[len(ids) // 2]).to_numpy()
    rows = ApplicationRows(by="organ")
    by_year = rows.grouped("year")
    rows.add(ind[cut])
    first = rows.frame()
    assert by_year.frame() is first
    assert set(first["report_id"].astype(str)) == {r for r in ids if r <= ids[len(ids) // 2]}
    by_year.add(ind[~cut])
    assert rows.frame() is not first
    assert set(rows.frame()["report_id"].astype(str)) == set(ids)
    assert len(by_year.frame()) == len(ind)


def test_proactive_cells_gathered_once_for_both_groupings(seed_corpus):
    """The disclosure chart's grouping twin draws from the cells and reports added to the first
    (gathered once), and draws what a chart gathered by that grouping alone draws."""
    import toolkit as tk
    from toolkit.plots.charts import ProactiveCells

    tables, reports = tk.load_tables(seed_corpus), tk.load_reports(seed_corpus)
    by_organ = ProactiveCells("organ", template=None)
    by_year = by_organ.grouped("year")
    by_organ.add(tables, reports)
    assert by_year.by == "year" and by_year.cells is by_organ.cells and by_year.reports is by_organ.reports
    assert len(by_year.cells) == 1 and len(by_year.reports) == 1
    alone = ProactiveCells("year", template=None).add(tables, reports)

    def texts(fig):
        return sorted(t.get_text() for ax in fig.axes for t in ax.texts) + [t.get_text() for t in fig.texts]

    assert texts(by_year.figure()) == texts(alone.figure())


def test_write_charts_reads_only_the_report_columns_charts_and_citations_read(tmp_path, corpus, monkeypatch):
    """The build's charts read of the reports the columns their citations read (id, title, organ,
    year) and those the disclosure chart's aggregate declares (template, groupings, names), not
    the file's other columns (file, sha256, error, ...); a chart whose aggregate declares none
    gets every column."""
    from toolkit.analysis import chart_data
    from toolkit.plots import output

    out = tmp_path / "out"
    tb.build(corpus, out, excel=False)
    seen = []
    real = chart_data.built_frames

    def spy(*args, **kwargs):
        frames = real(*args, **kwargs)
        seen.append(list(frames["reports"].columns))
        return frames

    monkeypatch.setattr(chart_data, "built_frames", spy)
    plots.write_charts(out)
    assert len(seen) == 1
    assert sorted(seen[0]) == sorted(["report_id", "title", "agency", "year", "template", "organ_id", "province",
                                      "admin_level", "sector"])

    class Undeclared:
        def add(self, tables, reports):
            return self

    chart = Chart("undeclared", dummy_chart, "甲", "a", inputs=("tables", "reports"), cells=(Cells("t3", ("new_received",)),),
                  aggregate=Undeclared)
    assert output._report_columns([chart]) is None
