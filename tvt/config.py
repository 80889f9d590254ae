"""Sampler configuration: the presets in seeds/presets and user variants (``--config FILE``).

A config is a JSON document validated against ``schemas/config.schema.json``. It may name a base
with ``"extends": "default"`` (or ``"paper"``, or a path relative to the file) and override only
what differs; objects merge key by key, everything else replaces. After the schema, semantic checks
catch what a schema cannot (age bands with gaps, unknown values, a type without any topic).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

from tvt.errors import InputError
from tvt.jsonio import dumps, read_json
from tvt.resources import seeds_path
from tvt.schemacheck import check

PRESETS = ("default", "paper")


# -- the shape of a config (schemas/config.schema.json) --------------------------------------------
Weights = dict[str, float]  # value -> weight (>= 0)


class AgeRange(TypedDict):
    min: int
    max: int
    groups: list[list[int]]  # [lo, hi] bands; a person's age group is "lo-hi"


class BehaviourWeights(TypedDict):
    values: list[str]
    count: Weights  # how many behaviours ("0", "1", ...) -> weight


class ClientWeights(TypedDict):
    age: AgeRange
    gender: Weights
    ethnicity: Weights
    co_occurring_condition: Weights
    exhibited_behaviors: BehaviourWeights


class TherapistWeights(TypedDict):
    age: AgeRange
    gender: Weights


class LivingWeights(TypedDict):
    partnered: Weights
    unpartnered: Weights


class LifeBand(TypedDict):
    """The life circumstances of one age band."""

    min_age: int
    max_age: int
    relationship_status: Weights
    occupation: Weights
    living_situation: LivingWeights


class _ConstraintBase(TypedDict):
    field: str  # relationship_status, occupation or living_situation
    value: str
    reason: str


class Constraint(_ConstraintBase, total=False):
    """A consistency rule: ``field=value`` only in an age range and with the fields it requires."""

    min_age: int
    max_age: int
    requires: dict[str, list[str]]  # field -> the values it must have


class _ConfigDataBase(TypedDict):
    name: str
    topic_pairing: str  # "compatible" or "independent"
    client: ClientWeights
    therapist: TherapistWeights
    trauma_type: Weights
    session_topic: Weights
    compatible_topics: dict[str, list[str]]  # trauma type -> topics it may pair with
    life_by_age: list[LifeBand]
    partnered_statuses: list[str]
    constraints: list[Constraint]
    name_locales: dict[str, list[str]]  # ethnicity -> Faker locales


class ConfigData(_ConfigDataBase, total=False):
    """A resolved sampler config, as ``schemas/config.schema.json`` describes it."""

    description: str


@dataclass(frozen=True)
class Config:
    """A validated sampler configuration."""

    name: str
    data: ConfigData
    source: str  # preset name or file name (never an absolute path)
    sha256: str  # of the canonical JSON of the resolved data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, depth: int = 0) -> dict[str, Any]:
    if depth > 5:
        raise InputError("'extends' chain is longer than 5 (a loop?)", path=path, field="extends")
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError("a config must be a JSON object", path=path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError("must be a preset name or a file path", path=path, field="extends")
    if parent in PRESETS:
        parent_path = seeds_path("presets", f"{parent}.json")
    else:
        parent_path = (path.parent / parent).resolve()
    return _merge(_resolve(parent_path, depth + 1), data)


def validate_config(doc: dict[str, Any], source: str) -> None:
    """Raise ``InputError`` naming the field if ``doc`` is not a usable sampler config."""
    check("config", doc, path=source, top_level="(top level)")
    data = cast(ConfigData, doc)  # the schema holds

    def fail(field: str, reason: str) -> None:
        raise InputError(reason, path=source, field=field)

    client = data["client"]
    lo, hi = client["age"]["min"], client["age"]["max"]
    if lo > hi:
        fail("client.age", "min is greater than max")
    bands = sorted(data["life_by_age"], key=lambda b: b["min_age"])
    expected = lo
    for i, band in enumerate(bands):
        if band["min_age"] != expected:
            fail(
                f"life_by_age.{i}",
                f"age bands must cover {lo}-{hi} without gaps or overlaps "
                f"(expected a band starting at {expected})",
            )
        if band["max_age"] < band["min_age"]:
            fail(f"life_by_age.{i}", "max_age is below min_age")
        expected = band["max_age"] + 1
    if expected - 1 < hi:
        fail("life_by_age", f"age bands stop at {expected - 1}, below the maximum age {hi}")
    types = set(data["trauma_type"])
    topics = set(data["session_topic"])
    if data["topic_pairing"] == "compatible":
        for t in types:
            allowed = [
                x
                for x in data["compatible_topics"].get(t, [])
                if data["session_topic"].get(x, 0) > 0
            ]
            if data["trauma_type"][t] > 0 and not allowed:
                fail(
                    f"compatible_topics.{t}",
                    "this trauma type has no compatible topic with a positive weight",
                )
        for t, lst in data["compatible_topics"].items():
            if t not in types:
                fail(f"compatible_topics.{t}", "not a trauma type of this config")
            for x in lst:
                if x not in topics:
                    fail(f"compatible_topics.{t}", f"'{x}' is not a session topic of this config")
    for region in client["ethnicity"]:
        if region not in data["name_locales"]:
            fail(f"name_locales.{region}", "every ethnicity needs at least one Faker locale")
    # Faker is slow to import and only a config's locales need it here.
    from faker.config import AVAILABLE_LOCALES

    for region, locales in data["name_locales"].items():
        for loc in locales:
            if loc not in AVAILABLE_LOCALES:
                fail(f"name_locales.{region}", f"'{loc}' is not a Faker locale")
    behaviours = client["exhibited_behaviors"]
    max_count = max(int(k) for k in behaviours["count"])
    if max_count > len(behaviours["values"]):
        fail("client.exhibited_behaviors.count", "asks for more behaviours than there are values")
    for key, weights in (
        ("client.gender", client["gender"]),
        ("trauma_type", data["trauma_type"]),
        ("session_topic", data["session_topic"]),
        ("client.ethnicity", client["ethnicity"]),
        ("client.co_occurring_condition", client["co_occurring_condition"]),
        ("therapist.gender", data["therapist"]["gender"]),
    ):
        if sum(weights.values()) <= 0:
            fail(key, "weights must not all be zero")


def load_config(preset: str = "default", path: str | Path | None = None) -> Config:
    """Load a preset by name, or a user config file (which may extend a preset)."""
    if path is not None:
        path = Path(path)
        data = _resolve(path.resolve() if path.exists() else path)
        source = path.name
    else:
        if preset not in PRESETS:
            raise InputError(f"unknown preset '{preset}' (choose from {', '.join(PRESETS)})")
        data = _resolve(seeds_path("presets", f"{preset}.json"))
        source = preset
    validate_config(data, source)
    canonical = dumps(data)
    return Config(
        name=data["name"],
        data=cast(ConfigData, json.loads(canonical)),  # validated above
        source=source,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
    )
