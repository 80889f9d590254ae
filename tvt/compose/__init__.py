"""The offline composer: six clinically structured PE phase conversations per client.

Public interface (used by :mod:`tvt.pipeline` and the LLM backend):

- :data:`COMPOSER_VERSION` - goes into the manifest; bumped whenever the output changes.
- :func:`compose_client` - the conversations of one client for the given phases.
- :func:`narrative_facts` - the client's narrative as short named facts.

How it works is described in docs/composer.md; the phrase banks and narrative beats are data in
seeds/compose/.
"""

from __future__ import annotations

from collections.abc import Sequence

from tvt.compose.acts import ACTS, CLIENT_ACTS, REQUIRED_ACTS, THERAPIST_ACTS
from tvt.compose.dialogue import SUDS_STYLES, Dialogue
from tvt.compose.exposure_p6_p7 import compose_p6, compose_p7
from tvt.compose.exposure_p10 import compose_p10
from tvt.compose.narrative import Narrative, build_narrative
from tvt.compose.risk import risk_phase
from tvt.compose.talk_p5 import compose_p5
from tvt.compose.talk_p8 import compose_p8
from tvt.compose.talk_p11 import compose_p11
from tvt.records import Case, Conversation

__all__ = [
    "ACTS",
    "CLIENT_ACTS",
    "COMPOSER_VERSION",
    "REQUIRED_ACTS",
    "SUDS_STYLES",
    "THERAPIST_ACTS",
    "compose_client",
    "narrative_facts",
]

COMPOSER_VERSION = "3.5"

_PHASES = {
    "P5": compose_p5,
    "P10": compose_p10,
    "P6": compose_p6,
    "P7": compose_p7,
    "P8": compose_p8,
    "P11": compose_p11,
}


def compose_phase(
    case: Case, seed: int, phase: str, nar: Narrative, suds_style: str = "numeric"
) -> Conversation:
    """One phase conversation of one client, drawn from the client's narrative ``nar``."""
    dialogue = Dialogue(case, phase, nar, seed, suds_style)
    _PHASES[phase](dialogue)
    conv: Conversation = {
        "client_id": case["client_id"],
        "phase": phase,
        "turns": dialogue.turns,
        "source": "offline",
    }
    if dialogue.risk_done:
        conv["risk_moment"] = True
    return conv


def compose_client(
    case: Case,
    seed: int,
    phases: Sequence[str],
    suds_style: str = "numeric",
    risk_share: float | None = None,
) -> list[Conversation]:
    """The conversations of one planned case for ``phases``, in the given order.

    ``suds_style="numeric"`` has SUDS spoken as numbers 0-100; ``"verbal"`` has them spoken in
    words only ("it's the worst it's been", "how strong is it now?"). Either way each turn's
    ``suds`` field carries the planned number. ``risk_share`` is the share of clients with a
    risk moment (default seeds/compose/risk.json, about 5 %; 0 for none); the conversation with
    one carries ``"risk_moment": true`` and its therapist turns the act ``risk_assessment``.

    Every random choice comes from streams keyed by (seed, client_id, purpose): the narrative
    from ``narrative`` and each phase from ``compose:<phase>``. So client k's output never depends
    on how many clients are generated, nor on which other phases are requested.
    """
    unknown = [p for p in phases if p not in _PHASES]
    if unknown:
        raise ValueError(f"unknown phase {unknown[0]!r}")
    if suds_style not in SUDS_STYLES:
        raise ValueError(f"unknown suds_style {suds_style!r} (use numeric or verbal)")
    nar = build_narrative(case, seed)
    nar.risk_phase = risk_phase(case, seed, risk_share)
    return [compose_phase(case, seed, phase, nar, suds_style) for phase in phases]


def narrative_facts(case: Case, seed: int) -> dict[str, str]:
    """The client's narrative as short named facts, identical to what the conversations use.

    Keys: ``when``, ``setting``, ``people``, ``sensory_sight``, ``sensory_sound``,
    ``sensory_smell``, ``sensory_touch``, ``hotspot``, ``aftermath``, ``narration_start``,
    ``belief``, ``balanced_view``, ``avoided_reminders``, ``home``, ``work``,
    ``homework_in_vivo``, one ``behaviour_<name>`` per exhibited behaviour and
    ``condition_<name>`` when there is a co-occurring condition.
    """
    return dict(build_narrative(case, seed).facts)
