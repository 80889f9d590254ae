"""Per-client emotional trajectory plan.

For each client: an intensity 1-10 for every phase and SUDS targets 0-100 (start, peak, end) for
the phases that happen during imaginal exposure (P10, P6, P7). The average shape is the one PE
predicts (moderate orientation, peak during exposure and SUDS monitoring, tapering through
reinforcement, eliciting and processing); each client departs from it by documented profile rules
(seeds/plan.json, docs/methodology.md) and by chance from the client's own "plan" stream.
"""

from __future__ import annotations

from typing import Any

from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES
from tvt.resources import load_seed_json
from tvt.rng import Stream


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def suds_intensity(start: int, peak: int, end: int) -> int:
    """Phase intensity that agrees with its SUDS targets: the mean SUDS / 10, rounded, in 1-10."""
    return int(_clip(round((start + peak + end) / 30), 1, 10))


def profile_effects(case: dict[str, Any], rules: dict[str, Any]) -> dict[str, float]:
    """Sum the profile adjustments that apply to this case."""
    eff = {
        "anticipation": 0.0,
        "start_suds": 0.0,
        "peak_suds": 0.0,
        "processing": 0.0,
        "drop_factor": 1.0,
    }
    profile = case["client_profile"]
    behaviours = set(profile["exhibited_behaviors"])
    for rule in rules["adjustments"]:
        when = rule["when"]
        if (
            "co_occurring_condition" in when
            and profile["co_occurring_condition"] != when["co_occurring_condition"]
        ):
            continue
        if "behavior" in when and when["behavior"] not in behaviours:
            continue
        for key, value in rule["effect"].items():
            if key == "drop_factor":
                eff[key] *= value
            else:
                eff[key] += value
    eff["peak_suds"] += rules["topic_peak_suds"].get(case["trauma_info"]["session_topic"], 0)
    return eff


def plan_trajectory(
    case: dict[str, Any], seed: int, rules: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The plan of one client: ``{"intensity": {phase: int}, "suds": {phase: {start, peak, end}}}``."""
    rules = rules or load_seed_json("plan.json")
    rng = Stream(seed, case["client_id"], "plan")
    eff = profile_effects(case, rules)
    ps = rules["peak_suds"]
    level = _clip(rng.normal(ps["mean"], ps["sd"]) + eff["peak_suds"], ps["min"], ps["max"])
    suds: dict[str, dict[str, int]] = {}
    for phase in EXPOSURE_PHASES:
        u = (rng.random(), rng.random(), rng.random())
        spec = rules["exposure"][phase]
        lo, hi = spec["peak_below_peak"]
        peak = _clip(level - (lo + u[0] * (hi - lo)), 0, 100)
        lo, hi = spec["start_below_peak"]
        start = _clip(level - (lo + u[1] * (hi - lo)) + eff["start_suds"], 0, peak)
        lo, hi = spec["drop"]
        end = _clip(peak - (lo + u[2] * (hi - lo)) * eff["drop_factor"], 0, peak)
        suds[phase] = {"start": int(round(start)), "peak": int(round(peak)), "end": int(round(end))}
    intensity: dict[str, int] = {p: suds_intensity(**suds[p]) for p in EXPOSURE_PHASES}
    base = rules["intensity_base"]
    sd = rules["intensity_noise_sd"]
    noise = (rng.normal(0.0, sd), rng.normal(0.0, sd), rng.normal(0.0, sd))
    top = max(intensity["P10"], intensity["P6"])
    # Anticipation may be high, but orientation does not exceed the exposure itself.
    intensity["P5"] = int(_clip(round(base["P5"] + eff["anticipation"] + noise[0]), 1, top))
    # After exposure, distress tapers: eliciting <= reinforcement, processing <= eliciting.
    p8 = base["P8"] + eff["processing"] + 0.5 * (intensity["P7"] - 7) + noise[1]
    intensity["P8"] = int(_clip(round(p8), 1, intensity["P7"]))
    p11 = base["P11"] + eff["processing"] + 0.4 * (intensity["P8"] - 5.6) + noise[2]
    intensity["P11"] = int(_clip(round(p11), 1, intensity["P8"]))
    return {
        "intensity": {p: intensity[p] for p in BENCHMARK_ORDER},
        "suds": {p: suds[p] for p in EXPOSURE_PHASES},
    }


def reference_record(case: dict[str, Any]) -> dict[str, Any]:
    """The ``reference.jsonl`` line of a planned case."""
    return {
        "client_id": case["client_id"],
        "trajectory": dict(case["plan"]["intensity"]),
        "source": "plan",
    }
