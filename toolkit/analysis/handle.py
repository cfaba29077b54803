"""``tk.Corpus``: one corpus and one data home, with every loader, the indicators, the build and
the audit as methods.

The module-level functions (``tk.load_tables()``, ``tk.indicators()`` …) are the same calls on a
handle kept per corpus folder and data home (:func:`toolkit.data.corpus_handle`); a handle of
your own keeps its parses and frames to itself.
"""
from __future__ import annotations

from ..data.loaders import CorpusData
from ..mining.narratives import DUPLICATE_THRESHOLD, load_narratives
from .indicator_frames import indicators
from .panel import load_panel

__all__ = ["Corpus"]


class Corpus(CorpusData):
    """A corpus: ``Corpus(path=None, data_home=None, jobs=None)``.

    *path* is the corpus folder (``None``: ``$XXGK_CORPUS``, else the shipped corpus);
    *data_home* where its parse cache and build go (``None``: ``$XXGK_HOME``, else
    ``~/xxgk_data``); *jobs* worker processes for parsing and the build (``None``: the
    loaders parse in this process, the build uses every core).  The handle keeps the
    parses and frames it made for the corpus as it stands; :meth:`clear` forgets them.

    Methods: ``load_reports()``, ``load_tables(derived=False)``, ``load_narratives()``,
    ``load_statements()``, ``load_parse_log()``, ``load_panel()``, ``indicators()``,
    ``audit()`` (each as the module-level function of that name documents) and
    ``build(out=None, **options)`` (:func:`toolkit.data.build.build`; *out* defaults to
    :attr:`home`, where the loaders look).
    """

    def load_narratives(self, duplicate_threshold: float = DUPLICATE_THRESHOLD):
        """:func:`toolkit.load_narratives` of this corpus."""
        return load_narratives(self, duplicate_threshold)

    def indicators(self):
        """:func:`toolkit.indicators` of this corpus."""
        return indicators(self)

    def load_panel(self):
        """:func:`toolkit.load_panel` of this corpus."""
        return load_panel(self)
