"""Tests for toolkit.reuse: template-reuse detection in section 五."""
from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.mining.reuse import (
    BOILERPLATE,
    clean_for_comparison,
    reuse_pairs,
    reused_share,
    shingles,
    similarity_pairs,
)

# Five genuinely different section-五 texts, each about a different problem,
# written in the register of real reports (enumerated with 一是/二是, headed
# with the template's own wording).
WEBSITE = (
    "五、存在的主要问题及改进情况\n"
    "2023年，我局政府信息公开工作取得一定成效，但对照上级要求和群众期盼仍存在一些不足：一是门户网站部分栏目更新不及时，"
    "个别专栏内容长期停留在去年，信息发布的时效性和连续性不强；二是网站栏目设置与群众实际需求衔接不够紧密，"
    "站内检索功能不够便捷，查找信息耗时较长。"
    "下一步，我局将建立栏目内容定期巡查制度，明确专人每周核查各栏目更新情况，对长期未更新的栏目进行整合或关停；"
    "同时优化站内搜索功能，增加按主题和文号检索，切实提升网站的易用性和实用性。"
)
INTERPRETATION = (
    "（一）存在的主要问题\n"
    "政策解读形式较为单一，以文字解读为主，图表图解、视频动漫等群众喜闻乐见的形式运用较少；"
    "解读内容多为对文件条文的简单复述，对政策出台背景、核心要点和办事指引阐释不深入，回应公众关切的针对性有待提高。\n"
    "（二）改进措施\n"
    "严格落实文件与解读材料同步组织、同步审签、同步部署要求，邀请业务科室负责同志通过在线访谈、新闻发布会等方式开展解读，"
    "力争每份重要政策文件配发多元化解读产品。"
)
APPLICATIONS = (
    "存在的主要问题：依申请公开办理流程仍不够顺畅，部分申请涉及多个科室，内部会商和征求意见耗时较长，"
    "个别申请临近法定期限才予以答复；答复文书格式不统一，法律依据引用不够准确，存在被申请人提起行政复议的风险。"
    "改进情况：修订依申请公开工作规程，实行登记、承办、审核、答复全流程台账管理，设置到期前五个工作日预警提醒；"
    "编制答复文书范本，重要答复提交法律顾问审核把关，并定期对已办结申请开展案卷评查。"
)
TRAINING = (
    "一是工作人员业务能力有待提升。基层站所信息公开工作人员多为兼职，人员流动频繁，对《条例》理解不透彻，"
    "公开属性认定把握不准。二是培训覆盖面不广，全年仅组织集中培训一次。"
    "整改措施：将政府信息公开纳入年度干部教育培训计划，每半年至少举办一期专题培训班，采取以案说法、现场观摩、"
    "业务考试相结合的方式，并将培训情况纳入年度绩效考核，切实打造一支懂业务、会操作的专业队伍。"
)
BASE_INFO = (
    "基层政务公开标准化规范化建设推进不平衡，乡镇（街道）和村（社区）公开事项目录编制还不够完善，"
    "部分村务公开栏信息张贴后长期不更换，群众查阅不方便。下一步工作：对照国务院部门制定的二十六个试点领域标准指引，"
    "逐项梳理完善乡镇公开事项清单，推动公开专区建设向村级延伸，在便民服务中心设置政府信息查阅点，"
    "为群众就近查阅和获取政府信息提供便利，年底前实现公开专区全覆盖。"
)

# A planted near-copy of WEBSITE by a different agency: agency name and year
# swapped, a few characters changed, the two problem sentences reordered,
# different punctuation and enumerators, line breaks added.
WEBSITE_COPY = (
    "五、存在的主要问题和改进情况\n"
    "2023年，我委政府信息公开工作取得一定成效,但对照上级要求和群众期盼仍存在一些不足。"
    "（一）网站栏目设置与群众实际需求衔接不够紧密、站内检索功能不够便捷,查找信息耗时过长；"
    "（二）门户网站部分栏目更新不及时，个别专栏内容长期停留在上年，信息发布的时效性和连续性不强。\n"
    "下一步，我委将建立栏目内容定期巡查制度 ，明确专人每周核查各栏目更新情况,对长期未更新的栏目进行整合或关停。"
    "同时优化站内搜索功能，增加按主题和文号检索，进一步提升网站的易用性和实用性！"
)

