# %% [markdown]
# # 5. Problems and improvements / 存在的主要问题及改进情况
#
# **Question.** Section 五 is where organs say what went wrong and what they will do. What do they
# write about, does it differ between years and administrative levels, and how far can a reader trust
# the answer? The analysis codes the problems into the categories researchers of these reports use
# (a shipped codebook), reads them in context, checks the automatic coding against a single coder, and
# fits topics only to report those whose top terms come back across random restarts. Every number in
# the closing paragraph is computed in the cells above it.

# %%
# %matplotlib inline
import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)
from IPython.display import Markdown

# %% [markdown]
# ## 1. The items
#
# `tk.load_narratives()` cuts each section 五 into problem and improvement items. Items that are only
# a heading (`（二）整改措施`, `改进措施：`) are flagged and skipped by every tool below; a report that
# nearly repeats an earlier one (reuse at or above `DUPLICATE_THRESHOLD`) carries `duplicate_of`.

# %%
items = tk.load_narratives()
body = items[~items["is_heading"]]
distinct = body[body["duplicate_of"].isna()]
reports = tk.load_reports()
dups = items.groupby("report_id")["duplicate_of"].first().dropna()
parts = body.groupby(["report_id", "part"], observed=True).size().unstack(fill_value=0)
overview = pd.Series({
    "reports in the corpus": len(reports),
    "reports with a section 五": items["report_id"].nunique(),
    "items": len(items),
    "heading-only items (skipped)": int(items["is_heading"].sum()),
    "content items": len(body),
    "reports with both parts": int(((parts["problem"] > 0) & (parts["improvement"] > 0)).sum()),
    "reports nearly repeating an earlier one": len(dups),
}, name="count")
overview.to_frame()

# %% [markdown]
# The reports without a section 五 the parser finds are left out of everything below. Is their
# text about problems simply filed elsewhere (section 五's heading missing, or worded differently)?
# A search of every section the parser did find, for the usual wording of problems (`tk.kwic`):

# %%
from toolkit.corpus import corpus_dir, read_metadata, resolve_report_path

root = corpus_dir()
files = read_metadata(root).set_index("report_id")["file"]
without_five = sorted(set(reports["report_id"]) - set(items["report_id"]))
sections_of = {rid: tk.parse_report(resolve_report_path(root, files[rid])).sections for rid in without_five}
texts = pd.DataFrame([{"report_id": rid, "part": f"section {k}", "item": int(k), "text": t}
                      for rid, secs in sections_of.items() for k, t in secs.items() if t],
                     columns=["report_id", "part", "item", "text"])
PROBLEMS = r"存在的主要问题|(仍|还|但)存在[^。]{0,30}(问题|不足)"
elsewhere = tk.kwic(PROBLEMS, texts, window=15, regex=True).drop_duplicates("report_id").set_index("report_id")
no_section = [rid for rid in without_five if not any(sections_of[rid].values())]
reports.set_index("report_id").loc[without_five, ["agency", "year", "template"]].assign(
    problems_found_in=elsewhere["part"].reindex(without_five).astype("string"),
    term=elsewhere["term"].reindex(without_five),
    no_section_found=[rid in no_section for rid in without_five])

# %% [markdown]
# Near-duplicate reports: the share of each report's cleaned section 五 found nearly verbatim in the other (`tk.reuse_pairs`), and which pairs `load_narratives` flags.

# %%
from toolkit.mining.narratives import DUPLICATE_THRESHOLD
section5 = items.groupby("report_id")["text"].apply("\n".join)
agency_year = reports.set_index("report_id")[["agency", "year"]]
pairs = tk.reuse_pairs(section5)
pairs = pairs.join(agency_year.add_suffix("_a"), on="report_a").join(agency_year.add_suffix("_b"), on="report_b")
pairs["flagged"] = [dups.get(b) == a or dups.get(a) == b for a, b in zip(pairs["report_a"], pairs["report_b"])]
print(f"DUPLICATE_THRESHOLD = {DUPLICATE_THRESHOLD}")
pairs[["agency_a", "year_a", "year_b", "reused_a", "reused_b", "flagged"]].round(2)

