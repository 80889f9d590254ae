"""The scene model: no line drawn for a client presupposes what the client's story lacks.

Walks every (trauma type, session topic) the default preset's sampler can produce and every
line its narrative can draw (beats, slow motion, sensory details, thoughts, beliefs, reminders,
in-vivo exercises, the names of the event), and checks each against the story's declared scene.
"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tvt.compose import compose_client
from tvt.compose.bank import narrative_schema, pair_files, topic_files
from tvt.compose.scene import fits, lines_of, presupposes, scene_bank, slot_owners
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.resources import load_schema, load_seed_json, seeds_path

PRESET = load_seed_json("presets", "default.json")
ALLOWED = sorted(
    (t, topic) for t, topics in PRESET["compatible_topics"].items() for topic in topics
)
#: Every pool of a narrative schema a conversation draws from.
DRAWN = (
    "refs",
    "beats",
    "slow",
    "sensory",
    "sensory_hot",
    "thoughts",
    "beliefs",
    "reminders",
    "in_vivo",
)


def test_scene_bank_and_every_scene_match_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("phrasebank.schema.json"))
    paths = [seeds_path("compose", "scene.json")]
    paths += [seeds_path("compose", "pairs", f) for f in pair_files()]
    paths += [seeds_path("compose", "topics", f) for f in topic_files()]
    for path in paths:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"


@pytest.mark.parametrize(("trauma_type", "topic"), ALLOWED)
def test_no_drawn_line_presupposes_what_the_scene_lacks(trauma_type: str, topic: str) -> None:
    schema = narrative_schema(trauma_type, topic)
    scene = frozenset(schema["scene"])
    owners = slot_owners(schema["slots"])
    known = set(scene_bank()["features"]) | {"slot:" + s for s in schema["slots"]}
    assert scene <= known, f"unknown scene features {sorted(scene - known)}"
    for key in DRAWN:
        for line in lines_of(schema.get(key, {})):
            missing = presupposes(line, owners) - scene
            assert not missing, f"{trauma_type} / {topic} {key}: {line!r} needs {sorted(missing)}"
    for sense, details in schema["sensory"].items():
        assert len(details) >= 2, f"{trauma_type} / {topic}: too few {sense} details"
    assert schema["reminders"] and schema["in_vivo"]


def test_the_known_borrowings_are_gone() -> None:
    cyclone = narrative_schema("natural disasters", "refugee experiences")
    shelling = narrative_schema("combat or war experiences", "refugee experiences")
    camp = narrative_schema("neglect", "refugee experiences")
    crossing = narrative_schema("childhood trauma", "refugee experiences")
    for schema in (cyclone, shelling, camp):
        assert "the waves slapping the side" not in lines_of(schema["sensory"])
    # The child's own crossing keeps the boat.
    assert "the waves slapping the side" in lines_of(crossing["sensory"])
    neglect = narrative_schema("neglect", "domestic violence")
    assert "their face, red and twisted" not in lines_of(neglect["sensory_hot"])
    assert "their face, red and twisted" in lines_of(
        narrative_schema("physical abuse", "domestic violence")["sensory_hot"]
    )


def test_cues_read_words_not_parts_of_words() -> None:
    assert "boat" in presupposes("the rubber side of the boat under my arm")
    assert "boat" not in presupposes("Crossing that square under fire")
    assert presupposes("{family}'s hand in mine", {"family": "family"}) == {"slot:family"}
    assert fits("my own breathing, loud in my ears", frozenset(), {})


@pytest.mark.slow
def test_generated_refugee_stories_without_a_boat_carry_no_boat() -> None:
    boat = re.compile(r"waves slapping|rubber side of the boat|engine chugging|foil blanket")
    seen = 0
    for case in planned_cases(load_config("default"), 42, 400):
        info = case["trauma_info"]
        if info["session_topic"] != "refugee experiences":
            continue
        if "boat" in narrative_schema(info["type"], info["session_topic"])["scene"]:
            continue
        seen += 1
        for conv in compose_client(case, 42, BENCHMARK_ORDER):
            for turn in conv["turns"]:
                assert not boat.search(turn["text"]), (info["type"], turn["text"])
    assert seen >= 3


def test_news_of_an_attack_is_a_reminder_only_where_there_was_an_attack() -> None:
    """Reviewers read "the news when there's an attack like it" in a school-bullying story as a
    detail from another story: the reminder presupposes a public attack (``attack_news``)."""
    line = "the news when there's an attack like it"
    assert line in narrative_schema("physical abuse", "racial trauma")["reminders"]
    assert line not in narrative_schema("bullying", "racial trauma")["reminders"]
    assert line not in narrative_schema("emotional abuse", "racial trauma")["reminders"]