DISTINCT = {
    "A-website": WEBSITE,
    "B-interpretation": INTERPRETATION,
    "C-applications": APPLICATIONS,
    "D-training": TRAINING,
    "E-base": BASE_INFO,
}
CORPUS = {**DISTINCT, "F-website-copy": WEBSITE_COPY}


def test_fixture_texts_are_realistic_length():
    for text in CORPUS.values():
        assert 150 <= len(clean_for_comparison(text)) <= 300


# ---------------------------------------------------------------- cleaning


def test_clean_removes_boilerplate_punctuation_and_enumerators():
    text = "五、存在的主要问题及改进情况\n（一）存在的主要问题：一是网站更新慢；二是 解读少。①培训不足"
    assert clean_for_comparison(text) == "网站更新慢解读少培训不足"


def test_clean_normalises_width_and_keeps_letters_digits():
    assert clean_for_comparison("ＡＢＣ　１２３，政务公开APP。") == "ABC123政务公开APP"


def test_clean_keeps_words_that_merely_contain_enumerator_characters():
    # 统一是 is a word, not the enumerator 一是; 第一年 is not a list marker.
    assert clean_for_comparison("标准统一是关键，第一年") == "标准统一是关键第一年"
    # A decimal number is content, not an enumerator "3."
    assert clean_for_comparison("增长3.5倍") == "增长35倍"


def test_clean_boilerplate_only_is_empty():
    assert clean_for_comparison("五、存在的主要问题及改进情况\n（一）存在的主要问题\n（二）改进措施\n") == ""
    assert clean_for_comparison("") == ""
    assert clean_for_comparison(" \n\t，。") == ""


def test_boilerplate_is_a_tuple_of_strings_without_content_words():
    assert isinstance(BOILERPLATE, tuple)
    assert all(isinstance(p, str) and p for p in BOILERPLATE)
    assert "政府信息公开" not in BOILERPLATE and "政务公开" not in BOILERPLATE


def test_clean_rejects_non_strings():
    with pytest.raises(TypeError):
        clean_for_comparison(None)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三是、（）()1.。，存在的主要问题及改进情况网站ａ１ ①\n")), max_size=40))
def test_clean_is_idempotent_and_only_keeps_word_characters(text):
    once = clean_for_comparison(text)
    assert clean_for_comparison(once) == once
    assert all(ch.isalnum() for ch in once)


def test_shingles():
    assert shingles("政务公开，网站", n=5) == {"政务公开网", "务公开网站"}
    assert shingles("网站", n=5) == {"网站"}
    assert shingles("一是，二是。", n=5) == set()
    with pytest.raises(ValueError):
        shingles("网站", n=0)


# ---------------------------------------------------------- similarity_pairs


def test_similarity_pairs_finds_planted_copy_only():
    pairs = similarity_pairs(CORPUS)
    assert list(pairs.columns) == ["report_a", "report_b", "jaccard", "containment_a", "containment_b"]
    assert pairs.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Float64", "Float64"]
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert (row.report_a, row.report_b) == ("A-website", "F-website-copy")
    assert row.jaccard > 0.6
    for c in ("containment_a", "containment_b"):
        assert 0 <= row[c] <= 1
        assert row[c] >= row.jaccard  # containment can never be below Jaccard
    # Near-copies of similar length: containment roughly symmetric.
    assert abs(row.containment_a - row.containment_b) < 0.15


def test_similarity_pairs_no_pair_among_distinct_texts():
    assert similarity_pairs(DISTINCT).empty


