"""The shape of ``tvt stats --json`` (:meth:`tvt.stats.Collector.report`), which the dataset card,
the HTML page, the plot and ``tvt.stats(ds)`` read."""

from __future__ import annotations

from typing import TypedDict

from tvt.records import ConfigRef


class MomentsSummary(TypedDict):
    n: int
    mean: float | None
    sd: float | None  # sample SD; None below two values


class ChiSquare(TypedDict):
    statistic: float
    p_value: float
    dof: int
    min_expected: float


class _ValueRowBase(TypedDict):
    count: int
    percent: float | None


class ValueRow(_ValueRowBase, total=False):
    """One value of an attribute: count and percent, with the design target and the paper's
    percent when there are some."""

    target_percent: float
    paper_percent: float | None


class _AttributeFiguresBase(TypedDict):
    label: str
    n: int
    values: dict[str, ValueRow]


class AttributeFigures(_AttributeFiguresBase, total=False):
    """The distribution of one attribute; the chi-square test when there are targets."""

    chi_square: ChiSquare | None
    chi_square_note: str | None


class PerClient(MomentsSummary, total=False):
    paper_mean: float
    target_mean: float


class BehaviourFigures(AttributeFigures):
    mentions: int
    per_client: PerClient


class _AgeFiguresBase(MomentsSummary):
    min: int | None
    max: int | None


class AgeFigures(_AgeFiguresBase, total=False):
    target_mean: float
    target_sd: float
    paper_mean: float


class _SpeakerFiguresBase(TypedDict):
    turns_per_conversation: MomentsSummary
    words_per_turn: MomentsSummary


class SpeakerFigures(_SpeakerFiguresBase, total=False):
    paper_words_per_turn: float


class _PhaseFiguresBase(TypedDict):
    conversations: int
    turns_per_conversation: MomentsSummary
    by_speaker: dict[str, SpeakerFigures]
    suds_coverage: float
    suds_statements_per_conversation: MomentsSummary
    suds_statements_converted_from_0_10: int


class PhaseFigures(_PhaseFiguresBase, total=False):
    """The conversations of one phase (or ``"all"``)."""

    paper_turns_per_conversation: float


class DatasetFigures(TypedDict):
    clients: int
    seed: int | None
    config: ConfigRef | None
    backend: str | None


class TargetsInfo(TypedDict):
    available: bool
    source: str | None  # where the targets come from
    reason: str | None  # why there are none


class PairFigures(TypedDict):
    distinct: int
    coherent_share: float | None
    coherent_note: str


class StatsReport(TypedDict):
    """All the figures of a dataset (``tvt stats --json``)."""

    dataset: DatasetFigures
    targets: TargetsInfo
    against: str | None
    attributes: dict[str, AttributeFigures]
    behaviours: BehaviourFigures
    age: AgeFigures
    type_topic_pairs: PairFigures
    conversations: dict[str, PhaseFigures] | None  # by phase, then "all"; None without any
