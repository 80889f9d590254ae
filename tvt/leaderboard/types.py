"""The shape of a leaderboard entry (``schemas/leaderboard-entry.schema.json``), of a sealed entry
(``tvt eval``), and of the rows the leaderboard renderers draw.

``SkillEntry`` (the reading-skill block) is :class:`tvt.records.SkillEntry`, shared with the
score report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from tvt.metrics import CIMethod
from tvt.records import SkillEntry

if TYPE_CHECKING:
    from tvt.llm.client import UsageRecord
    from tvt.llm.generation import Cost
    from tvt.records import PhaseOutputRow, TurnOutputsRow


class _MetricEntryBase(TypedDict):
    mean: float
    sd: float | None


class MetricEntry(_MetricEntryBase, total=False):
    """Mean, SD and 95 % CI of one metric over the scored clients (or conversations)."""

    ci95: list[float] | None


class _EntryMetricsBase(TypedDict):
    pearson: MetricEntry
    rmse: MetricEntry
    s_abs: float
    n_scored: int


class EntryMetrics(_EntryMetricsBase, total=False):
    """An entry's ``metrics`` block."""

    dtw: MetricEntry | None  # None: the turn track has no DTW
    s_abs_ci95: list[float] | None
    n_reference: int | None
    missing: int | None
    incomplete: int | None
    undefined_pearson: int | None
    skill: SkillEntry | None
    unit: str  # "client" or "conversation"
    turns_scored: int
    format_failures: int  # sealed entries as the board shows them (not in a submitted entry)
    ci: CIMethod  # sealed entries keep how their intervals were computed


class _VerificationBase(TypedDict):
    outputs_sha256: str
    reference_sha256: str
    coverage: float
    tvt_version: str
    outputs_file: str


class Verification(_VerificationBase, total=False):
    """How a verified entry was checked: the outputs and reference it was scored from."""

    near_reference: bool


class Trajectories(TypedDict):
    """Mean intensity per phase over the scored clients."""

    model: dict[str, float]
    reference: dict[str, float]


class _SourceBase(TypedDict):
    citation: str
    url: str


class Source(_SourceBase, total=False):
    note: str


class _EntryBase(TypedDict):
    entry_format: str  # "tvt-leaderboard-entry"
    entry_version: int
    status: str  # sealed, self-run, verified, custom, reported
    model: str
    organization: str
    description: str
    date: str
    benchmark: str
    metrics: EntryMetrics


class LeaderboardEntry(_EntryBase, total=False):
    """One entry of the leaderboard (``LEADERBOARD/entries/*.json``)."""

    url: str
    rater_prompt_version: str
    verification: Verification
    trajectory: Trajectories
    source: Source
    trained_on_tvt: bool | None
    track: str | None
    split: str | None


class SealedDisplay(TypedDict):
    """What the board shows of a sealed entry's commitment."""

    commitment: str
    inputs_sha256: str | None
    seed: int | None
    revealed: str | None


class _BoardRowBase(TypedDict):
    status: str
    model: str
    organization: str
    description: str
    date: str
    benchmark: str
    metrics: EntryMetrics


class BoardRow(_BoardRowBase, total=False):
    """An entry as the renderers draw it: a :class:`LeaderboardEntry` with its file and its rank
    in its section, or a sealed entry's display form (with the model's attempts on the track and
    the commitment, and without the entry format)."""

    entry_format: str
    entry_version: int
    url: str
    rater_prompt_version: str
    verification: Verification
    trajectory: Trajectories
    source: Source
    trained_on_tvt: bool | None
    track: str | None
    split: str | None
    _file: str
    rank: int | str  # "-" in sections that are not ranked
    attempts: int
    sealed: SealedDisplay


class CommittedRecipe(TypedDict):
    """What, besides the seed, decides a split's inputs (``tvt.bench.recipe.generation_recipe``);
    a commitment is a sha256 over it and the seed."""

    benchmark: str
    track: str
    split: str
    clients: int
    preset: str
    phases: list[str]
    suds_style: str
    versions: dict[str, str]


class SealedInfo(TypedDict):
    clients: int
    commitment: str
    recipe: CommittedRecipe
    inputs_sha256: str
    inputs: int
    seed: int | None  # filled in by ``tvt reveal``
    revealed: str | None


class RaterInfo(TypedDict):
    prompt_version: str
    prompt_sha256: str
    base_url_host: str | None
    json_mode: bool
    cache: str
    options: dict[str, Any]  # the rate options as given (tvt eval's keyword arguments)


class Signature(TypedDict):
    algorithm: str
    key_id: str
    value: str


class _SealedEntryBase(TypedDict):
    entry_format: str
    entry_version: int
    status: str  # "sealed"
    benchmark: str
    track: str
    split: str  # "sealed"
    model: str
    organization: str | None
    date: str
    trained_on_tvt: bool | None
    metrics: EntryMetrics
    sealed: SealedInfo


class SealedEntry(_SealedEntryBase, total=False):
    """``LEADERBOARD/sealed/*.json``: a ``tvt eval`` run, its answers and, when a maintainer
    signed it, the signature; with the fields :func:`~tvt.leaderboard.tiers.load_sealed_entries`
    adds for the board (``_file``, ``_tier``, ``_why``, ``_attempts``, ``rank``)."""

    rater: RaterInfo
    format_failures: int
    format_failure_rate: float
    request_failures: int
    first_answer_unreadable: int
    usage: UsageRecord
    cost_estimate: Cost | None
    answers: list[PhaseOutputRow | TurnOutputsRow]  # the model's output lines, as scored
    signature: Signature
    _file: str
    _tier: str
    _why: str
    _attempts: int
    rank: int


class Claimed(TypedDict, total=False):
    """Metrics a submitter claims; each must match the recomputed one."""

    pearson: float
    dtw: float
    rmse: float
    s_abs: float
    n_scored: int


class _SubmissionMetaBase(TypedDict):
    model: str
    organization: str
    description: str
    rater_prompt_version: str


class SubmissionMeta(_SubmissionMetaBase, total=False):
    """A submission's META.json (``schemas/submission.schema.json``)."""

    url: str
    claimed: Claimed
    trained_on_tvt: bool
