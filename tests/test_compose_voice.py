"""The client's voice fits the story: feeling words the trauma carries, no humour inside an
exposure or in the gravest stories, at most one feeling sentence a turn and none in two turns
running inside the retelling."""

from __future__ import annotations

import re

import pytest

from tvt.compose import compose_client
from tvt.compose.bank import voice_bank
from tvt.compose.voice import build_voice
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases

SEED = 42
EXPOSURE = ("P10", "P6", "P7")


@pytest.fixture(scope="module")
def clients() -> list[tuple[dict, list[dict]]]:
    cases = list(planned_cases(load_config("default"), SEED, 60))
    return [(case, compose_client(case, SEED, BENCHMARK_ORDER)) for case in cases]


def _unfit(case: dict) -> set[str]:
    fits = voice_bank()["feelings"]
    info = case["trauma_info"]
    kinds = fits["by_topic"].get(info["session_topic"], fits["by_type"].get(info["type"], []))
    return {w for kind, ws in fits["kinds"].items() if kind not in kinds for w in ws}


def _grave(case: dict) -> bool:
    fits = voice_bank()["feelings"]
    info = case["trauma_info"]
    return info["type"] in fits["grave_types"] or info["session_topic"] in fits["grave_topics"]


def test_every_feeling_kind_word_is_an_emotion_of_the_voice() -> None:
    bank = voice_bank()
    words = {w for band in bank["emotions"].values() for w in band}
    fits = bank["feelings"]
    for ws in fits["kinds"].values():
        assert set(ws) <= words
    for kinds in (*fits["by_type"].values(), *fits["by_topic"].values()):
        assert set(kinds) <= set(fits["kinds"])


def test_a_voice_keeps_only_the_feelings_its_story_carries() -> None:
    cases = list(planned_cases(load_config("default"), SEED, 120))
    crash = humiliated_somewhere = 0
    for case in cases:
        voice = build_voice(case, SEED)
        own = {e for band in voice.emotions.values() for e in band}
        assert not own & _unfit(case), (case["trauma_info"], own & _unfit(case))
        if case["trauma_info"]["type"] == "accidents":
            crash += 1
            assert "humiliated" not in own and "furious" not in own
        humiliated_somewhere += "humiliated" in own
        if _grave(case):
            assert voice.grave and voice.feel != "joking"
    assert crash and humiliated_somewhere  # the check had cases to check


def _joking_lines() -> list[str]:
    frames = voice_bank()["frames"]["joking"]
    return [f for band in frames.values() for f in band if "{" not in f and len(f) > 14]


@pytest.mark.slow
def test_no_humour_inside_an_exposure_or_a_grave_story(clients) -> None:
    quips = _joking_lines()
    seen_elsewhere = 0
    for case, convs in clients:
        for conv in convs:
            barred = conv["phase"] in EXPOSURE or _grave(case)
            for turn in conv["turns"]:
                if turn["speaker"] != "client":
                    continue
                hit = [q for q in quips if q in turn["text"]]
                if barred:
                    assert not hit, (conv["phase"], case["trauma_info"]["type"], hit)
                seen_elsewhere += bool(hit)
    assert seen_elsewhere  # joking clients still joke where it fits


_FEELING = re.compile(
    r"\b(?:I'm|I feel|I am) (?:\w+ )?(?:"
    + "|".join(
        sorted({w for b in ("moderate", "high", "extreme") for w in voice_bank()["emotions"][b]})
    )
    + r")\b"
)


@pytest.mark.slow
def test_inside_the_retelling_a_feeling_is_not_said_in_two_turns_running(clients) -> None:
    runs = feelings = 0
    for _, convs in clients:
        for conv in convs:
            if conv["phase"] not in EXPOSURE:
                continue
            said = [
                bool(_FEELING.search(t["text"]))
                for t in conv["turns"]
                if t["speaker"] == "client" and t["act"] != "response"
            ]
            feelings += sum(said)
            runs += sum(a and b for a, b in zip(said, said[1:], strict=False))
    # Lines of the client bank may name a feeling too ("I'm scared he'll come back"): the
    # voice's own feelings never do this, so runs are rare, not impossible.
    assert feelings > 100
    assert runs / feelings < 0.05, (runs, feelings)


def test_a_detail_said_again_is_named_the_short_way() -> None:
    from tvt.compose.voice_text import short_detail

    assert short_detail("the traffic outside that I can't get to") == "the traffic outside"
    assert short_detail("a man in a hooded top") == "the man"
    assert short_detail("candle wax") == "candle wax"
    assert short_detail("a woman with a bag's jacket, blue") == "a woman with a bag's jacket, blue"
    assert short_detail("the smell of smoke") == "the smell of smoke"


@pytest.mark.slow
def test_a_sensory_detail_is_rarely_said_in_full_three_times_in_an_exposure(clients) -> None:
    """Reviewers heard "the traffic outside that I can't get to" word for word again and again:
    the client says a detail in full once, then by its short name. Bank lines and story beats
    may still name a detail of the scene, so a few come back (seed 42: 5.5 % of the details said
    in an exposure come three times or more; 12.9 % in composer 3.2)."""
    from tvt.compose.narrative import build_narrative

    again = said = 0
    for case, convs in clients:
        nar = build_narrative(case, SEED)
        full = {d for pool in nar.sensory_all.values() for d in pool}
        for conv in convs:
            if conv["phase"] not in EXPOSURE:
                continue
            text = [t["text"] for t in conv["turns"] if t["speaker"] == "client"]
            for detail in full:
                n = sum(x.count(detail) for x in text)
                said += n > 0
                again += n > 2
    assert said > 500
    assert again / said < 0.08, (again, said)
