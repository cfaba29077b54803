# %% [markdown]
# # 4. Where reports break their own arithmetic / 勾稽关系核查
#
# **Question.** The template demands identities: for every column of table 3, new + carried over =
# handled + carried forward; the six applicant columns add up to the total; the outcome rows add up to
# (七)总计; in table 4, the four results add up to the total. Which reports break them, what is
# missing, and does the text agree with the tables?
#
# The audit reads the corpus *text*. What a text lacks is not always what the published report lacks,
# and a check on a number the parser chose with the template's own arithmetic cannot fail; both are
# sorted out below before anything is counted against a report.

# %%
# %matplotlib inline
import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)
from IPython.display import Markdown

# %%
audit = tk.audit()
family = audit["check"].map(lambda c: ".".join(c.split(".")[:2]) if c.startswith(("t3.", "t4.")) else c.split(".")[0])
status = audit["passed"].map({True: "passed", False: "failed"}).fillna("not checkable").rename("result")
summary = pd.crosstab(family, status)
summary

# %% [markdown]
# Every failed check, with what the identity expected and what the report shows:

# %%
failed = audit[audit["passed"].eq(False).fillna(False)]
failed[["report_id", "check", "expected", "actual", "detail"]]

# %% [markdown]
# ## 1. What the corpus text lacks, and why
#
# A `table_present` failure says that the corpus text has no such table. For each one, what the text has
# where the table should be: a pointer to a separate annex (附表); a sentence stating the table's numbers
# instead (from `tk.load_statements()`, found inside that section); or nothing — the heading with nothing
# under it, another section's text, or no heading at all. `text_from` says where the text comes from
# (`metadata.csv`): most of these are a crawler's copy of a web page, which keeps the headings but not
# always the tables.

# %%
import re

from toolkit.corpus import corpus_dir, read_metadata, resolve_report_path
from toolkit.reading import read_document

reports = tk.load_reports().set_index("report_id")
root = corpus_dir()
meta = read_metadata(root).set_index("report_id")
statements = tk.load_statements()
log = tk.load_parse_log()


def name(rid):
    return f"{reports.loc[rid, 'agency']}（{reports.loc[rid, 'year']}）"


lacking = failed[failed["check"].str.startswith(("table_present", "section_present"))]
paths = {rid: resolve_report_path(root, meta.loc[rid, "file"]) for rid in lacking["report_id"].unique()}
parsed = {rid: tk.parse_report(path) for rid, path in paths.items()}
full_text = {rid: read_document(path).text for rid, path in paths.items()}
SECTION_OF = {"t2": "2", "t3": "3", "t4": "4"}


def crawled(rid):
    return "crawler text" in str(meta.loc[rid, "source"])


def in_place_of(rid, table):
    """(kind, what the corpus text has where *table* should be)."""
    section = parsed[rid].sections.get(SECTION_OF[table])
    said = statements.loc[(statements["report_id"] == rid) & (statements["table"] == table), "sentence"]
    sentence = next((s for s in said if section and s in section), None)
    annex = re.search(r"[^。，]*附表[^。，]*", full_text[rid])
    if annex and not section:
        return "annex", f"“{annex.group(0).strip()}”"
    if sentence:
        return "sentence", f"“{sentence}”"
    if section is None:
        return "nothing", "(the heading is not found)"
    if section == "":
        return "nothing", "(the heading, nothing under it)"
    return "nothing", f"another section's text: “{section[:24]}…”"


tables_lacking = lacking[lacking["check"].str.startswith("table_present")].assign(
    table=lambda f: f["check"].str.split(".").str[1])
found = [in_place_of(r, t) for r, t in zip(tables_lacking["report_id"], tables_lacking["table"])]
tables_lacking = tables_lacking.assign(
    report=tables_lacking["report_id"].map(name),
    text_from=["crawler text of a web page" if crawled(r) else "text of the published file"
               for r in tables_lacking["report_id"]],
    kind=[k for k, _ in found], in_its_place=[w for _, w in found])
pd.set_option("display.max_colwidth", 60)
tables_lacking[["report", "table", "text_from", "kind", "in_its_place"]]

# %% [markdown]
# Sections: `section_present` looks for each section's heading, so a failure means the heading was
# not found, or that nothing stands under it (above: the sections whose only content was a table).
# Where section 五's heading was not found, is its text elsewhere? A search of every section the
# parser did find for the usual wording of problems (`tk.kwic`):

# %%
sections_lacking = lacking[lacking["check"].str.startswith("section_present")].assign(
    section=lambda f: f["check"].str.split(".").str[1])
