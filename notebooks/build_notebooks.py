"""Build each notebook from its Jupytext source and execute it, storing the outputs.

Each notebook ``NN-name.ipynb`` has its source ``NN-name.py`` (Jupytext percent
format: ``# %%`` starts a code cell, ``# %% [markdown]`` a text cell); edit the
``.py`` (or the notebook in JupyterLab with Jupytext, which keeps the pair in
step, see ``jupytext.toml``), then run from the repository root::

    python notebooks/build_notebooks.py          # all of them
    python notebooks/build_notebooks.py 05       # by number prefix or file name

Cell ids are numbered and the execution timings dropped, so a re-run on the same
data gives an identical file; nbval then checks the stored outputs on every
test run.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def sources() -> list[Path]:
    """The notebook sources, in order."""
    return sorted(p for p in HERE.glob("[0-9][0-9]-*.py"))


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook a source describes, unexecuted, with the kernel it runs on."""
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata = nbformat.NotebookNode(kernelspec=KERNEL, language_info={"name": "python"})
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode()
    return nb


def build(path: Path) -> Path:
    nb = read_source(path)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
        cell.get("metadata", {}).pop("execution", None)
    out = path.with_suffix(".ipynb")
    nbformat.write(nb, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and execute the notebooks from their Jupytext sources.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="notebooks to build, by file name or number prefix (e.g. 05); default: all")
    args = parser.parse_args(argv)
    every = sources()
    chosen: list[Path] = []
    for wanted in args.names:
        matches = [p for p in every if wanted in (p.name, p.stem, p.with_suffix(".ipynb").name, p.name[:2])]
        if not matches:
            parser.error(f"no notebook {wanted!r}; notebooks: {', '.join(p.stem for p in every)}")
        chosen += [m for m in matches if m not in chosen]
    for path in chosen or every:
        print("wrote", build(path).name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
