"""``tvt score``: read model outputs and a reference, align them, compute the benchmark report.

The package has one module per step, each usable on its own:

* :mod:`~tvt.scoring.rows` -- the line shapes read (``OutputRow``, ``ReferenceRow``);
* :mod:`~tvt.scoring.scan`, :mod:`~tvt.scoring.lines` and :mod:`~tvt.scoring.reader` -- the fast
  strict reader (JSON Lines to one row per client; every bad-input rule names file, line and
  field);
* :mod:`~tvt.scoring.core` -- from trajectories to the typed report (coverage rules, metrics, CIs);
* :mod:`~tvt.scoring.report` -- the report types and their JSON form;
* :mod:`~tvt.scoring.files` -- scoring files on disk (hashes, fingerprint, baseline);
* :mod:`~tvt.scoring.render` -- the terminal table and the per-client file.
"""

from __future__ import annotations

from tvt.scoring.core import MIN_PHASES, ScoreResult, score_trajectories
from tvt.scoring.files import load_baseline, reference_fingerprint, score, score_files
from tvt.scoring.lines import N_PHASES, PHASES
from tvt.scoring.reader import (
    DEFAULT_REFERENCE,
    Trajectories,
    load_outputs,
    load_reference,
    resolve_reference,
    trajectories_from_rows,
)
from tvt.scoring.render import format_table, per_client_records, write_per_client
from tvt.scoring.report import (
    REPORT_FORMAT,
    REPORT_VERSION,
    Baseline,
    BaselineComparison,
    Inputs,
    MetricSummary,
    OutputsInput,
    PhaseSummary,
    ReferenceInput,
    ScoreReport,
)
from tvt.scoring.rows import OutputRow, PhaseOutputRow, ReferenceRow, TrajectoryOutputRow

__all__ = [
    "DEFAULT_REFERENCE",
    "MIN_PHASES",
    "N_PHASES",
    "PHASES",
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "Baseline",
    "BaselineComparison",
    "Inputs",
    "MetricSummary",
    "OutputRow",
    "OutputsInput",
    "PhaseOutputRow",
    "PhaseSummary",
    "ReferenceInput",
    "ReferenceRow",
    "ScoreReport",
    "ScoreResult",
    "TrajectoryOutputRow",
    "Trajectories",
    "format_table",
    "load_baseline",
    "load_outputs",
    "load_reference",
    "per_client_records",
    "reference_fingerprint",
    "resolve_reference",
    "score",
    "score_files",
    "score_trajectories",
    "trajectories_from_rows",
    "write_per_client",
]
