"""Coding section 五 items into categories, by codebook and by hand, and the agreement of the two.

The codebook
    ``toolkit/resources/codebook.json`` holds twelve categories of the problems
    and improvements these reports write about (`load_codebook`)::

        policy_interpretation     政策解读                 quantity, depth, form, timeliness of 解读
        timeliness                信息更新与及时性         late or irregular release, stale columns
        content_scope             公开内容深度与全面性     scope, volume, breadth and depth of content
        disclosure_form           公开形式与便民性         variety of forms, readability, ease of access
        platform_website          平台、网站与栏目建设     portal, columns, platforms, 政务新媒体
        request_handling          依申请公开办理           applications: channels, replies, 告知书
        staff_training            队伍建设与业务培训       staffing, competence, training
        public_participation      公众参与与回应关切       意见征集, 政民互动, 诉求, 回应关切
        key_area_disclosure       重点领域信息公开         designated priority fields, named bodies
        institutional_mechanisms  制度机制与监督保障       rules, mechanisms, leadership, supervision
        disclosure_awareness      公开意识与重视程度       公开意识, 认识, 重视, 主动性
        review_quality            审核把关与信息质量       pre-release review, accuracy, 公开属性

    Each category has ``id``, ``zh``, ``en``, a ``definition`` (what belongs
    and what goes elsewhere), ``keywords`` (literal substrings), ``patterns``
    (Python regular expressions) and two ``examples``: real items of the
    corpus, one problem and one improvement, quoted verbatim.  Keywords are
    topics, not problem markers: the same keyword fires in problem and
    improvement items (the part comes from the splitter).  Bare words that
    fire on officialese or on several categories (公开, 工作, 加强, 规范, 内容,
    形式, 及时 …) are avoided; these topics go through compounds (公开内容,
    不够及时) or patterns (``规范性(?!文件)``, so that 规范性文件 is no review
    problem).  The keywords were written and tuned on the shipped corpus, by the
    coder of the agreement fixture (who is not recorded): the agreement reported on it
    is in-sample and optimistic (see README, "Problems and improvements").

Automatic coding (`code_items`)
    An item gets every category one of whose keywords or patterns occurs in
    its text.  A category's ``score`` is the number of separate text stretches
    its matches cover (overlapping or touching matches are one), so nested
    keywords (政策解读 ⊃ 解读) and adjacent ones (网站栏目) count once.
    The ``primary`` category of an item (for single-label comparisons) is the
    one with the highest score; ties go to the category whose first match
    comes first in the text (the lead clause states an item's subject), then
    to codebook order.

Manual coding (`export_for_coding`, `read_coding`), `agreement`, `krippendorff_alpha`
    An xlsx sheet lists the items with their stable ids and an empty
    ``category`` column restricted (Excel data validation) to the codebook's
    ids plus ``none``; a coder fills one category per item.  `agreement`
    compares two filled sheets (two people), or a sheet with `code_items`
    (the coder's category against the automatic primary one): Cohen's kappa
    per category (present or not) and overall, each with a 95% percentile
    bootstrap interval over items (fixed seed), and a confusion table.
    `krippendorff_alpha` gives nominal alpha for three coders or more.

Exclusions
    Clauses stating an achievement (体制机制不断健全, 公开力度不断加大,
    取得一定成效, 随着… background) are matched by the codebook's ``exclude``
    patterns; no category is read from them.
"""
from __future__ import annotations

import io
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..fileio import atomic_write
from .narratives import item_id as make_item_id

__all__ = ["load_codebook", "code_items", "export_for_coding", "read_coding", "agreement", "Agreement",
           "krippendorff_alpha", "precision_recall", "category_shares", "NONE", "CODED_COLUMNS", "N_BOOT", "SEED"]

#: The label a coder gives an item that no category fits.
NONE = "none"
_REQUIRED = ("id", "zh", "en", "definition", "keywords", "patterns", "examples")
CODED_COLUMNS = ["item_id", "report_id", "part", "item", "category", "terms", "score", "primary"]
_SHEET = "coding"
_SHEET_COLUMNS = ["item_id", "report_id", "part", "item", "text", "category", "note"]


def _codebook_text(path) -> tuple[str, str]:
    if path is None:
        return (resources.files("toolkit").joinpath("resources/codebook.json").read_text(encoding="utf-8"),
                "toolkit/resources/codebook.json")
    return Path(path).read_text(encoding="utf-8"), str(path)


