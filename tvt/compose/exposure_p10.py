"""P10, full imaginal exposure: eyes closed, a present-tense retelling of the memory, repeated,
with the hotspot in slow motion. The shared planning and rendering lives in
:mod:`tvt.compose.exposure`.
"""

from __future__ import annotations

from typing import Any

from tvt.compose.dialogue import Dialogue
from tvt.compose.exposure import (
    Unit,
    _beat,
    _client_sense,
    _fit,
    _fresh,
    _narrate,
    _render,
    _senses,
    _thought,
)
from tvt.compose.length import turn_count
from tvt.plan import hotspot_work


# -- P10 -------------------------------------------------------------------------------------
def _p10_units(d: Dialogue, k: int) -> list[Unit]:
    profile = d.case["client_profile"]
    s = _senses(d)
    dissociates = "dissociation" in profile["exhibited_behaviors"]
    # A dissociating client drifts off after the approach; the slip comes later then.
    # The slip is followed by a sensory or thought unit, which the present-tense reminder opens.
    # A slip into the past tense happens in some retellings, not by script; it is followed by a
    # sensory or thought unit, which the present-tense reminder opens.
    slips = d.rng.random() < (0.7 if dissociates else 0.4)
    slip_at = (
        ("escalation" if dissociates else d.pick.choice(("approach", "escalation")))
        if slips
        else ""
    )
    pass1: list[Unit] = [("beat", ("approach", 0, "slip" if slip_at == "approach" else ""))]
    if dissociates:
        pass1 += [("detach", None), ("sense", "sight")]
    else:
        pass1 += [("sense", s[0])]
    pass1 += [
        ("beat", ("onset", 0, "reinforce")),
        ("suds", "mid"),
        ("beat", ("escalation", 0, "slip" if slip_at == "escalation" else "")),
        ("thought", None) if d.rng.random() < 0.5 else ("sense", s[1]),
        ("beat", ("hotspot", 0, "")),
        ("suds", "peak"),
    ]
    lost = lost_contact(d)
    if lost:
        # The client loses contact with the room (over-engaged or dissociating); only then
        # does the therapist ground them, and then goes back into the memory.
        pass1 += [("lost", lost), ("ground", None)]
    else:
        pass1 += [("sense", s[3])]
    pass1 += [
        ("beat", ("aftermath", 0, "")),
        ("sense", s[2]),
        ("suds", "mid"),
    ]
    middle = list(pass1)
    p = 1
    hotspots = hotspot_work(d.case, d.phase)
    while len(middle) < k:
        middle += [
            ("beat", ("opening", p, "restart")),
            ("beat", ("approach", p, "")),
            ("sense", s[(p + 2) % 5]),
            ("beat", ("onset", p, "")),
            ("beat", ("escalation", p, "")),
            ("suds", "mid"),
            ("beat", ("hotspot", p, "")),
            ("sense", "body"),
            ("suds", "mid"),
            ("beat", ("aftermath", p, "")),
        ]
        if hotspots:
            # A later imaginal session: the hot spot in slow motion after a full retelling.
            middle += [
                ("slow", (0, "begin")),
                ("slow", (1, "")),
                ("thought", None),
                ("slow", (2, "")),
                ("suds", "mid"),
                ("sense", s[(p + 3) % 5]),
                ("slow", (3, "")),
            ]
        else:
            # The first exposures: the whole memory again, as many times as fits.
            middle += [("thought", None), ("sense", s[(p + 3) % 5])]
        p += 1
    head: list[Unit] = [("suds", "start"), ("beat", ("opening", 0, "begin"))]
    tail: list[Unit] = [("suds", "end"), ("final", None)]
    return head + _fit(middle, k - len(head) - len(tail)) + tail


def lost_contact(d: Dialogue) -> str:
    """Whether (and how) the client loses contact with the room at the peak of this exposure:
    ``"over"`` (over-engaged: it is happening now), ``"away"`` (dissociating), or ``""``.

    Rare by design (a P10 grounds in well under 15 % of clients): grounding cuts exposure off at
    its peak, so it belongs only where the client cannot stay in the room.
    """
    profile = d.case["client_profile"]
    peak = d.case["plan"]["suds"][d.phase]["peak"]
    r = d.rng.random()
    if "dissociation" in profile["exhibited_behaviors"] and r < 0.25:
        return "away"
    if peak >= 90 and r < 0.2:
        return "over"
    return ""


