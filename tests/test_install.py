"""A normal (non-editable) install carries the shipped corpus: build the wheel, install it
into a fresh virtual environment, and load the corpus from another folder."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _source_copy(target: Path) -> Path:
    """The files a wheel is built from, copied: building in the checkout would leave build/ and
    *.egg-info there, and the test run writes nothing into the checkout."""
    import shutil

    target.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target / name)
    for name in ("toolkit", "corpus"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def test_wheel_install_finds_the_shipped_corpus(tmp_path):
    wheels = tmp_path / "wheels"
    source = _source_copy(tmp_path / "source")
    # No build isolation: the test runs offline with the setuptools of this environment.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(source)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(wheels.glob("xxgk-*.whl"))
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # The fresh environment gets the dependencies (pandas, …) of this one, but not its
    # editable toolkit: a .pth line adds a path without running that path's own .pth files.
    fresh_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     check=True, capture_output=True, text=True).stdout.strip())
    (fresh_site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("XXGK_CORPUS", "PYTHONPATH")}
    env["XXGK_HOME"] = str(tmp_path / "home")
    code = ("import toolkit as tk, toolkit.corpus as c; r = tk.load_reports(); "
            "print(tk.__file__); print(c.corpus_dir()); print(len(r))")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True,
                         cwd=elsewhere, env=env).stdout.splitlines()
    listed = sum(1 for line in (ROOT / "corpus" / "metadata.csv").read_text(encoding="utf-8").splitlines()[1:]
                 if line.strip())
    assert out[0].startswith(str(fresh_site))  # the installed copy, not the checkout
    assert out[1] == str(fresh_site / "toolkit" / "_corpus")
    assert int(out[2]) == listed
    # The command line finds it too, and says how to point elsewhere when asked for a missing one.
    xxgk = env_dir / "bin" / "xxgk"
    built = subprocess.run([str(xxgk), "build", "--out", str(tmp_path / "out"), "--jobs", "1", "--no-charts"],
                           capture_output=True, text=True, cwd=elsewhere, env=env)
    assert built.returncode == 0, built.stderr
    missing = subprocess.run([str(xxgk), "build", "--corpus", str(tmp_path / "nope")], capture_output=True,
                             text=True, cwd=elsewhere, env=env)
    assert missing.returncode == 1
    assert "--corpus" in missing.stderr and "XXGK_CORPUS" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    # The workbook reads back with pandas (openpyxl is a runtime dependency).
    import pandas as pd

    sheets = pd.read_excel(tmp_path / "out" / "xxgk.xlsx", sheet_name=None)
    assert set(sheets) == {"reports", "t2", "t3", "t4", "audit", "parse_log", "statements", "indicators"}
    assert len(sheets["reports"]) == listed
