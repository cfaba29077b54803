"""Section 五 splitting.  Expected items were read by hand from the seeds."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.parsing.section_items import (is_enumerated, is_heading, signature_start, split_items, split_parts,
                                      split_section)
from toolkit.parsing import parse_file

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"


def section5(prefix: str) -> str:
    """Section 5 of the one shipped report whose id starts with *prefix* (a seed's ``000``, or a
    whole report id)."""
    (path,) = REPORTS.glob(f"{prefix}*.txt")
    return parse_file(path).sections["5"]


@pytest.mark.parametrize("seed,problems,improvements", [
    ("000", 3, 2), ("001", 2, 2), ("002", 2, 3), ("003", 3, 3), ("004", 1, 1),
])
def test_seed_item_counts(seed, problems, improvements):
    counts = Counter(i.part for i in split_section(section5(seed)) if i.item > 0)
    assert counts == {"problem": problems, "improvement": improvements}


def test_seed_item_texts():
    items = {(i.part, i.item): i.text for i in split_section(section5("000"))}
    assert items[("problem", 1)] == "一是连续性还不够。部分信息公开不完善、不及时，时效性、连续性还须要进一步提高。"
    assert items[("improvement", 2)].startswith("二是强化政务公开工作制度建设。")
    items = {(i.part, i.item): i.text for i in split_section(section5("002"))}
    assert items[("problem", 0)] == "2023年，文登区民政局政府信息公开工作取得了新的进展，但仍存在一定问题。"
    assert items[("improvement", 3)] == "三是优化公开信息结构，创新公开形式，提升群众阅读兴趣，进一步强化信息公开工作实效。"
    items = {(i.part, i.item): i.text for i in split_section(section5("003"))}
    # **一是** bold markers are Word/markdown artefacts, gone from the text.
    assert items[("problem", 1)] == "一是公开主动性需要进一步提高，部分网站栏目更新不及时。"
    items = {(i.part, i.item): i.text for i in split_section(section5("001"))}
    assert items[("improvement", 0)] == "(二)改进情况。针对存在的问题,下阶段我局将做好以下工作:"


def test_seed_004_prose():
    # Read by hand: the problem paragraph ends with "今后, 民政局将继续加强信息公开工作…"
    # — a plan, so the improvement part starts there, before the author's own
    # "下一步改进措施:" line, which stays inside it.
    items = split_section(section5("004"))
    improvement = [i.text for i in items if i.part == "improvement"]
    assert len(improvement) == 1 and improvement[0].startswith("今后, 民政局将继续加强信息公开工作")
    assert "\n\n下一步改进措施: 采取切实有效措施" in improvement[0]
    problem = [i.text for i in items if i.part == "problem"]
    assert problem == [section5("004").split("今后,")[0].strip()]
    assert "便民性有待进一步提高" in problem[0]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_text_dropped_and_offsets_exact(seed):
    section = section5(seed)
    items = split_section(section)
    for item in items:
        assert section[item.start:item.end] == item.text
    joined = "".join(i.text for i in items)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", section)


@pytest.mark.parametrize("text,n", [
    ("存在问题：(一)网站更新慢。(二)解读不足。改进措施：(一)加强更新。(二)丰富解读。(三)强化培训。", (2, 3)),
    ("存在问题：1.网站更新慢；2.解读不足。下一步：1.加强更新；2.丰富解读。", (2, 2)),
    ("问题在于：第一，网站更新慢；第二，解读不足。今后，第一，加强更新；第二，丰富解读；第三，强化培训。", (2, 3)),
    ("首先，网站更新慢；其次，解读不足。针对存在的问题，我们将首先加强更新，其次丰富解读，最后强化培训。", (2, 3)),
])
def test_enumeration_families(text, n):
    counts = Counter(i.part for i in split_section(text) if i.item > 0)
    assert (counts["problem"], counts["improvement"]) == n


def test_missing_or_empty_or_unenumerated():
    assert split_section(None) == []
    assert split_section("  \n") == []
    items = split_section("工作中还存在一些不足，公开内容还不够丰富。")
    assert [(i.part, i.item) for i in items] == [("problem", 1)]
    assert split_parts("今后将加强培训。") == {"improvement": (0, len("今后将加强培训。"))}


def test_is_enumerated_on_the_seeds_and_the_cases():
    # By hand: seeds 000-003 number their items, 004 is prose (test_seed_004_prose).
    assert [is_enumerated(section5(seed)) for seed in ("000", "001", "002", "003", "004")] == \
        [True, True, True, True, False]
    assert is_enumerated("存在问题：1.网站更新慢；2.解读不足。")
    assert not is_enumerated("二是不足；一是不够。")  # out of order: no enumeration
    assert not is_enumerated(None) and not is_enumerated("")


# Pieces the enumeration and part markers are made of, and filler between them.
_PIECES = ["一是", "二是", "三是", "（一）", "（二）", "(三)", "1.", "2、", "3．", "第一，", "第二是", "首先", "其次",
           "最后", "统一是", "同二是", "12.5", "改进措施：", "下一步，", "今后将", "存在的主要问题", "。", "；",
           "\n", "网站更新不及时", "解读", "\n\n某某局\n2024年1月15日"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_is_enumerated_is_what_split_section_finds(pieces):
    """The audit's shortcut gives exactly what the items say (an item numbered 2 or more)."""
    section = "".join(pieces)
    assert is_enumerated(section) == any(i.item > 1 for i in split_section(section))


