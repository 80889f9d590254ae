"""The records of a dataset folder, typed, and the one validating reader of them.

``cases.jsonl``, ``conversations.jsonl`` and ``reference.jsonl`` hold one record per line; model
outputs (the input of ``tvt score``) are :class:`OutputRow`. The TypedDicts below describe what
every consumer may rely on; ``schemas/*.schema.json`` remain the full contract.

There is one reader of these files (:func:`read_cases`, :func:`read_conversations`,
:func:`read_references`). It checks each record quickly for what the statistics, the raters, the
dataset card and import/export rely on, and raises ``InputError`` naming the file, line and field
at the first problem. ``tvt validate`` uses the same entry point (:func:`problem`) with
``full=True``, which checks every record against its whole JSON Schema and collects problems
instead of stopping. Every record the schema accepts, the quick check accepts too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict, cast, final

from tvt.errors import InputError
from tvt.fields import CASE_SECTIONS
from tvt.jsonio import is_finite_number, iter_jsonl
from tvt.metrics import CIMethod
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.schemacheck import describe, errors

SPEAKERS = ("therapist", "client")


class _ClientProfileBase(TypedDict):
    age: int
    age_group: str
    gender: str
    relationship_status: str
    occupation: str
    living_situation: str
    ethnicity: str
    co_occurring_condition: str
    exhibited_behaviors: list[str]


class ClientProfile(_ClientProfileBase, total=False):
    name: str  # generated data always has one; imported release data has none


class _TherapistProfileBase(TypedDict):
    age: int
    gender: str


class TherapistProfile(_TherapistProfileBase, total=False):
    name: str


class TraumaInfo(TypedDict):
    type: str
    session_topic: str


class _SudsCourseBase(TypedDict):
    kind: str  # hotspot, early, late, two-peaks, plateau, no-come-down, rise-after-dip


class SudsCourse(_SudsCourseBase, total=False):
    at: float  # position 0-1 along the client turns
    first: float  # SUDS levels that shape the course (two peaks, a dip, a sag)
    dip: float
    sag: float


class _PhaseSudsBase(TypedDict):
    start: int
    peak: int
    end: int


class PhaseSuds(_PhaseSudsBase, total=False):
    course: SudsCourse  # the session's SUDS course (tvt.compose.suds.COURSES)


class _PlanBase(TypedDict):
    intensity: dict[str, int]  # phase -> planned intensity 1..10


class Plan(_PlanBase, total=False):
    suds: dict[str, PhaseSuds]  # exposure phase -> planned SUDS
    session: dict[str, int]  # phase -> session of the course of treatment it belongs to


class _CaseBase(TypedDict):
    client_id: int
    client_profile: ClientProfile
    therapist_profile: TherapistProfile
    trauma_info: TraumaInfo


class Case(_CaseBase, total=False):
    plan: Plan


class _TurnBase(TypedDict):
    speaker: str  # "therapist" | "client"
    text: str
    suds: int | None  # SUDS 0..100 the client stated, or None
    act: str


class Turn(_TurnBase, total=False):
    intensity: float  # planned intensity of the turn (offline composer)
    suds_scale: int  # 10 when the client answered on 0-10 (``suds`` is still 0-100)
    raw: str  # imported turns: the release's original string
    realized: bool  # --backend realize: the model's rewrite passed the checks


class RealizeCounts(TypedDict):
    """``--backend realize``: what happened to a conversation's turns (docs/realize.md)."""

    attempts: int  # answers asked for
    turns: int
    rewritten: int  # turns the model's rewrite replaced
    retried: int  # turns that needed more than one answer
    fallback: int  # turns left as the composer wrote them
    format_failures: int  # answers that could not be used at all
    fallback_reasons: dict[str, str]  # turn index -> why it fell back


class _ConversationBase(TypedDict):
    client_id: int
    phase: str
    turns: list[Turn]


class Conversation(_ConversationBase, total=False):
    three_turn_sequences: list[list[str]] | None
    source: str
    risk_moment: bool  # offline composer: the conversation holds a risk moment (docs/composer.md)
    realize: RealizeCounts  # --backend realize: attempts, turns rewritten / retried / fallen back


@final
class ReferenceRow(TypedDict):
    client_id: int
    trajectory: dict[str, float]  # phase -> intensity 1..10
    source: str  # what the reference comes from: plan, the release, rater:<name>


