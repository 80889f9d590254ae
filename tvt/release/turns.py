"""The turn-string codec: ``"Therapist: text"`` <-> a native turn, reproducing the release exactly.

A turn keeps its original string in ``raw`` whenever ``Label: text`` would not give it back
(an unusual label, extra spaces, no label at all), so import then export reproduces the
release's ``full_conversation`` and ``three_turn_sequences`` byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tvt.records import Turn

_SPEAKERS = {"therapist": "therapist", "client": "client", "patient": "client"}
LABELS = {"therapist": "Therapist", "client": "Client"}
# "Therapist: text", also "**Therapist:** text" and "**Therapist**: text" (markdown bold labels).
_TURN_RE = re.compile(
    r"^\s*(?:\*\*(?P<bold>[A-Za-z]+)(?::\*\*|\*\*\s*:)|(?P<label>[A-Za-z]+)\s*:)(?P<text>.*)$",
    re.S,
)

EMPTY_TURN_TEXT = "[empty turn]"


def render_turn(turn: Mapping[str, Any]) -> str:
    """The release string of a native turn: its ``raw`` original if any, else ``Label: text``."""
    raw = turn.get("raw")
    if raw is not None:
        return raw
    return f"{LABELS[turn['speaker']]}: {turn['text']}"


def parse_turn(raw: str, previous: str | None) -> tuple[Turn, str | None]:
    """``"Therapist: text"`` -> a native turn; returns ``(turn, problem)``.

    The turn keeps the original string in ``raw`` whenever ``render_turn`` would not give it back
    exactly (an unusual label such as ``Patient:``, extra spaces, no label at all), so export
    reproduces the release byte for byte. A string without a known label is given the speaker
    who did not speak last (conversations alternate) and reported.
    """
    problem = None
    m = _TURN_RE.match(raw)
    speaker = _SPEAKERS.get((m.group("bold") or m.group("label")).casefold()) if m else None
    if m and speaker:
        text = m.group("text").strip()
    else:
        speaker = "client" if previous == "therapist" else "therapist"
        text = raw.strip()
        problem = "no-label"
    if not text:
        text = EMPTY_TURN_TEXT
        problem = problem or "empty"
    turn: Turn = {"speaker": speaker, "text": text, "suds": None, "act": "unknown"}
    if render_turn(turn) != raw:
        turn["raw"] = raw
    return turn, problem


def sliding_windows(strings: list[str]) -> list[list[str]]:
    """Every window of three consecutive turns (the release's ``three_turn_sequences``)."""
    return [strings[i : i + 3] for i in range(len(strings) - 2)]