def test_split_items_sequence_is_ordered():
    # 二是 before 一是 is not an enumeration; the text stays one item.
    assert [i.item for i in split_items("二是不足；一是不够。")] == [1]


def test_load_narratives_frame():
    import toolkit as tk
    from toolkit.mining.narratives import load_narratives

    assert tk.load_narratives is load_narratives  # the loader lives in the mining layer
    df = tk.load_narratives()
    assert list(df.columns) == ["item_id", "report_id", "agency", "year", "admin_level", "sector", "template",
                                "part", "item", "text", "start", "end", "is_heading", "duplicate_of"]
    assert df.dtypes.astype(str).tolist() == ["string", "string", "string", "Int64", "category", "string",
                                              "category", "category", "Int64", "string", "Int64", "Int64",
                                              "boolean", "string"]
    assert df["item_id"].is_unique and df["report_id"].is_monotonic_increasing
    counts = df[df["item"] > 0].groupby(["report_id", "part"], observed=True).size()
    assert counts[("000_390bec4f8b72bc77", "problem")] == 3
    assert counts[("002_0a737c20a99ed187", "improvement")] == 3
    row = df[df["item_id"] == "000_390bec4f8b72bc77:p1"].iloc[0]
    assert row["text"].startswith("一是连续性还不够。") and row["agency"] == "鸡东县民政局"
    assert row["year"] == 2023 and row["admin_level"] == "county" and row["sector"] == "民政"
    # headings: the seed's two sub-headings, and nothing that has content
    heads = df[df["is_heading"]]
    assert {"000_390bec4f8b72bc77:p0", "000_390bec4f8b72bc77:i0", "2020_bf9c24aed25d2db3:i0"} <= set(heads["item_id"])
    assert heads["text"].str.len().max() <= 20
    # the older reports' plans ("YYYY年，…将") are improvements
    assert (df[df["report_id"] == "2016_ca0b1b687dff487a"]["part"] == "improvement").sum() == 1


def test_load_narratives_offsets_point_into_section_5():
    import toolkit as tk

    df = tk.load_narratives()
    for rid in ("2013_188035148e085674", "2020_bf9c24aed25d2db3", "003_03a04d677c33f02f"):
        (path,) = REPORTS.glob(f"{rid}.txt")
        section = parse_file(path).sections["5"]
        for row in df[df["report_id"] == rid].itertuples():
            assert section[row.start:row.end] == row.text