def _load_categories(path: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The codebook's categories as dicts, in codebook order, with the shared ``exclude`` rules
    attached to each (see `load_codebook`)."""
    text, where = _codebook_text(path)
    data = json.loads(text)
    exclude: list[str] = []
    if isinstance(data, dict):
        exclude = list(data.get("exclude", {}).get("patterns", []))
        for pattern in exclude:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{where}: bad exclude pattern {pattern!r} ({exc})") from None
        data = data.get("categories")
    categories = _checked(data, where)
    return [dict(cat, exclude=list(cat.get("exclude", exclude))) for cat in categories]


def load_codebook(path: str | os.PathLike | None = None):
    """The codebook as a DataFrame, one row per category in codebook order: ``id``, ``zh``,
    ``en``, ``definition``, ``keywords`` (list), ``patterns`` (list), ``examples`` (list) and
    ``exclude`` (list: the patterns of clauses no category is read from — sentences about
    achievements, 机制不断健全, 公开力度不断加大).

    Default: the packaged ``toolkit/resources/codebook.json`` (see the module
    docstring); *path*: a JSON file of the same shape (an object with
    ``categories`` and ``exclude``, or a bare list of categories).  Raises
    ``ValueError`` naming the category when an entry lacks a field, an id
    repeats, an id is ``none``, or a pattern is not a valid regular expression.
    """
    import pandas as pd

    categories = _load_categories(path)
    columns = list(_REQUIRED) + ["exclude"]
    frame = pd.DataFrame([{c: cat[c] for c in columns} for cat in categories], columns=columns)
    return frame.astype({c: "string" for c in ("id", "zh", "en", "definition")})


def _checked(categories: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(categories, list) or not categories:
        raise ValueError(f"{where}: a codebook is a non-empty list of categories")
    seen = set()
    for i, cat in enumerate(categories):
        name = cat.get("id", f"#{i}") if isinstance(cat, dict) else f"#{i}"
        if not isinstance(cat, dict) or any(k not in cat for k in _REQUIRED):
            raise ValueError(f"{where}: category {name!r} needs the fields {', '.join(_REQUIRED)}")
        if name in seen or name == NONE:
            raise ValueError(f"{where}: category id {name!r} is repeated or reserved")
        seen.add(name)
        if not cat["keywords"] and not cat["patterns"]:
            raise ValueError(f"{where}: category {name!r} has neither keywords nor patterns")
        for pattern in cat["patterns"]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{where}: category {name!r}: bad pattern {pattern!r} ({exc})") from None
    return categories


def _resolve(codebook) -> list[dict[str, Any]]:
    import pandas as pd

    if codebook is None or isinstance(codebook, (str, os.PathLike)):
        return _load_categories(codebook)
    if isinstance(codebook, pd.DataFrame):
        codebook = codebook.to_dict("records")
    return [dict(cat, exclude=list(cat.get("exclude", []))) for cat in _checked(list(codebook), "codebook")]


def _matchers(codebook: list[dict[str, Any]]) -> list[tuple[str, list[re.Pattern]]]:
    out = []
    for cat in codebook:
        rxs = [re.compile(re.escape(k)) for k in cat["keywords"]] + [re.compile(p) for p in cat["patterns"]]
        out.append((cat["id"], rxs))
    return out


_CLAUSE = re.compile(r"[^，,；;。！!？?\n]+")


def _excluded(text: str, patterns: list[str]) -> list[tuple[int, int]]:
    """The clauses of *text* (between ，；。) that an exclude pattern matches: statements of
    achievement (体制机制不断健全), whose topic words say nothing about a problem or a plan."""
    if not patterns:
        return []
    rxs = [re.compile(p) for p in patterns]
    return [(m.start(), m.end()) for m in _CLAUSE.finditer(text) if any(rx.search(m.group(0)) for rx in rxs)]


def _spans(text: str, rxs: list[re.Pattern], skip: list[tuple[int, int]] = ()) -> list[tuple[int, int, str]]:
    found = []
    for rx in rxs:
        for m in rx.finditer(text):
            if m.end() > m.start() and not any(a <= m.start() < b for a, b in skip):
                found.append((m.start(), m.end(), m.group(0)))
    return sorted(found)


def _merged(spans: list[tuple[int, int, str]]) -> int:
    """Number of separate stretches the spans cover (overlapping or touching spans are one:
    政策解读 ⊃ 解读; 网站 + 栏目 in 网站栏目)."""
    count, reach = 0, -1
    for start, end, _ in spans:
        if start > reach:
            count += 1
        reach = max(reach, end)
    return count


def _item_frame(items, include_headings: bool):
    """Items as a frame with item_id, report_id, part, item, text (a copy; headings dropped unless asked)."""
    import pandas as pd

    if not isinstance(items, pd.DataFrame) or "text" not in items.columns:
        raise TypeError("items must be a DataFrame with a 'text' column, as load_narratives() returns")
    frame = items.copy()
    if not include_headings and "is_heading" in frame.columns:
        frame = frame[~frame["is_heading"].fillna(False).astype(bool)]
    if "item_id" not in frame.columns:
        if not {"report_id", "part", "item"} <= set(frame.columns):
            raise ValueError("items need an 'item_id' column, or 'report_id', 'part' and 'item'")
        frame["item_id"] = [make_item_id(str(r), str(p), int(i))
                            for r, p, i in zip(frame["report_id"], frame["part"], frame["item"])]
    for column in ("report_id", "part", "item"):
        if column not in frame.columns:
            frame[column] = pd.NA
    if frame["item_id"].duplicated().any():
        raise ValueError(f"items have repeated item_id values, e.g. {frame.loc[frame['item_id'].duplicated(), 'item_id'].iloc[0]!r}")
    if frame["text"].isna().any():
        raise ValueError("items have missing texts; drop them first")
    return frame.reset_index(drop=True)


def code_items(items, codebook=None, include_headings: bool = False):
    """Code each item into the codebook's categories by keyword and pattern.

    Parameters
    ----------
    items : DataFrame
        With ``text`` and ``item_id`` (or ``report_id``, ``part``, ``item``), as
        `toolkit.load_narratives` returns. Not modified.
    codebook : None, path or list of category dicts
        Default: the packaged codebook (`load_codebook`).
    include_headings : bool, default False
        Code items with ``is_heading`` true too (by default they are skipped).

    Returns
    -------
    DataFrame, one row per item and matched category; an item no category
    matches has no row (coverage = items with a row / items):

    ========= ======== ===========================================================
    item_id   string   the item's stable id
    report_id string   report id
    part      category ``problem`` / ``improvement`` (as in *items*)
    item      Int64    item number
    category  category the category id (categories in codebook order)
    terms     string   the distinct matched keywords and pattern matches, in
                       order of first occurrence, joined by " | "
    score     Int64    separate text stretches the category's matches cover
    primary   boolean  the item's primary category (highest score; ties: earliest
                       first match, then codebook order); one per coded item
    ========= ======== ===========================================================

    Sorted in the order of *items*, then codebook order.
    """
    import pandas as pd

    book = _resolve(codebook)
    frame = _item_frame(items, include_headings)
    order = [cat["id"] for cat in book]
    matchers = _matchers(book)
    exclude = sorted({p for cat in book for p in cat.get("exclude", [])})
    rows = []
    for row in frame.itertuples(index=False):
        found = []
        skip = _excluded(str(row.text), exclude)
        for rank, (cid, rxs) in enumerate(matchers):
            spans = _spans(str(row.text), rxs, skip)
            if spans:
                terms = list(dict.fromkeys(s[2] for s in spans))
                found.append((cid, terms, _merged(spans), spans[0][0], rank))
        if not found:
            continue
        best = min(found, key=lambda f: (-f[2], f[3], f[4]))[0]
        for cid, terms, score, _, _ in found:
            rows.append((row.item_id, row.report_id, row.part, row.item, cid, " | ".join(terms), score, cid == best))
    out = pd.DataFrame(rows, columns=CODED_COLUMNS)
    part_dtype = frame["part"].dtype if isinstance(frame["part"].dtype, pd.CategoricalDtype) else "string"
    return out.astype({"item_id": "string", "report_id": "string", "part": part_dtype, "item": "Int64",
                       "category": pd.CategoricalDtype(order), "terms": "string", "score": "Int64",
                       "primary": "boolean"})


def export_for_coding(items, path: str | os.PathLike, codebook=None, include_headings: bool = False,
                      overwrite: bool = False) -> Path:
    """Write an xlsx sheet for coding *items* by hand; returns the path.

    Sheet ``coding``: one row per item (``item_id``, ``report_id``, ``part``,
    ``item``, ``text``) and two columns for the coder: ``category``, whose
    cells accept only a codebook id or ``none`` (a drop-down list: Excel data
    validation on sheet ``categories``), and ``note`` (free text).  Sheet
    ``categories``: each category's id, zh, en, definition and keywords.
    Sheet ``readme``: how to fill it in.  Items are in the order given;
    heading items are left out unless *include_headings*.

    The file is written atomically; an existing file (perhaps someone's
    half-finished coding) is never replaced unless *overwrite*:
    ``FileExistsError`` is raised instead.  Read it back with `read_coding`.
    """
    import xlsxwriter

    book = _resolve(codebook)
    frame = _item_frame(items, include_headings)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    top = wb.add_format({"valign": "top"})
    fill = wb.add_format({"valign": "top", "bg_color": "#FFF2CC", "border": 1})

    ws = wb.add_worksheet(_SHEET)
    for c, name in enumerate(_SHEET_COLUMNS):
        ws.write_string(0, c, name, head)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        ws.write_string(r, 0, str(row.item_id), top)
        ws.write_string(r, 1, "" if _isna(row.report_id) else str(row.report_id), top)
        ws.write_string(r, 2, "" if _isna(row.part) else str(row.part), top)
        if _isna(row.item):
            ws.write_blank(r, 3, None, top)
        else:
            ws.write_number(r, 3, int(row.item), top)
        ws.write_string(r, 4, str(row.text), wrap)
        ws.write_blank(r, 5, None, fill)
        ws.write_blank(r, 6, None, fill)
    labels = [cat["id"] for cat in book] + [NONE]
    last = max(len(frame), 1)
    ws.data_validation(1, 5, last, 5, {
        "validate": "list", "source": f"=categories!$A$2:$A${len(labels) + 1}",
        "error_title": "Not a category", "error_message": "Choose a category id from the list (or none).",
        "input_title": "category", "input_message": "One codebook id, or none."})
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 3, 11)
    ws.set_column(4, 4, 80)
    ws.set_column(5, 5, 24)
    ws.set_column(6, 6, 30)
    ws.freeze_panes(1, 0)

    cs = wb.add_worksheet("categories")
    for c, name in enumerate(["id", "zh", "en", "definition", "keywords"]):
        cs.write_string(0, c, name, head)
    for r, cat in enumerate(book, start=1):
        for c, value in enumerate([cat["id"], cat["zh"], cat["en"], cat["definition"], "、".join(cat["keywords"])]):
            cs.write_string(r, c, str(value), wrap)
    cs.write_string(len(book) + 1, 0, NONE, wrap)
    cs.write_string(len(book) + 1, 3, "No category of the codebook fits the item.", wrap)
    cs.set_column(0, 0, 26)
    cs.set_column(1, 2, 20)
    cs.set_column(3, 4, 70)

    rs = wb.add_worksheet("readme")
    for r, line in enumerate([
        "Code each item of sheet 'coding' into ONE category: the item's main subject "
        "(for an enumerated item, its lead clause).",
        "Pick the category from the drop-down list in column 'category' (definitions in sheet 'categories'); "
        "'none' when no category fits. Leave the cell empty to skip an item.",
        "Do not change item_id: it links your codes to the items (toolkit.read_coding / toolkit.agreement).",
    ]):
        rs.write_string(r, 0, line)
    rs.set_column(0, 0, 120)
    wb.close()
    out = Path(path)
    try:
        atomic_write(out, buffer.getvalue(), overwrite=overwrite)
    except FileExistsError:
        raise FileExistsError(f"{out}: already exists (perhaps someone's coding); pass overwrite=True "
                              "to replace it") from None
    return out


def _isna(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def read_coding(path: str | os.PathLike, codebook=None):
    """Read back a sheet written by `export_for_coding` and filled by a coder.

    Returns a DataFrame with ``item_id`` (string), ``category`` (string; <NA>
    where the coder left the cell empty) and ``note`` (string), in sheet order.
    Raises ``ValueError`` naming the file and the row when a category is not a
    codebook id or ``none``, or an item_id is missing or repeated.
    """
    import zipfile

    import pandas as pd

    book = _resolve(codebook)
    allowed = {cat["id"] for cat in book} | {NONE}
    try:
        sheet = pd.read_excel(path, sheet_name=_SHEET, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        reason = "not an .xlsx workbook" if isinstance(exc, zipfile.BadZipFile) else \
            f"no sheet {_SHEET!r}" if isinstance(exc, (KeyError, ValueError)) else (exc.strerror or str(exc))
        raise ValueError(f"{path}: cannot read the coding sheet ({reason}); read_coding reads the "
                         f"workbook export_for_coding wrote, once filled") from None
    missing = [c for c in ("item_id", "category") if c not in sheet.columns]
    if missing:
        raise ValueError(f"{path}: sheet {_SHEET!r} has no column {missing[0]!r}")
    out = pd.DataFrame({
        "item_id": pd.array([None if _isna(v) else str(v).strip() for v in sheet["item_id"]], dtype="string"),
        "category": pd.array([None if _isna(v) or not str(v).strip() else str(v).strip()
                              for v in sheet["category"]], dtype="string"),
        "note": pd.array([None if _isna(v) else str(v) for v in sheet.get("note", [None] * len(sheet))],
                         dtype="string"),
    })
    for i, (iid, cat) in enumerate(zip(out["item_id"], out["category"]), start=2):
        if pd.isna(iid):
            raise ValueError(f"{path}: row {i} has no item_id")
        if not pd.isna(cat) and cat not in allowed:
            raise ValueError(f"{path}: row {i} ({iid}): {cat!r} is not a codebook category or {NONE!r}")
    if out["item_id"].duplicated().any():
        raise ValueError(f"{path}: item_id {out.loc[out['item_id'].duplicated(), 'item_id'].iloc[0]!r} is repeated")
    return out


class Agreement(NamedTuple):
    """What `agreement` returns: ``per_category`` and ``confusion`` frames, the single-label
    ``kappa``, the number of items compared ``n_items``, the 95% interval of the kappa
    (``kappa_low``, ``kappa_high``) and how it was formed (``method``)."""

    per_category: Any
    confusion: Any
    kappa: float
    n_items: int
    kappa_low: float | None = None
    kappa_high: float | None = None
    method: str = ""


#: Bootstrap resamples of the items behind every kappa interval, and their seed.
N_BOOT = 2000
SEED = 0
_METHOD = (f"percentile bootstrap over items ({N_BOOT} resamples, seed {SEED}); point estimate "
           "sklearn.metrics.cohen_kappa_score")


def _kappa_boot(x, y, n_boot: int = N_BOOT, seed: int = SEED) -> tuple[float | None, float | None]:
    """95% percentile-bootstrap interval of Cohen's kappa of two integer label arrays, resampling
    items with replacement (fixed seed).  Resamples in which kappa is undefined (one label on both
    sides) are dropped; ``(None, None)`` when fewer than half remain."""
    import numpy as np

    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    if n < 2:
        return None, None
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    xs, ys = x[idx], y[idx]
    po = (xs == ys).mean(axis=1)
    pe = np.zeros(n_boot)
    for label in np.union1d(x, y):
        pe += (xs == label).mean(axis=1) * (ys == label).mean(axis=1)
    ok = pe < 1 - 1e-12
    if ok.sum() < n_boot / 2:
        return None, None
    kappa = (po[ok] - pe[ok]) / (1 - pe[ok])
    low, high = np.percentile(kappa, [2.5, 97.5])
    return float(low), float(high)


def _kappa(x, y) -> float | None:
    """Cohen's kappa (sklearn); 1.0 when both sides agree on every item, <NA>-like None when
    neither side varies and they differ (undefined)."""
    from sklearn.metrics import cohen_kappa_score

    if list(x) == list(y):
        return 1.0
    value = float(cohen_kappa_score(x, y))
    return None if value != value else value


def _coded(frame, name: str, book):
    import pandas as pd

    if isinstance(frame, (str, os.PathLike)):
        frame = read_coding(frame, book)
    if not isinstance(frame, pd.DataFrame) or any(c not in frame.columns for c in ("item_id", "category")):
        raise TypeError(f"{name} must be a DataFrame with columns item_id, category (read_coding's), or a path")
    coded = frame[frame["category"].notna()]
    coded = coded.assign(item_id=coded["item_id"].astype(str), category=coded["category"].astype(str))
    unknown = sorted(set(coded["category"]) - {cat["id"] for cat in book} - {NONE})
    if unknown:
        raise ValueError(f"{name} codes use categories not in the codebook: {unknown}")
    if coded["item_id"].duplicated().any():
        raise ValueError(f"{name} has more than one category for an item; agreement compares one code per item")
    return coded


def agreement(manual, automatic, codebook=None) -> Agreement:
    """Agreement between two codings of the same items: two people, or a person and the rules.

    Parameters
    ----------
    manual : DataFrame or path
        A coder's codes: ``item_id`` and ``category`` (one row per item, as
        `read_coding` returns; a path to the filled xlsx is read with it).
        Rows with an empty category are not compared; ``none`` means "no
        category fits" and is compared.
    automatic : DataFrame or path
        Either a second coder's codes, laid out as *manual* (two people; the
        items both coded are compared), or `code_items` output (it has a
        ``primary`` column) for at least the same items, compared through each
        item's primary category (``none`` when no rule matched).
    codebook : as in `code_items`; fixes the categories and their order.

    Returns
    -------
    Agreement (a named tuple):

    ``per_category`` — one row per category (codebook order), over the
    ``n_items`` items compared, each with one label from each side:

    ============ ======== =====================================================
    category     string   category id
    manual       Int64    items the first coder put in the category
    automatic    Int64    items the second side put there (the rules: primary)
    both         Int64    items in both
    matched      Int64    (rules only) items the coder put in the category that
                          the rules matched at all, primary or not; else <NA>
    agreement    Float64  share of the items on which the two agree about the
                          category (both have it or neither has)
    kappa        Float64  Cohen's kappa, category against the rest (sklearn
                          ``cohen_kappa_score``); <NA> when neither side uses it
    kappa_low    Float64  95% interval of the kappa: percentile bootstrap over
    kappa_high   Float64  items (``N_BOOT`` resamples, seed ``SEED``)
    ============ ======== =====================================================

    ``confusion`` — items by the first side's category (rows) and the second's
    (columns), codebook order plus ``none``.

    ``kappa`` — Cohen's kappa, one label per item (sklearn's point estimate),
    with ``kappa_low``/``kappa_high`` (same bootstrap) and ``method``.
    For three or more coders, see `krippendorff_alpha`.
    """
    import numpy as np
    import pandas as pd

    book = _resolve(codebook)
    coded = _coded(manual, "manual", book)
    rules = isinstance(automatic, pd.DataFrame) and "primary" in automatic.columns
    labels = [cat["id"] for cat in book]
    order = labels + [NONE]
    if rules:
        if "category" not in automatic.columns or "item_id" not in automatic.columns:
            raise TypeError("automatic must be a DataFrame with columns item_id, category, primary")
        items = list(coded["item_id"])
        auto = automatic.assign(item_id=automatic["item_id"].astype(str),
                                category=automatic["category"].astype(str))
        auto = auto[auto["item_id"].isin(set(items))]
        auto_sets = auto.groupby("item_id")["category"].agg(set).to_dict()
        primary = auto[auto["primary"].fillna(False).astype(bool)].set_index("item_id")["category"].to_dict()
        other = {i: primary.get(i, NONE) for i in items}
    else:
        second = _coded(automatic, "automatic", book)
        other = dict(zip(second["item_id"], second["category"]))
        items = [i for i in coded["item_id"] if i in other]
        auto_sets = None
    if not items:
        raise ValueError("manual has no coded item" if not len(coded) else "the two codings share no coded item")
    human = dict(zip(coded["item_id"], coded["category"]))
    single_manual = [human[i] for i in items]
    single_auto = [other[i] for i in items]
    rows = []
    for k, cat in enumerate(labels):
        m = np.array([label == cat for label in single_manual])
        a = np.array([label == cat for label in single_auto])
        found = (sum(1 for i in items if human[i] == cat and cat in auto_sets.get(i, ())) if rules else None)
        if not m.any() and not a.any():
            kappa, low, high = pd.NA, pd.NA, pd.NA  # undefined: neither side uses the category
        else:
            kappa = _kappa(m, a)
            low, high = _kappa_boot(m.astype(int), a.astype(int), seed=SEED + k)
        rows.append((cat, int(m.sum()), int(a.sum()), int((m & a).sum()), found, float((m == a).mean()),
                     kappa, low, high))
    per_category = pd.DataFrame(rows, columns=["category", "manual", "automatic", "both", "matched",
                                               "agreement", "kappa", "kappa_low", "kappa_high"])
    per_category = per_category.astype({"category": "string", "manual": "Int64", "automatic": "Int64",
                                        "both": "Int64", "matched": "Int64", "agreement": "Float64",
                                        "kappa": "Float64", "kappa_low": "Float64", "kappa_high": "Float64"})

    confusion = pd.crosstab(pd.Categorical(single_manual, categories=order),
                            pd.Categorical(single_auto, categories=order), dropna=False)
    confusion.index.name, confusion.columns.name = "manual", "automatic"
    confusion = confusion.reindex(index=order, columns=order, fill_value=0).astype("int64")
    from sklearn.metrics import cohen_kappa_score

    overall = float(cohen_kappa_score(single_manual, single_auto, labels=order))
    code = {c: i for i, c in enumerate(order)}
    low, high = _kappa_boot([code[c] for c in single_manual], [code[c] for c in single_auto])
    return Agreement(per_category, confusion, overall, len(items), low, high, _METHOD)


def krippendorff_alpha(*codings, codebook=None) -> float:
    """Krippendorff's alpha (nominal) of three or more coders' codings of the same items.

    Each coding is a DataFrame (``item_id``, ``category``, as `read_coding`
    returns) or a path to a filled sheet.  An item a coder left empty is
    missing for that coder (alpha uses every item at least two coders coded).
    Computed with the ``krippendorff`` package (``level_of_measurement="nominal"``).
    """
    import krippendorff
    import numpy as np

    if len(codings) < 2:
        raise ValueError("krippendorff_alpha needs at least two codings")
    book = _resolve(codebook)
    frames = [_coded(c, f"coding {i + 1}", book) for i, c in enumerate(codings)]
    items = sorted(set().union(*(set(f["item_id"]) for f in frames)))
    code = {c: float(i) for i, c in enumerate([cat["id"] for cat in book] + [NONE])}
    data = np.full((len(frames), len(items)), np.nan)
    where = {item: j for j, item in enumerate(items)}
    for i, frame in enumerate(frames):
        for item, cat in zip(frame["item_id"], frame["category"]):
            data[i, where[item]] = code[cat]
    if not ((~np.isnan(data)).sum(axis=0) >= 2).any():
        raise ValueError("krippendorff_alpha: no item was coded by two coders or more")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def precision_recall(reference, coded, codebook=None):
    """How well the rules (`code_items`) find each category, against a reference coding of the same
    items made by a person reading them.

    *reference* has ``item_id`` and ``categories`` (every category the item names, ids joined
    by ``|``, or ``none``), one row per item — e.g.
    ``tests/fixtures/codebook/hand_coding.csv``; *coded* is `code_items` output (an item
    without rows there got no category).  Items are compared as sets of categories: for each
    category, ``tp`` items both give it, ``fp`` items only the rules give it, ``fn`` items only
    the reference gives it.  Returns one row per category (codebook order) and a final row
    ``all`` (micro-averaged over categories):

    ========= ======= ================================================================
    category  string  category id, or ``all``
    reference Int64   items the reference gives the category
    rules     Int64   items the rules give it
    tp        Int64   items both give it
    precision Float64 tp / rules; <NA> when the rules never give it
    p_low     Float64 Wilson 95% interval of the precision
    p_high    Float64
    recall    Float64 tp / reference; <NA> when the reference never gives it
    r_low     Float64 Wilson 95% interval of the recall
    r_high    Float64
    ========= ======= ================================================================
    """
    import pandas as pd

    from ..stats import wilson_interval

    book = _resolve(codebook)
    labels = [cat["id"] for cat in book]
    if not isinstance(reference, pd.DataFrame) or not {"item_id", "categories"} <= set(reference.columns):
        raise TypeError("reference must be a DataFrame with columns item_id, categories")
    ref = {str(i): {c for c in str(cs).split("|") if c and c != NONE}
           for i, cs in zip(reference["item_id"], reference["categories"])}
    unknown = sorted(set().union(*ref.values()) - set(labels)) if ref else []
    if unknown:
        raise ValueError(f"reference uses categories not in the codebook: {unknown}")
    hits = coded[coded["item_id"].astype(str).isin(set(ref))]
    got = hits.groupby(hits["item_id"].astype(str))["category"].agg(lambda c: set(map(str, c))).to_dict()
    rows = []
    totals = [0, 0, 0]
    for cat in labels:
        n_ref = sum(cat in cs for cs in ref.values())
        n_rules = sum(cat in got.get(i, ()) for i in ref)
        tp = sum(cat in cs and cat in got.get(i, ()) for i, cs in ref.items())
        totals = [totals[0] + n_ref, totals[1] + n_rules, totals[2] + tp]
        rows.append((cat, n_ref, n_rules, tp))
    rows.append(("all", *totals))
    out = []
    for cat, n_ref, n_rules, tp in rows:
        p = tp / n_rules if n_rules else None
        r = tp / n_ref if n_ref else None
        p_lo, p_hi = wilson_interval(tp, n_rules)
        r_lo, r_hi = wilson_interval(tp, n_ref)
        out.append((cat, n_ref, n_rules, tp, p, p_lo, p_hi, r, r_lo, r_hi))
    frame = pd.DataFrame(out, columns=["category", "reference", "rules", "tp", "precision", "p_low", "p_high",
                                       "recall", "r_low", "r_high"])
    return frame.astype({"category": "string", "reference": "Int64", "rules": "Int64", "tp": "Int64",
                         **{c: "Float64" for c in ("precision", "p_low", "p_high", "recall", "r_low", "r_high")}})


_SHARE_UNITS = ("report", "item")


def category_shares(items, by: str, coded=None, part: str | None = "problem", unit: str = "report",
                    codebook=None, confidence: float = 0.95):
    """How often each category is named, by group of a covariate, with Wilson intervals.

    Parameters
    ----------
    items : DataFrame
        As `toolkit.load_narratives` returns (``item_id``, ``report_id``,
        ``part``, ``is_heading`` and the column *by*); heading items are never
        counted. Filter it first to leave out near-duplicate reports
        (``items[items.duplicate_of.isna()]``) or to keep one period.
    by : str
        The covariate: ``year``, ``admin_level``, ``sector``, ``template`` ….
    coded : DataFrame, optional
        `code_items` output for these items; default ``code_items(items, codebook)``.
    part : "problem", "improvement" or None, default "problem"
        The part counted; None counts both.
    unit : "report" (default) or "item"
        "report": a report names a category when any of its items (of *part*)
        is coded with it; the denominator is the group's reports with at
        least one such item. "item": the share of the group's items coded with it.
    confidence : float, default 0.95
        Level of the Wilson score interval (:func:`toolkit.analysis.wilson_interval`,
        the one the indicators carry), which stays inside [0, 1] and behaves
        with the small counts these groups have.

    Returns
    -------
    DataFrame, one row per group and category (groups in their own order, a
    missing value last; categories in codebook order):

    ========= ======== ==========================================================
    <by>      as items the group's value (<NA>: items without one)
    category  string   category id
    zh        string   its Chinese name
    k         Int64    reports (or items) of the group naming the category
    n         Int64    reports (or items) of the group: the denominator
    share     Float64  k / n; <NA> when n is 0
    ci_low    Float64  lower bound of the Wilson interval; <NA> when n is 0
    ci_high   Float64  upper bound
    ========= ======== ==========================================================
    """
    from statistics import NormalDist

    import pandas as pd

    from ..stats import wilson_interval

    if unit not in _SHARE_UNITS:
        raise ValueError(f"unit must be one of {_SHARE_UNITS}, got {unit!r}")
    if part not in ("problem", "improvement", None):
        raise ValueError(f"part must be 'problem', 'improvement' or None, got {part!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    book = _resolve(codebook)
    frame = _item_frame(items, include_headings=False)
    if by not in frame.columns:
        raise ValueError(f"items have no column {by!r}")
    if part is not None:
        frame = frame[frame["part"].astype(str) == part]
    if coded is None:
        coded = code_items(frame, book)
    hits = coded[coded["item_id"].astype(str).isin(set(frame["item_id"].astype(str)))]
    by_item = hits.groupby(hits["item_id"].astype(str))["category"].agg(lambda s: set(map(str, s))).to_dict()
    unit_col = "report_id" if unit == "report" else "item_id"
    groups = frame[by]
    keys = list(pd.unique(groups.dropna()))
    keys = [c for c in groups.cat.categories if c in set(keys)] if isinstance(groups.dtype, pd.CategoricalDtype) \
        else sorted(keys)
    if groups.isna().any():
        keys.append(pd.NA)
    rows = []
    for key in keys:
        sub = frame[groups.isna()] if key is pd.NA else frame[(groups == key).fillna(False)]
        named: dict[str, set] = {}
        for uid, iid in zip(sub[unit_col].astype(str), sub["item_id"].astype(str)):
            for cat in by_item.get(iid, ()):
                named.setdefault(cat, set()).add(uid)
        n = int(sub[unit_col].nunique())
        for cat in book:
            k = len(named.get(cat["id"], ()))
            if n:
                share = k / n
                low, high = wilson_interval(k, n, z)
            else:
                share = low = high = pd.NA
            rows.append((key, cat["id"], cat["zh"], k, n, share, low, high))
    out = pd.DataFrame(rows, columns=[by, "category", "zh", "k", "n", "share", "ci_low", "ci_high"])
    out = out.astype({"category": "string", "zh": "string", "k": "Int64", "n": "Int64", "share": "Float64",
                      "ci_low": "Float64", "ci_high": "Float64"})
    out[by] = out[by].astype(groups.dtype)
    out.attrs.update(part=part, unit=unit, confidence=confidence)
    return out
