"""Write and execute the analysis notebooks (run from the repository root:
``python notebooks/make_notebooks.py`` for all of them, or name some:
``python notebooks/make_notebooks.py 05`` / ``05-problems-and-improvements.ipynb``).

The notebooks are the product; this script only keeps their text in one
reviewable place and stores fresh outputs, which nbval then checks on every
test run.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SETUP = """import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01-corpus.ipynb": [
        ("md", """# 1. What is in the corpus? / 语料概况

**Question.** Which reports does the shipped corpus hold — by year, administrative level and
region — and how complete are they: are all six sections and all three statistical tables there?

Everything here comes from `toolkit`; point `XXGK_CORPUS` at another folder to run it on your own corpus."""),
        ("code", SETUP),
        ("code", """reports = tk.load_reports()
reports[["report_id", "agency", "province", "admin_level", "year", "template", "status"]]"""),
        ("md", "Reports by year and administrative level:"),
        ("code", """pd.crosstab(reports["year"], reports["admin_level"], margins=True, margins_name="total")"""),
        ("md", "Completeness: sections found (of 6) and tables found, per report."),
        ("code", """reports[["report_id", "n_sections", "has_t2", "has_t3", "has_t4", "n_warnings"]]"""),
        ("code", """log = tk.load_parse_log()
log[["report_id", "level", "message"]]"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("md", """**What it shows.** The corpus holds 37 reports: the five civil-affairs (民政) seed reports of
county- and city-level organs (2022–2024), and 32 reports of four Hebei provincial departments
(人社, 科技, 工信, 教育) for 2013–2023, added with `xxgk add` from a web crawl. Fourteen of those
predate the fixed template (2013–2018): they are marked `pre-2019`, narrative only, and the audit does
not count their missing tables against them. Four use the 2019 template, thirteen the 2021 one; six
have no readable table (seed `002` published its tables as images, and the 人社厅 crawls captured
headings only) — those tables are *absent*, not zero. The parse log lists every value left missing
and why: most are Hebei cells that ran together with no separator and could not be split with
certainty."""),
    ],
    "02-applications.ipynb": [
        ("md", """# 2. Applications: who asks, and what they get / 依申请公开

**Question.** Table 3 counts the disclosure applications each organ received and how it answered
them. Who applies (natural persons or organisations)? How are applications resolved — granted,
partly granted, denied (and why), unavailable, not processed? How large is the backlog carried
into the next year?"""),
        ("code", SETUP),
        ("code", """tables = tk.load_tables()
t3 = tables[tables["table"] == "t3"]
wide = t3.pivot_table(index=["report_id", "row"], columns="column", values="value", sort=False)
wide.loc[:, ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]].xs(
    "new_received", level="row")"""),
        ("md", "Outcomes, summed over reports (column 总计). Missing values are left out, never read as zero."),
        ("code", """totals = t3[t3["column"] == "total"].groupby(["row", "row_zh"], sort=False)["value"].sum(min_count=1)
totals.to_frame("applications")"""),
        ("md", "Rates per report: the share of handled applications that were denied, and the share answered 本机关不掌握 (not held)."),
        ("code", """total = t3[t3["column"] == "total"].pivot_table(index="report_id", columns="row", values="value")
denied = total[[c for c in total.columns if c.startswith("denied.")]].sum(axis=1)
rates = pd.DataFrame({
    "received": total["new_received"],
    "handled": total["total_handled"],
    "denied_rate": (denied / total["total_handled"]).round(3),
    "not_held_rate": (total["unavailable.not_held"] / total["total_handled"]).round(3),
    "carried_forward": total["carried_forward"],
})
rates"""),
        ("code", """fig = plots.render("applications_by_applicant")
fig"""),
        ("code", """fig = plots.render("outcomes")
fig"""),
        ("md", """**What it shows.** Twelve reports give a readable count of new applications: 150 in all, almost
