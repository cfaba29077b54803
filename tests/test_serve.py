"""xxgk serve: Datasette on the built database, driven in a real headless Chromium (the system's
package, /usr/bin/chromium) through Playwright.  The screenshot is kept under pytest's tmp_path."""
from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from toolkit import cli
from toolkit.analysis.database import DB_FILE

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "out"
    assert cli.main(["build", "--corpus", str(CORPUS), "--out", str(out), "--no-charts", "--no-excel",
                     "--jobs", "2"]) == 0
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "--out", str(built), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/xxgk.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"xxgk serve did not start: {proc.stdout.read()}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _chromium() -> str:
    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        pytest.fail("the serve test needs Chromium from the system's packages: "
                    "apt-get install -y chromium chromium-driver (see /usr/bin/chromium)")
    return path


def test_browser_searches_opens_an_organ_and_exports_csv(server, built, tmp_path):
    from playwright.sync_api import sync_playwright

    con = sqlite3.connect(built / DB_FILE)
    expected_items = {r[0] for r in con.execute(
        "SELECT n.item_id FROM narratives n WHERE instr(n.text, '政策解读') > 0")}
    organ_rows = con.execute("SELECT count(*) FROM organ_indicators_by_year WHERE agency = '河北省教育厅'").fetchone()[0]
    con.close()
    assert len(expected_items) >= 3 and organ_rows > 0
    shot = tmp_path / "datasette-organ-indicators.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # 1. Search the section 五 items for 政策解读 with the table's search box.
            page.goto(f"{server}/xxgk/narratives?_size=max")
            page.fill("input[name=_search]", "政策解读")
            page.press("input[name=_search]", "Enter")
            page.wait_for_load_state("networkidle")
            assert "_search=" in page.url
            shown = set(page.locator("td.col-item_id").all_inner_texts())
            assert {s.strip() for s in shown} == expected_items
            # 2. One organ's indicators by year, through the canned query's form.
            page.goto(f"{server}/xxgk/organ_indicators")
            page.fill("input[name=organ]", "河北省教育厅")
            page.locator("form input[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            agencies = {a.strip() for a in page.locator("td.col-agency").all_inner_texts()}
            assert agencies == {"河北省教育厅"}
            years = [int(y) for y in page.locator("td.col-year").all_inner_texts()]
            assert len(years) == organ_rows and min(years) < max(years)
            page.screenshot(path=str(shot))
            # 3. Export it as CSV with the page's own CSV link.
            href = page.locator("a[href*='.csv']").first.get_attribute("href")
            response = page.request.get(href if href.startswith("http") else server + href)
            assert response.ok
            rows = list(csv.DictReader(io.StringIO(response.text())))
        finally:
            browser.close()
    assert len(rows) == organ_rows
    assert {r["agency"] for r in rows} == {"河北省教育厅"}
    assert {"indicator", "year", "value", "ci_low", "ci_high", "source"} <= set(rows[0])
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_serve_without_a_build_says_what_to_run(tmp_path, capsys):
    assert cli.main(["serve", "--out", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xxgk build" in err and DB_FILE in err


def test_serve_port_is_checked():
    assert cli.main(["serve", "--port", "70000"]) == 2


def test_serve_without_datasette_names_the_extra(built, tmp_path):
    # A datasette package that cannot be imported, first on the path of a fresh interpreter.
    fake = tmp_path / "site" / "datasette"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run([sys.executable, "-m", "toolkit", "serve", "--out", str(built)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["xxgk: xxgk serve needs Datasette: pip install 'xxgk[serve]'"]
