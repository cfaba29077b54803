"""Near duplicates at scale: toolkit.mining.reuse.best_sources (behind narratives.near_duplicates)
against the definition computed pair by pair."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.mining.narratives import DUPLICATE_THRESHOLD, near_duplicates
from toolkit.mining.reuse import _covered, _matched_runs, best_sources
from toolkit.textnorm import clean_for_comparison, ngrams

# Sentences of different lengths in the register of section 五: some longer than the 30
# characters a run needs (repeated on their own), some shorter (repeated only next to a neighbour).
POOL = [
    "门户网站部分栏目更新不及时个别专栏内容长期停留在去年信息发布的时效性和连续性不强",
    "政策解读形式较为单一以文字解读为主图表图解视频动漫等形式运用较少",
    "依申请公开办理流程仍不够顺畅部分申请涉及多个科室内部会商耗时较长",
    "工作人员业务能力有待提升",
    "培训覆盖面不广",
    "基层政务公开标准化规范化建设推进不平衡公开事项目录编制还不够完善",
    "建立栏目内容定期巡查制度明确专人每周核查各栏目更新情况",
    "严格落实文件与解读材料同步组织同步审签同步部署要求",
    "加强督促检查",
    "修订依申请公开工作规程实行登记承办审核答复全流程台账管理"
    "设置到期前五个工作日预警提醒",
]


def order_of(texts, years):
    return sorted(texts, key=lambda r: (years[r] if years[r] is not None else 10_000, r))


def all_pairs(texts, years, threshold=DUPLICATE_THRESHOLD, n=12, min_len=30):
    """The definition, every pair compared with the per-pair functions of reuse_pairs:
    each later report -> the earlier report covering the largest share of it (>= threshold),
    ties to the earlier one."""
    order = order_of(texts, years)
    cleaned = {r: clean_for_comparison(texts[r]) for r in order}
    ids = [r for r in order if len(cleaned[r]) >= n]
    out = {}
    for j, late in enumerate(ids):
        best = None
        for early in ids[:j]:
            runs = _matched_runs(cleaned[late], ngrams(cleaned[early], n), n, min_len)
            share = _covered(runs) / len(cleaned[late])
            if share >= threshold and (best is None or share > best[0]):
                best = (share, early)
        if best:
            out[late] = best[1]
    return out


def share_of(late, early, n=12, min_len=30):
    a, b = clean_for_comparison(early), clean_for_comparison(late)
    return _covered(_matched_runs(b, ngrams(a, n), n, min_len)) / len(b)


reports = st.tuples(
    st.lists(st.integers(0, len(POOL) - 1), min_size=0, max_size=5),  # sentences, in order
    st.sampled_from([2019, 2020, 2021, None]),
    st.sampled_from(["", "；", "。一是", "\n"]),  # how they are joined (cleaned away)
)


def as_texts(corpus):
    texts = {f"r{i:02d}": sep.join(POOL[k] for k in picks) for i, (picks, _y, sep) in enumerate(corpus)}
    years = {f"r{i:02d}": year for i, (_p, year, _s) in enumerate(corpus)}
    return texts, years


@settings(max_examples=150, deadline=None)
@given(st.lists(reports, min_size=1, max_size=9))
def test_near_duplicates_equal_all_pairs_on_small_corpora(corpus):
    # Nine reports: no report has more than eight earlier ones, so no bound of best_sources binds
    # and the result must be the definition's exactly (exact duplicates, years missing, texts
    # shorter than an n-gram, empty texts included).
    texts, years = as_texts(corpus)
    assert near_duplicates(texts, years) == all_pairs(texts, years)


@settings(max_examples=40, deadline=None)
@given(st.lists(reports, min_size=10, max_size=40), st.sampled_from([0.3, 0.45, 0.8]))
def test_best_sources_unbounded_equals_all_pairs(corpus, threshold):
    # With the bounds lifted, the candidate scoring and the array comparison give the definition
    # on corpora where many reports repeat many others.
    texts, years = as_texts(corpus)
    got = best_sources(texts, order_of(texts, years), threshold, holders=10**6, candidates=10**6)
    assert got == all_pairs(texts, years, threshold)


def test_default_bounds_equal_all_pairs_on_a_seeded_corpus_of_forty():
    # Forty reports drawn from the pool, most of them repeating several earlier ones: with the
    # default bounds the sources are still the definition's here.
    rng = random.Random(7)
    texts, years = {}, {}
    for i in range(40):
        texts[f"r{i:02d}"] = "。".join(rng.sample(POOL, rng.randint(2, 4)))
        years[f"r{i:02d}"] = rng.choice([2019, 2020, 2021])
    expected = all_pairs(texts, years)
    assert len(expected) > 20  # the corpus is one where most reports repeat an earlier one
    assert near_duplicates(texts, years) == expected


def test_exact_copies_point_to_the_earliest_and_a_fuller_earlier_text_wins():
    x, y, z = POOL[0], POOL[2], POOL[5]
    texts = {"a": x + y, "b": x + y + z, "c": x + y, "d": x + y, "e": z}
    years = {"a": 2020, "b": 2019, "c": 2021, "d": 2022, "e": 2018}
    # b (2019) holds all of a, c and d: it is the earliest text repeating them entirely
    assert near_duplicates(texts, years) == {"a": "b", "c": "b", "d": "b"} == all_pairs(texts, years)
    years["b"] = 2023  # now b comes last: the copies point to the earliest copy, b to a
    assert near_duplicates(texts, years) == {"c": "a", "d": "a", "b": "a"} == all_pairs(texts, years)


def test_shared_positions_outside_long_runs_can_crowd_out_the_source():
    # The documented limit of the candidate cut: b's text cut into 25-character pieces scattered
    # through `pieces` shares more n-grams with b than `half` does, but in runs shorter than 30
    # characters (no reuse); with one candidate compared, b's real source is not looked at.
    b = "".join(POOL[k] for k in (0, 1, 2, 5, 9))
    cut = [b[i:i + 25] for i in range(0, len(b), 25)]
    pieces = "".join(piece + "另有其他内容" for piece in cut)
    half = b[: len(b) // 2 + 15]
    texts = {"pieces": pieces, "half": half, "b": b}
    years = {"pieces": 2019, "half": 2020, "b": 2021}
    assert share_of(b, pieces) == 0 and share_of(b, half) >= DUPLICATE_THRESHOLD
    assert all_pairs(texts, years) == {"b": "half"} == near_duplicates(texts, years)
    assert best_sources(texts, order_of(texts, years), DUPLICATE_THRESHOLD, candidates=1) == {}


def test_truncated_holders_can_pick_a_lesser_source():
    # The documented limit of the truncated postings: with one holder kept per n-gram, the n-grams
    # of `both` are all held first by earlier texts (fx, fy), so `both` is scored on the n-grams
    # across the join only, below the containment bound, and fx, which repeats less of b, is chosen.
    x, y = POOL[9], POOL[3] + POOL[4]
    texts = {"fx": x, "fy": y, "both": x + y, "b": x + y + POOL[8]}
    years = {"fx": 2018, "fy": 2019, "both": 2020, "b": 2021}
    assert all_pairs(texts, years) == {"both": "fx", "b": "both"} == near_duplicates(texts, years)
    got = best_sources(texts, order_of(texts, years), DUPLICATE_THRESHOLD, holders=1)
    assert got["b"] == "fx"
    assert DUPLICATE_THRESHOLD <= share_of(texts["b"], x) < share_of(texts["b"], x + y)


def synthetic_texts(count, seed=0):
    """Texts shaped like benchmarks/generate.py's section 五: 2-3 problems and 2-4 improvements
    drawn from small pools, so that nearly every pair of reports shares a sentence."""
    rng = random.Random(seed)
    problems, improvements = POOL[:6], POOL[5:]
    texts, years = {}, {}
    for i in range(count):
        p = rng.sample(problems, rng.randint(2, 3))
        q = rng.sample(improvements, rng.randint(2, 4))
        texts[f"s{i:05d}"] = ("（一）存在的问题\n" + "".join(f"一是{s}。" for s in p)
                              + "\n（二）改进措施\n" + "".join(f"二是{s}。" for s in q))
        years[f"s{i:05d}"] = rng.choice([2021, 2022, 2023, 2024])
    return texts, years


def test_scales_to_thousands_of_reports_that_all_share_sentences():
    texts, years = synthetic_texts(3000)
    got = near_duplicates(texts, years)
    order = {r: k for k, r in enumerate(order_of(texts, years))}
    # every pointer goes back in time and names a text that repeats enough of the report
    for late, early in got.items():
        assert order[early] < order[late]
        assert share_of(texts[late], texts[early]) >= DUPLICATE_THRESHOLD
    # whether a report is a near duplicate agrees with the definition (a sample of reports,
    # each against every earlier one)
    ranked = order_of(texts, years)
    for late in random.Random(1).sample(ranked[1:], 12):
        earlier = ranked[: order[late]]
        best = max(share_of(texts[late], texts[e]) for e in earlier)
        assert (late in got) == (best >= DUPLICATE_THRESHOLD)


def test_blocks_and_buckets_do_not_change_the_result(monkeypatch):
    # Hashing a block of text at a time, sorting a hash bucket at a time and comparing a block of
    # pairs at a time are only ways to bound memory: tiny blocks give the same sources.
    import toolkit.mining.reuse as reuse

    texts, years = synthetic_texts(300, seed=3)
    order = order_of(texts, years)
    whole = best_sources(texts, order, DUPLICATE_THRESHOLD)
    monkeypatch.setattr(reuse, "_CHUNK", 997)
    monkeypatch.setattr(reuse, "_ROWS", 7)
    monkeypatch.setattr(reuse, "_PAIRS", 13)
    assert best_sources(texts, order, DUPLICATE_THRESHOLD) == whole
    assert len(whole) > 250