not_found = {(r, m.split(" ")[1]) for r, m in zip(log["report_id"], log["message"])
             if m.startswith("section ") and m.endswith("heading not found")}
sections_lacking = sections_lacking.assign(
    heading=["not found" if (r, s) in not_found else "found, nothing under it"
             for r, s in zip(sections_lacking["report_id"], sections_lacking["section"])])
no_five = sorted(sections_lacking.loc[sections_lacking["section"] == "5", "report_id"])
texts = pd.DataFrame([{"report_id": rid, "part": f"section {k}", "item": int(k), "text": t}
                      for rid in no_five for k, t in parsed[rid].sections.items() if t],
                     columns=["report_id", "part", "item", "text"])
PROBLEMS = r"存在的主要问题|(仍|还|但)存在[^。]{0,30}(问题|不足)"
five_elsewhere = tk.kwic(PROBLEMS, texts, window=15, regex=True).drop_duplicates("report_id")
display(pd.crosstab(sections_lacking["section"], sections_lacking["heading"]))
five_elsewhere[["report_id", "part", "left", "term", "right"]]

# %% [markdown]
# ## 2. The arithmetic, and what it cannot show
#
# Crawled tables often lose the separators between cells (seven cells printed as one run of digits). The parser
# reads such a row only when the template's arithmetic leaves one way to split it — the row's own sum,
# or the column sums of the other rows — and it keeps a row placed by row order only when the sums
# hold (`tk.load_parse_log()` says which rows). A check of the identity that chose a reading passes by
# construction; a jammed row that no split makes add up is left missing, so its checks are *not
# checkable*, never *failed*.

# %%
ROW = re.compile(r"^(t[234])(?:\.([a-z_.]+))?:")
RULES = {  # parse-log wording -> how the row was read
    "own sum": r"satisfying the template's arithmetic",
    "column sums": r"the only one equal to the column sums",
    "kept if the sums hold": r"by row order|agreeing with the narrative|fewer tokens than cells; read as",
}
FLOW = {"new_received", "carried_over", "total_handled", "carried_forward"}


def rows_read(pattern):
    """(report_id, table, row) the parse log names with *pattern* (row None: the whole table)."""
    hits = log[log["message"].str.contains(pattern, regex=True)]
    found = zip(hits["report_id"], [ROW.match(m) for m in hits["message"]])
    return {(r, m.group(1), m.group(2)) for r, m in found if m}


def arithmetic_rows(pattern):
    return {row for row in rows_read(pattern) if row[1] in ("t3", "t4")}


by_rule = {rule: arithmetic_rows(pattern) for rule, pattern in RULES.items()}
chosen = set().union(*by_rule.values())
jammed = arithmetic_rows(r"ran together and (?:no split|several splits) fit") - chosen


def rows_in(rid, check, rows):
    """The rows of *rows* that arithmetic check *check* of report *rid* uses."""
    table, kind, rest = (check.split(".", 2) + [""])[:3]
    mine = {row for r, t, row in rows if r == rid and t == table}
    if None in mine:
        return mine
    if kind == "row_sum":
        return mine & {rest}
    return mine & (FLOW if kind == "balance" else {r for r in mine if r not in FLOW - {"total_handled"}})


def by_construction(rid, check):
    kind = check.split(".")[1]
    if kind == "row_sum":  # every rule keeps only readings whose own sum holds, when one does
        return bool(rows_in(rid, check, chosen))
    return bool(rows_in(rid, check, by_rule["column sums"] | by_rule["kept if the sums hold"]))


arithmetic = family.isin(["t3.balance", "t3.row_sum", "t3.outcomes", "t4.row_sum"])
on_chosen = arithmetic & pd.Series([bool(rows_in(r, c, chosen)) for r, c in zip(audit["report_id"], audit["check"])],
                                   index=audit.index)
circular = on_chosen & pd.Series([by_construction(r, c) for r, c in zip(audit["report_id"], audit["check"])],
                                 index=audit.index)
on_jammed = arithmetic & pd.Series([bool(rows_in(r, c, jammed)) for r, c in zip(audit["report_id"], audit["check"])],
                                   index=audit.index)
checked = arithmetic & audit["passed"].notna()
broken = arithmetic & audit["passed"].eq(False).fillna(False)
unclear = arithmetic & audit["passed"].isna()
rows_table = pd.DataFrame(sorted((r, t, row or "(whole table)", rule) for rule, rows in by_rule.items()
                                 for r, t, row in rows), columns=["report_id", "table", "row", "read by"])
rows_table.assign(report=rows_table["report_id"].map(name))[["report", "table", "row", "read by"]]