def test_similarity_pairs_matches_exact_jaccard_for_every_pair():
    # The LSH candidate step must not lose the planted pair, and the reported
    # value is the exact Jaccard, not the MinHash estimate.
    a, f = shingles(WEBSITE), shingles(WEBSITE_COPY)
    expected = len(a & f) / len(a | f)
    pairs = similarity_pairs(CORPUS)
    assert pairs.iloc[0].jaccard == pytest.approx(expected, abs=0)
    # ...and no distinct pair would pass 0.3 even with exact all-pairs Jaccard.
    ids = sorted(DISTINCT)
    for i, x in enumerate(ids):
        for y in ids[i + 1 :]:
            sx, sy = shingles(DISTINCT[x]), shingles(DISTINCT[y])
            assert len(sx & sy) / len(sx | sy) < 0.3


def test_similarity_pairs_deterministic_and_series_input():
    first = similarity_pairs(CORPUS)
    second = similarity_pairs(dict(reversed(list(CORPUS.items()))))
    third = similarity_pairs(pd.Series(CORPUS))
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(first, third)


def test_similarity_pairs_skips_empty_and_boilerplate_only():
    texts = {
        **CORPUS,
        "G-empty": "",
        "H-boilerplate": "五、存在的主要问题及改进情况\n（一）存在的主要问题\n一是，二是。\n（二）改进措施",
        "I-boilerplate-too": "存在的主要问题及改进情况：",
        "J-missing": None,
    }
    pairs = similarity_pairs(texts)
    named = set(pairs.report_a) | set(pairs.report_b)
    assert not named & {"G-empty", "H-boilerplate", "I-boilerplate-too", "J-missing"}
    assert len(pairs) == 1
    # Nothing comparable at all: an empty frame with the documented dtypes.
    empty = similarity_pairs({"x": "", "y": "一是，二是"})
    assert empty.empty
    assert empty.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Float64", "Float64"]


def test_similarity_pairs_identical_texts_and_sorting():
    texts = {"b": WEBSITE, "a": WEBSITE, "c": WEBSITE_COPY}
    pairs = similarity_pairs(texts)
    assert list(zip(pairs.report_a, pairs.report_b))[0] == ("a", "b")
    assert pairs.iloc[0].jaccard == 1.0
    assert pairs.jaccard.is_monotonic_decreasing
    assert (pairs.report_a < pairs.report_b).all()


def test_similarity_pairs_rejects_bad_arguments():
    with pytest.raises(ValueError):
        similarity_pairs(CORPUS, threshold=0)
    with pytest.raises(ValueError):
        similarity_pairs(pd.Series(["x", "y"], index=["r", "r"]))
    with pytest.raises(TypeError):
        similarity_pairs(["x", "y"])  # type: ignore[arg-type]


# ------------------------------------------------------------- reused_share


@pytest.mark.parametrize("candidates", ["lsh", "index"])
def test_reused_share_copy_and_original(candidates):
    share = reused_share(CORPUS, candidates=candidates)
    assert list(share.columns) == ["report_id", "chars", "reused_chars", "reused_share", "sources"]
    assert share.dtypes.astype(str).tolist() == ["string", "Int64", "Int64", "Float64", "string"]
    assert share.report_id.tolist() == sorted(CORPUS)
    by_id = share.set_index("report_id")
    assert by_id.loc["F-website-copy", "reused_share"] > 0.5
    assert by_id.loc["A-website", "reused_share"] > 0.5
    assert by_id.loc["F-website-copy", "sources"] == "A-website"
    assert by_id.loc["A-website", "sources"] == "F-website-copy"
    for rid in ("B-interpretation", "C-applications", "D-training", "E-base"):
        assert by_id.loc[rid, "reused_share"] < 0.1
        assert by_id.loc[rid, "sources"] == ""
    assert ((share.reused_share >= 0) & (share.reused_share <= 1)).all()
    assert (share.reused_chars <= share.chars).all()
    for rid, text in CORPUS.items():
        assert by_id.loc[rid, "chars"] == len(clean_for_comparison(text))


