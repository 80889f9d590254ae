"""How long a conversation is: the number of turns of each phase, drawn around the release's
means (the paper's figures, ``seeds/paper.json``)."""

from __future__ import annotations

from collections.abc import Sequence

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


#: Longest client turn the composer writes, in words, before the voice's asides are added.
MAX_CLIENT_WORDS = 75
#: Shorter caps where the therapist checks in often (P6 SUDS checks, P7 brief reinforcement)
#: or asks many small questions (P5, P8): a talkative voice would otherwise average 50+ words.
MAX_WORDS = {"P5": 65, "P6": 65, "P7": 60, "P8": 60}


#: A conversation whose client turns average more than ``TALKATIVE_AVERAGE`` words after
#: ``TALKATIVE_TURNS`` turns keeps its next turns to ``TALKATIVE_CAP`` words: a talkative voice
#: drawing long turns again and again could otherwise average more than 50 words a turn over a
#: phase (seed 130, client 548, P6: 50.75), which no conversation of the release does. The
#: trigger is late and high, so that only such runaway conversations are touched.
TALKATIVE_TURNS = 10
TALKATIVE_AVERAGE = 49
TALKATIVE_CAP = 42
#: P11 has about a dozen client turns and no cap of its own, so the trigger comes earlier there:
#: a P11 of long answers averaged 51.1 words a client turn (seed 586, client 4926).
TALKATIVE_TURNS_BY_PHASE = {"P11": 6}


def max_client_words(phase: str, spoken: Sequence[int] = ()) -> int:
    """The longest client turn of ``phase``, in words, before the voice's asides, given the
    lengths ``spoken`` of the client's earlier turns in this conversation."""
    most = MAX_WORDS.get(phase, MAX_CLIENT_WORDS)
    after = TALKATIVE_TURNS_BY_PHASE.get(phase, TALKATIVE_TURNS)
    if len(spoken) >= after and sum(spoken) > TALKATIVE_AVERAGE * len(spoken):
        return min(most, TALKATIVE_CAP)
    return most