# %%
pd.DataFrame({"checks that could be made": [checked.sum()],
              "… on rows read as printed": [(checked & ~on_chosen).sum()],
              "… on a row the arithmetic chose": [(checked & on_chosen).sum()],
              "of which by construction": [(checked & circular).sum()],
              "failed": [broken.sum()],
              "not checkable": [unclear.sum()],
              "… of which on a jammed row left missing": [(unclear & on_jammed).sum()]}, index=["checks"]).T

# %% [markdown]
# ## 3. Text against table
#
# The numbers the narrative states, compared with the tables — one row per comparison made, so a report
# can have several. A row of table 2 whose run-together digits were split to agree with a sentence of the
# narrative (the parse log says so) agrees with that sentence by construction:

# %%
text_vs_table = audit[audit["check"].str.startswith("text_vs_table")]


def cell_of(check):
    parts = check.split(".")
    return ("t3", "new_received") if parts[1] == "new_received" else (parts[1], parts[2])


from_narrative = rows_read(r"agreeing with the narrative")
text_vs_table = text_vs_table.assign(
    by_construction=[(r, *cell_of(c)) in from_narrative for r, c in zip(text_vs_table["report_id"], text_vs_table["check"])])
text_vs_table.loc[text_vs_table["passed"].notna(),
                  ["report_id", "check", "expected", "actual", "passed", "by_construction", "detail"]]

# %% [markdown]
# ## 4. Repeated text: two measures
#
# The audit's `cross_year.narrative_repeat` compares section 五 with the same organ's report of the
# year before only, and flags it when the Jaccard similarity of the two texts' sets of five-character
# sequences reaches `REPEAT_THRESHOLD`. The text-mining notebook (notebook 5) flags a report
# (`duplicate_of` in `tk.load_narratives()`) when at least `DUPLICATE_THRESHOLD` of its own cleaned
# section 五 lies in long verbatim runs found in *any* earlier report. Both, side by side, for every report either flags:

# %%
import inspect

from toolkit.checks import REPEAT_THRESHOLD
from toolkit.mining.narratives import DUPLICATE_THRESHOLD

repeats = audit[audit["check"] == "cross_year.narrative_repeat"]
jaccard = repeats.set_index("report_id")["actual"]
narr = tk.load_narratives()
duplicate_of = narr.groupby("report_id")["duplicate_of"].first()
section5 = narr.groupby("report_id")["text"].apply("\n".join)
reuse = tk.reuse_pairs(section5)
share = {(b, a): s for a, b, s in zip(reuse["report_a"], reuse["report_b"], reuse["reused_b"])}
share |= {(a, b): s for a, b, s in zip(reuse["report_a"], reuse["report_b"], reuse["reused_a"])}
min_run = inspect.signature(tk.reuse_pairs).parameters["min_match_chars"].default
flagged = sorted(set(repeats.loc[repeats["passed"].eq(False).fillna(False), "report_id"]) | set(duplicate_of.dropna().index))
both = pd.DataFrame({
    "report": [name(r) for r in flagged],
    "jaccard_prev_year": [jaccard.get(r) for r in flagged],
    "audit_flags": [bool(pd.notna(jaccard.get(r)) and jaccard.get(r) >= REPEAT_THRESHOLD) for r in flagged],
    "earlier_report": [name(duplicate_of[r]) if pd.notna(duplicate_of.get(r)) else None for r in flagged],
    "share_reused": [share.get((r, duplicate_of[r])) if pd.notna(duplicate_of.get(r)) else None for r in flagged],
    "nb5_flags": [pd.notna(duplicate_of.get(r)) for r in flagged]}, index=flagged)
print(f"REPEAT_THRESHOLD = {REPEAT_THRESHOLD}; DUPLICATE_THRESHOLD = {DUPLICATE_THRESHOLD}; runs of at least "
      f"{min_run} characters")
both.round(2)

# %%
fig = plots.render("audit_summary")
fig


# %%
def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def tables_of(frame):
    """'河北省科学技术厅（2019） (tables 3 and 4)' for each report of *frame*."""
    out = []
    for rid, part in frame.groupby("report_id", sort=True):
        nums = sorted(t[1] for t in part["table"])
        out.append(f"{name(rid)} (table{'s' if len(nums) > 1 else ''} {listing(nums)})")
    return listing(out)


# Arithmetic.
if broken.any():
    arith = (f"{broken.sum()} of the {checked.sum()} arithmetic checks that could be made fail, in "
             f"{listing(sorted(set(name(r) for r in audit.loc[broken, 'report_id'])))}.")
