"""Offline raters that read benchmark inputs (text only): the lexical rater on both units.

The lexical rater's ``suds-field`` signal reads a label, and inputs carry no labels, so on the
benchmark it has two variants: ``language`` (the intensity lexicon and VADER over client speech)
and ``all text signals`` (``suds-text`` + ``language``: also SUDS the client states in the text).
"""

from __future__ import annotations

from collections.abc import Sequence

from tvt.bench.inputs import marked_turns
from tvt.raters.lexical import (
    combine,
    language_score,
    language_to_intensity,
    load_lexicon,
    rate_conversation,
    rater_label,
    stated_suds,
)
from tvt.records import InputRecord, InputTurn, PhaseOutputRow, TurnOutputsRow

#: The text-only signal sets of the lexical rater on the benchmark.
LEXICAL_VARIANTS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "text": ("suds-text", "language"),
}


def lexical_conversation_outputs(
    inputs: Sequence[InputRecord], signals: Sequence[str]
) -> list[PhaseOutputRow]:
    """One ``{"client_id", "phase", "intensity", "model"}`` per rated conversation."""
    if "suds-field" in signals:
        raise ValueError("the suds-field signal reads labels, which benchmark inputs never carry")
    label = rater_label(signals)
    out: list[PhaseOutputRow] = []
    for rec in inputs:
        rating = rate_conversation(rec["turns"], signals=signals)
        if rating.intensity is not None:
            out.append(
                {
                    "client_id": rec["client_id"],
                    "phase": rec["phase"],
                    "intensity": rating.intensity,
                    "model": label,
                }
            )
    return out


def lexical_turn_value(turns: Sequence[InputTurn], i: int, signals: Sequence[str]) -> float:
    """The lexical intensity 1-10 of client turn ``i`` (5.5 when it has no words at all)."""
    score, n = language_score(str(turns[i].get("text", "")), load_lexicon())
    language = score if n else None
    suds = None
    if "suds-text" in signals:
        window = list(turns[max(0, i - 1) : i + 1])
        suds = stated_suds(window, use_field=False, use_text=True).mean
    value = combine(suds, language if "language" in signals else None)
    if value is None:
        value = language_to_intensity(score) if "language" in signals else 5.5
    return round(min(max(value, 1.0), 10.0), 2)


def lexical_turn_outputs(
    inputs: Sequence[InputRecord], signals: Sequence[str]
) -> list[TurnOutputsRow]:
    """One ``{"client_id", "phase", "turns", "intensities", "model"}`` per input record."""
    label = rater_label(signals)
    out: list[TurnOutputsRow] = []
    for rec in inputs:
        idx = marked_turns(rec)
        out.append(
            {
                "client_id": rec["client_id"],
                "phase": rec["phase"],
                "turns": idx,
                "intensities": [lexical_turn_value(rec["turns"], i, signals) for i in idx],
                "model": label,
            }
        )
    return out
