"""Build hook: a wheel carries the shipped corpus as ``toolkit/_corpus``.

Everything else about the package is declared in ``pyproject.toml``.  An editable
install (``pip install -e .``) reads the checkout's ``corpus/`` in place instead.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCorpus(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = Path(__file__).resolve().parent / "corpus"
        target = Path(self.build_lib) / "toolkit" / "_corpus"
        if not (source / "metadata.csv").is_file():
            raise SystemExit(f"{source}: the shipped corpus is missing; cannot build a wheel without it")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


setup(cmdclass={"build_py": BuildPyWithCorpus})