def test_load_narratives_near_duplicates_point_to_the_earlier_report():
    import toolkit as tk

    df = tk.load_narratives()
    dup = df.groupby("report_id")["duplicate_of"].first()
    # 河北省科学技术厅 2022 repeats its 2021 text word for word except 全省 -> 我省 (read side by side)
    assert dup["2022_7a9750aaa71b82cb"] == "2021_d9cf0cbd74d43b1e"
    assert pd.isna(dup["2021_d9cf0cbd74d43b1e"])  # the earlier report of the pair points nowhere
    # 河北省教育厅 2014 (heading 六、存在的主要问题) repeats 2013's problems sentence (…有待进一步丰富)
    # nearly word for word (read side by side); its item is the one paragraph under that heading
    assert dup["2014_7e3ea66ddf3d7e64"] == "2013_188035148e085674"
    item = df[df["report_id"] == "2014_7e3ea66ddf3d7e64"]["text"].tolist()
    assert item == ["2014年，河北省教育厅在政府信息公开方面做了一些工作，取得了一些成绩，但还存在一些不足。"
                    "主要是主动公开的意识有待进一步加强；部分信息发布还不够及时；门户网站主动公开的内容有待进一步丰富。"]
    # every pointer goes back in time, and each report's items agree on it
    years = df.groupby("report_id")["year"].first()
    for late, early in dup.dropna().items():
        assert (years[early], early) < (years[late], late)
    assert (df.groupby("report_id")["duplicate_of"].nunique(dropna=False) == 1).all()
    # a stricter threshold flags fewer reports, never more
    strict = tk.load_narratives(duplicate_threshold=0.9).groupby("report_id")["duplicate_of"].first()
    assert set(strict.dropna().index) == {"2022_7a9750aaa71b82cb"}
    with pytest.raises(ValueError, match="duplicate_threshold"):
        tk.load_narratives(duplicate_threshold=0)


# -- layouts of the Hebei reports (texts of the shipped corpus, read by hand) -------------------


def parts_of(items):
    return [(i.part, i.item, i.is_heading) for i in items]


def test_enumerator_before_improvement_heading_goes_with_it():
    # 2020_bf9c…: "…解读形式还不够生动。（二）下一步改进措施一是…" — the "（二）" numbers
    # the improvement heading, so it goes with that heading, not into a problem item of its own.
    items = split_section(section5("2020_bf9c24aed25d2db3"))
    assert parts_of(items) == [("problem", 0, True), ("problem", 1, False), ("problem", 2, False),
                               ("improvement", 0, True), ("improvement", 1, False),
                               ("improvement", 2, False), ("improvement", 3, False)]
    texts = {(i.part, i.item): i.text for i in items}
    assert texts[("problem", 0)] == "（一）存在问题"
    assert texts[("problem", 2)] == "二是政策解读存在提升空间。对于专业性较强的政策，解读形式还不够生动。"
    assert texts[("improvement", 0)] == "（二）下一步改进措施"


