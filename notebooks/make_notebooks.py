"""Write and execute the analysis notebooks (run from the repository root:
``python notebooks/make_notebooks.py``).

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
write about, how does the language of problems differ from that of improvements, and how much of
the text is copied from other reports?"""),
        ("code", SETUP),
        ("code", """items = tk.load_narratives()
items.groupby(["report_id", "part"], observed=True)["item"].max().unstack()"""),
        ("md", "Tokens: the toolkit's own jieba tokenizer keeps domain terms whole (依申请公开, 三审三校, 政策解读) and drops the template's boilerplate."),
        ("code", """tok = tk.Tokenizer()
enumerated = items[items["item"] > 0].reset_index(drop=True)
enumerated.assign(tokens=enumerated["text"].map(lambda t: " ".join(tok(t)[:8])))[["report_id", "part", "item", "tokens"]].head(8)"""),
        ("md", "How many topics? Stability of NMF topics across random restarts, for each k (higher is more stable)."),
        ("code", """tk.choose_n_topics(enumerated["text"], ks=range(2, 5), tokenizer=tok, min_df=1).round(3)"""),
        ("code", """model = tk.TopicModel(n_topics=3, tokenizer=tok, min_df=1, random_state=0).fit(enumerated["text"])
model.top_terms(6).pivot(index="rank", columns="label", values="term")"""),
        ("code", """model.representative(enumerated["text"], n=1)[["topic", "text"]]"""),
        ("code", """fig = plots.topic_terms(model.top_terms(6), int(enumerated["report_id"].nunique()))
fig"""),
        ("md", "Words that distinguish problems from improvements (log-odds with an informative Dirichlet prior; positive favours the first group)."),
        ("code", """tk.distinctive_terms(enumerated, "part", tokenizer=tok, top_n=5).round(3)"""),
        ("md", "Template reuse: pairs of reports whose section 五 share character 5-grams (after removing the template's own wording), and each report's share of text found nearly verbatim elsewhere."),
        ("code", """section5 = items.groupby("report_id")["text"].apply("".join)
tk.similarity_pairs(section5)"""),
        ("code", """tk.reused_share(section5)"""),
        ("md", """**What it shows.** Most reports split into problems and improvements; some older ones give only
problems. Three topics are stable across restarts for k = 2 and 3: *disclosure work and training*
(信息公开, 同步, 业务, 培训), *timely proactive disclosure* (公开, 及时, 主动公开, 更新) and *policy
interpretation* (政策解读, 形式, 丰富). Problems are written in the vocabulary of disclosure itself
(信息公开, 政策解读, 主动公开), improvements in that of action (发布, 学习, 公众, 网站). Reuse is real:
河北省科学技术厅's 2021 and 2022 sections share 81% of their 5-grams, and 83% of 河北省教育厅's 2016
text reappears nearly verbatim in its 2017 and 2018 reports."""),
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


if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        build(name, cells)
        print("wrote", name)