else:
    arith = (f"None of the {(checked & ~on_chosen).sum():,} arithmetic checks on rows read as printed fails. "
             f"{(checked & on_chosen).sum()} more involve one of the {len(chosen)} rows (in "
             f"{len({r for r, _t, _row in chosen})} reports) that the parser read with the template's arithmetic; "
             f"{(checked & circular).sum()} of these pass by construction (the identity that chose the reading), and "
             f"the other {(checked & on_chosen & ~circular).sum()} test a reading the arithmetic chose, so none of "
             "them is independent confirmation.")
arith += (f" A further {unclear.sum():,} checks could not be made because a cell or a table is missing — among them "
          f"{(unclear & on_jammed).sum():,} on the {len(jammed)} run-together rows (in {len({r for r, _t, _row in jammed})} "
          "reports) that could not be split with certainty (no split, or more than one, fits). Such a row is left "
          "missing, so a report whose jammed row breaks its own sum shows as *not checkable*, never as *failed*: the "
          "audit cannot catch that error.")

# Completeness.
kinds = {k: tables_lacking[tables_lacking["kind"] == k] for k in ("nothing", "annex", "sentence")}
nothing_crawled = kinds["nothing"][kinds["nothing"]["text_from"].str.startswith("crawler")]
assert len(nothing_crawled) == len(kinds["nothing"]), "a table missing from a text that is not crawled: say why"
complete = (f"Completeness is about the corpus text before it is about the reports: the texts of "
            f"{tables_lacking['report_id'].nunique()} reports lack at least one table the template requires. ")
if len(kinds["nothing"]):
    complete += (f"In {tables_of(kinds['nothing'])} the text is a crawler's copy of the web page with nothing under "
                 "the table's heading (or another section's text, or not even the heading): the crawl did not capture "
                 "the table, and whether the published report had one cannot be told from the corpus. ")
if len(kinds["annex"]):
    quote = kinds["annex"]["in_its_place"].iloc[0]
    complete += (f"{tables_of(kinds['annex'])} says its statistics are in a separate annex ({quote}), which the "
                 "corpus text does not hold. ")
if len(kinds["sentence"]):
    complete += (f"Only in {tables_of(kinds['sentence'])} does a sentence stand where the table would be "
                 f"(e.g. {kinds['sentence']['in_its_place'].iloc[0]}): these reports may give no table themselves")
    sentence_crawled = kinds["sentence"]["text_from"].str.startswith("crawler")
    # A crawl that lost one table of a report may have lost the others too.
    lost_too = sorted(set(kinds["sentence"]["report_id"]) & set(kinds["nothing"]["report_id"]))
    if sentence_crawled.all():
        complete += ", but the texts are a crawler's copies"
        if lost_too:
            complete += (f", and in {listing(tables_of(kinds['nothing'][kinds['nothing']['report_id'] == r]) for r in lost_too)} "
                         "the same crawl lost the table, so a lost table cannot be ruled out")
    elif sentence_crawled.any():
        complete += (f", but the texts of {listing(name(r) for r in sorted(set(kinds['sentence'].loc[sentence_crawled, 'report_id'])))} "
                     "are a crawler's copies")
    complete += "."

# Sections.
five_found = sorted(set(five_elsewhere["report_id"]))
sect = (f"`section_present` fails {len(sections_lacking)} times in {sections_lacking['report_id'].nunique()} reports: "
        f"{(sections_lacking['heading'] == 'not found').sum()} times the heading was not found, "
        f"{(sections_lacking['heading'] != 'not found').sum()} times nothing stands under it.")
if no_five:
    sect += f" Section 五 is among them in {listing(name(r) for r in no_five)}"
    if five_found:
        sect += ((": " if five_found == no_five else f"; in {listing(name(r) for r in five_found)} ")
                 + "its text is there, under another heading (found above: the heading of section 五 is missing or "
                   "worded differently), so the check could not find the section — it is not missing from the report.")
    else:
        sect += "."

# Text against table.
compared = text_vs_table[text_vs_table["passed"].notna()]
disagree = compared[~compared["passed"].astype(bool)]
agree_all = compared.groupby("report_id")["passed"].all()
circular_text = compared[compared["by_construction"]]
text = (f"Text against table: {len(compared)} comparisons in {compared['report_id'].nunique()} reports; "
        f"{len(compared) - len(disagree)} comparisons agree, and {int(agree_all.sum())} reports agree in every "
        f"comparison. {len(circular_text)} of the agreeing comparisons (in "
        f"{listing(sorted(set(name(r) for r in circular_text['report_id'])))}) are about a table-2 row whose digits "
        "were split to agree with that very sentence, so they agree by construction.")
