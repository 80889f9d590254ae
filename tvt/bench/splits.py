"""Build a split of a track in memory: labelled conversations, text-only inputs, reference.

Everything is a pure function of (track, seed, clients, preset) and the tvt versions, so a split
regenerated from a revealed seed is byte-identical to the one that was rated.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from tvt.bench.inputs import input_record, inputs_sha256, inputs_text
from tvt.bench.tracks import Track
from tvt.jsonio import dumps
from tvt.records import BenchReference, Case, Conversation, InputRecord, TurnReference


@cache
def composer_takes_suds_style() -> bool:
    """Whether the composer accepts ``suds_style`` (``numeric`` | ``verbal``)."""
    from tvt.compose import compose_client

    return "suds_style" in inspect.signature(compose_client).parameters


def compose(case: Case, seed: int, phases: Sequence[str], suds_style: str) -> list[Conversation]:
    """The composer's conversations, passing ``suds_style`` only where the composer accepts it.

    A composer without SUDS styles can only write numeric SUDS; the masked tracks then carry
    numbers, which :func:`suds_style_applied` reports and the tests catch.
    """
    from tvt.compose import compose_client

    if composer_takes_suds_style():
        return compose_client(case, seed, phases, suds_style=suds_style)
    return compose_client(case, seed, phases)


def suds_style_applied(suds_style: str) -> bool:
    return suds_style == "numeric" or composer_takes_suds_style()


@dataclass
class Split:
    """One generated split: the labelled conversations, what the rater sees, and the answer key."""

    track: Track
    seed: int
    clients: int
    preset: str
    conversations: list[Conversation] = field(repr=False)
    inputs: list[InputRecord] = field(repr=False)
    reference: list[BenchReference] = field(repr=False)

    @property
    def inputs_sha256(self) -> str:
        return inputs_sha256(self.inputs)

    def inputs_text(self) -> str:
        return inputs_text(self.inputs)

    def reference_text(self) -> str:
        return "".join(dumps(r) + "\n" for r in self.reference)


def turn_reference(conversation: Conversation) -> TurnReference:
    """The turn-track reference line of one labelled exposure conversation."""
    idx: list[int] = []
    values: list[float] = []
    for i, t in enumerate(conversation["turns"]):
        if t["speaker"] == "client" and t["text"].strip():
            idx.append(i)
            values.append(t["intensity"])
    return {
        "client_id": conversation["client_id"],
        "phase": conversation["phase"],
        "turns": idx,
        "intensities": values,
        "source": "composer",
    }


def build_split(track: Track, seed: int, clients: int, preset: str = "default") -> Split:
    """Generate clients ``1..clients`` of ``track`` from ``seed`` (no files written)."""
    from tvt.config import load_config
    from tvt.pipeline import planned_cases
    from tvt.plan import reference_record

    config = load_config(preset)
    convs: list[Conversation] = []
    refs: list[BenchReference] = []
    turn_track = track.unit == "turn"
    for case in planned_cases(config, seed, clients):
        these = compose(case, seed, track.phases, track.suds_style)
        convs.extend(these)
        if turn_track:
            refs.extend(turn_reference(c) for c in these)
        else:
            ref = reference_record(case)
            ref["trajectory"] = {p: ref["trajectory"][p] for p in track.phases}
            refs.append(ref)
    inputs = [input_record(c, mark_client_turns=turn_track) for c in convs]
    return Split(track, seed, clients, preset, convs, inputs, refs)