# %% [markdown]
# ## 2. Coding by codebook
#
# The codebook (`tk.load_codebook()`, documented in `toolkit/mining/coding.py`) has categories with
# keywords, patterns and two real example items each. `tk.code_items` gives one row per item and
# matched category, with the terms that matched.

# %%
book = tk.load_codebook()
book.assign(keywords=book["keywords"].map(len), patterns=book["patterns"].map(len))[
    ["id", "zh", "en", "keywords", "patterns"]]

# %%
coded = tk.code_items(items)
covered = body.assign(coded=body["item_id"].isin(coded["item_id"]))
coverage = covered.groupby("part", observed=True)["coded"].agg(coded="sum", items="size")
coverage.loc["all"] = coverage.sum()
coverage["share"] = (coverage["coded"] / coverage["items"]).round(3)
coverage

# %% [markdown]
# The content items no category matches — read them to see what the codebook misses:

# %%
uncoded = covered.loc[~covered["coded"], ["item_id", "text"]]
uncoded.assign(text=uncoded["text"].str.slice(0, 60))

# %% [markdown]
# How far to trust the automatic coding: a single coder coded passages of a sample of reports
# (`tests/fixtures/codebook/manual_coding.csv`; who coded is not recorded — in this project it may have been an
# AI session, like the reference coding below; each passage lies inside one item, and an item with
# several coded passages takes its first). `tk.agreement` compares that coder with the automatic primary
# category. The coder also wrote the keywords, on these texts, so this is an in-sample, optimistic figure.

# %%
manual_passages = pd.read_csv("../tests/fixtures/codebook/manual_coding.csv", dtype=str)
manual = {}
for passage in manual_passages.itertuples():
    holder = body[(body["report_id"] == passage.report_id) & body["text"].str.contains(passage.text, regex=False)]
    manual.setdefault(holder["item_id"].iloc[0], passage.category)
manual = pd.DataFrame({"item_id": list(manual), "category": list(manual.values())})
print(f"{len(manual_passages)} passages of {manual_passages['report_id'].nunique()} reports, in {len(manual)} items")
fit = tk.agreement(manual, coded)
fit.per_category.round(2)

# %%
same = int(fit.confusion.values.trace())
agree_low, agree_high = tk.wilson_interval(same, fit.n_items)
# A category's kappa rests on the items either coder put in it (the rest agree on "not this one").
in_category = fit.per_category["manual"] + fit.per_category["automatic"] - fit.per_category["both"]
print(f"items compared: {fit.n_items}; same primary category: {same} (95% interval {agree_low:.0%}–{agree_high:.0%}); "
      f"Cohen's kappa: {fit.kappa:.2f} (95% interval {fit.kappa_low:.2f}–{fit.kappa_high:.2f}, {fit.method}); "
      f"items in a category, by either coder: {in_category.min()}–{in_category.max()}")

# %% [markdown]
# The rules against a reference coding of **every** content item of the corpus
# (`tests/fixtures/codebook/hand_coding.csv`; its README says who coded, when, and the conventions).
# **Who coded it:** not a person. An AI assistant read each item and gave it every category it names,
# from the codebook's definitions, without running the rules — and it was the same session that wrote
# this rulebook and the codebook's `exclude` patterns (the clauses stating an achievement). The
# reference is therefore not independent of the rules it judges, and one reader: it measures the rules
# against that reading, not against people. Precision (of the items the rules put in a category, the
# share the reference put there too) and recall (of the reference's items, the share the rules find),
# each per category with a Wilson interval; the last row pools all categories, and its Wilson interval
# treats every category assignment as independent, which assignments to one item are not — so the cell
# after it bootstraps the pooled figures over items, resampling whole items with a fixed seed:

# %%
hand = pd.read_csv("../tests/fixtures/codebook/hand_coding.csv", dtype=str)
assert set(hand["item_id"]) == set(body["item_id"])  # every content item, nothing else
accuracy = tk.precision_recall(hand, coded)
accuracy.assign(zh=accuracy["category"].map(dict(zip(book["id"], book["zh"]))))[
    ["category", "zh", "reference", "rules", "tp", "precision", "p_low", "p_high", "recall", "r_low", "r_high"]].round(2)

