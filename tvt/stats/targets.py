"""Design targets: the probability of every attribute value under a sampler config.

Targets come from the config recorded in the manifest; they are used only when the installed
preset (or a ``--config`` file) has the same sha256, so the test never runs against weights that
have changed since. The age-conditional attributes (relationship, occupation, living situation)
get their exact marginal targets by walking every age through the same tables and consistency
rules the sampler uses.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from tvt.config import PRESETS, Config, ConfigData, Constraint, load_config
from tvt.records import Manifest
from tvt.sampling import allowed


def _normalise(weights: dict[str, float]) -> dict[str, float]:
    total = sum(w for w in weights.values() if w > 0)
    return {k: w / total for k, w in weights.items() if w > 0}


def _filtered(
    weights: dict[str, float],
    field: str,
    age: int,
    profile: Mapping[str, str],
    constraints: list[Constraint],
) -> dict[str, float]:
    ok = {
        v: w for v, w in weights.items() if w > 0 and allowed(constraints, field, v, age, profile)
    }
    return _normalise(ok) if ok else {}


def _life_targets(data: ConfigData) -> dict[str, dict[str, float]]:
    """Exact marginals of the age-conditional fields, following the sampler's draw order."""
    ca = data["client"]["age"]
    ages = range(ca["min"], ca["max"] + 1)
    bands = sorted(data["life_by_age"], key=lambda b: b["min_age"])
    starts = [b["min_age"] for b in bands]
    constraints = data["constraints"]
    partnered = set(data["partnered_statuses"])
    out: dict[str, dict[str, float]] = {
        "relationship_status": defaultdict(float),
        "occupation": defaultdict(float),
        "living_situation": defaultdict(float),
    }
    pa = 1.0 / len(ages)
    for age in ages:
        band = bands[bisect.bisect_right(starts, age) - 1]
        rel = _filtered(band["relationship_status"], "relationship_status", age, {}, constraints)
        for r, pr in rel.items():
            out["relationship_status"][r] += pa * pr
            prof = {"relationship_status": r}
            occ = _filtered(band["occupation"], "occupation", age, prof, constraints)
            table = band["living_situation"]["partnered" if r in partnered else "unpartnered"]
            for o, po in occ.items():
                out["occupation"][o] += pa * pr * po
                liv = _filtered(
                    table, "living_situation", age, {**prof, "occupation": o}, constraints
                )
                for v, pl in liv.items():
                    out["living_situation"][v] += pa * pr * po * pl
    return {k: dict(v) for k, v in out.items()}


def design_targets(config: Config) -> dict[str, dict[str, float]]:
    """The probability of every value of every attribute under ``config``'s sampling rules."""
    d = config.data
    c = d["client"]
    ca = c["age"]
    n_ages = ca["max"] - ca["min"] + 1
    age_groups = {
        f"{lo}-{hi}": (min(hi, ca["max"]) - max(lo, ca["min"]) + 1) / n_ages
        for lo, hi in ca["groups"]
        if min(hi, ca["max"]) >= max(lo, ca["min"])
    }
    types = _normalise(d["trauma_type"])
    if d["topic_pairing"] == "compatible":
        topics: dict[str, float] = defaultdict(float)
        for t, pt in types.items():
            compatible = {x: d["session_topic"].get(x, 0) for x in d["compatible_topics"][t]}
            for x, px in _normalise(compatible).items():
                topics[x] += pt * px
        topics = dict(topics)
    else:
        topics = _normalise(d["session_topic"])
    count = _normalise(c["exhibited_behaviors"]["count"])
    values = c["exhibited_behaviors"]["values"]
    mean_count = sum(int(k) * p for k, p in count.items())
    return {
        "gender": _normalise(c["gender"]),
        "ethnicity": _normalise(c["ethnicity"]),
        "co_occurring_condition": _normalise(c["co_occurring_condition"]),
        **_life_targets(d),
        "age_group": age_groups,
        "trauma_type": types,
        "session_topic": topics,
        "behaviour_count": count,
        "therapist_gender": _normalise(d["therapist"]["gender"]),
        # Behaviours are chosen uniformly: every mention is each value with the same chance,
        # and a client has behaviour b with probability E[count] / len(values).
        "behaviour_mentions": {v: 1.0 / len(values) for v in values},
        "behaviour_share": {v: mean_count / len(values) for v in values},
    }


def resolve_targets(
    manifest: Manifest | None, config_path: str | Path | None = None
) -> tuple[Config | None, str]:
    """The config whose weights are the targets, or None with the reason they are unavailable."""
    if manifest is None:
        return None, "the dataset has no manifest.json, so its config is unknown"
    recorded = manifest.get("config")
    if not recorded:
        return None, "the dataset records no sampler config (imported data has none)"
    if config_path is not None:
        config = load_config(path=config_path)
        label = f"config file {Path(config_path).name}"
    else:
        name = recorded.get("source") if recorded.get("source") in PRESETS else recorded.get("name")
        if name not in PRESETS:
            return None, (
                f"the dataset was made with config '{recorded.get('source')}', which is not a "
                "preset; pass it with --config to compare"
            )
        config = load_config(name)
        label = f"preset '{name}'"
    if config.sha256 != recorded.get("sha256"):
        return None, (
            f"the {label} (sha256 {config.sha256[:12]}) is not the config the dataset was made "
            f"with (sha256 {str(recorded.get('sha256'))[:12]}); its weights may have changed"
        )
    return config, f"design weights of the {label} (sha256 matches)"