all from natural persons. The civil-affairs seeds receive almost none (吴忠市 one, granted); the Hebei
education department receives the most (16 in 2019, then 37, 44 and 19 in 2021–2023). Most applications are granted in full;
the commonest other answers are 信访举报投诉类申请 (not processed) and 本机关不掌握 (not held). Rates
are `<NA>` where an organ handled nothing or its counts could not be read — compute rates only over
organs that handled applications. Sums cover readable cells only; the missing ones are listed in
`tk.load_parse_log()`."""),
    ],
    "03-proactive-and-appeals.ipynb": [
        ("md", """# 3. Proactive disclosure and appeals / 主动公开与复议诉讼

**Question.** Table 2 lists what each organ disclosed on its own initiative under Article 20:
rules and normative documents made, repealed and in force; licensing, penalty and coercion
decisions; fees collected. Table 4 counts administrative reconsideration and litigation over
disclosure, and how they ended. How active are these organs, and how often are they corrected?"""),
        ("code", SETUP),
        ("md", "Table 2 of the reports on the 2021 template (the 2019 template has other columns and is kept apart):"),
        ("code", """tables = tk.load_tables()
reports = tk.load_reports()
on_2021 = reports.loc[reports["template"] == "2021", "report_id"]
t2 = tables[(tables["table"] == "t2") & tables["report_id"].isin(on_2021)]
t2.pivot_table(index="report_id", columns=["row", "column"], values="value", sort=False)"""),
        ("code", """fig = plots.render("proactive_disclosure")
fig"""),
        ("md", "Table 4: totals per kind of case, and the correction rate (corrected / decided cases)."),
        ("code", """t4 = tables[tables["table"] == "t4"]
cases = t4.pivot_table(index="row", columns="column", values="value", aggfunc="sum", sort=False)
cases = cases[["upheld", "corrected", "other", "pending", "total"]]
decided = cases["upheld"] + cases["corrected"] + cases["other"]
cases.assign(correction_rate=(cases["corrected"] / decided).round(3))"""),
        ("code", """fig = plots.render("appeals")
fig"""),
        ("md", """**What it shows.** Proactive disclosure is dominated by licensing decisions: the Hebei education
department reports 5,658 (2021), 6,267 (2022) and 7,417 (2023); the civil-affairs seeds tens at
most. Disclosure disputes are concentrated in two provincial departments (教育厅, 工信厅, 2021–2023):
13 reconsideration cases, of which 3 ended with the decision corrected (a correction rate of 25% of
decided cases), and 23 lawsuits, of which 2 were corrected."""),
    ],
    "04-audit.ipynb": [
        ("md", """# 4. Where reports break their own arithmetic / 勾稽关系核查

**Question.** The template demands identities: for every column of table 3, new + carried over =
handled + carried forward; the six applicant columns add up to the total; the outcome rows add up to
(七)总计; in table 4, the four results add up to the total. Which reports break them, what is
missing, and does the text agree with the tables?"""),
        ("code", SETUP),
        ("code", """audit = tk.audit()
summary = audit.assign(status=audit["passed"].map({True: "passed", False: "failed"}).fillna("not checkable"))
pd.crosstab(summary["check"].str.split(".").str[0], summary["status"])"""),
        ("md", "The findings a researcher would cite: every failed check, with what the identity expected and what the report shows."),
        ("code", """audit[audit["passed"] == False][["report_id", "check", "expected", "actual", "detail"]]"""),
        ("md", "Text against table: the number of applications the narrative states, compared with table 3."),
        ("code", """audit[audit["check"] == "text_vs_table.new_received"][["report_id", "expected", "actual", "passed", "detail"]]"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("md", """**What it shows.** No readable table breaks the template's arithmetic: every t3 and t4 identity