# %%
import numpy as np

# Per item: categories the rules give, the reference gives, and both; pooled precision and recall
# are ratios of their sums, so resampling items keeps each item's assignments together.
ref_sets = {i: {c for c in str(cs).split("|") if c and c != "none"} for i, cs in zip(hand["item_id"], hand["categories"])}
rule_sets = coded.groupby(coded["item_id"].astype(str))["category"].agg(lambda c: set(map(str, c))).to_dict()
per_item = pd.DataFrame([(len(rule_sets.get(i, set())), len(r), len(r & rule_sets.get(i, set())))
                         for i, r in ref_sets.items()], columns=["rules", "reference", "tp"])
all_row = accuracy.set_index("category").loc["all"]
assert tuple(per_item[["rules", "reference", "tp"]].sum()) == (all_row["rules"], all_row["reference"], all_row["tp"])
rng = np.random.default_rng(0)
draws = rng.integers(0, len(per_item), size=(2000, len(per_item)))
sums = {c: per_item[c].to_numpy()[draws].sum(axis=1) for c in ("rules", "reference", "tp")}
boot = {"precision": np.quantile(sums["tp"] / sums["rules"], [0.025, 0.975]),
        "recall": np.quantile(sums["tp"] / sums["reference"], [0.025, 0.975])}
pd.DataFrame({"pooled": [all_row["precision"], all_row["recall"]],
              "wilson_low (assignments independent)": [all_row["p_low"], all_row["r_low"]],
              "wilson_high": [all_row["p_high"], all_row["r_high"]],
              "bootstrap_low (over items)": [boot["precision"][0], boot["recall"][0]],
              "bootstrap_high": [boot["precision"][1], boot["recall"][1]]},
             index=["precision", "recall"]).round(3)

# %% [markdown]
# ## 3. Categories by year and level
#
# A report *names* a category when one of its problem items is coded with it. Per year the counts are
# small, so the table gives k/n (reports naming it / reports with problem items) rather than shares.

# %%
by_year = tk.category_shares(items, "year")
order = list(book["zh"])
by_year.assign(cell=by_year["k"].astype(str) + "/" + by_year["n"].astype(str)).pivot(
    index="zh", columns="year", values="cell").reindex(order)

# %% [markdown]
# By administrative level, with Wilson intervals. Years are pooled here, so the reports that
# nearly repeat an earlier one are left out (each text counts once). Cities and counties are few and
# are pooled too.

# %%
levels = distinct.assign(level=distinct["admin_level"].map(
    {"province": "province", "city": "city/county", "county": "city/county"}).astype(
    pd.CategoricalDtype(["province", "city/county"])))
by_level = tk.category_shares(levels, "level")
by_level[["level", "zh", "k", "n", "share", "ci_low", "ci_high"]].round(2)

# %%
fig = plots.category_shares(by_level, "level")
fig

# %% [markdown]
# Whether the levels differ is decided by a test, not by whether the intervals overlap: for each
# category, Fisher's exact test on the reports naming it, province against city/county,
# Benjamini–Hochberg-adjusted over the categories tested (docs/METHODS.md, "Significance from a test the data decide"):

# %%
from scipy.stats import false_discovery_control, fisher_exact

counts = by_level.pivot(index="category", columns="level", values=["k", "n"])
level_test = pd.DataFrame({
    "zh": by_level.drop_duplicates("category").set_index("category")["zh"].reindex(counts.index),
    "province": counts[("k", "province")].astype(int).astype(str) + "/" + counts[("n", "province")].astype(int).astype(str),
    "city/county": counts[("k", "city/county")].astype(int).astype(str) + "/" + counts[("n", "city/county")].astype(int).astype(str),
    "p": [fisher_exact([[int(r[("k", "province")]), int(r[("n", "province")] - r[("k", "province")])],
                        [int(r[("k", "city/county")]), int(r[("n", "city/county")] - r[("k", "city/county")])]])[1]
          for _, r in counts.iterrows()]})
level_test["p_adj"] = false_discovery_control(level_test["p"].to_numpy(), method="bh")
level_test["distinct"] = level_test["p_adj"] < 0.05
level_test = level_test.sort_values(["p", "zh"], kind="stable")
level_test.round(3)

