"""Load the composer's phrase banks and narrative beats (seeds/compose/, JSON data).

Everything a clinician might want to reword lives in data: per-phase therapist and client
phrase banks, the intensity bands of client language, the behaviour and condition details, and
one file of narrative beats per session topic. The files are described by
``schemas/phrasebank.schema.json``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tvt.resources import load_seed_json, seeds_path

#: File names of the non-topic banks in seeds/compose/.
BANK_FILES = (
    "bands.json",
    "profile.json",
    "therapist.json",
    "client.json",
    "verbal.json",
    "voice.json",
    "risk.json",
    "nouns.json",
    "world.json",
    "scene.json",
)


@cache
def bands() -> dict[str, Any]:
    """The intensity bands, plus ``by_level``: level 1-10 -> band."""
    data = load_seed_json("compose", "bands.json")
    by_level: dict[int, dict[str, Any]] = {}
    for band in data["bands"]:
        for level in range(band["min"], band["max"] + 1):
            by_level[level] = band
    missing = [lvl for lvl in range(1, 11) if lvl not in by_level]
    if missing:
        raise ValueError(f"seeds/compose/bands.json leaves intensity levels {missing} uncovered")
    return {**data, "by_level": by_level}


def profile_bank() -> dict[str, Any]:
    """Behaviour, co-occurring condition, occupation and household details."""
    return load_seed_json("compose", "profile.json")


def therapist_bank() -> dict[str, Any]:
    """Therapist lines per phase and dialogue act."""
    return load_seed_json("compose", "therapist.json")


def client_bank() -> dict[str, Any]:
    """Client lines per phase and dialogue act (some graded by intensity band)."""
    return load_seed_json("compose", "client.json")


def topic_slug(topic: str) -> str:
    """File stem of a session topic: ``"car accident trauma"`` -> ``car_accident_trauma``."""
    return "".join(ch if ch.isalnum() else "_" for ch in topic.lower()).strip("_")


@cache
def topic_bank(topic: str) -> dict[str, Any]:
    """The narrative beats of one session topic (seeds/compose/topics/<slug>.json)."""
    path = seeds_path("compose", "topics", f"{topic_slug(topic)}.json")
    if not path.exists():
        raise KeyError(f"no narrative beats for session topic {topic!r} (expected {path.name})")
    return load_seed_json("compose", "topics", path.name)


def topic_files() -> list[str]:
    """Names of all topic files, sorted."""
    return sorted(p.name for p in seeds_path("compose", "topics").glob("*.json"))


@cache
def voice_bank() -> dict[str, Any]:
    """The voice model's grammar: registers, frames, body sites (seeds/compose/voice.json)."""
    return load_seed_json("compose", "voice.json")


@cache
def verbal_bank() -> dict[str, Any]:
    """SUDS in words: therapist pools that replace the numeric ones, client level words."""
    return load_seed_json("compose", "verbal.json")


@cache
def pair_bank(trauma_type: str, topic: str) -> dict[str, Any] | None:
    """The narrative schema of one (trauma type, session topic) pair, when it has its own
    (seeds/compose/pairs/<type>__<topic>.json): the type is what happens, in the topic's
    setting. None when the topic's own narrative is used."""
    name = f"{topic_slug(trauma_type)}__{topic_slug(topic)}.json"
    if not seeds_path("compose", "pairs", name).exists():
        return None
    return load_seed_json("compose", "pairs", name)


def pair_files() -> list[str]:
    """Names of all pair files, sorted."""
    return sorted(p.name for p in seeds_path("compose", "pairs").glob("*.json"))


#: Keys of a pair file that are about the file itself, not the narrative.
_PAIR_META = ("kind", "type", "topic", "description", "scene")


@cache
def narrative_schema(trauma_type: str, topic: str) -> dict[str, Any]:
    """The narrative schema of a client: the topic's, with the pair's schema laid over it
    (its slots added to the topic's, every other part replacing the topic's). What the pair
    takes over from the topic (sensory details, reminders, in-vivo exercises) is cut to the
    pair's scene (:mod:`tvt.compose.scene`)."""
    from tvt.compose.scene import inherit

    base = topic_bank(topic)
    pair = pair_bank(trauma_type, topic)
    if pair is None:
        return base
    merged = dict(base)
    merged.update(inherit(base, frozenset(pair["scene"])))
    merged["scene"] = pair["scene"]
    for key, value in pair.items():
        if key in _PAIR_META:
            continue
        merged[key] = {**base["slots"], **value} if key == "slots" else value
    return merged
