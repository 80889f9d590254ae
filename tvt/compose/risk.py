"""Risk moments: which clients voice passive suicidal ideation once, and in which phase.

PE does not stop for a risk disclosure by accident: the therapist pauses, asks directly about
thoughts, plan and intent, names crisis resources and agrees with the client whether to go on.
A configurable share of clients (seeds/compose/risk.json, default about 5 %) has one such
moment, more likely with depression or substance use. The choice comes from the client's own
"risk" stream, so it never changes the rest of the conversation's randomness.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tvt.records import Case, ClientProfile
from tvt.resources import load_seed_json
from tvt.rng import Stream


@cache
def risk_settings() -> dict[str, Any]:
    """seeds/compose/risk.json."""
    return load_seed_json("compose", "risk.json")


def risk_weight(profile: ClientProfile) -> float:
    """How much the profile raises the chance of a risk moment (1.0: no risk factor)."""
    cfg = risk_settings()
    weight = cfg["condition"].get(profile["co_occurring_condition"], 1.0)
    for behaviour in profile["exhibited_behaviors"]:
        weight *= cfg["behaviour"].get(behaviour, 1.0)
    return float(weight)


def risk_phase(case: Case, seed: int, share: float | None = None) -> str:
    """The phase ("P8" or "P11") where this client voices a risk moment, or "" for none.

    ``share`` is the intended share of clients with one (default: risk.json's ``share``);
    0 turns risk moments off.
    """
    cfg = risk_settings()
    share = cfg["share"] if share is None else share
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"risk share must be between 0 and 1, got {share}")
    rng = Stream(seed, case["client_id"], "risk")
    p = min(cfg["max_probability"], share * risk_weight(case["client_profile"]) / cfg["normaliser"])
    if share == 0.0 or rng.random() >= p:
        return ""
    return "P8" if rng.random() < cfg["phases"]["P8"] else "P11"