# %% [markdown]
# A category "most often named" is claimed only on one label per item (its primary category, the one
# the agreement check covers) and with a paired test between the two leading categories over the same
# reports (exact McNemar: only reports naming one of the two and not the other count):

# %%
from scipy.stats import binomtest

prov_items = levels[(levels["level"] == "province") & (levels["part"].astype(str) == "problem")]
prov_primary = coded[coded["primary"].fillna(False) & coded["item_id"].isin(prov_items["item_id"])]
named = prov_primary.groupby("report_id")["category"].agg(lambda c: set(map(str, c)))
prov_reports = sorted(set(prov_items["report_id"]))
primary_counts = (pd.Series([c for r in prov_reports for c in named.get(r, set())], dtype="string")
                  .value_counts().rename_axis("category").rename("reports").reset_index()
                  .sort_values(["reports", "category"], ascending=[False, True], ignore_index=True))
first, second = primary_counts["category"].iloc[0], primary_counts["category"].iloc[1]
only_first = sum(first in named.get(r, set()) and second not in named.get(r, set()) for r in prov_reports)
only_second = sum(second in named.get(r, set()) and first not in named.get(r, set()) for r in prov_reports)
mcnemar_p = binomtest(min(only_first, only_second), only_first + only_second, 0.5).pvalue
print(f"{len(prov_reports)} provincial reports with problem items; {first} vs {second}: "
      f"{only_first} vs {only_second} discordant, exact McNemar p = {mcnemar_p:.3f}")
primary_counts.head(6)

# %% [markdown]
# What else differs between the levels (so a difference cannot be read as an effect of level alone):

# %%
level_meta = levels.drop_duplicates("report_id").groupby("level", observed=True).agg(
    reports=("report_id", "size"), sectors=("sector", lambda s: "、".join(sorted(s.dropna().unique()))),
    sector_missing=("sector", lambda s: int(s.isna().sum())),  # counted, never dropped silently
    first_year=("year", "min"), last_year=("year", "max"))
level_meta

# %% [markdown]
# ## 4. Reading in context
#
# The deficiency words the tokenizer keeps whole, in their sentences (`tk.kwic`):

# %%
pd.set_option("display.max_colwidth", 30)
deficiency = tk.kwic("不够|不足|有待|不及时|滞后", items, window=12, regex=True)
deficiency[["report_id", "part", "left", "term", "right"]].head(12)

# %% [markdown]
# An illustration, not a ranking: the category named in the most provincial reports by primary label
# (the one first in the table of section 3; the McNemar test there says whether it is told apart from
# the second), through its first keyword:

# %%
top_zh = book.set_index("id").loc[first, "zh"]
keyword = book.set_index("id").loc[first, "keywords"][0]
in_context = tk.kwic(keyword, items, window=12)
print(f"category: {top_zh} (primary label in {primary_counts['reports'].iloc[0]} of {len(prov_reports)} provincial "
      f"reports; McNemar p = {mcnemar_p:.2f} against {book.set_index('id').loc[second, 'zh']}); its first keyword: "
      f"{keyword}; occurrences: {len(in_context)}")
in_context[["report_id", "part", "left", "term", "right"]].head(8)

# %% [markdown]
# ## 5. Topics and their stability
#
# Topics are fitted on the content items, each text once (near-duplicates left out). First the number
# of topics: NMF restarted from the same fixed seeds for every k; stability is how well the runs agree
# (mean ± sd over the seeds).

# %%
pd.set_option("display.max_colwidth", 40)
tok = tk.Tokenizer()
k_table = tk.choose_n_topics(distinct, ks=range(2, 9), tokenizer=tok)
print("seeds:", k_table.attrs["seeds"])
k_table.assign(stability=k_table["stability"].map("{:.2f}".format) + " ± " + k_table["stability_sd"].map("{:.2f}".format))[
    ["k", "stability", "reconstruction_error"]].round(3)

# %%
best_k = int(k_table.loc[k_table["stability"] == k_table["stability"].max(), "k"].max())
model = tk.TopicModel(n_topics=best_k, tokenizer=tok).fit(distinct)
model.topic_stability_.round(2)