that could be checked holds. What fails is completeness — sections not found and tables missing in
seed `002` and in the crawled Hebei pages — and many identities cannot be checked because a cell
that ran together in the crawl was left missing rather than guessed. Where the text states a number
of applications received, it agrees with table 3; for `002` the audit says the table is missing
rather than reporting a disagreement. Across years, 河北省科学技术厅's 2022 section 五 repeats its
2021 text nearly verbatim (81% of character 5-grams shared). `narrative` failures mark sections 五
written as prose, a warning for text mining rather than an error of the report. Its narrative says it
received one application — the audit reports that the table is missing, not that text and table
disagree. `000` and `001` say in the text that they received no applications, which matches their
tables; `003` and `004` state no received count in the text (`办理申请 1 件` is about handling)."""),
    ],
    "05-problems-and-improvements.ipynb": [
        ("md", """# 5. Problems and improvements / 存在的主要问题及改进情况

**Question.** Section 五 is where organs say what went wrong and what they will do. What do they
write about, does it differ between years and administrative levels, and how far can a reader trust
the answer? The analysis codes the problems into the categories researchers of these reports use
(a shipped codebook), reads them in context, checks the automatic coding against a human coder, and
fits topics only to report those whose top terms come back across random restarts. Every number in
the closing paragraph is computed in the cells above it."""),
        ("code", "%matplotlib inline\n" + SETUP + "\nfrom IPython.display import Markdown"),
        ("md", """## 1. The items

`tk.load_narratives()` cuts each section 五 into problem and improvement items. Items that are only
a heading (`（二）整改措施`, `改进措施：`) are flagged and skipped by every tool below; a report that
nearly repeats an earlier one (reuse at or above `DUPLICATE_THRESHOLD`) carries `duplicate_of`."""),
        ("code", """items = tk.load_narratives()
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
overview.to_frame()"""),
        ("md", "Near-duplicate reports: the share of each report's cleaned section 五 found nearly verbatim in the other (`tk.reuse_pairs`), and which pairs `load_narratives` flags."),
        ("code", """from toolkit.mining.narratives import DUPLICATE_THRESHOLD
section5 = items.groupby("report_id")["text"].apply("\\n".join)
agency_year = reports.set_index("report_id")[["agency", "year"]]
pairs = tk.reuse_pairs(section5)
pairs = pairs.join(agency_year.add_suffix("_a"), on="report_a").join(agency_year.add_suffix("_b"), on="report_b")
pairs["flagged"] = [dups.get(b) == a or dups.get(a) == b for a, b in zip(pairs["report_a"], pairs["report_b"])]
print(f"DUPLICATE_THRESHOLD = {DUPLICATE_THRESHOLD}")
pairs[["agency_a", "year_a", "year_b", "reused_a", "reused_b", "flagged"]].round(2)"""),
        ("md", """## 2. Coding by codebook

The codebook (`tk.load_codebook()`, documented in `toolkit/mining/coding.py`) has categories with
keywords, patterns and two real example items each. `tk.code_items` gives one row per item and
matched category, with the terms that matched."""),
        ("code", """book = tk.load_codebook()
pd.DataFrame([(c["id"], c["zh"], c["en"], len(c["keywords"]), len(c["patterns"])) for c in book],
             columns=["id", "zh", "en", "keywords", "patterns"])"""),
        ("code", """coded = tk.code_items(items)
covered = body.assign(coded=body["item_id"].isin(coded["item_id"]))
coverage = covered.groupby("part", observed=True)["coded"].agg(coded="sum", items="size")
coverage.loc["all"] = coverage.sum()
coverage["share"] = (coverage["coded"] / coverage["items"]).round(3)
coverage"""),
        ("md", "The content items no category matches — read them to see what the codebook misses:"),
        ("code", """uncoded = covered.loc[~covered["coded"], ["item_id", "text"]]
uncoded.assign(text=uncoded["text"].str.slice(0, 60))"""),
        ("md", """How far to trust the automatic coding: one person coded passages of a sample of reports by hand
(`tests/fixtures/codebook/manual_coding.csv`; each passage lies inside one item, and an item with
several coded passages takes its first). `tk.agreement` compares that coder with the automatic primary
category. The coder also wrote the keywords, on these texts, so this is an in-sample, optimistic figure."""),
        ("code", """manual_passages = pd.read_csv("../tests/fixtures/codebook/manual_coding.csv", dtype=str)
