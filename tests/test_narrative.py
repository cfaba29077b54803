"""Section 五 splitting.  Expected items were read by hand from the seeds."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from toolkit.parsing.narrative import split_items, split_parts, split_section
from toolkit.parsing import parse_file

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"


def section5(prefix: str) -> str:
    (path,) = REPORTS.glob(f"{prefix}_*.txt")
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
    items = split_section(section5("004"))
    improvement = [i.text for i in items if i.part == "improvement"]
    assert improvement and improvement[0].startswith("下一步改进措施:")
    assert "便民性有待进一步提高" in [i.text for i in items if i.part == "problem"][0]


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


def test_split_items_sequence_is_ordered():
    # 二是 before 一是 is not an enumeration; the text stays one item.
    assert [i.item for i in split_items("二是不足；一是不够。")] == [1]


def test_load_narratives_frame():
    import toolkit as tk

    df = tk.load_narratives()
    assert list(df.columns) == ["report_id", "part", "item", "text", "start", "end"]
    assert str(df["item"].dtype) == "Int64" and str(df["text"].dtype) == "string"
    counts = df[df["item"] > 0].groupby(["report_id", "part"], observed=True).size()
    assert counts[("000_390bec4f8b72bc77", "problem")] == 3
    assert counts[("002_0a737c20a99ed187", "improvement")] == 3
    assert df["report_id"].is_monotonic_increasing
