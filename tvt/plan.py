"""Per-client emotional trajectory plan.

For each client: an intensity 1-10 for every phase and SUDS targets 0-100 (start, peak, end) for
the phases that happen during imaginal exposure (P10, P6, P7). The average shape is the one PE
predicts (moderate orientation, peak during exposure and SUDS monitoring, tapering through
reinforcement, eliciting and processing); each client departs from it by documented profile rules
(seeds/plan.json, docs/methodology.md) and by chance from the client's own "plan" stream.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from tvt.phases import EXPOSURE_PHASES
from tvt.records import Case, PhaseSuds, Plan, ReferenceRow, SudsCourse
from tvt.resources import load_seed_json
from tvt.rng import Stream


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def suds_intensity(start: int, peak: int, end: int) -> int:
    """Phase intensity that agrees with its SUDS targets: the mean SUDS / 10, rounded, in 1-10."""
    return int(_clip(round((start + peak + end) / 30), 1, 10))


#: How often each within-session SUDS course is planned (tvt.compose.suds.COURSES). The hot-spot
#: arc is the textbook course; the others are the ways real exposures depart from it, so that the
#: turn-by-turn course cannot be told from the turn's position and has to be read. The weights
#: and ranges below are chosen so that the peak falls anywhere in the session, including its first
#: check (the dread before the retelling is the worst of it) and its last (distress that has not
#: come down when the session ends), and so that no shape is typical.
COURSE_WEIGHTS: dict[str, float] = {
    "hotspot": 0.08,
    "early": 0.15,
    "late": 0.17,
    "two-peaks": 0.12,
    "plateau": 0.08,
    "no-come-down": 0.20,
    "rise-after-dip": 0.20,
}

#: A peak drawn closer than this to the session's first check is placed on it: the client comes
#: in at the worst of it (anticipatory distress), so the stated start is the peak.
AT_START = 0.12


def draw_course(
    s: PhaseSuds,
    rng: Stream,
    weights: dict[str, float] | None = None,
    dread: float = 0.0,
) -> SudsCourse:
    """Draw the session's SUDS course into ``s`` (``{"start", "peak", "end"}``) as ``s["course"]``.

    Positions are relative (0 = first client turn, 1 = last); the composer moves a peak onto the
    nearest hot spot of the retelling when one is close (tvt.compose.suds.course_knots), so the
    peak comes where the story does. The course may move start or end to keep its shape:

    - ``early``: peak at 0-0.3; at the very start (``at`` 0) the start *is* the peak;
    - ``late``: peak at 0.7-0.95;
    - ``two-peaks``: two peaks with a dip between; ``at`` is the higher one, ``first`` the other
      peak's level, which comes before it when ``at`` > 0.5 and after it otherwise;
    - ``plateau``: up by 0.1-0.35, then stays, sagging by ``sag`` before the end;
    - ``no-come-down``: climbs to its peak at 0.8-1 and ends within 6 points of it (at the peak
      itself when ``at`` is 1): the session ends without habituating;
    - ``rise-after-dip``: peak at 0-0.45, a dip 10-25 points below the end, then up again.

    ``dread`` (the profile's raise of the starting SUDS, e.g. anxiety) makes an early peak more
    likely to sit on the first check: anticipatory distress is what such a profile brings.
    """
    w = weights or COURSE_WEIGHTS
    kinds = list(w)
    u = rng.random() * sum(w.values())
    kind = kinds[-1]
    for k in kinds:
        if u < w[k]:
            kind = k
            break
        u -= w[k]
    start, peak, end = s["start"], s["peak"], s["end"]
    course: SudsCourse = {"kind": kind}
    if kind == "early":
        at = rng.uniform(0.0, 0.3)
        if at < AT_START + 0.02 * max(0.0, dread):
            at = 0.0
            s["start"] = peak
        course["at"] = round(at, 3)
    elif kind == "late":
        course["at"] = round(rng.uniform(0.7, 0.95), 3)
        # Little of the session is left after a late peak to come down in.
        s["end"] = int(round(_clip(peak - rng.uniform(3.0, 15.0), 0, peak)))
    elif kind == "two-peaks":
        higher_first = rng.random() < 0.5
        course["at"] = round(rng.uniform(0.15, 0.4) if higher_first else rng.uniform(0.65, 0.9), 3)
        other = _clip(peak - rng.uniform(3.0, 15.0), min(start, end), peak)
        course["first"] = round(other, 1)
        course["dip"] = round(_clip(min(start, end, other) - rng.uniform(0.0, 10.0), 0, other), 1)
    elif kind == "plateau":
        course["at"] = round(rng.uniform(0.1, 0.35), 3)
        course["sag"] = round(rng.uniform(0.0, 6.0), 1)
        s["end"] = int(round(_clip(peak - rng.uniform(4.0, 18.0), 0, peak)))
    elif kind == "no-come-down":
        at = rng.uniform(0.8, 1.06)
        if at >= 0.97:
            at = 1.0
            s["end"] = peak
        else:
            s["end"] = int(round(_clip(peak - rng.uniform(0.0, 6.0), start, peak)))
        course["at"] = round(at, 3)
    elif kind == "rise-after-dip":
        at = rng.uniform(-0.05, 0.45)
        if at < AT_START - 0.05 + 0.02 * max(0.0, dread):
            at = 0.0
            s["start"] = peak
        course["at"] = round(at, 3)
        s["end"] = int(round(_clip(peak - rng.uniform(3.0, 20.0), 0, peak)))
        course["dip"] = round(_clip(s["end"] - rng.uniform(10.0, 25.0), 0, s["end"]), 1)
    if course.get("at", 0.5) > 0.5 or kind == "hotspot":
        # A course that climbs to a late peak starts well below it, whatever the session
        # (a later session may otherwise start near its peak, leaving nothing to climb).
        # Moved down in proportion to how close it was, so a profile that raises the start
        # (anxiety) still starts higher than one that does not.
        room = max(0.0, start - (peak - 35.0))
        s["start"] = int(round(_clip(start - rng.uniform(0.4, 0.7) * room, 0, peak)))
    s["course"] = course
    return course


_EFFECT_KEYS = ("anticipation", "start_suds", "peak_suds", "processing", "drop_factor")


class PlanModel:
    """The plan rules of seeds/plan.json, compiled once into lookup tables."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        self.by_condition: dict[str, dict[str, float]] = {}
        self.by_behaviour: dict[str, dict[str, float]] = {}
        for rule in rules["adjustments"]:
            when = rule["when"]
            if "co_occurring_condition" in when:
                target = self.by_condition.setdefault(when["co_occurring_condition"], {})
            else:
                target = self.by_behaviour.setdefault(when["behavior"], {})
            for key, value in rule["effect"].items():
                if key not in _EFFECT_KEYS:
                    raise ValueError(f"unknown plan effect '{key}'")
                if key == "drop_factor":
                    target[key] = target.get(key, 1.0) * value
                else:
                    target[key] = target.get(key, 0.0) + value
        self.topic_peak = rules["topic_peak_suds"]
        self.exposure = [
            (
                phase,
                *rules["exposure"][phase]["peak_below_peak"],
                *rules["exposure"][phase]["start_below_peak"],
                *rules["exposure"][phase]["drop"],
            )
            for phase in EXPOSURE_PHASES
        ]

    def effects(self, case: Case) -> dict[str, float]:
        """Sum the profile adjustments that apply to this case."""
        eff = {
            "anticipation": 0.0,
            "start_suds": 0.0,
            "peak_suds": 0.0,
            "processing": 0.0,
            "drop_factor": 1.0,
        }
        profile = case["client_profile"]
        sources = [self.by_condition.get(profile["co_occurring_condition"])]
        sources += [self.by_behaviour.get(b) for b in profile["exhibited_behaviors"]]
        for src in sources:
            if src:
                for key, value in src.items():
                    if key == "drop_factor":
                        eff[key] *= value
                    else:
                        eff[key] += value
        eff["peak_suds"] += self.topic_peak.get(case["trauma_info"]["session_topic"], 0)
        return eff

    def plan(self, case: Case, seed: int) -> Plan:
        """The plan of one client (see :func:`plan_trajectory`)."""
        rules = self.rules
        rng = Stream(seed, case["client_id"], "plan")
        eff = self.effects(case)
        ps = rules["peak_suds"]
        level = _clip(rng.normal(ps["mean"], ps["sd"]) + eff["peak_suds"], ps["min"], ps["max"])
        # How fast this client habituates, within the exposure and after it: a lognormal factor
        # around 1, so some clients settle quickly and others stay distressed through processing.
        habituation = _clip(math.exp(rng.normal(0.0, rules["habituation_sd"])), 0.35, 2.5)
        drop_factor = eff["drop_factor"] * habituation
        suds: dict[str, PhaseSuds] = {}
        intensity: dict[str, int] = {}
        r = rng.random
        courses = Stream(seed, case["client_id"], "course")
        for phase, plo, phi, slo, shi, dlo, dhi in self.exposure:
            peak = _clip(level - (plo + r() * (phi - plo)), 0, 100)
            start = _clip(level - (slo + r() * (shi - slo)) + eff["start_suds"], 0, peak)
            end = _clip(peak - (dlo + r() * (dhi - dlo)) * drop_factor, 0, peak)
            s = suds[phase] = {"start": round(start), "peak": round(peak), "end": round(end)}
            draw_course(s, courses, rules.get("courses"), eff["start_suds"])
            intensity[phase] = suds_intensity(s["start"], s["peak"], s["end"])
        base = rules["intensity_base"]
        taper = rules["taper"]
        sd = rules["intensity_noise_sd"]
        top = max(intensity["P10"], intensity["P6"])
        # Anticipation may be high, but orientation does not exceed the exposure itself.
        p5 = base["P5"] + eff["anticipation"] + rng.normal(0.0, sd)
        # After the exposure distress tapers from where reinforcement left it, faster for clients
        # who habituate well; guilt and low mood (processing) slow the taper. Eliciting may sit one
        # point above reinforcement when processing effects are strong, never more.
        p8 = intensity["P7"] - taper["P8_below_P7"] * habituation + eff["processing"]
        p8 += rng.normal(0.0, sd)
        p8_cap = intensity["P7"] + (1 if eff["processing"] >= 0.7 else 0)
        p8i = int(_clip(round(p8), 1, min(p8_cap, 10)))
        p11 = p8i - taper["P11_below_P8"] * habituation + 0.5 * eff["processing"]
        p11 += rng.normal(0.0, sd)
        # P11 processes P7's exposure: its script talks about how that session's distress ran
        # and where it ended, so it cannot carry more than one point above that end (a P11 at 9
        # after a session that ended at 40 would be a label the text contradicts).
        p11_cap = min(p8i, max(1, round(suds["P7"]["end"] / 10) + 1))
        return {
            "session": treatment_sessions(seed, case["client_id"]),
            "intensity": {
                "P5": int(_clip(round(p5), 1, top)),
                "P10": intensity["P10"],
                "P6": intensity["P6"],
                "P7": intensity["P7"],
                "P8": p8i,
                "P11": int(_clip(round(p11), 1, p11_cap)),
            },
            "suds": suds,
        }


#: Session of the full imaginal exposure (P10) and its weight. P5 is the orientation in session 3,
#: right before the first imaginal exposure (sessions 1-2 are psychoeducation, breathing and the
#: in-vivo hierarchy in the PE therapist guide, Foa et al., 2019).
P10_SESSIONS = ((3, 0.45), (4, 0.25), (5, 0.18), (6, 0.12))
#: From this session on, imaginal exposure may focus on the hot spots in slow motion.
HOTSPOT_FROM_SESSION = 5


def treatment_sessions(seed: int, client_id: int) -> dict[str, int]:
    """Where each phase sits in the course of treatment (session numbers, 1-based).

    P5 orients the client in session 3 before the first imaginal exposure. P10 (a full imaginal
    exposure) is in session 3-6 and P8 processes it in the same session; P6 (SUDS monitoring) is
    one or two sessions later, P7 (reinforcement during exposure) one or two after that, and P11
    is the processing of that later session. Drawn from the client's own "session" stream, so
    the rest of the plan does not change.
    """
    rng = Stream(seed, client_id, "session")
    r = rng.random()
    p10 = P10_SESSIONS[-1][0]
    for session, weight in P10_SESSIONS:
        if r < weight:
            p10 = session
            break
        r -= weight
    p6 = p10 + rng.integer(1, 2)
    p7 = p6 + rng.integer(1, 2)
    return {"P5": 3, "P10": p10, "P6": p6, "P7": p7, "P8": p10, "P11": p7}


def hotspot_work(case: Case, phase: str) -> bool:
    """Whether the exposure of ``phase`` may work a hot spot in slow motion (a later session)."""
    session = case.get("plan", {}).get("session", {}).get(phase)
    return session is not None and session >= HOTSPOT_FROM_SESSION


@lru_cache(maxsize=8)
def _default_model() -> PlanModel:
    return PlanModel(load_seed_json("plan.json"))


def plan_trajectory(case: Case, seed: int, model: PlanModel | None = None) -> Plan:
    """The plan of one client: ``{"session": {phase: int}, "intensity": {phase: int},
    "suds": {phase: {start, peak, end}}}``.

    ``intensity`` covers all six phases in benchmark order; ``suds`` the exposure phases P10, P6
    and P7. Only ``(seed, client_id)`` and the profile decide it.
    """
    return (model or _default_model()).plan(case, seed)


def reference_record(case: Case) -> ReferenceRow:
    """The ``reference.jsonl`` line of a planned case."""
    return {
        "client_id": case["client_id"],
        "trajectory": dict(case["plan"]["intensity"]),
        "source": "plan",
    }