manual = {}
for passage in manual_passages.itertuples():
    holder = body[(body["report_id"] == passage.report_id) & body["text"].str.contains(passage.text, regex=False)]
    manual.setdefault(holder["item_id"].iloc[0], passage.category)
manual = pd.DataFrame({"item_id": list(manual), "category": list(manual.values())})
print(f"{len(manual_passages)} passages of {manual_passages['report_id'].nunique()} reports, in {len(manual)} items")
fit = tk.agreement(manual, coded)
fit.per_category.round(2)"""),
        ("code", """same = int(fit.confusion.values.trace())
print(f"items compared: {fit.n_items}; same primary category: {same}; Cohen's kappa: {fit.kappa:.2f}")"""),
        ("md", """## 3. Categories by year and level

A report *names* a category when one of its problem items is coded with it. Per year the counts are
small, so the table gives k/n (reports naming it / reports with problem items) rather than shares."""),
        ("code", """by_year = tk.category_shares(items, "year")
order = [c["zh"] for c in book]
by_year.assign(cell=by_year["k"].astype(str) + "/" + by_year["n"].astype(str)).pivot(
    index="zh", columns="year", values="cell").reindex(order)"""),
        ("md", """By administrative level, with Wilson intervals. Years are pooled here, so the reports that
nearly repeat an earlier one are left out (each text counts once). Cities and counties are few and
are pooled too."""),
        ("code", """levels = distinct.assign(level=distinct["admin_level"].map(
    {"province": "province", "city": "city/county", "county": "city/county"}).astype(
    pd.CategoricalDtype(["province", "city/county"])))
by_level = tk.category_shares(levels, "level")
by_level[["level", "zh", "k", "n", "share", "ci_low", "ci_high"]].round(2)"""),
        ("code", """fig = plots.category_shares(by_level, "level")
fig"""),
        ("md", "What else differs between the levels (so a difference cannot be read as an effect of level alone):"),
        ("code", """level_meta = levels.drop_duplicates("report_id").groupby("level", observed=True).agg(
    reports=("report_id", "size"), sectors=("sector", lambda s: "、".join(sorted(s.dropna().unique()))),
    first_year=("year", "min"), last_year=("year", "max"))
level_meta"""),
        ("md", "## 4. Reading in context\n\nThe deficiency words the tokenizer now keeps, in their sentences (`tk.kwic`):"),
        ("code", """pd.set_option("display.max_colwidth", 30)
deficiency = tk.kwic("不够|不足|有待|不及时|滞后", items, window=12, regex=True)
deficiency[["report_id", "part", "left", "term", "right"]].head(12)"""),
        ("md", "And the most-named category at province level, through its first keyword:"),
        ("code", """top = by_level[by_level["level"] == "province"].sort_values(["k", "category"], ascending=[False, True]).iloc[0]
keyword = next(c for c in book if c["id"] == top["category"])["keywords"][0]
in_context = tk.kwic(keyword, items, window=12)
print(f"category: {top['zh']}; its first keyword: {keyword}; occurrences: {len(in_context)}")
in_context[["report_id", "part", "left", "term", "right"]].head(8)"""),
        ("md", """## 5. Topics and their stability

Topics are fitted on the content items, each text once (near-duplicates left out). First the number
of topics: NMF restarted from the same fixed seeds for every k; stability is how well the runs agree
(mean ± sd over the seeds)."""),
        ("code", """pd.set_option("display.max_colwidth", 40)
tok = tk.Tokenizer()
k_table = tk.choose_n_topics(distinct, ks=range(2, 9), tokenizer=tok)
print("seeds:", k_table.attrs["seeds"])
k_table.assign(stability=k_table["stability"].map("{:.2f}".format) + " ± " + k_table["stability_sd"].map("{:.2f}".format))[
    ["k", "stability", "reconstruction_error"]].round(3)"""),
        ("code", """best_k = int(k_table.loc[k_table["stability"] == k_table["stability"].max(), "k"].max())
