"""``tk.Corpus``: the corpus handle of :mod:`toolkit.analysis.handle`, whose :meth:`Corpus.build`
writes what ``xxgk build`` writes (the charts included, which is why it lives here)."""
from __future__ import annotations

import os

from ..analysis.handle import Corpus as AnalysisCorpus
from .dataset import build_dataset

__all__ = ["Corpus"]


class Corpus(AnalysisCorpus):
    __doc__ = AnalysisCorpus.__doc__

    def build(self, out: str | os.PathLike | None = None, **options):
        """What ``xxgk build`` writes of this corpus (:func:`~toolkit.plots.dataset.build_dataset`:
        the dataset, the indicators sheet, the database and the charts) into *out* (default
        :attr:`home`, where the loaders look), with the handle's data home and jobs; *options* as
        :func:`~toolkit.plots.dataset.build_dataset` takes (``charts_too=False``: no charts)."""
        options.setdefault("jobs", self.jobs)
        return build_dataset(self.path, out, data_home=self.data_home, **options)
