"""The tracks of tvt-bench-v2: which phases, which SUDS style, which unit is rated.

- ``full``: the paper's task on current composer data (the client states SUDS as numbers), kept
  for continuity with tvt-bench-v1 and the paper's Table 1.
- ``masked``: the same clients, but SUDS is talked about in words ("the worst it's been"), never
  as a number, so reading numbers no longer solves the task.
- ``turn``: turn-level intensity inside the exposure phases (P10, P6, P7), masked style: the rater
  gives each marked client turn a 1-10 intensity, scored per conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES


@dataclass(frozen=True)
class Track:
    name: str
    phases: tuple[str, ...]
    suds_style: str  # "numeric" | "verbal"
    unit: str  # "conversation" (one rating per phase conversation) | "turn"
    measures: str


TRACKS: dict[str, Track] = {
    "full": Track(
        "full",
        BENCHMARK_ORDER,
        "numeric",
        "conversation",
        "The paper's task: one 1-10 intensity per phase conversation, six per client, scored "
        "per client against the planned trajectory. SUDS is stated as numbers, so a rater that "
        "extracts numbers does well: kept for continuity.",
    ),
    "masked": Track(
        "masked",
        BENCHMARK_ORDER,
        "verbal",
        "conversation",
        "The same clients and trajectories with SUDS described in words, never as numbers: the "
        "rater has to read how the client talks about distress.",
    ),
    "turn": Track(
        "turn",
        EXPOSURE_PHASES,
        "verbal",
        "turn",
        "Turn-level intensity inside imaginal exposure (P10, P6, P7), masked style: one 1-10 "
        "rating per marked client turn, scored per conversation (Pearson and RMSE over turns).",
    ),
}

SPLITS: tuple[str, ...] = ("dev", "test")


def get_track(name: str) -> Track:
    """The track called ``name``; InputError naming the choices otherwise."""
    try:
        return TRACKS[name]
    except KeyError:
        raise InputError(
            f"unknown track {name!r} (tracks are {', '.join(TRACKS)})", field="--track"
        ) from None
