"""Distributions of a dataset against the sampler's design weights and the paper's figures.

``targets``: what the sampler config makes each value's probability; ``measures``: exact moments
and the chi-square test; ``compute``: the figures, collected in one pass over the records;
``render``: the ``tvt stats`` tables.
"""

from __future__ import annotations

from tvt.stats.compute import ATTRIBUTES, Attribute, Collector, compute_stats, stats_of_records
from tvt.stats.measures import MIN_EXPECTED, Moments, chi_square, preload_chi_square
from tvt.stats.render import render_stats
from tvt.stats.targets import design_targets, resolve_targets

__all__ = [
    "ATTRIBUTES",
    "MIN_EXPECTED",
    "Attribute",
    "Collector",
    "Moments",
    "chi_square",
    "preload_chi_square",
    "compute_stats",
    "design_targets",
    "render_stats",
    "resolve_targets",
    "stats_of_records",
]
