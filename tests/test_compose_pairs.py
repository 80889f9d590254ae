"""Narrative schemas per (trauma type, session topic): the type is what happens, in the topic's
setting. Walks every pair the default preset allows."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tvt.compose import compose_client, narrative_facts
from tvt.compose.bank import pair_bank, pair_files
from tvt.compose.language import number_words
from tvt.compose.narrative import build_narrative
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.resources import load_schema, load_seed_json, seeds_path

PRESET = load_seed_json("presets", "default.json")
ALLOWED = sorted(
    (t, topic) for t, topics in PRESET["compatible_topics"].items() for topic in topics
)
#: Explicit sexual words: never, in any conversation (the client names what happened, no more).
EXPLICIT = re.compile(
    r"\b(penis|vagina|genital\w*|breasts?|naked|undress\w*|rape[ds]?|raping|orgasm|"
    r"intercourse|oral|groped|fondl\w*|erection|semen)\b",
    re.I,
)
#: What each trauma type is, as words that must be in the story's hotspot (the facts given to
#: prompts plus the hotspot beats the client retells): the type is what happens, not a label.
TYPE_CONTENT = {
    "physical abuse": r"\b(beat|beats|beaten|beating|hits?|hitting|kick\w*|punch\w*|blows?|"
    r"strikes?|forced face down|knee in my back|shoved)\b",
    "emotional abuse": r"\b(worthless|useless|stupid|nothing without|pathetic|liar|humiliat\w*|"
    r"confess\w*|backs on|know where|threat\w*|nobody else would)\b",
    "sexual abuse": r"\b(sexual\w*|assault\w*)\b",
    "neglect": r"\b(nobody (is |was )?coming|nobody came|no food|not coming back|walk past|"
    r"left (me|alone|the client|them|ill)|untreated|waste my time|wasting my time)\b",
    "natural disasters": r"\b(flood\w*|storm|cyclone|surge|earthquake|wildfire|hurricane|water)\b",
    "accidents": r"\b(crash\w*|collision|head-on|impact|fell|falls?|came down|ladder|"
    r"teeth|jolt)\b",
    "combat or war experiences": r"\b(shell\w*|rifles?|firing|under fire|patrol|roadside device|"
    r"checkpoint|interrogat\w*|pistol|crossfire|war)\b",
    "loss of a loved one": r"\b(died|dead|death|killed|could not save|didn't make it|"
    r"did not survive|gone)\b",
    "witnessing violence": r"\b(watch\w*|saw|see|seeing)\b",
    "bullying": r"\b(laugh\w*|mock\w*|chant\w*|taunt\w*|comments|joke)\b",
    "medical trauma": r"\b(surg\w*|operat\w*|theatre|anaesthe\w*|ventilator|intensive care|"
    r"monitors?|amputate|treatment room|sedated|resuscitation|staff rushed)\b",
}
NUMBER_WORDS = {number_words(n): n for n in range(1, 100)}


@pytest.fixture(scope="module")
def base_case() -> dict:
    return next(planned_cases(load_config("default"), 42, 1))


def _with_pair(case: dict, trauma_type: str, topic: str, client_id: int) -> dict:
    return {
        **case,
        "client_id": client_id,
        "trauma_info": {"type": trauma_type, "session_topic": topic},
    }


def test_pair_files_validate_and_name_allowed_pairs() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("phrasebank.schema.json"))
    assert pair_files()
    for name in pair_files():
        data = json.loads(seeds_path("compose", "pairs", name).read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(data))
        assert not errors, f"{name}: {errors[0].message}"
        assert (data["type"], data["topic"]) in ALLOWED, name


@pytest.mark.parametrize(("trauma_type", "topic"), ALLOWED)
def test_every_allowed_pair_composes(base_case: dict, trauma_type: str, topic: str) -> None:
    for client_id in (1, 2, 3):
        case = _with_pair(base_case, trauma_type, topic, client_id)
        convs = compose_client(case, 42, BENCHMARK_ORDER)
        text = " ".join(t["text"] for c in convs for t in c["turns"])
        assert "{" not in text and "}" not in text
        assert not EXPLICIT.search(text), EXPLICIT.search(text)
        facts = narrative_facts(case, 42)
        nar = build_narrative(case, 42)
        # The type is what happens: its content is in the hotspot of the story the client tells.
        story = " ".join([facts["hotspot"], *nar.beats["hotspot"]])
        if trauma_type == "childhood trauma":
            assert NUMBER_WORDS[nar.ctx["event_age"]] < 18, (topic, nar.ctx["event_age"])
        else:
            assert re.search(TYPE_CONTENT[trauma_type], story, re.I), (trauma_type, topic, story)
        pair = pair_bank(trauma_type, topic)
        if pair is None:
            continue
        # The pair's own story is told: its hotspot is in the facts and in the retelling.
        assert nar.beats["hotspot"][0].split(".")[0][:20] in " ".join(nar.beats["hotspot"])
        hot = {s for beat in nar.beats["hotspot"] for s in re.split(r"(?<=[.!?]) ", beat)}
        p10 = " ".join(t["text"] for t in convs[1]["turns"])
        assert any(s[:25].lower() in p10.lower() for s in hot if len(s) > 25)
        assert facts["hotspot"].split(" ")[0] != ""


def test_sexual_abuse_at_work_is_an_assault_not_an_accident(base_case: dict) -> None:
    case = _with_pair(base_case, "sexual abuse", "workplace trauma", 3)
    facts = narrative_facts(case, 42)
    assert "sexually assaulted" in facts["hotspot"]
    text = " ".join(
        t["text"] for c in compose_client(case, 42, BENCHMARK_ORDER) for t in c["turns"]
    )
    assert "forklift" not in text and "pallets" not in text and "crane" not in text


def test_neglect_with_illness_is_a_child_left_untreated(base_case: dict) -> None:
    for client_id in range(1, 30):
        case = _with_pair(base_case, "neglect", "severe illness", client_id)
        nar = build_narrative(case, 42)
        facts = narrative_facts(case, 42)
        assert "did not take them to a doctor" in facts["setting"]
        words = nar.ctx["event_age"]
        ages = {
            "six": 6,
            "seven": 7,
            "eight": 8,
            "nine": 9,
            "ten": 10,
            "eleven": 11,
            "twelve": 12,
        }
        assert words in ages, words