@pytest.mark.parametrize("candidates", ["lsh", "index"])
def test_reuse_pairs_per_pair_shares(candidates):
    pairs = reuse_pairs(CORPUS, candidates=candidates)
    assert list(pairs.columns) == ["report_a", "report_b", "chars_a", "chars_b", "reused_a", "reused_b"]
    assert pairs.dtypes.astype(str).tolist() == ["string", "string", "Int64", "Int64", "Float64", "Float64"]
    assert pairs[["report_a", "report_b"]].values.tolist() == [["A-website", "F-website-copy"]]
    # with one source each, the pair's shares are the per-report shares of reused_share
    share = reused_share(CORPUS, candidates=candidates).set_index("report_id")["reused_share"]
    assert pairs.loc[0, "reused_a"] == share["A-website"]
    assert pairs.loc[0, "reused_b"] == share["F-website-copy"]
    assert pairs.loc[0, "chars_a"] == len(clean_for_comparison(WEBSITE))


def test_reuse_pairs_text_copied_into_two_reports():
    # c = half of a + half of b: c's share against each source is about a half, the sources' own
    # shares against c are what c took from each, and a and b share nothing.
    a, b = TRAINING, APPLICATIONS
    c = a[: len(a) // 2] + b[len(b) // 2:]
    pairs = reuse_pairs({"a": a, "b": b, "c": c}, candidates="index").set_index(["report_a", "report_b"])
    assert set(pairs.index) == {("a", "c"), ("b", "c")}
    ca, cb = clean_for_comparison(a), clean_for_comparison(b)
    cc = clean_for_comparison(c)
    assert 0.4 < pairs.loc[("a", "c"), "reused_b"] < 0.6 and 0.4 < pairs.loc[("b", "c"), "reused_b"] < 0.6
    assert pairs.loc[("a", "c"), "reused_b"] + pairs.loc[("b", "c"), "reused_b"] == pytest.approx(1.0, abs=0.05)
    assert pairs.loc[("a", "c"), "reused_a"] * len(ca) == pytest.approx(pairs.loc[("a", "c"), "reused_b"] * len(cc))
    assert pairs.loc[("b", "c"), "reused_a"] * len(cb) == pytest.approx(pairs.loc[("b", "c"), "reused_b"] * len(cc))


def test_reused_share_boilerplate_is_not_reuse():
    # Two different texts dressed in the same long template scaffolding: the
    # scaffolding is removed before matching, so nothing counts as reused.
    scaffold = "五、存在的主要问题及改进情况\n（一）存在的主要问题\n一是{}二是{}\n（二）改进措施\n一是{}二是{}"
    a = scaffold.format(*TRAINING[:200].split("。")[:4] + [""] * 4)
    b = scaffold.format(*APPLICATIONS[:200].split("；")[:4] + [""] * 4)
    share = reused_share({"a": a, "b": b}, candidates="index").set_index("report_id")
    assert (share.reused_chars == 0).all()


def test_reused_share_min_match_chars():
    # A 20-character shared clause inside otherwise different texts is common
    # officialese, not a copied passage.
    shared = "进一步提升政府信息公开工作的规范化水平"
    a = BASE_INFO + shared
    b = TRAINING + shared
    share = reused_share({"a": a, "b": b}, candidates="index").set_index("report_id")
    assert (share.reused_chars == 0).all()
    share = reused_share({"a": a, "b": b}, candidates="index", min_match_chars=15).set_index("report_id")
    assert (share.reused_chars == len(shared)).all()
    assert share.loc["a", "sources"] == "b"


def test_reused_share_adjacent_fragments_are_not_one_run():
    # Two 20-char fragments taken from far-apart places in B sit side by side
    # in A: neither is 30 chars long, so they must not merge into a 40-char run.
    b = clean_for_comparison(APPLICATIONS)
    a = clean_for_comparison(BASE_INFO) + b[:20] + b[-20:]
    share = reused_share({"a": a, "b": b}, candidates="index").set_index("report_id")
    assert share.loc["a", "reused_chars"] == 0


def test_reused_share_empty_texts_get_na_share():
    share = reused_share({**CORPUS, "G-empty": "", "H-boilerplate": "一是，二是。改进措施"})
    by_id = share.set_index("report_id")
    for rid in ("G-empty", "H-boilerplate"):
        assert by_id.loc[rid, "chars"] == 0
        assert by_id.loc[rid, "reused_chars"] == 0
        assert pd.isna(by_id.loc[rid, "reused_share"])
        assert by_id.loc[rid, "sources"] == ""
    assert by_id.loc["F-website-copy", "sources"] == "A-website"


def test_reused_share_deterministic():
    first = reused_share(CORPUS)
    second = reused_share(pd.Series(dict(reversed(list(CORPUS.items())))))
    pd.testing.assert_frame_equal(first, second)


def test_reused_share_rejects_bad_arguments():
    with pytest.raises(ValueError):
        reused_share(CORPUS, candidates="all-pairs")
    with pytest.raises(ValueError):
        reused_share(CORPUS, min_match_chars=0)


# ------------------------------------------------------------------ scaling


def _synthetic_corpus(count: int, seed: int) -> dict[str, str]:
    """Seeded random section texts built from a vocabulary of officialese.

    Sentences are random combinations, so texts share words and short phrases
    (as real reports do) but rarely whole passages; 20 exact copies are
    planted to exercise the positive path at scale.
    """
    rng = random.Random(seed)
    places = list("县乡镇街村区市局委办站所科室窗口中心平台专栏")
    subjects = ["门户网站", "政策解读", "依申请公开", "基层政务公开", "政府信息管理", "公开平台", "监督保障",
                "业务培训", "公开目录", "政务新媒体", "政府公报", "信息发布", "回应关切", "办事指南", "数据开放"]
    problems = ["更新不够及时", "形式较为单一", "办理流程不够规范", "标准化建设不平衡", "动态调整不到位",
                "栏目设置不合理", "考核机制不健全", "人员力量薄弱", "内容不够全面", "解读深度不够",
                "互动回应偏少", "审核把关不严", "覆盖范围有限", "统筹协调不足"]
    actions = ["建立定期巡查制度", "丰富解读形式", "完善全流程台账", "推进目录编制", "开展专项清理",
               "优化检索功能", "纳入绩效考核", "举办专题培训", "加强督促检查", "健全保密审查机制",
               "拓展公开渠道", "强化统筹协调", "规范发布流程", "提升服务水平"]
    texts = {}
    for i in range(count):
        sentences = []
        for _ in range(rng.randint(6, 10)):
            sentences.append(
                f"{rng.choice(places)}{rng.choice(places)}{rng.choice(subjects)}{rng.choice(problems)}，"
                f"{rng.choice(['下一步将', '我们将', '拟', '计划', '今后将'])}{rng.choice(actions)}"
                f"{rng.choice(['', '并', '同时'])}{rng.choice(actions)}。"
            )
        texts[f"r{i:05d}"] = "".join(sentences)
    for j in range(20):
        texts[f"copy{j:02d}"] = texts[f"r{j * 7:05d}"]
    return texts


def test_scaling_smoke():
    texts = _synthetic_corpus(2000, seed=20240601)
    pairs = similarity_pairs(texts)
    assert isinstance(pairs, pd.DataFrame)
    planted = {(f"copy{j:02d}", f"r{j * 7:05d}") for j in range(20)}
    assert planted <= set(zip(pairs.report_a, pairs.report_b))
    share = reused_share(texts)
    assert isinstance(share, pd.DataFrame)
    assert len(share) == len(texts)
    by_id = share.set_index("report_id")
    assert (by_id.loc[[f"copy{j:02d}" for j in range(20)], "reused_share"] == 1.0).all()
    # The inverted index proposes every pair LSH would keep and more, and the
    # per-pair comparison is the same, so it never finds less reuse.
    complete = reused_share(texts, candidates="index")
    assert (complete.reused_chars >= share.reused_chars).all()
