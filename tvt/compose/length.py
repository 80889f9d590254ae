"""How long a conversation is: the number of turns of each phase, drawn around the release's
means (the paper's figures, ``seeds/paper.json``)."""

from __future__ import annotations

from tvt.paper import paper
from tvt.rng import Stream

#: Mean turns per phase in the release and the spread we sample around it.
TURN_MEANS: dict[str, float] = paper().turns_per_conversation
TURN_SD = 0.1


def turn_count(phase: str, rng: Stream) -> int:
    """Number of turns of one conversation: normal around the release mean, within +-25 %."""
    mean = TURN_MEANS[phase]
    n = round(rng.normal(mean, TURN_SD * mean))
    return int(min(round(1.25 * mean), max(round(0.75 * mean), n)))