model = tk.TopicModel(n_topics=best_k, tokenizer=tok).fit(distinct)
model.topic_stability_.round(2)"""),
        ("code", """model.top_terms(6).pivot(index="rank", columns="label", values="term")"""),
        ("code", """fig = plots.topic_terms(model.top_terms(6), int(distinct["report_id"].nunique()))
fig"""),
        ("md", "Each topic's share of the items, by year, level and template (every report counts in its own year):"),
        ("code", """shares = {by: model.share_by(body, by) for by in ("year", "admin_level", "template")}
shares["year"].pivot(index="label", columns="year", values="share").round(2)"""),
        ("code", """shares["year"].drop_duplicates("year").set_index("year")[["n_items", "n_reports"]].T"""),
        ("code", """def by_group(by):
    frame = shares[by].assign(**{by: shares[by][by].astype("string").fillna("(none)")})
    return frame.pivot(index="label", columns=by, values="share")

pd.concat({by: by_group(by) for by in ("admin_level", "template")}, axis=1).round(2)"""),
        ("md", """## 6. The vocabulary of problems and of improvements

Log-odds with an informative Dirichlet prior, its z-score, and Benjamini–Hochberg-adjusted p-values
over every term used at least `min_count` times. A term is called distinctive only when its adjusted
p-value is below `alpha`."""),
        ("code", """terms = tk.distinctive_terms(body, "part", tokenizer=tok, top_n=None)
print({k: terms.attrs[k] for k in ("min_count", "alpha", "n_tested")})
terms.head(12).round(4)"""),
        ("md", "## 7. Template reuse across the corpus"),
        ("code", """tk.similarity_pairs(section5)"""),
        ("code", """tk.reused_share(section5).round(3)"""),
        ("md", "## What it shows"),
        ("code", """generic = {"公开", "信息", "信息公开", "政府信息公开", "政务公开", "政府信息", "建设"} | set(tk.load_negation_words())
top3 = model.top_terms(3).groupby("topic")["term"].agg(list)
substantive = [model.topic_labels_[t] for t, ts in top3.items() if sum(x not in generic for x in ts) >= 2]
stab = model.topic_stability_
best_row = k_table.set_index("k").loc[best_k]
prov = by_level[by_level["level"] == "province"].sort_values(["k", "category"], ascending=[False, True])
low = by_level[by_level["level"] == "city/county"].set_index("category")
apart = [r.zh for r in prov.itertuples()
         if r.ci_low > low.loc[r.category, "ci_high"] or r.ci_high < low.loc[r.category, "ci_low"]]
meta = level_meta.to_dict("index")
shared_sectors = set(meta["province"]["sectors"].split("、")) & set(meta["city/county"]["sectors"].split("、"))
n_dist = int(terms["distinctive"].sum())
problem_side = terms[terms["group"] == "problem"].head(5)
negation = [t for t in problem_side["term"] if t in tk.load_negation_words()]
top_pair = pairs.iloc[0]
cov = coverage.loc["all"]
lead_ins = int((body.loc[~covered["coded"], "item"] == 0).sum())

def cite(r):
    return f"{r.zh} ({r.k}/{r.n}, 95% interval {r.ci_low:.0%}–{r.ci_high:.0%})"

def years(level):
    return f"{meta[level]['first_year']}–{meta[level]['last_year']}"

text = f\"\"\"**What it shows.** {overview['reports with a section 五']} of {overview['reports in the corpus']} reports have
a section 五 the parser finds; it splits into {overview['items']} items, of which {overview['heading-only items (skipped)']}
are bare headings. {overview['reports with both parts']} of these reports have both a problem and an improvement part.
{len(dups)} reports nearly repeat an earlier one (the closest pair, {top_pair['agency_a']} {top_pair['year_a']} and
{top_pair['year_b']}, shares {top_pair['reused_b']:.0%} of the later text); they count in their own year but once
when years are pooled.