# %%
model.top_terms(6).pivot(index="rank", columns="label", values="term")

# %%
fig = plots.topic_terms(model.top_terms(6), int(distinct["report_id"].nunique()))
fig

# %% [markdown]
# Each topic's share of the items by year (every report counts in its own year), and by level and
# template, where years are pooled and each text counts once:

# %%
shares = {"year": model.share_by(body, "year")} | {by: model.share_by(distinct, by) for by in ("admin_level", "template")}
shares["year"].pivot(index="label", columns="year", values="share").round(2)

# %%
shares["year"].drop_duplicates("year").set_index("year")[["n_items", "n_reports"]].T


# %%
def by_group(by):
    frame = shares[by].assign(**{by: shares[by][by].astype("string").fillna("(none)")})
    return frame.pivot(index="label", columns=by, values="share")

pd.concat({by: by_group(by) for by in ("admin_level", "template")}, axis=1).round(2)

# %% [markdown]
# ## 6. The vocabulary of problems and of improvements
#
# Log-odds with an informative Dirichlet prior, its z-score, and Benjamini–Hochberg-adjusted p-values
# over every term used at least `min_count` times. A term is called distinctive only when its adjusted
# p-value is below `alpha`. Years are pooled, so each text counts once (near-duplicates left out).

# %%
terms = tk.distinctive_terms(distinct, "part", tokenizer=tok, top_n=None)
print({k: terms.attrs[k] for k in ("min_count", "alpha", "n_tested")})
terms.head(12).round(4)

# %% [markdown]
# The log-odds verdict turns on the prior (below: the number of terms passing at two priors), so the
# terms are tested on documents instead. First on items: for each of the same terms, Fisher's exact
# test on the items that contain it, problem against improvement, Benjamini–Hochberg-adjusted over the
# terms tested.

# %%
from scipy.stats import false_discovery_control, fisher_exact

by_prior = {p: int(tk.distinctive_terms(distinct, "part", tokenizer=tok, prior=p, top_n=None)["distinctive"].sum())
            for p in (0.01, 0.1)}
print("terms passing the log-odds test, by prior:", by_prior)
item_terms = [set(tok(t)) for t in distinct["text"]]
is_problem = (distinct["part"].astype(str) == "problem").to_numpy()
n_problem, n_improvement = int(is_problem.sum()), int((~is_problem).sum())
rows = []
for term in dict.fromkeys(terms["term"]):
    a = sum(term in s for s, p in zip(item_terms, is_problem) if p)
    b = sum(term in s for s, p in zip(item_terms, is_problem) if not p)
    rows.append((term, a, b, fisher_exact([[a, n_problem - a], [b, n_improvement - b]])[1]))
fisher = pd.DataFrame(rows, columns=["term", "problem_items", "improvement_items", "p"])
fisher["p_adj"] = false_discovery_control(fisher["p"].to_numpy(), method="bh")
fisher["significant"] = fisher["p_adj"] < terms.attrs["alpha"]
fisher = fisher.sort_values(["p", "term"], kind="stable", ignore_index=True)
fisher.head(12)

# %% [markdown]
# Items of one report share wording (one report can put a term in several problem items), so items are
# not independent and the item test's p-values are optimistic. The test the conclusions rest on takes
# the report as the unit (docs/METHODS.md, "Significance from a test the data decide"): of the reports
# with both parts (near-duplicates left out), count those whose problem part uses the term and whose
# improvement part does not, and those with the reverse; a report using the term in both parts or in
# neither says nothing about the difference. An exact two-sided sign test on the two counts (binomial,
# each report equally likely to fall either way, as in an exact McNemar test), Benjamini–Hochberg-adjusted
# over the same terms:

# %%
from scipy.stats import binomtest

per_report_terms = (pd.DataFrame({"report_id": distinct["report_id"].to_numpy(),
                                  "part": distinct["part"].astype(str).to_numpy(), "terms": item_terms})
                    .groupby(["report_id", "part"])["terms"].agg(lambda sets: set().union(*sets)).unstack())