class _OutputRowBase(TypedDict):
    client_id: int
    trajectory: dict[str, float]


@final
class OutputRow(_OutputRowBase, total=False):
    """One line of a model-output file in the per-client shape (what tvt's raters write)."""

    model: str
    raw: Any


class _FailureBase(TypedDict):
    client_id: int
    phase: str | None  # None when the whole client is concerned
    reason: str
    attempts: int


class Failure(_FailureBase, total=False):
    """One line of ``failures.jsonl``: a conversation (or client) that could not be produced."""

    custom_id: str


class ConfigRef(TypedDict):
    """The sampler config a dataset was made with: preset name, where it came from, sha256."""

    name: str
    source: str
    sha256: str


class FileEntry(TypedDict):
    """A data file of a dataset as the manifest records it."""

    sha256: str
    bytes: int
    records: int


class Cost(TypedDict):
    """A run's USD estimate and the per-million-token prices it was made with."""

    usd: float
    price_in_per_million: float
    price_out_per_million: float


class RunTotals(TypedDict):
    """Model answers and tokens of a run (the manifest's ``backend.usage``)."""

    responses: int
    prompt_tokens: int
    completion_tokens: int


class SudsLabelStats(TypedDict):
    """How the SUDS labels of a dataset's conversations came out (the manifest's ``suds_labels``)."""

    rating_questions: int
    answered_with_rating: int
    answered_share: float | None
    labelled_turns: int


class RealizeShares(TypedDict):
    rewritten: float | None
    retried: float | None
    fallback: float | None


class RealizeTotals(TypedDict):
    """Turns rewritten, retried and fallen back over a dataset."""

    turns: int
    rewritten: int
    retried: int
    fallback: int
    format_failures: int
    attempts: int
    shares: RealizeShares
    conversations: int
    conversations_all_fallback: int


class RealizeSummary(RealizeTotals):
    """The manifest's ``backend.realize``: the totals and the problem kinds caught."""

    caught: dict[str, int]


class RealizeBatch(TypedDict):
    """``tvt batch collect`` of a realize batch: results files read, retry requests written."""

    results_files: int
    retry_requests: int
    conversations_with_retries_pending: int


class ResponseFormat(TypedDict):
    type: str  # "json_object": JSON mode


class BackendSampling(TypedDict, total=False):
    """The sampling settings an LLM backend records (``seed`` is the rule each request follows)."""

    temperature: float
    max_tokens: int
    response_format: ResponseFormat
    max_attempts: int
    seed: str


class _BackendInfoBase(TypedDict):
    name: str


class BackendInfo(_BackendInfoBase, total=False):
    """The manifest's ``backend``: what produced the conversations, with that backend's settings.

    The keys below are those of tvt's own backends (offline, openai, realize, and batches of the
    last two); a plugin backend records its ``name`` and ``version``."""

    version: str
    composer_version: str
    suds_style: str
    mode: str  # "batch" for a collected Batch API run
    model: str | None
    base_url_host: str | None
    prompt_version: str | None
    prompt_sha256: str
    narrative_facts: bool | None
    audit_rules_version: str
    sampling: BackendSampling
    usage: RunTotals
    suds_labels: SudsLabelStats
    cost_estimate: Cost
    realize: RealizeSummary
    batch: RealizeBatch


class ImportRepairs(TypedDict):
    repairs: dict[str, int]  # repair kind -> how many


# ``import`` is a keyword: the optional key is declared the functional way.
_ManifestImport = TypedDict("_ManifestImport", {"import": ImportRepairs}, total=False)


class ManifestHead(_ManifestImport):
    """The manifest fields that describe how a dataset was made (before its files are hashed)."""

    format: str  # "tvt-dataset"
    format_version: str
    tvt_version: str
    seed: int | None  # None for an imported dataset
    clients: int
    phases: list[str]
    config: ConfigRef | None
    backend: BackendInfo
    versions: dict[str, str]


class Manifest(ManifestHead):
    """``manifest.json``: what made the dataset, and its files' hashes."""

    files: dict[str, FileEntry]
    fingerprint: str


class ClientScore(TypedDict):
    """One reference client of a score report (``tvt score --per-client``, ``report.clients``)."""

    client_id: int
    status: str  # "scored", "missing" or "excluded"
    phases: int
    pearson: float | None
    pearson_undefined: bool
    dtw: float | None
    rmse: float | None


