"""The lexical rater: rate one conversation, or every conversation of a dataset folder.

For each phase conversation it combines the stated SUDS (:mod:`~tvt.raters.lexical.suds`) and the
language distress of the client's turns (:mod:`~tvt.raters.lexical.lexicon`) by the documented rule
(:mod:`~tvt.raters.lexical.rule`). It reads only ``speaker``, ``text`` and ``suds`` of a turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from tvt.dataset import resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import write_jsonl
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.raters.lexical.lexicon import client_turn_scores, load_lexicon
from tvt.raters.lexical.rule import combine, rounded, weighted_language
from tvt.raters.lexical.suds import SudsReading, stated_suds
from tvt.records import Conversation, OutputRow, RatingLine, ReferenceRow, read_conversations

RATER_NAME = "lexical"
RATER_VERSION = "1"


@dataclass
class ConversationRating:
    """The lexical rating of one conversation with the evidence behind it."""

    intensity: float | None
    suds: SudsReading
    language: float | None
    client_turns: int


#: The evidence the rater may use; ``tvt rate --signals`` picks a subset for validity checks.
SIGNALS: tuple[str, ...] = ("suds-field", "suds-text", "language")


def parse_signals(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate a comma-separated (or listed) subset of :data:`SIGNALS`, in canonical order."""
    if text is None:
        return SIGNALS
    items = [x.strip() for x in text.split(",")] if isinstance(text, str) else list(text)
    unknown = [x for x in items if x not in SIGNALS]
    if unknown or not items:
        raise InputError(
            f"unknown signal(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SIGNALS)}",
            field="--signals",
        )
    return tuple(x for x in SIGNALS if x in items)


def rater_label(signals: Sequence[str] = SIGNALS) -> str:
    """``lexical`` for the full rater, ``lexical:<signals>`` for a subset."""
    signals = parse_signals(signals)
    return RATER_NAME if signals == SIGNALS else f"{RATER_NAME}:{'+'.join(signals)}"


def rate_conversation(
    turns: Sequence[Mapping[str, Any]], *, signals: Sequence[str] = SIGNALS
) -> ConversationRating:
    """Rate one phase conversation (a list of turns) from 1 to 10.

    Turn fields other than ``speaker``, ``text`` and ``suds`` (for instance the composer's planned
    ``intensity``) are never read.
    """
    scores = client_turn_scores(turns) if "language" in signals else []
    language = weighted_language(scores)
    suds = stated_suds(turns, use_field="suds-field" in signals, use_text="suds-text" in signals)
    return ConversationRating(rounded(combine(suds.mean, language)), suds, language, len(scores))


class _LexicalSummaryBase(TypedDict):
    rater: str
    rater_version: str
    signals: list[str]
    lexicon_version: str
    conversations: int
    clients: int
    rated: int
    unrated: list[list[int | str]]  # [client_id, phase] of conversations with nothing to read
    suds_from: dict[str, int]  # field, text, none
    suds_scale_detected: dict[str, int]  # 10, 100, mixed


class LexicalSummary(_LexicalSummaryBase, total=False):
    """The lexical rater's account of a run."""

    as_reference: bool  # rating in memory
    out: str  # the file written (rating a dataset folder)


def rate_conversations_lexical(
    conversations: Iterable[Conversation],
    *,
    as_reference: bool = False,
    signals: Sequence[str] | str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> tuple[list[RatingLine], LexicalSummary]:
    """Rate conversations held in memory: one trajectory line per client, and a summary.

    The lines are model outputs (``{"client_id", "trajectory", "model": "lexical"}``) or, with
    ``as_reference``, a reference (``{"client_id", "trajectory", "source": "rater:lexical"}``).
    The summary counts the SUDS sources and scales and lists the conversations that could not be
    rated (no client words and no SUDS), which are left out of the trajectories. Nothing is
    written; :func:`rate_dataset_lexical` is the same over a dataset folder and a file.
    """
    signals = parse_signals(signals)
    label = rater_label(signals)
    trajectories: dict[int, dict[str, float]] = {}
    unrated: list[list[int | str]] = []
    suds_sources = {"field": 0, "text": 0, "none": 0}
    scales = {"10": 0, "100": 0, "mixed": 0}
    conversations_seen = 0
    for rec in conversations:
        conversations_seen += 1
        rating = rate_conversation(rec["turns"], signals=signals)
        suds_sources[rating.suds.source] += 1
        if rating.suds.source == "text":
            scales[str(rating.suds.scale) if rating.suds.scale else "mixed"] += 1
        if rating.intensity is None:
            unrated.append([rec["client_id"], rec["phase"]])
        else:
            trajectories.setdefault(rec["client_id"], {})[rec["phase"]] = rating.intensity
        if progress:
            progress(1)
    if not conversations_seen:
        raise InputError("dataset has no conversations")
    records: list[RatingLine] = []
    for cid in sorted(trajectories):
        traj = {p: trajectories[cid][p] for p in BENCHMARK_ORDER if p in trajectories[cid]}
        if as_reference:
            records.append(ReferenceRow(client_id=cid, trajectory=traj, source=f"rater:{label}"))
        else:
            records.append(OutputRow(client_id=cid, trajectory=traj, model=label))
    summary: LexicalSummary = {
        "rater": label,
        "rater_version": RATER_VERSION,
        "signals": list(signals),
        "lexicon_version": load_lexicon().version,
        "conversations": conversations_seen,
        "clients": len(records),
        "rated": conversations_seen - len(unrated),
        "unrated": sorted(unrated, key=lambda x: (int(x[0]), PHASE_INDEX[str(x[1])])),
        "suds_from": suds_sources,
        "suds_scale_detected": scales,
        "as_reference": as_reference,
    }
    return records, summary


def rate_dataset_lexical(
    dataset_dir: str | Path,
    out_path: str | Path,
    *,
    as_reference: bool = False,
    signals: Sequence[str] | str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> LexicalSummary:
    """Rate every conversation of a dataset and write one trajectory line per client.

    Writes the lines of :func:`rate_conversations_lexical` atomically and returns its summary
    with ``out``, the file written.
    """
    out_path = Path(out_path)
    folder = Path(dataset_dir)
    if as_reference and out_path.resolve() == (folder / "reference.jsonl").resolve():
        raise InputError(
            "refusing to overwrite the dataset's own reference.jsonl; choose another -o",
            path=out_path,
        )
    convs = (rec for _, rec in read_conversations(resolve_dataset(folder), required=True))
    try:
        records, summary = rate_conversations_lexical(
            convs, as_reference=as_reference, signals=signals, progress=progress
        )
    except InputError as exc:
        if exc.path is None:
            raise InputError(exc.reason, path=folder / "conversations.jsonl") from exc
        raise
    write_jsonl(out_path, records)
    as_ref = summary.pop("as_reference")
    return {**summary, "out": str(out_path), "as_reference": as_ref}
