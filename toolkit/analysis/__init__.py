"""Analysis: indicators with their denominators, an organ × year panel, and the missing-aware
aggregation every total and average across reports goes through.

Sits between the data layer (the loaders) and the charts.  Everything here is a
pure function of the loaders' frames, with a thin ``corpus=`` wrapper.
"""
from __future__ import annotations

from .aggregation import SMALL_N, aggregate, largest_contributor, pooled_rate, rate_text, wilson_interval
from .indicator_frames import (INDICATORS, Indicator, compute_indicators, indicator_definitions, indicators,
                         summarise_indicators)
from .panel import load_panel, panel_frame

__all__ = ["aggregate", "pooled_rate", "largest_contributor", "wilson_interval", "rate_text", "SMALL_N",
           "INDICATORS", "Indicator", "compute_indicators", "indicator_definitions", "indicators", "summarise_indicators", "load_panel", "panel_frame", "Corpus"]


def __getattr__(name: str):
    # The handle brings the text mining (and pandas) with it: loaded when asked for, so that the
    # modules here stay light to import.
    if name == "Corpus":
        from .handle import Corpus

        return Corpus
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