class MetricDoc(TypedDict):
    """Mean, SD and 95 % CI of one metric in a score report."""

    mean: float
    sd: float | None
    ci95: list[float] | None


class PhaseDoc(TypedDict):
    """Errors and means of one phase in a score report."""

    name: str
    n: int
    mae: float | None
    bias: float | None
    model_mean: float | None
    model_sd: float | None
    reference_mean: float | None
    reference_sd: float | None


class OutputsDoc(TypedDict):
    path: str
    sha256: str
    records: int


class ReferenceDoc(TypedDict):
    path: str
    file: str
    sha256: str
    fingerprint: str | None
    sources: list[str]
    records: int


class InputsDoc(TypedDict):
    """The files a score report was computed from."""

    outputs: OutputsDoc
    reference: ReferenceDoc


class BaselineDoc(TypedDict):
    """An earlier report's means and the ratios against it (``tvt score --baseline``)."""

    path: str
    sha256: str
    pearson: float
    dtw: float
    rmse: float
    r_corr: float | None
    r_dtw: float | None
    r_rmse: float | None


class _SkillEntryBase(TypedDict):
    value: float | None


class SkillEntry(_SkillEntryBase, total=False):
    """Reading skill against the track's protocol prior (docs/methodology.md): a
    score against a published benchmark split and a leaderboard entry carry it."""

    ci95: list[float] | None
    residual_r: float | None
    residual_r_ci95: list[float] | None
    prior: str


class _ScoreReportDocBase(TypedDict):
    format: str  # "tvt-score-report"
    format_version: str
    tvt_version: str
    pearson: MetricDoc
    dtw: MetricDoc
    rmse: MetricDoc
    s_abs: float
    s_abs_ci95: list[float] | None
    n_scored: int
    n_reference: int
    n_output_clients: int
    missing: list[int]
    incomplete: list[int]
    excluded: list[int]
    unreferenced: list[list[int | str]]  # [client_id, phase]
    undefined_pearson: int
    per_phase: dict[str, PhaseDoc]
    ci: CIMethod
    models: list[str]


class ScoreReportDoc(_ScoreReportDocBase, total=False):
    """The JSON score report (``tvt score --json``, ``schemas/report.schema.json``).

    ``inputs`` is absent only for trajectories scored in memory (no file to name)."""

    inputs: InputsDoc
    baseline: BaselineDoc
    skill: SkillEntry  # a published benchmark split: tvt.bench.prior's reading-skill block


class _PhaseOutputRowBase(TypedDict):
    client_id: int
    phase: str
    intensity: float


@final
class PhaseOutputRow(_PhaseOutputRowBase, total=False):
    """One line of a model-output file in the per-phase shape (the openai rater writes these)."""

    model: str
    raw: Any


class _InputTurnBase(TypedDict):
    speaker: str
    text: str


class InputTurn(_InputTurnBase, total=False):
    """A turn of a benchmark input: what a rater sees."""

    rate: bool  # turn track: a client turn to rate (always true when present)


class InputRecord(TypedDict):
    """One line of a benchmark's ``inputs.jsonl``: a conversation as a rater sees it (text only)."""

    client_id: int
    phase: str
    turns: list[InputTurn]


class _TurnReferenceBase(TypedDict):
    client_id: int
    phase: str
    turns: list[int]  # 0-based indices of the rated client turns in the input's turns
    intensities: list[float]  # aligned with ``turns``


@final
class TurnReference(_TurnReferenceBase, total=False):
    """One line of a turn-track ``reference.jsonl``: the planned intensity of each rated turn."""

    source: str


class _TurnOutputsRowBase(TypedDict):
    client_id: int
    phase: str
    turns: list[int]
    intensities: list[float]


@final
class TurnOutputsRow(_TurnOutputsRowBase, total=False):
    """One line of turn-track model outputs, per conversation (what tvt's raters write)."""

    model: str
    raw: Any


class _TurnOutputRowBase(TypedDict):
    client_id: int
    phase: str
    turn: int
    intensity: float


@final
class TurnOutputRow(_TurnOutputRowBase, total=False):
    """One line of turn-track model outputs, per turn."""

    model: str
    raw: Any


