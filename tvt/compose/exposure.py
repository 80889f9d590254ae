"""The phases that happen during imaginal exposure: P10 (full imaginal exposure), P6 (SUDS
monitoring) and P7 (reinforcement during exposure).

Each is planned as a list of client *units* (a narrative beat, a sensory detail, a SUDS report,
a grounding response, ...). The therapist turn before each unit follows from the unit and from
what the client just did (a slip into the past tense gets a present-tense reminder, a SUDS rise
gets an empathic response, a struggle gets reinforcement that answers it). SUDS values and turn
intensities are then laid on the planned arc: rise, peak at the hotspot, partial habituation.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tvt.compose.bank import client_bank
from tvt.compose.dialogue import Dialogue, _lower_first, turn_count
from tvt.compose.suds import arc_level, stated_values
from tvt.plan import hotspot_work

Unit = tuple[str, Any]

SENSE_KINDS = ("sight", "sound", "smell", "touch", "body")


def _senses(d: Dialogue) -> list[str]:
    order = list(SENSE_KINDS)
    idx = d.rng.distinct(len(order), len(order))
    return [order[i] for i in idx]


def _arc(d: Dialogue, units: list[Unit]) -> tuple[list[float], dict[int, int]]:
    """Turn levels (0-10) along the planned SUDS arc and the values stated at each check."""
    target = d.case["plan"]["suds"][d.phase]
    k = len(units)
    pos = [i / (k - 1) for i in range(k)]
    checks = [i for i, u in enumerate(units) if u[0] == "suds"]
    peak_j = next(j for j, i in enumerate(checks) if units[i][1] == "peak")
    values = stated_values([pos[i] for i in checks], peak_j, target, d.rng)
    hot = pos[checks[peak_j]]
    levels = [arc_level(p, hot, target["start"], target["peak"], target["end"]) / 10 for p in pos]
    stated = {}
    for i, v in zip(checks, values, strict=True):
        levels[i] = v / 10
        stated[i] = v
    return levels, stated


def _fit(middle: list[Unit], size: int) -> list[Unit]:
    """Cut the middle units to ``size`` without leaving a SUDS check right before the last one."""
    out = middle[:size]
    if out and out[-1][0] == "suds" and out[-1][1] != "peak":
        # Skip this check and take the next unit that is not a check instead.
        nxt = next((u for u in middle[size:] if u[0] != "suds"), None)
        out[-1] = nxt if nxt is not None else out[-2]
    return out


def _beat(d: Dialogue, name: str, p: int) -> str:
    """The beat's next variant the client has not said yet in this conversation; once all are
    said, the retelling marks itself as one ("Again, I hear the lock click.")."""
    return _fresh(d, d.nar.beats[name], p + d.offset)


def _fresh(d: Dialogue, variants: list[str], start: int) -> str:
    for k in range(len(variants)):
        text = variants[(start + k) % len(variants)]
        if not d.already_said(text):
            return text
    return f"{d.pick.pick(_AGAIN)} {_lower_first(variants[start % len(variants)])}"


_AGAIN = ("Again,", "And again", "Same as before,", "Once more,", "Then again,")


def _narrate(d: Dialogue, text: str, level: float, sensory: float = 0.85) -> str:
    """A narration turn: (hesitation) + the beat + (a sensory detail) + (an aside) + (a reaction).

    The optional parts vary the shape of the turns so that a long retelling does not fall into
    one rhythm.
    """
    parts = [d.hesitate(level, text)]
    if d.rng.random() < sensory:
        first = d.pick.choice(SENSE_KINDS[:4])
        parts.append(d.sensory(first))
        if d.rng.random() < 0.25:
            parts.append(d.sensory(SENSE_KINDS[(SENSE_KINDS.index(first) + 1) % 4]))
    r = d.rng.random()
    if r < 0.25:
        parts.append(d.aside(level))
    elif r < 0.4:
        parts.append(d.line(d.ccommon["thought_stem"], {"thought": d.pick.pick(d.nar.thoughts)}))
    if d.rng.random() < 0.9:
        parts.append(d.reaction(level))
    return " ".join(parts)


def _client_sense(d: Dialogue, kind: str, level: float) -> str:
    if kind == "body":
        return f"{d.hesitate(level, d.body(level))} {d.body(level)} {d.feeling(level)}"
    text = d.sensory(kind)
    if d.rng.random() < 0.7:
        other = SENSE_KINDS[(SENSE_KINDS.index(kind) + 1) % 4]
        text = f"{text} {d.sensory(other)}"
    # What the detail sets off in the mind, as people do when they describe a scene.
    if d.rng.random() < 0.35:
        text = (
            f"{text} {d.line(d.ccommon['thought_stem'], {'thought': d.pick.pick(d.nar.thoughts)})}"
        )
    return f"{d.hesitate(level, text)} {d.reaction(level)}"


def _thought(d: Dialogue, level: float) -> str:
    thought = d.pick.pick(d.nar.thoughts)
    stem = d.line(d.ccommon["thought_stem"], {"thought": thought})
    # The thought comes with what the client is perceiving as it forms.
    scene = f" {d.sensory(d.pick.choice(SENSE_KINDS[:4]))}" if d.rng.random() < 0.7 else ""
    return f"{stem}{scene} {d.reaction(level)}"


def _direction(prev: int | None, value: int, is_peak: bool) -> str:
    if prev is None:
        return "first"
    if is_peak and value > prev:
        return "peak"
    return "up" if value > prev else "down" if value < prev else "same"


def _render(
    d: Dialogue, units: list[Unit], n_turns: int, therapist_for: Any, client_for: Any
) -> None:
    levels, stated = _arc(d, units)
    prev_unit: Unit | None = None
    history: list[int] = []
    for i, unit in enumerate(units):
        level = levels[i]
        kind, arg = unit
        if kind == "beat" and arg[0] in ("opening", "approach"):
            d.after_hotspot = False
        elif kind == "slow" or (
            kind in ("beat", "struggle") and arg[0] in ("hotspot", "aftermath", "slow")
        ):
            d.after_hotspot = True
        therapist_for(d, unit, prev_unit, level, history)
        if unit[0] == "suds":
            value = stated[i]
            direction = _direction(history[-1] if history else None, value, unit[1] == "peak")
            d.c("suds_report", d.suds_text(value, direction, level, scene=True), level, suds=value)
            history.append(value)
        else:
            client_for(d, unit, level)
        prev_unit = unit
    if n_turns % 2:
        d.t("closing", "closing", levels[-1])


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
        d.t("instruction", "final", level)
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
            # The opening happens before the scene proper (at home, on the way, waiting), so it
            # takes no scene detail: "the stiff hospital sheet" does not belong at home.
            sensory = 0.0 if name == "opening" else 0.85
            d.c("narration", _narrate(d, text, level, sensory=sensory), level)
    elif kind == "slow":
        text = _fresh(d, d.nar.slow, arg[0])
        d.c("narration", _narrate(d, text, level, sensory=0.5), level)
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
        d.c("response", f"{d.line(d.cpool('final'))} {tail} {d.after(level)}", level)


def compose_p10(d: Dialogue) -> None:
    """Full imaginal exposure: eyes closed, present-tense retelling, repeated, hotspot in slow motion."""
    d.offset = d.rng.integer(0, 5)
    n = turn_count("P10", d.rng)
    units = _p10_units(d, n // 2)
    _render(d, units, n, _p10_therapist, _p10_client)


# -- P6 --------------------------------------------------------------------------------------
def _p6_units(d: Dialogue, k: int) -> list[Unit]:
    s = _senses(d)
    middle: list[Unit] = [
        ("beat", ("opening", 1, "")),
        ("beat", ("approach", 1, "")),
        ("beat", ("onset", 1, "")),
        ("suds", "mid"),
        ("beat", ("escalation", 1, "")),
        ("beat", ("hotspot", 1, "")),
        ("suds", "peak"),
        ("beat", ("aftermath", 1, "")),
        ("sense", s[0]),
        ("suds", "mid"),
    ]
    p = 0
    hotspots = hotspot_work(d.case, d.phase)
    # SUDS every third or fourth client turn (about every five minutes of a real session).
    while len(middle) < k:
        if hotspots:
            middle += [
                ("slow", (p, "begin" if p == 0 else "")),
                ("sense", s[(p + 1) % 5]),
                ("thought", None),
                ("suds", "mid"),
                ("slow", (p + 1, "")),
                ("sense", s[(p + 2) % 5]),
                ("suds", "mid"),
            ]
        else:
            q = 2 + p // 2
            middle += [
                ("beat", ("opening", q, "restart")),
                ("beat", ("approach", q, "")),
                ("sense", s[(p + 1) % 5]),
                ("suds", "mid"),
                ("beat", ("onset", q, "")),
                ("beat", ("escalation", q, "")),
                ("beat", ("hotspot", q, "")),
                ("suds", "mid"),
                ("beat", ("aftermath", q, "")),
                ("thought", None),
            ]
        p += 2
    head: list[Unit] = [("suds", "start")]
    tail: list[Unit] = [("suds", "end"), ("final", None)]
    return head + _fit(middle, k - len(head) - len(tail)) + tail


def _p6_therapist(
    d: Dialogue, unit: Unit, prev: Unit | None, level: float, history: list[int]
) -> None:
    kind, arg = unit
    pk = prev[0] if prev else None
    if kind == "suds":
        pool = {"start": "suds_start", "end": "suds_end"}.get(arg, "suds_request")
        d.t("suds_request", pool, level)
    elif kind == "final":
        d.t("instruction", "final", level, n=history[-1])
    elif prev and pk == "suds" and prev[1] == "start":
        d.t("instruction", "begin", level, n=history[-1])
    elif prev and pk == "suds":
        last, before = history[-1], history[-2]
        if prev[1] == "peak" and last > before:
            direction = "peak"
        else:
            direction = "up" if last > before else "down" if last < before else "same"
        # The number itself is echoed now and then, not after every check.
        pool = "empathic_" + direction
        if d.pick.chance(0.65):
            pool += "_plain"
        d.t("empathic_response", pool, level, n=last, prev=before)
    elif kind == "beat" and arg[2] == "restart":
        d.t("instruction", "restart", level)
    elif kind == "slow" and arg[1] == "begin":
        d.t("instruction", "slow_begin", level)
    elif kind == "sense":
        d.t("sensory_prompt", "sense_" + arg, level)
    elif kind == "thought":
        d.t("sensory_prompt", "thought", level)
    elif kind == "final":
        d.t("instruction", "final", level)
    elif d.rng.random() < 0.3:
        d.t("reinforcement", "reinforce", level)
    else:
        d.t("prompt", "prompt", level)


def compose_p6(d: Dialogue) -> None:
    """SUDS monitoring during exposure: frequent checks, empathic responses to each change."""
    d.offset = d.rng.integer(0, 5)
    n = turn_count("P6", d.rng)
    units = _p6_units(d, n // 2)
    _render(d, units, n, _p6_therapist, _p10_client)


# -- P7 --------------------------------------------------------------------------------------
def _p7_units(d: Dialogue, k: int) -> list[Unit]:
    hotspots = hotspot_work(d.case, d.phase)
    middle: list[Unit] = [
        ("beat", ("opening", 2, "")),
        ("struggle", ("approach", 2)),
        ("beat", ("onset", 2, "")),
        ("struggle", ("escalation", 2)),
        ("struggle", ("hotspot", 2)),
        ("suds", "peak"),
        ("beat", ("aftermath", 2, "")),
        ("struggle", ("slow", 0) if hotspots else ("aftermath", 3)),
    ]
    p = 1
    while len(middle) < k:
        if hotspots:
            middle += [
                ("beat", ("slow", p)),
                ("struggle", ("slow", p + 1)),
                ("suds", "mid"),
                ("beat", ("hotspot", p + 2)),
                ("struggle", ("aftermath", p + 2)),
                ("beat", ("slow", p + 2)),
            ]
        else:
            middle += [
                ("beat", ("approach", p + 2)),
                ("struggle", ("onset", p + 2)),
                ("suds", "mid"),
                ("beat", ("escalation", p + 2)),
                ("struggle", ("hotspot", p + 2)),
                ("beat", ("aftermath", p + 2)),
            ]
        p += 3
    head: list[Unit] = [("suds", "start")]
    tail: list[Unit] = [("suds", "end"), ("final", None)]
    return head + _fit(middle, k - len(head) - len(tail)) + tail


@cache
def _struggle_kinds() -> tuple[str, ...]:
    return tuple(sorted(client_bank()["common"]["struggle"]))


def _p7_text(d: Dialogue, name: str, p: int) -> str:
    if name == "slow":
        return _fresh(d, d.nar.slow, p)
    return _beat(d, name, p)


def _p7_therapist(d: Dialogue, unit: Unit, prev: Unit | None, level: float, *_: Any) -> None:
    kind, arg = unit
    if kind == "suds":
        pool = {"start": "suds_start", "end": "suds_end"}.get(arg, "suds_request")
        d.t("suds_request", pool, level)
    elif prev and prev[0] == "suds" and prev[1] == "start":
        d.t("instruction", "begin", level)
    elif prev and prev[0] == "struggle":
        d.t("reinforcement", "reinforce_" + d.struggle_kind, level)
    elif kind == "final":
        d.t("instruction", "final", level)
    elif d.rng.random() < 0.75:
        d.t("reinforcement", "reinforce", level)
    else:
        d.t("prompt", "prompt", level)


def _p7_client(d: Dialogue, unit: Unit, level: float) -> None:
    kind, arg = unit
    if kind == "struggle":
        d.struggle_kind = d.pick.pick(_struggle_kinds())
        struggle = d.line(d.ccommon["struggle"][d.struggle_kind])
        text = _p7_text(d, *arg)
        # What holds the client in the scene while they struggle with it.
        scene = f" {d.sensory(d.pick.choice(SENSE_KINDS[:4]))}" if d.rng.random() < 0.35 else ""
        if d.rng.random() < 0.5:
            out = f"{d.hesitate(level, text)}{scene} {struggle} {d.body(level)}"
        else:
            out = f"{d.hesitate(level, struggle)} {text}{scene} {d.feeling(level)}"
        d.c("struggle", out, level)
    elif kind == "beat":
        d.c("narration", _narrate(d, _p7_text(d, arg[0], arg[1]), level), level)
    elif kind == "final":
        tail = d.line(d.ccommon["final_tail"])
        d.c("response", f"{d.line(d.cpool('final'))} {tail} {d.after(level)}", level)


def compose_p7(d: Dialogue) -> None:
    """Reinforcement during exposure: the client struggles, the therapist's brief praise answers it."""
    d.offset = d.rng.integer(0, 5)
    n = turn_count("P7", d.rng)
    units = _p7_units(d, n // 2)
    _render(d, units, n, _p7_therapist, _p7_client)
