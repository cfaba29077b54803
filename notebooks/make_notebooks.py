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
        ("md", """**What it shows.** The corpus holds five civil-affairs (民政) reports for 2022–2024 from four
provinces and one municipality, one city-level and four county-level organs. Four reports are
complete: six sections and all three tables. Report `002` (威海市文登区民政局) has all six section
headings, but sections 二–四 are empty — its tables were published as images — so its three tables are
*absent*, not zero, and the parse log says so. The audit chart counts these as failed presence
checks and as arithmetic that cannot be checked."""),
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
        ("md", """**What it shows.** Applications are rare at this level: of the four reports with a table 3,
only 吴忠市民政局 received one (from a natural person), and it was granted in full. Nobody was
denied, nothing was carried forward, so the denial and not-held rates are undefined (`<NA>`)
where an organ handled nothing — a reminder to compute rates only over organs that handled
applications."""),
    ],
    "03-proactive-and-appeals.ipynb": [
        ("md", """# 3. Proactive disclosure and appeals / 主动公开与复议诉讼

**Question.** Table 2 lists what each organ disclosed on its own initiative under Article 20:
rules and normative documents made, repealed and in force; licensing, penalty and coercion
decisions; fees collected. Table 4 counts administrative reconsideration and litigation over
disclosure, and how they ended. How active are these organs, and how often are they corrected?"""),
        ("code", SETUP),
        ("code", """tables = tk.load_tables()
t2 = tables[tables["table"] == "t2"]
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
        ("md", """**What it shows.** Proactive disclosure is dominated by licensing decisions (开州区 71,
吴忠市 17) and a handful of normative documents; fees are zero except 开州区's 150 万元. No organ
in the corpus faced reconsideration or litigation over disclosure, so the correction rate is
undefined everywhere. With a larger corpus (see `XXGK_CORPUS`), the same cells give a panel by
organ and year."""),
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
        ("md", """**What it shows.** The four reports with tables keep the template's arithmetic. The arithmetic
and presence failures all belong to `002`: its sections 二–四 are empty and its tables are
missing. The one `narrative` failure is `004`, whose section 五 is unenumerated prose (a warning
for text mining, not an error of the report). Its narrative says it
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
        ("md", """**What it shows.** Every report splits into problems and improvements; four of five enumerate
them (一是/二是…). The topics separate *information content and release* (政府信息公开, 信息,
发布), *openness and timeliness* (公开, 及时, 形式) and *policy interpretation and participation*
(解读, 规范性文件, 公众参与). Problems are written in the vocabulary of disclosure itself
(信息公开, 公开), improvements in that of organisation and study (政务公开, 学习, 组织). None of the
five reports copies another's section 五 — reuse needs a larger corpus to show."""),
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
