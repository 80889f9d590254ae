"""The leaderboard: verified submissions, the paper's reported numbers, and rendering.

A submission is a model's outputs file plus a META.json describing the model. Nothing in it is
trusted: :mod:`~tvt.leaderboard.verify` scores the outputs again with every rule of ``tvt score``
and checks the claims; :mod:`~tvt.leaderboard.store` records the ``verified`` entry beside a copy
of the outputs, so anybody can score it again. Published numbers that cannot be recomputed here
(the paper's Table 1, :mod:`~tvt.leaderboard.reported`) are ``reported`` entries and are always
shown apart (:mod:`~tvt.leaderboard.sections`). :mod:`~tvt.leaderboard.render` and
:mod:`~tvt.leaderboard.page` draw the ranked entries as text, Markdown, JSON or an HTML page.

The benchmark recipes themselves (``tvt generate --benchmark``) are :mod:`tvt.benchmark`.
"""

from __future__ import annotations

from tvt.leaderboard.cells import HEADERS
from tvt.leaderboard.entry import (
    ENTRY_FORMAT,
    ENTRY_VERSION,
    MAX_META_BYTES,
    mean_trajectories,
    metrics_from_report,
    slugify,
    validate_entry,
    validate_meta,
)
from tvt.leaderboard.page import render_html, trajectory_svg
from tvt.leaderboard.render import (
    FORMATS,
    render,
    render_json,
    render_markdown,
    render_table,
    write_text,
)
from tvt.leaderboard.reported import paper_entries, paper_url, table_1_citation
from tvt.leaderboard.sections import SECTIONS, STATUSES, Section
from tvt.leaderboard.store import (
    Groups,
    default_leaderboard_dir,
    leaderboard_groups,
    load_entries,
    prepare_leaderboard,
    rank,
    record_entry,
)
from tvt.leaderboard.verify import (
    CLAIM_TOLERANCE,
    MAX_OUTPUTS_BYTES,
    MIN_COVERAGE,
    Submission,
    build_entry,
    check_claims,
    check_outputs_file,
    coverage,
    submit,
)

__all__ = [
    "CLAIM_TOLERANCE",
    "ENTRY_FORMAT",
    "ENTRY_VERSION",
    "FORMATS",
    "HEADERS",
    "MAX_META_BYTES",
    "MAX_OUTPUTS_BYTES",
    "MIN_COVERAGE",
    "SECTIONS",
    "STATUSES",
    "Groups",
    "Section",
    "Submission",
    "build_entry",
    "check_claims",
    "check_outputs_file",
    "coverage",
    "default_leaderboard_dir",
    "leaderboard_groups",
    "load_entries",
    "mean_trajectories",
    "metrics_from_report",
    "paper_entries",
    "paper_url",
    "prepare_leaderboard",
    "rank",
    "record_entry",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_table",
    "slugify",
    "submit",
    "table_1_citation",
    "trajectory_svg",
    "validate_entry",
    "validate_meta",
    "write_text",
]