both_parts = per_report_terms.dropna(subset=["problem", "improvement"])
rows = []
for term in dict.fromkeys(terms["term"]):
    only_problem = sum(term in p and term not in i for p, i in zip(both_parts["problem"], both_parts["improvement"]))
    only_improvement = sum(term in i and term not in p for p, i in zip(both_parts["problem"], both_parts["improvement"]))
    n_split = only_problem + only_improvement
    rows.append((term, only_problem, only_improvement, binomtest(only_problem, n_split, 0.5).pvalue if n_split else 1.0))
sign = pd.DataFrame(rows, columns=["term", "problem_only_reports", "improvement_only_reports", "p"])
sign["p_adj"] = false_discovery_control(sign["p"].to_numpy(), method="bh")
sign["significant"] = sign["p_adj"] < terms.attrs["alpha"]
sign = sign.merge(fisher[["term", "significant"]].rename(columns={"significant": "significant_on_items"}), on="term")
sign = sign.sort_values(["p", "term"], kind="stable", ignore_index=True)
print(f"{len(both_parts)} reports with both parts; {len(sign)} terms tested")
sign.head(12)

# %% [markdown]
# ## 7. Template reuse across the corpus

# %%
tk.similarity_pairs(section5)

# %%
tk.reused_share(section5).round(3)

# %% [markdown]
# ## What it shows

# %%
generic = {"公开", "信息", "信息公开", "政府信息公开", "政务公开", "政府信息", "建设"} | set(tk.load_negation_words())
top3 = model.top_terms(3).groupby("topic")["term"].agg(list)
substantive = [model.topic_labels_[t] for t, ts in top3.items() if sum(x not in generic for x in ts) >= 2]
stab = model.topic_stability_
best_row = k_table.set_index("k").loc[best_k]
closest = level_test.iloc[0]
distinct_levels = level_test[level_test["distinct"]]
meta = level_meta.to_dict("index")
shared_sectors = set(meta["province"]["sectors"].split("、")) & set(meta["city/county"]["sectors"].split("、"))
n_dist = int(terms["distinctive"].sum())
problem_side = terms[terms["group"] == "problem"].head(5)
negation = [t for t in problem_side["term"] if t in tk.load_negation_words()]
# Terms the item test passes and the report test does not: how few reports their items come from.
item_only = sign[sign["significant_on_items"] & ~sign["significant"]]
uses = {t: distinct.loc[[t in x for x in item_terms], "report_id"] for t in item_only["term"]}
item_only_text = ("" if item_only.empty else
                  "; " + "、".join(item_only["term"]) + f" pass{'es' if len(item_only) == 1 else ''} on items only ("
                  + "; ".join(f"{t}: {len(u)} items from {u.nunique()} reports, {int(u.value_counts().iloc[0])} of them from one"
                              for t, u in uses.items()) + ")")
top_pair = pairs.iloc[0]
cov = coverage.loc["all"]
lead_ins = int((body.loc[~covered["coded"], "item"] == 0).sum())
coded_low, coded_high = tk.wilson_interval(int(cov["coded"]), int(cov["items"]))

zh_of = dict(zip(book["id"], book["zh"]))
acc = accuracy.assign(zh=accuracy["category"].map(zh_of))
pooled_acc = acc.set_index("category").loc["all"]
per_cat = acc[acc["category"] != "all"]
weakest_p = per_cat.sort_values(["precision", "category"], kind="stable").iloc[0]
weakest_r = per_cat.sort_values(["recall", "category"], kind="stable").iloc[0]


def overlapping(row, low, high):
    """The other categories whose interval overlaps *row*'s (a category without the figure is left out)."""
    others = per_cat[(per_cat["category"] != row["category"]) & per_cat[low].notna()]
    return others[(others[low] <= row[high]) & (others[high] >= row[low])]


overlap_p = overlapping(weakest_p, "p_low", "p_high")
overlap_r = overlapping(weakest_r, "r_low", "r_high")
n_with_p = int(per_cat["precision"].notna().sum()) - 1
n_with_r = int(per_cat["recall"].notna().sum()) - 1