def _p10_therapist(d: Dialogue, unit: Unit, prev: Unit | None, level: float, *_: Any) -> None:
    kind, arg = unit
    pk = prev[0] if prev else None
    if kind == "suds":
        pool = {"start": "suds_start", "end": "suds_end"}.get(arg, "suds_request")
        d.t("suds_request", pool, level)
    elif pk == "beat" and prev and prev[1][2] == "slip":
        d.t("present_tense", "present_tense", level)
    elif pk == "detach":
        d.t("sensory_prompt", "reengage", level)
    elif pk == "ground":
        d.t("instruction", "return", level)
    elif kind == "beat" and arg[2] in ("begin", "restart"):
        d.t("instruction", arg[2], level)
    elif kind == "slow" and arg[1] == "begin":
        d.t("instruction", "slow_begin", level)
    elif kind == "slow":
        d.t("prompt", "slow_prompt", level)
    elif kind == "sense":
        d.t("sensory_prompt", "sense_" + arg, level)
    elif kind == "thought":
        d.t("sensory_prompt", "thought", level)
    elif kind == "ground":
        d.t("grounding", "grounding", level)
    elif kind == "lost":
        d.t("prompt", "prompt", level)
    elif kind == "final":
        # Still high at the end: the therapist says so and names the work done, rather than
        # only "Let it go for now" after a 99.
        d.t("instruction", "final" if d.came_down else "final_high", level)
    elif (kind == "beat" and arg[2] == "reinforce") or d.rng.random() < 0.3:
        d.t("reinforcement", "reinforce", level)
    else:
        d.t("prompt", "prompt", level)


def _p10_client(d: Dialogue, unit: Unit, level: float) -> None:
    kind, arg = unit
    if kind == "beat":
        name, p, flag = arg
        text = _beat(d, name, p)
        if flag == "slip":
            slip = d.line(d.ccommon["slip"])
            d.c("narration", f"{d.hesitate(level, text)} {slip}", level)
        else:
            # The opening happens before the scene proper (at home, on the way, waiting) and the
            # aftermath often after it (the rescue, the hospital), so neither takes a scene
            # detail: "the stiff hospital sheet" does not belong at home.
            text = _narrate(d, text, level, beat=name)
            if name == "hotspot" and d.rng.random() < 0.85:
                # At the worst moment the client says what went through their mind right then.
                mind = d.line(d.ccommon["hotspot_mind"])
                if not d.already_said(mind):
                    text = f"{text} {mind}"
            d.c("narration", text, level)
    elif kind == "slow":
        text = _fresh(d, d.nar.slow, arg[0])
        d.c("narration", _narrate(d, text, level, sensory=0.55), level)
    elif kind == "sense":
        d.c("sensory_detail", _client_sense(d, arg, level), level)
    elif kind == "thought":
        d.c("thought", _thought(d, level), level)
    elif kind == "ground":
        text = f"{d.line(d.ccommon['grounding'])} {d.line(d.ccommon['grounding_tail'])}"
        d.c("grounding_response", f"{text} {d.body(level - 1)}", level)
    elif kind == "lost":
        d.c("struggle", d.hesitate(level, d.line(d.ccommon["lost_contact"][arg])), level)
    elif kind == "detach":
        d.c("detachment", d.hesitate(level, d.line(d.ccommon["detach"])), level)
    elif kind == "final":
        tail = d.line(d.ccommon["final_tail"])
        pool = d.cpool("final") if d.came_down else d.cb.get("final_high") or d.cpool("final")
        d.c("response", f"{d.line(pool)} {tail} {d.after(level)}", level)


def compose_p10(d: Dialogue) -> None:
    """Full imaginal exposure: eyes closed, present-tense retelling, repeated, hotspot in slow motion."""
    d.offset = d.rng.integer(0, 5)
    n = turn_count("P10", d.rng)
    units = _p10_units(d, n // 2)
    _render(d, units, n, _p10_therapist, _p10_client)