@pytest.mark.parametrize("report_id,first_improvement", [
    # older reports announce next year's plans with "YYYY年，…将": plans are improvements, not problems
    ("2016_ca0b1b687dff487a", "2017年，我厅将继续深入贯彻落实《条例》"),
    ("2017_d9769d68b8a93cbd", "2018年，我厅将继续深入贯彻落实《条例》"),
    ("2018_8efaa70ea8e60d2f", "2019年，省工信厅将重点做好以下几方面工作："),
    ("2023_302cde96ef5b5c64", "2024年，我们将按照政府信息公开有关要求"),
    # the marker 今后/改进措施 sits a few words into its sentence: the part starts with the sentence
    ("2019_67526ad7b2f4a88c", "我们将在今后的工作中进一步加大信息公开工作力度"),
    ("2019_98277dbb4c7dd133", "在今后工作中，我们将进一步增强依法公开意识"),
    ("2017_177f8939f5ac31e5", "针对这些问题，我们将在今后的工作中采取措施加以改进提高。"),
    ("2016_0c80773cdb2006bf", "2017年，我们将采取以下改进措施："),
    ("2013_188035148e085674", "2013年我厅将主要采取以下改进措施："),
])
def test_improvement_part_starts_with_its_sentence(report_id, first_improvement):
    items = split_section(section5(report_id))
    improvement = [i for i in items if i.part == "improvement"]
    assert improvement and improvement[0].text.startswith(first_improvement)
    problems = " ".join(i.text for i in items if i.part == "problem")
    assert first_improvement[:8] not in problems


def test_2018_8efa_improvements_are_its_three_numbered_items():
    items = split_section(section5("2018_8efaa70ea8e60d2f"))
    assert [(i.part, i.item) for i in items] == [("problem", 1), ("improvement", 0), ("improvement", 1),
                                                 ("improvement", 2), ("improvement", 3)]
    assert items[-1].text.startswith("（三）持续做好重点领域政府信息公开工作。")


def test_signature_and_date_lines_are_trimmed():
    section = section5("2013_188035148e085674")
    assert section.rstrip().endswith("河北省教育厅\n2014年1月16日")
    items = split_section(section)
    assert items[-1].text == "二是着力加强厅机关网站建设，改善栏目设置，提高网站浏览量和群众关注度。"
    assert section[items[-1].start:items[-1].end] == items[-1].text
    assert signature_start(section) == items[-1].end
    # organ and date on one line; a sentence ending in a date or a short item is no signature
    assert signature_start("一是加强培训。\n河北省科学技术厅 2018年2月2日\n") == len("一是加强培训。")
    assert signature_start("一是加强培训。\n三是召开新闻发布会") == len("一是加强培训。\n三是召开新闻发布会")
    text = "工作总结于2018年2月2日"
    assert signature_start(text) == len(text)


def test_section_heading_at_the_start_is_not_cut():
    # As 河北省科学技术厅 2017/2018 write it when the heading stays in the text: the heading
    # contains "下一步工作", which must not open the improvement part.
    text = ("六、存在的问题和下一步工作措施\n虽然我厅在政府信息公开工作中有了很大进展，但仍存在一定差距和不足。"
            "\n下一步，我厅将重点抓好以下三方面的工作：一是完善监督考核机制；二是提升信息公开水平；三是推进能力建设。")
    parts = split_parts(text)
    assert text[parts["improvement"][0]:].startswith("下一步，我厅将")
    assert text[:parts["problem"][1]].startswith("六、存在的问题和下一步工作措施")
    counts = Counter(i.part for i in split_section(text) if i.item > 0)
    assert counts == {"problem": 1, "improvement": 3}


@pytest.mark.parametrize("text,expected", [
    ("（一）存在的问题", True), ("(一)存在的主要问题。", True), ("（二）整改措施", True), ("改进措施：", True),
    ("（二）", True), ("（二）下一步改进措施", True), ("五、存在的主要问题及改进情况", True),
    ("六、存在的问题和", True), ("下一步工作计划：", True),
    ("下一步，我厅将持续深化政务公开工作：", False), ("(二)改进情况。针对存在的问题,下阶段我局将做好以下工作:", False),
    ("一是公众参与度不高。", False), ("2013年我厅将主要采取以下改进措施：", False),
])
def test_is_heading(text, expected):
    assert is_heading(text) is expected


def test_seed_headings_marked():
    items = split_section(section5("000"))
    assert [(i.part, i.item) for i in items if i.is_heading] == [("problem", 0), ("improvement", 0)]
    items = split_section(section5("002"))
    assert [i.text for i in items if i.is_heading] == ["改进措施："]