# Read by hand: each note holds only while the phrases it rests on are in the report's text.
NOTES = {("2024_82ba40ade55a9310", "text_vs_table.new_received"): (
    ("区政府办代表区政府", "指导各部门"),
    "the sentence counts what the district government's office (区政府办) received on the government's behalf, and "
    "the same paragraph speaks of guiding the district's departments (指导各部门) in handling applications; the table "
    "may count the whole district, so this is possibly a difference of scope rather than an error")}
for row in disagree.itertuples():
    sentence = statements.loc[(statements["report_id"] == row.report_id)
                              & (statements["table"] + "." + statements["row"] == ".".join(cell_of(row.check))),
                              "sentence"].iloc[0]
    quoted = re.sub(r"\s*\n\s*", "", sentence)  # a line break of the PDF, not of the sentence
    text += (f" {name(row.report_id)} disagrees: the text says “{quoted}” ({row.actual:,.0f}), "
             f"table 3 has {row.expected:,.0f}")
    phrases, note = NOTES.get((row.report_id, row.check), ((), ""))
    whole = read_document(resolve_report_path(root, meta.loc[row.report_id, "file"])).text
    assert all(p in " ".join(whole.split()).replace(" ", "") for p in phrases), "re-read the report: the note may not hold"
    text += f" — {note}." if note else "."
text += (f" In {text_vs_table['passed'].isna().sum()} findings no comparison was possible (no stated number, or the "
         "table is missing — reported as missing, not as a disagreement).")

# Repeats.
audit_only = both[both["audit_flags"] & ~both["nb5_flags"]]
nb5_only = both[both["nb5_flags"] & ~both["audit_flags"]]
why = []
for r in nb5_only.index:
    earlier = duplicate_of[r]
    if reports.loc[earlier, "year"] != reports.loc[r, "year"] - 1:
        why.append(f"{name(r)} repeats {name(earlier)}, not the year before, which the audit does not compare")
    else:
        why.append(f"{name(r)} takes {both.loc[r, 'share_reused']:.0%} of its text from {name(earlier)}, but the "
                   f"5-gram Jaccard similarity of the two is {jaccard[r]:.2f}")
rep = (f"Repeated text: the audit flags {int(both['audit_flags'].sum())} report(s) "
       f"({listing(name(r) for r in both.index[both['audit_flags']])}) — section 五's character 5-grams "
       f"{REPEAT_THRESHOLD:.0%} or more the same as the same organ's report of the year before (Jaccard: shared over "
       f"all 5-grams of both texts); notebook 5 flags {int(both['nb5_flags'].sum())} "
       f"({listing(name(r) for r in both.index[both['nb5_flags']])}) — {DUPLICATE_THRESHOLD:.0%} or more of the "
       f"later text found in runs of at least {min_run} characters in any earlier report. The second measure is a share "
       "of the later text only, so a report that copies part of a longer one scores high on it and low on the first.")
if len(nb5_only):
    rep += " Flagged by notebook 5 alone: " + "; ".join(why) + "."
if len(audit_only):
    rep += f" Flagged by the audit alone: {listing(name(r) for r in audit_only.index)}."

# Section 五's form.
narrative = audit[audit["check"].str.startswith("narrative")]
prose = narrative[narrative["passed"].eq(False).fillna(False)]
kinds_failed = sorted(set(prose["check"]))
parts = narrative[narrative["check"] == "narrative.parts"]
n_kind = prose["check"].value_counts()
form = ((f"The {len(prose)} `narrative` failures are all `narrative.enumerated`" if kinds_failed == ["narrative.enumerated"]
         else f"The {len(prose)} `narrative` failures are " + listing(f"{n_kind[k]} `{k}`" for k in kinds_failed))
        + (": `narrative.enumerated` marks sections 五 written as prose without enumerated items, so each part is one "
           "item — a limit for text mining, not an error of arithmetic or completeness."
           if "narrative.enumerated" in kinds_failed else ".")
        + (f" Every one of the {parts['passed'].notna().sum()} sections 五 that could be split has both a problem "
           "and an improvement part (`narrative.parts`)." if parts["passed"].notna().sum() == parts["passed"].eq(True).sum()
           else f" {parts['passed'].eq(True).sum()} of the {parts['passed'].notna().sum()} sections 五 that could be "
                "split have both a problem and an improvement part (`narrative.parts`; not "
                + listing(name(r) for r in sorted(parts.loc[parts["passed"].eq(False).fillna(False), "report_id"])) + ")."))

Markdown("\n\n".join([f"**What it shows.** {arith}", complete, sect, text, rep, form]))