#: A benchmark reference line: a trajectory by phase (conversation tracks) or the intensity of
#: each rated turn (turn track).
BenchReference = ReferenceRow | TurnReference
#: A benchmark output line: one intensity per phase conversation, or one per rated turn.
BenchOutput = PhaseOutputRow | TurnOutputsRow

#: Any line of a model-output file the scorer accepts (per client, per phase, per conversation's
#: turns or per turn).
ModelOutputRow = OutputRow | PhaseOutputRow | TurnOutputsRow | TurnOutputRow

#: One line a rater gives: model outputs (per client or per phase), or with ``as_reference`` a
#: reference row.
RatingLine = OutputRow | PhaseOutputRow | ReferenceRow


# -- quick checks ----------------------------------------------------------------------------------
#: The longest turn text tvt reads, in characters (about 15,000 words; the public release's
#: longest turn is under 1,000 characters). Longer turns are refused with a clear error, so that
#: the per-turn work of the audit, the raters and the statistics stays bounded.
MAX_TURN_CHARS = 100_000
#: ``(reason, field)`` of a problem, or ``None`` when the record is fine.
Problem = tuple[str, str | None]


def _record_problem(obj: Any) -> Problem | None:
    """What every record needs: to be an object with a client id."""
    if not isinstance(obj, dict):
        return "each line must be a JSON object", None
    cid = obj.get("client_id")
    if type(cid) is not int or cid < 1:
        return "must be an integer >= 1", "client_id"
    return None


def case_problem(obj: Any) -> Problem | None:
    """What the readers of cases rely on: the client id and every profile field."""
    found = _record_problem(obj)
    if found:
        return found
    for section, keys in CASE_SECTIONS.items():
        part = obj.get(section)
        if not isinstance(part, dict):
            return "missing or not an object", section
        for key in keys:
            if key not in part:
                return "missing", f"{section}.{key}"
    profile = obj["client_profile"]
    if not isinstance(profile["exhibited_behaviors"], list):
        return "must be a list", "client_profile.exhibited_behaviors"
    if type(profile["age"]) is not int:
        return "must be an integer", "client_profile.age"
    return None


def conversation_key_problem(obj: Any) -> Problem | None:
    """What identifies a conversation: an object with a client id and a known phase."""
    found = _record_problem(obj)
    if found:
        return found
    phase = obj.get("phase")
    if not isinstance(phase, str) or phase not in PHASE_INDEX:
        return f"unknown phase {phase!r} (phases are {', '.join(BENCHMARK_ORDER)})", "phase"
    return None


def turns_list_problem(obj: dict[str, Any]) -> Problem | None:
    """A conversation's turns must be a non-empty list, no turn's text longer than
    :data:`MAX_TURN_CHARS` (what else each turn holds is checked apart: a dataset's turns, a
    benchmark's inputs and an imported release differ there)."""
    turns = obj.get("turns")
    if not isinstance(turns, list) or not turns:
        return "must be a non-empty list", "turns"
    for i, t in enumerate(turns):
        text = t.get("text") if isinstance(t, dict) else None
        if isinstance(text, str) and len(text) > MAX_TURN_CHARS:
            return (
                f"turn text is {len(text):,} characters, more than the {MAX_TURN_CHARS:,} a "
                "turn may have (docs/formats.md)",
                f"turns.{i}.text",
            )
    return None


def _turns_problem(obj: dict[str, Any]) -> Problem | None:
    """What the readers of a conversation's turns rely on: speaker, text and SUDS of each."""
    found = turns_list_problem(obj)
    if found:
        return found
    turns = obj["turns"]
    for i, t in enumerate(turns):
        if (
            not isinstance(t, dict)
            or t.get("speaker") not in SPEAKERS
            or not isinstance(t.get("text"), str)
        ):
            return "each turn needs a speaker (therapist|client) and a text", f"turns.{i}"
        suds = t.get("suds")
        if suds is not None and (type(suds) is not int or not 0 <= suds <= 100):
            return "must be a SUDS rating from 0 to 100, or null", f"turns.{i}.suds"
    return None


def conversation_problem(obj: Any) -> Problem | None:
    """What the readers of conversations rely on: client, phase, and turns with speaker and text."""
    return conversation_key_problem(obj) or _turns_problem(obj)