def cite(r):
    return f"{r.zh} ({r.k}/{r.n}, 95% interval {r.ci_low:.0%}–{r.ci_high:.0%})"

def years(level):
    return f"{meta[level]['first_year']}–{meta[level]['last_year']}"

def sectors(level):
    unknown = meta[level]["sector_missing"]
    return meta[level]["sectors"] + (f"; sector unknown for {unknown}" if unknown else "")

def listing(names):
    names = list(names)
    return "none" if not names else "、".join(names)

def rname(rid):
    row = reports.set_index("report_id").loc[rid]
    return f"{row['agency']}（{row['year']}）"

filed_elsewhere = [r for r in without_five if r in elsewhere.index]
audit = tk.audit()
audit_flags = audit[(audit["check"] == "cross_year.narrative_repeat") & audit["passed"].eq(False).fillna(False)]
text = f"""**What it shows.** {overview['reports with a section 五']} of {overview['reports in the corpus']} reports have
a section 五 the parser finds; it splits into {overview['items']} items, of which {overview['heading-only items (skipped)']}
are bare headings. {overview['reports with both parts']} of these reports have both a problem and an improvement part.
Of the {len(without_five)} reports left out, {len(filed_elsewhere)} ({listing(rname(r) for r in filed_elsewhere)}) do write
about problems, under a heading the parser does not take for section 五 (missing or worded differently; see the search
above), and {len(no_section)} ({listing(rname(r) for r in no_section)}) have no section the parser finds at all; neither
group may be read as reports that name no problem. {len(dups)} reports nearly repeat an earlier one (the closest pair, {top_pair['agency_a']}
{top_pair['year_a']} and {top_pair['year_b']}, shares {top_pair['reused_b']:.0%} of the later text); they are left out
wherever years are pooled (levels, topics, vocabulary) and counted in their own year elsewhere (categories and topic
shares by year), while the codebook's coverage and its check against the single coder use every item. Notebook 4's
audit measures repetition differently (against the same organ's previous year only) and flags
{len(set(audit_flags['report_id']) & set(dups.index))} of these {len(dups)}.

The codebook codes {int(cov['coded'])} of {int(cov['items'])} content items ({cov['share']:.0%}, 95% interval
{coded_low:.0%}–{coded_high:.0%}); of the
{int(cov['items'] - cov['coded'])} it leaves uncoded, {lead_ins} are lead-in sentences (item 0), listed above with
the others. Against one coder (who is not recorded) it agrees on {same} of {fit.n_items} items
({same / fit.n_items:.0%}, 95% interval
{agree_low:.0%}–{agree_high:.0%}; Cohen's kappa {fit.kappa:.2f}, 95% interval {fit.kappa_low:.2f}–{fit.kappa_high:.2f} by
bootstrap over items) — in-sample: the same coder wrote the keywords on
these texts. Against a reference coding of all {len(hand)} content items (every category an item names) — made
not by a person but by an AI assistant reading each item, the same session that wrote the codebook's exclusion patterns,
so not independent of the rules — the rules' precision is {pooled_acc['precision']:.0%} and their recall
{pooled_acc['recall']:.0%} over all {pooled_acc['rules']} rule and {pooled_acc['reference']} reference assignments. Their
Wilson intervals ({pooled_acc['p_low']:.0%}–{pooled_acc['p_high']:.0%} and {pooled_acc['r_low']:.0%}–{pooled_acc['r_high']:.0%})
treat every assignment as independent, which assignments to one item are not; resampling whole items ({len(draws):,} bootstrap
resamples) gives {boot['precision'][0]:.0%}–{boot['precision'][1]:.0%} and {boot['recall'][0]:.0%}–{boot['recall'][1]:.0%}.
Per category, precision runs from {per_cat['precision'].min():.0%} to {per_cat['precision'].max():.0%} and recall from
{per_cat['recall'].min():.0%} to {per_cat['recall'].max():.0%} (each with its Wilson interval in the table above). The
lowest point estimates are {weakest_p['zh']}'s precision ({weakest_p['precision']:.0%}, {weakest_p['tp']} of
{weakest_p['rules']}, 95% interval {weakest_p['p_low']:.0%}–{weakest_p['p_high']:.0%}) and {weakest_r['zh']}'s recall
({weakest_r['recall']:.0%}, {weakest_r['tp']} of {weakest_r['reference']}, {weakest_r['r_low']:.0%}–{weakest_r['r_high']:.0%}),
but their intervals overlap those of {len(overlap_p)} of the other {n_with_p} categories in precision and
{len(overlap_r)} of the other {n_with_r} in recall, and no test compares the categories, so no category is shown to be
the weakest. One reader, and not
an independent one, so this is no inter-coder reliability and no independent validation. The per-category kappas rest on {in_category.min()}–{in_category.max()} items each (those either coder put
in the category), so one by one they say little.

Provincial reports ({meta['province']['reports']}, {sectors('province')}, {years('province')}): counting each problem
item once, by its primary category, {zh_of[first]} is named in {primary_counts['reports'].iloc[0]} and {zh_of[second]} in
{primary_counts['reports'].iloc[1]} of the {len(prov_reports)} reports; {'the first is named more often' if mcnemar_p < 0.05 else 'the two are not told apart, so no ranking is claimed'}
(exact McNemar test over reports: {only_first} vs {only_second} discordant, p = {mcnemar_p:.2f}). City and county reports are
{meta['city/county']['reports']} ({sectors('city/county')}, {years('city/county')}), so their intervals are wide;
Fisher's exact test per category (reports naming it, province against city/county), Benjamini–Hochberg-adjusted over
the {len(level_test)} categories, finds {len(distinct_levels)} distinct{(': ' + '、'.join(distinct_levels['zh'])) if len(distinct_levels) else ''}
(smallest adjusted p = {closest['p_adj']:.2f}, {closest['zh']}: {closest['province']} against {closest['city/county']}).
{'The levels share no sector, so a difference between them cannot be told apart from one between sectors or periods.'
 if not shared_sectors else 'The levels share the sectors ' + '、'.join(sorted(shared_sectors)) + '.'}

Topics: {best_k} topics are the most stable choice (stability {best_row['stability']:.2f} ± {best_row['stability_sd']:.2f}
over {int(best_row['n_runs'])} seeds); across {len(model.restart_seeds_)} restarts of the fitted model each topic's top
terms come back with a mean similarity between {stab['stability'].min():.2f} and {stab['stability'].max():.2f}.
{len(substantive)} of {best_k} topics have top terms that name a subject rather than the general vocabulary of
disclosure and deficiency{(': ' + '、'.join(substantive)) if substantive else ''}{'; the codebook categories, not the topics, are the measure to report' if len(substantive) < best_k else ''}.

Problem and improvement wording, with reports as the unit: of the {len(both_parts)} reports with both parts
(near-duplicates left out), the exact sign test (reports whose problem part uses the term and whose improvement part
does not, against the reverse) finds {int(sign['significant'].sum())} of {len(sign)} tested terms distinctive after the
Benjamini–Hochberg correction at {terms.attrs['alpha']}{(': ' + '、'.join(f"{r.term} ({r.problem_only_reports} vs {r.improvement_only_reports} reports, adjusted p = {r.p_adj:.1g})" for r in sign[sign['significant']].itertuples())) if sign['significant'].any() else ''}.
These {len(both_parts)} reports come from {reports.set_index('report_id')['organ_id'].reindex(both_parts.index).nunique()}
organs, and an organ's successive reports share wording too, so these p-values are optimistic as well: the terms
describe how these reports word their two parts, not a difference shown to hold across organs.
Counting items instead ({n_problem} problem, {n_improvement} improvement items), Fisher's exact test passes
{int(fisher['significant'].sum())}{item_only_text}; that test treats items as independent, while items of one report,
and of one organ's successive reports, share wording, so its p-values are optimistic and a term passing it alone is not
called distinctive.
The log-odds test passes {by_prior[0.01]} of them with a prior of 0.01 and {by_prior[0.1]} with 0.1: its verdict is set by
the prior as much as by the data, so it only orders the terms ({len(negation)} of the five leaning most towards problems
are deficiency words the tokenizer keeps{(': ' + '、'.join(negation)) if negation else ''})."""
Markdown(text)
