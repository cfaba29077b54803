"""Charts of a selection (one organ, a province, a year), grouped by province, level or sector;
titles that name the selection; figures that cite the reports they draw on."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from toolkit import cli, plots

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _metadata() -> dict[str, dict]:
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        return {r["report_id"]: r for r in csv.DictReader(fh)}


def _texts(svg: Path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg.read_text(encoding="utf-8"))


def _sources(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the build's CSV: UTF-8 with a BOM
    return list(csv.DictReader(raw[3:].decode("utf-8").splitlines()))


def test_one_organ_chart_names_the_organ_and_cites_its_reports(tmp_path, capsys):
    out = tmp_path / "X"
    assert cli.main(["chart", "rates", "--organ", "河北省教育厅", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out) + ".png", str(out) + ".svg", str(out) + ".sources.csv"]
    texts = _texts(tmp_path / "X.svg")
    assert "河北省教育厅：公开率与不予公开率（95% 置信区间）：按年度" in texts
    rows = _sources(tmp_path / "X.sources.csv")
    meta = _metadata()
    assert rows and {r["organ"] for r in rows} == {"河北省教育厅"}
    for r in rows:  # title, year, URL and retrieval date as metadata.csv records them
        m = meta[r["report_id"]]
        assert (r["title"], r["year"], r["url"], r["retrieved"]) == (m["title"], m["year"], m["source_url"], m["added"])
    # The organ's 2013-2018 reports have no table 3 and its 2019 report prints 部分公开 blank,
    # so its rates rest on the 2021-2023 reports only.
    assert [r["year"] for r in rows] == ["2021", "2022", "2023"]
    source = next(t for t in texts if t.startswith("数据来源："))
    assert source.startswith("数据来源：河北省教育厅2021年、2022年、2023年政府信息公开工作年度报告（见 X.sources.csv）")


def test_by_province_groups_reports_by_province_and_cites_by_count(tmp_path):
    out = tmp_path / "Y"
    assert cli.main(["chart", "rates", "--by", "province", "--out", str(out)]) == 0
    texts = _texts(tmp_path / "Y.svg")
    assert "公开率与不予公开率（95% 置信区间）：按省份" in texts
    assert "Disclosure and denial rates with 95% intervals, by province" in texts
    assert "省份 / Province" in texts
    provinces = {m["province"] for m in _metadata().values()}
    assert "河北省" in provinces and "河北省" in texts  # a tick label per province
    assert {t for t in texts if t in provinces} <= provinces
    rows = _sources(tmp_path / "Y.sources.csv")
    assert len(rows) > plots.MAX_CITED
    source = next(t for t in texts if t.startswith("数据来源："))
    assert f"（{len(rows)} 份，见 Y.sources.csv）" in source


def test_ambiguous_organ_lists_the_candidates(tmp_path, capsys):
    assert cli.main(["chart", "rates", "--organ", "河北省", "--out", str(tmp_path / "Z")]) == 2
    err = capsys.readouterr().err
    for name in ("河北省人力资源和社会保障厅", "河北省工业和信息化厅", "河北省教育厅", "河北省科学技术厅"):
        assert f"130000:{name}  {name}" in err
    assert "matches 4 organs" in err
    assert not list(tmp_path.iterdir())


def test_unknown_organ_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["chart", "rates", "--organ", "没有这个机关", "--out", str(tmp_path / "Z")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "没有这个机关" in err
    assert not list(tmp_path.iterdir())


def test_a_misspelt_organ_is_answered_with_the_names_it_is_close_to(tmp_path, capsys):
    # 教育局 for 教育厅, and the province's 省 left out: the shipped corpus has 河北省教育厅.
    for typo in ("河北省教育局", "河北教育厅"):
        assert cli.main(["chart", "rates", "--organ", typo, "--out", str(tmp_path / "Z")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"no organ named '{typo}'" in err and "did you mean 河北省教育厅" in err
    assert not list(tmp_path.iterdir())


def test_organ_by_id_province_and_year_selection_and_title_override(tmp_path):
    assert cli.main(["chart", "applications_and_refusals", "--organ", "130000:河北省科学技术厅", "--by", "year",
                     "--out", str(tmp_path / "a")]) == 0
    assert any(t.startswith("河北省科学技术厅：") for t in _texts(tmp_path / "a.svg"))
    assert cli.main(["chart", "proactive_disclosure", "--province", "河北省", "--year", "2022",
                     "--out", str(tmp_path / "b")]) == 0
    texts = _texts(tmp_path / "b.svg")
    assert any(t.startswith("河北省，2022年：主动公开") for t in texts)
    ids = {r["report_id"] for r in _sources(tmp_path / "b.sources.csv")}
    meta = _metadata()
    assert ids and all(meta[i]["province"] == "河北省" and meta[i]["year"] == "2022" for i in ids)
    assert cli.main(["chart", "outcomes", "--organ", "河北省教育厅", "--title", "教育厅怎样答复申请",
                     "--out", str(tmp_path / "c")]) == 0
    texts = _texts(tmp_path / "c.svg")
    assert "教育厅怎样答复申请" in texts and not any("依申请公开：办理结果" in t for t in texts)


@pytest.mark.parametrize("by, label", [("admin_level", "行政层级 / Administrative level"), ("sector", "领域 / Sector")])
def test_by_level_and_sector(tmp_path, by, label):
    assert cli.main(["chart", "proactive_disclosure", "--by", by, "--out", str(tmp_path / by)]) == 0
    texts = _texts(tmp_path / f"{by}.svg")
    assert label in texts
    if by == "sector":  # the seeds are 民政 reports (metadata.csv)
        assert "民政" in texts
    else:
        assert "县级" in texts and "省级" in texts


def test_chart_help_lists_every_chart_with_one_line(capsys):
    assert cli.main(["chart", "--help"]) == 0
    out = capsys.readouterr().out
    for name in plots.CHARTS:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split(name, 1)[1].strip()) > 10, name


def test_selection_matching_nothing_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["chart", "rates", "--province", "西藏自治区", "--out", str(tmp_path / "n")]) == 2
    assert "西藏自治区" in capsys.readouterr().err


def test_one_organ_is_drawn_by_year_unless_asked_otherwise():
    # 河北省教育厅's table-3 reports are 2019, 2021, 2022 and 2023 (read by hand from corpus/).
    fig = plots.render("applications_and_refusals", CORPUS, organ="河北省教育厅")
    ticks = [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["2019年", "2021年", "2022年", "2023年"]
    fig = plots.render("applications_and_refusals", CORPUS, organ="河北省教育厅", by="organ")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 1 and ticks[0].startswith("河北省教育厅")
