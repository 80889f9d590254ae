"""The line shapes ``tvt score`` reads, as types (``schemas/outputs.schema.json``,
``schemas/reference.schema.json``).

Model outputs come in two shapes, freely mixed and in any order::

    {"client_id": 7, "phase": "P10", "intensity": 8}
    {"client_id": 7, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 6, "P11": 4}}

A reference line is a trajectory line with a ``source``. These types describe what a valid line
holds; the reader (:mod:`tvt.scoring.reader`) is what checks it.
"""

from __future__ import annotations

from typing import Literal, TypedDict

Phase = Literal["P5", "P10", "P6", "P7", "P8", "P11"]


class _ModelLabel(TypedDict, total=False):
    model: str  # which model wrote the line (listed in the report, not scored)


class _SourceLabel(TypedDict, total=False):
    source: str  # who rated the reference (listed in the report)


class PhaseOutputRow(_ModelLabel):
    """One model rating of one phase of one client."""

    client_id: int
    phase: Phase
    intensity: float


class TrajectoryOutputRow(_ModelLabel):
    """A model's ratings of some or all phases of one client."""

    client_id: int
    trajectory: dict[str, float]


#: One line of a model-output file.
OutputRow = PhaseOutputRow | TrajectoryOutputRow


class ReferenceRow(_SourceLabel):
    """One line of a reference: the intensity of each phase of one client, and who rated it."""

    client_id: int
    trajectory: dict[str, float]
