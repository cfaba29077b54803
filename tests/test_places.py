"""Where an organ is: `toolkit.parsing.inferred_metadata.place` against the official division list.

``fixtures/place_names.csv`` holds organ names and the adcode each must get, or
none: the organs of the corpus and of the real reports beside it, names built
from the Ministry of Civil Affairs' 2024 list (its code, and whether the name is
unique where it stands, read from that list, not from the resolver: see
``fixtures/make_place_names.py``), the special zones, and hostile names (typos,
placeholders, a bare 县).  A wrong province is the worst outcome; missing is the
honest one when the name does not say.
"""
from __future__ import annotations

import ast
import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from toolkit.parsing.inferred_metadata import divisions, place

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TABLE = HERE / "fixtures" / "place_names.csv"
PROVINCES_2024 = {"北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市",
                  "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省",
                  "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省",
                  "青海省", "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区"}


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_table_is_large_and_mixed():
    rows = _rows()
    assert len(rows) >= 200
    assert sum(1 for r in rows if not r["adcode"]) >= 40
    assert len({r["adcode"][:2] for r in rows if r["adcode"]}) >= 25  # most provinces


def test_every_name_gets_its_true_adcode_or_none():
    wrong = []
    for r in _rows():
        got = place(r["agency"])
        if (got["adcode"] or "") != r["adcode"]:
            wrong.append(f"{r['agency']}: {got['adcode']} ({got['place_reason']}), expected {r['adcode'] or 'none'}")
    assert wrong == []


def test_no_name_is_put_in_a_wrong_province():
    table = divisions()
    for r in _rows():
        got = place(r["agency"])
        if got["adcode"]:
            assert r["adcode"][:2] == got["adcode"][:2], r["agency"]
            assert got["province"] == table[got["adcode"][:2] + "0000"].name, r["agency"]


def test_a_missing_place_says_why_and_a_found_one_does_not():
    for r in _rows():
        got = place(r["agency"])
        if not r["agency"]:
            assert got["place_reason"] is None
        elif r["adcode"]:
            assert got["place_reason"] is None, r["agency"]
        else:
            assert got["place_reason"], r["agency"]
            assert all(got[k] is None for k in ("province", "city", "county", "adcode", "admin_level")), r["agency"]


@pytest.mark.parametrize("agency, reason", [
    ("沐阳县人民政府", "沐阳县"),
    ("宿迁市沐阳县人民政府", "沐阳县 is not a division of 宿迁市"),
    ("朝阳区民政局", "北京市朝阳区、吉林省长春市朝阳区"),
    ("北京市和平区人民政府", "和平区 is not in 北京市"),
    ("县教育局", "no division name"),
])
def test_the_reason_names_the_problem(agency, reason):
    assert reason in place(agency)["place_reason"]


@pytest.mark.parametrize("agency, expected", [
    # the municipality is the city of its districts
    ("重庆市开州区民政局", ("重庆市", "重庆市", "开州区", "500154", "county")),
    # a county-level city under its prefecture
    ("卫辉市民政局", ("河南省", "新乡市", "卫辉市", "410781", "county")),
    # a county-level city the province governs directly has no city
    ("仙桃市人民政府", ("湖北省", None, "仙桃市", "429004", "county")),
    ("河北省教育厅", ("河北省", None, None, "130000", "province")),
    ("吴忠市民政局", ("宁夏回族自治区", "吴忠市", None, "640300", "city")),
    # special zones at their host
    ("平潭综合实验区管理委员会", ("福建省", "福州市", "平潭县", "350128", "county")),
    ("河北雄安新区管理委员会", ("河北省", "保定市", None, "130600", "city")),
    ("兰州新区管理委员会", ("甘肃省", "兰州市", None, "620100", "city")),
])
def test_all_place_fields(agency, expected):
    got = place(agency)
    assert (got["province"], got["city"], got["county"], got["adcode"], got["admin_level"]) == expected


def test_the_corpus_organs_keep_their_places():
    """`xxgk add` fills metadata.csv with `place`: every listed organ still gets the fields it has there,
    so its organ_id (adcode:name) does not change."""
    with (ROOT / "corpus" / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        listed = {r["agency"]: r for r in csv.DictReader(fh)}
    assert len(listed) >= 8
    for agency, row in listed.items():
        got = place(agency)
        for key in ("province", "city", "county", "adcode", "admin_level"):
            assert (got[key] or "") == row[key], (agency, key)


def test_the_division_table():
    table = divisions()
    levels = [d.level for d in table.values()]
    assert {d.name for d in table.values() if d.level == "province"} == PROVINCES_2024
    assert levels.count("city") > 330 and levels.count("county") > 2800
    assert all(d.parent in table for d in table.values() if d.parent)
    assert not {"市辖区", "县", "直辖县"} & {d.name for d in table.values()}


def _assigns_sys_modules(tree: ast.AST) -> list[int]:
    """Lines that write into ``sys.modules`` (item assignment or deletion, update/setdefault/pop …)."""
    def is_modules(node):
        return isinstance(node, ast.Attribute) and node.attr == "modules"

    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        if any(isinstance(t, ast.Subscript) and is_modules(t.value) for t in targets):
            lines.append(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_modules(node.func.value)
                and node.func.attr in {"update", "setdefault", "pop", "popitem", "clear", "__setitem__"}):
            lines.append(node.lineno)
    return lines


def test_the_sys_modules_check_finds_a_write():
    assert _assigns_sys_modules(ast.parse("import sys\nsys.modules['x'] = object()\nsys.modules.setdefault('y', 1)"))
    assert not _assigns_sys_modules(ast.parse("import sys\nm = sys.modules.get('x')"))


def test_the_package_never_writes_into_sys_modules():
    found = []
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        if "_corpus" in path.parts:
            continue
        found += [f"{path.relative_to(ROOT)}:{n}" for n in _assigns_sys_modules(ast.parse(path.read_text("utf-8")))]
    assert found == []


def test_places_then_jieba_on_a_new_machine(tmp_path):
    """With an empty temporary folder jieba builds its dictionary cache on first use; resolving a
    place first must not get in its way (a stand-in ``pkg_resources`` put into ``sys.modules`` would:
    'jieba._compat' is not a package)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    for var in ("HOME", "TMPDIR", "XDG_CACHE_HOME", "MPLCONFIGDIR", "XXGK_HOME"):
        (tmp_path / var).mkdir()
        env[var] = str(tmp_path / var)
    script = textwrap.dedent("""
        import tempfile
        from toolkit.parsing.inferred_metadata import place
        from toolkit.mining.tokenizer import Tokenizer
        assert place("重庆市开州区民政局")["adcode"] == "500154"
        tokens = Tokenizer(agencies=["河北省教育厅"])("河北省教育厅依申请公开答复不够规范，更新不及时。")
        print(tempfile.gettempdir())
        print(" ".join(tokens))
    """)
    run = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    tempdir, tokens = run.stdout.splitlines()[-2:]
    assert tempdir == str(tmp_path / "TMPDIR")
    assert [p.name for p in (tmp_path / "TMPDIR").iterdir() if p.name.startswith("jieba")]  # built its cache here
    assert "依申请公开" in tokens.split() and "不及时" in tokens.split()
    assert "河北省" not in tokens.split()