def reference_problem(obj: Any) -> Problem | None:
    """What the readers of a reference rely on: client id and a trajectory of 1-10 by phase."""
    found = _record_problem(obj)
    if found:
        return found
    trajectory = obj.get("trajectory")
    if not isinstance(trajectory, dict) or not trajectory:
        return "must be an object of intensities by phase", "trajectory"
    for phase, value in trajectory.items():
        if phase not in PHASE_INDEX:
            return f"unknown phase {phase!r}", f"trajectory.{phase}"
        if not is_finite_number(value) or not 1 <= value <= 10:
            return "must be a number from 1 to 10", f"trajectory.{phase}"
    return None


#: Schema name -> quick check.
QUICK_CHECKS: dict[str, Callable[[Any], Problem | None]] = {
    "case": case_problem,
    "conversation": conversation_problem,
    "reference": reference_problem,
}


def problem(schema: str, obj: Any, *, full: bool = False) -> Problem | None:
    """The problem of one record, or ``None``.

    ``full=False``: the quick check of what tvt's readers rely on (for schemas without one, the
    whole schema). ``full=True``: the whole JSON Schema, worded by ``jsonschema``; the reason
    lists every error of the record (the first ten), the most relevant first.
    """
    quick = QUICK_CHECKS.get(schema)
    if quick is not None and not full:
        return quick(obj)
    listed, total = errors(schema, obj)
    if not listed:
        return None
    return describe(listed, total)


# -- reading ---------------------------------------------------------------------------------------
def iter_records(folder: str | Path, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, record)`` of a dataset file; nothing if the file does not exist."""
    path = Path(folder) / name
    if not path.exists():
        return
    for lineno, obj in iter_jsonl(path):
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object", path=path, line=lineno)
        yield lineno, obj


def _open(folder: str | Path, name: str, required: bool) -> Path:
    """The path of ``name`` in ``folder``; with ``required``, check the folder has the file."""
    path = Path(folder) / name
    if required and not path.exists():
        if not Path(folder).exists():
            raise InputError("dataset folder not found", path=folder)
        if not Path(folder).is_dir():
            raise InputError("expected a dataset folder", path=folder)
        raise InputError(f"the dataset folder has no {name}", path=folder)
    return path


def _read(
    folder: str | Path, name: str, check: Callable[[Any], Problem | None], required: bool
) -> Iterator[tuple[int, Any]]:
    """Each record of ``name`` checked; a client appearing twice is an error naming the line of
    its first record (counting it twice would skew every figure and a benchmark's score)."""
    path = _open(folder, name, required)
    first: dict[int, int] = {}
    for lineno, obj in iter_records(folder, name):
        found = check(obj)
        if found is not None:
            raise InputError(found[0], path=path, line=lineno, field=found[1])
        cid = obj["client_id"]
        if cid in first:
            raise InputError(
                f"client {cid} appears twice (first on line {first[cid]})", path=path, line=lineno
            )
        first[cid] = lineno
        yield lineno, obj


def read_cases(folder: str | Path, *, required: bool = False) -> Iterator[tuple[int, Case]]:
    """Yield ``(line, case)`` of a folder's ``cases.jsonl``, each checked."""
    return _read(folder, "cases.jsonl", case_problem, required)


def read_conversations(
    folder: str | Path, *, required: bool = False
) -> Iterator[tuple[int, Conversation]]:
    """Yield ``(line, conversation)`` of a folder's ``conversations.jsonl``, each checked.

    A client has at most one conversation per phase: a second one is an error naming the line of
    the first. The client and phase of a record are checked before its turns.
    """
    path = _open(folder, "conversations.jsonl", required)
    first: dict[tuple[int, str], int] = {}
    for lineno, obj in iter_records(folder, "conversations.jsonl"):
        found = conversation_key_problem(obj)
        if found is None:
            key = (obj["client_id"], obj["phase"])
            if key in first:
                raise InputError(
                    f"client {key[0]} phase {key[1]} appears twice (first on line {first[key]})",
                    path=path,
                    line=lineno,
                )
            first[key] = lineno
            found = _turns_problem(obj)
        if found is not None:
            raise InputError(found[0], path=path, line=lineno, field=found[1])
        yield lineno, cast(Conversation, obj)


def read_references(
    folder: str | Path, *, required: bool = False
) -> Iterator[tuple[int, ReferenceRow]]:
    """Yield ``(line, reference row)`` of a folder's ``reference.jsonl``, each checked."""
    return _read(folder, "reference.jsonl", reference_problem, required)