The codebook codes {int(cov['coded'])} of {int(cov['items'])} content items ({cov['share']:.0%}); of the
{int(cov['items'] - cov['coded'])} it leaves uncoded, {lead_ins} are lead-in sentences (item 0), listed above with
the others. Against one human coder it agrees on {same} of {fit.n_items} items (Cohen's kappa {fit.kappa:.2f}) —
in-sample: the same person wrote the keywords on these texts.

Provincial reports ({meta['province']['reports']}, {meta['province']['sectors']}, {years('province')}) most often name
{cite(prov.iloc[0])}, {cite(prov.iloc[1])} and {cite(prov.iloc[2])}. City and county reports are
{meta['city/county']['reports']} ({meta['city/county']['sectors']}, {years('city/county')}), so their intervals are wide;
the two levels' intervals are apart for {len(apart)} of {len(low)} categories{(': ' + '、'.join(apart)) if apart else ''}.
{'The levels share no sector, so a difference between them cannot be told apart from one between sectors or periods.'
 if not shared_sectors else 'The levels share the sectors ' + '、'.join(sorted(shared_sectors)) + '.'}

Topics: {best_k} topics are the most stable choice (stability {best_row['stability']:.2f} ± {best_row['stability_sd']:.2f}
over {int(best_row['n_runs'])} seeds); across {len(model.restart_seeds_)} restarts of the fitted model each topic's top
terms come back with a mean similarity between {stab['stability'].min():.2f} and {stab['stability'].max():.2f}.
{len(substantive)} of {best_k} topics have top terms that name a subject rather than the general vocabulary of
disclosure and deficiency{(': ' + '、'.join(substantive)) if substantive else ''}{'; the codebook categories, not the topics, are the measure to report' if len(substantive) < best_k else ''}.

Problem and improvement wording: {n_dist} of {terms.attrs['n_tested']} tested terms pass the Benjamini–Hochberg
correction at {terms.attrs['alpha']}. The five terms leaning most towards problems are {'、'.join(f"{r.term} (z = {r.z:.2f})" for r in problem_side.itertuples())}
({len(negation)} of them deficiency words the tokenizer keeps{(': ' + '、'.join(negation)) if negation else ''}); on
this corpus {'none of them is' if not problem_side['distinctive'].any() else 'some are'} distinctive by that test.\"\"\"
Markdown(text)"""),
    ],
    "06-charts.ipynb": [
        ("md", """# 6. Charts to take away / 图表

**Question.** Which charts would a journalist publish from this corpus, and how are they saved?
Every chart carries a bilingual title, Chinese axis labels with English, and a source line
(数据来源…, with the number of reports used). `plots.save` writes PNG at 300 dpi and SVG in one call.
The same charts are written by `xxgk build` to `build/charts/`, and `xxgk chart NAME --out FILE`
renders one."""),
        ("code", SETUP),
        ("code", """sorted(plots.CHARTS)"""),
        ("code", """saved = []
for name in sorted(plots.CHARTS):
    fig = plots.render(name)
    saved += [p.name for p in plots.save(fig, f"../build/charts/{name}")]
saved"""),
        ("code", """plots.render("applications_by_applicant")"""),
        ("code", """plots.render("audit_summary")"""),
        ("md", """**What it shows.** Five charts, each saved as PNG (300 dpi) and SVG (text as outlines, so it
displays anywhere). The Chinese labels use Noto Sans CJK SC shipped through the `mplfonts`
package, so they render on a machine with no Chinese fonts installed; your own matplotlib
settings are left untouched."""),
    ],
}


def build(name: str, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: re-running gives an identical file
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, HERE / name)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Write and execute the analysis notebooks.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="notebooks to regenerate, by file name or its number prefix (e.g. 05); default: all")
    args = parser.parse_args(argv)
    chosen = []
    for wanted in args.names:
        matches = [n for n in NOTEBOOKS if n == wanted or n.split("-")[0] == wanted]
        if not matches:
            parser.error(f"no notebook {wanted!r}; notebooks: {', '.join(NOTEBOOKS)}")
        chosen += [m for m in matches if m not in chosen]
    for name in chosen or list(NOTEBOOKS):
        build(name, NOTEBOOKS[name])
        print("wrote", name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
