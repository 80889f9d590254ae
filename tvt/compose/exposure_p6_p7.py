"""P6 (SUDS monitoring during exposure) and P7 (reinforcement during exposure). The shared
planning and rendering lives in :mod:`tvt.compose.exposure`; P6's client turns are P10's.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tvt.compose.bank import client_bank
from tvt.compose.dialogue import Dialogue
from tvt.compose.exposure import (
    SENSE_KINDS,
    Unit,
    _beat,
    _fit,
    _fresh,
    _narrate,
    _render,
    _senses,
    _thought_line,
)
from tvt.compose.exposure_p10 import _p10_client
from tvt.compose.length import turn_count
from tvt.plan import hotspot_work


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
        d.t(
            "instruction",
            "final" if d.came_down else "final_high",
            level,
            n=history[-1],
            top=max(history),
        )
    elif prev and pk == "suds" and prev[1] == "start":
        d.t("instruction", "begin", level, n=history[-1])
    elif kind == "beat" and arg[2] == "restart":
        # A new retelling or the slowed hot spot is asked for, even right after a SUDS
        # check: a second pass that starts unprompted reads as a story that loops.
        d.t("instruction", "restart", level)
    elif kind == "slow" and arg[1] == "begin":
        d.t("instruction", "slow_begin", level)
    elif prev and pk == "suds":
        last, before = history[-1], history[-2]
        # The therapist follows the way the client said the number moved (a point or two is
        # "about the same" to both; "Rising to 65" after "Roughly the same, 65" contradicts).
        direction = d.suds_dir if d.suds_dir in ("peak", "up", "down", "same", "near") else "same"
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


@cache
def _late_struggles() -> dict[str, list[str]]:
    """The struggle lines that do not put the hot spot ahead of the client."""
    return {
        kind: [x for x in lines if "{hotspot_c}" not in x] or lines
        for kind, lines in client_bank()["common"]["struggle"].items()
    }


def _p7_text(d: Dialogue, name: str, p: int) -> str:
    if name == "slow":
        return _fresh(d, d.nar.slow, p)
    return _beat(d, name, p)


def _returns_to_hotspot(unit: Unit, prev: Unit | None) -> bool:
    """Whether the client's next unit goes back to the hot spot from its aftermath: the
    therapist asks for that return, or the story reads as looping rather than hot-spot work."""
    if prev is None or prev[0] not in ("beat", "struggle") or unit[0] not in ("beat", "struggle"):
        return False
    return bool(prev[1][0] == "aftermath" and unit[1][0] in ("hotspot", "slow"))


def _p7_therapist(d: Dialogue, unit: Unit, prev: Unit | None, level: float, *_: Any) -> None:
    kind, arg = unit
    struggled = prev is not None and prev[0] == "struggle"
    asked = d.struggle_asked() if struggled else ""
    if kind == "suds":
        pool = {"start": "suds_start", "end": "suds_end"}.get(arg, "suds_request")
        # A SUDS check right after a struggle first answers it; the last check, which ends
        # the retelling, answers it as done ("You didn't skip it.", never "Let's not skip it.
        # We'll stop there.").
        d.ack_due = (("end_" if arg == "end" else "") + asked) if asked else None
        d.t("suds_request", pool, level)
    elif prev and prev[0] == "suds" and prev[1] == "start":
        d.t("instruction", "begin", level)
    elif _returns_to_hotspot(unit, prev):
        # Back from the aftermath to the hot spot: the therapist asks for it, slowly.
        d.ack_due = asked or None
        d.t("prompt", "slow_begin", level)
    elif struggled:
        d.t("reinforcement", "reinforce_" + asked, level)
    elif kind == "final":
        d.t("instruction", "final" if d.came_down else "final_high", level)
    elif d.rng.random() < 0.75:
        d.t("reinforcement", "reinforce", level)
    else:
        d.t("prompt", "prompt", level)


def _p7_client(d: Dialogue, unit: Unit, level: float) -> None:
    kind, arg = unit
    if kind == "struggle":
        d.struggle_kind = d.pick.pick(_struggle_kinds())
        # At the worst moment or after it, it is no longer ahead: "I want to open my eyes
        # before that moment" said at it reads as a splice.
        late = d.story_at in ("hot", "after") or arg[0] in ("hotspot", "slow", "aftermath")
        pools = _late_struggles() if late else d.ccommon["struggle"]
        struggle = d.line(pools[d.struggle_kind])
        text = _p7_text(d, *arg)
        # The struggle is the news of this turn, with the beat it struggles with, and one of:
        # what holds the client in the scene (now and then with what goes through their mind),
        # how it feels, or the thought they are pushing through.
        r = d.rng.random()
        if r < 0.4:
            extra = f" {d.sensory(d.pick.choice(SENSE_KINDS[:4]))}"
            if d.rng.random() < 0.35:
                # What goes through the client's mind as they push on.
                extra = f"{extra} {_thought_line(d)}".rstrip()
        elif r < 0.75:
            extra = f" {d.reaction(level)}"
        else:
            extra = f" {_thought_line(d)}".rstrip()
        if arg[0] == "hotspot" and d.rng.random() < 0.6:
            # At the hot spot itself: what went through the client's mind right then.
            mind = d.line(d.ccommon["hotspot_mind"])
            if not d.already_said(mind):
                extra = f"{extra} {mind}"
        if d.rng.random() < 0.5 and len(text.split()) < 30:
            # A long beat goes after the struggle: a turn cut to length loses its last
            # sentences, and the struggle is what the therapist answers.
            out = f"{d.hesitate(level, text)}{extra} {struggle}"
        else:
            out = f"{d.hesitate(level, struggle)} {text}{extra}"
        d.c("struggle", out, level)
    elif kind == "beat":
        # Reinforced, the client takes in a little more of the scene than in a first retelling.
        text = _narrate(d, _p7_text(d, arg[0], arg[1]), level, sensory=0.85, beat=arg[0], more=0.9)
        if arg[0] in ("hotspot", "aftermath") and d.rng.random() < 0.85:
            # At the hot spot the client says what was going through their mind right then,
            # once the therapist's praise has kept them in the scene ("Right then I'm sure this
            # is how it ends" is of the worst moment, never of the rescue after it).
            mind = d.line(d.ccommon["hotspot_mind"])
            if arg[0] == "hotspot" and not d.already_said(mind):
                text = f"{text} {mind}"
        d.c("narration", text, level)
    elif kind == "final":
        tail = d.line(d.ccommon["final_tail"])
        d.c("response", f"{d.line(d.cpool('final'))} {tail} {d.after(level)}", level)


def compose_p7(d: Dialogue) -> None:
    """Reinforcement during exposure: the client struggles, the therapist's brief praise answers it."""
    d.offset = d.rng.integer(0, 5)
    n = turn_count("P7", d.rng)
    units = _p7_units(d, n // 2)
    _render(d, units, n, _p7_therapist, _p7_client)
