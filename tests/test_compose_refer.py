"""Referring expressions and typed slots: a long name is said in full once a conversation, a
frame is drawn only for a filler whose grammatical form it takes, a verb after a plural filler
agrees with it.

Blind reviewers quoted "the moment I woke and they told me my wife had died while I was asleep"
six times in one conversation, "during losing our village", "when hospitals sets me off",
"I'm at the factory floor" and "wants to run from the rota"; these tests keep that class out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tvt.compose import compose_client
from tvt.compose.dialogue_text import TYPED_SLOTS, frame_forms
from tvt.compose.language import FORMS, Picker, agree_plural, fill, name_index, slot_form
from tvt.compose.narrative import HOT_POINTERS, build_narrative
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.resources import seeds_path
from tvt.rng import Stream


def _pools(data: Any) -> Iterator[list[str]]:
    """Every list of strings (a pool of frames) in a bank, however deep."""
    if isinstance(data, list) and data and all(isinstance(x, str) for x in data):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _pools(value)
    elif isinstance(data, list):
        for value in data:
            yield from _pools(value)


def _bank_pools() -> list[list[str]]:
    out = []
    for path in sorted(seeds_path("compose").rglob("*.json")):
        out.extend(_pools(json.loads(path.read_text(encoding="utf-8"))))
    return out


def test_a_long_name_is_said_in_full_once_then_short_then_pointed_at() -> None:
    # full, short, short, then "that moment" from then on
    assert [name_index(u, 3, 2) for u in range(6)] == [0, 1, 1, 2, 2, 2]
    # two names: the second is both the short one and the last
    assert [name_index(u, 2, 2) for u in range(4)] == [0, 1, 1, 1]
    # the event's short names take turns; the full name never comes back
    assert [name_index(u, 3, 2, pointer=False) for u in range(6)] == [0, 1, 2, 1, 2, 1]
    assert [name_index(u, 1, 2) for u in range(3)] == [0, 0, 0]


@pytest.mark.parametrize(
    ("phrase", "form"),
    [
        ("the crash", "np"),
        ("the weeks on my own", "pl"),
        ("hospitals", "bare"),
        ("intensive care", "bare"),
        ("blue flashing lights", "bare"),
        ("dogs barking", "act"),
        ("groups of men laughing", "act"),
        ("losing our village", "ger"),
        ("being taken prisoner", "ger"),
        ("what happened at home", "wh"),
        ("the beeping of a monitor", "np"),
        ("that morning", "np"),
    ],
)
def test_slot_form(phrase: str, form: str) -> None:
    assert slot_form(phrase) == form


def test_a_verb_after_a_plural_filler_agrees_with_it() -> None:
    frame = "When {reminder} sets me off, I'd like to remember that."
    assert fill(frame, {"reminder": "hospitals"}).startswith("When hospitals set me off")
    assert fill(frame, {"reminder": "blue flashing lights"}).startswith(
        "When blue flashing lights set"
    )
    assert fill(frame, {"reminder": "a siren"}).startswith("When a siren sets me off")
    assert fill(frame, {"reminder": "being hungry"}).startswith("When being hungry sets")
    # Not the subject: "talking about the weeks on my own brings it back".
    assert "brings" in fill("Talking about {event} brings it back.", {"event": "the weeks"})
    assert fill("Knowing how {event} ends helps.", {"event": "the weeks on my own"}) == (
        "Knowing how the weeks on my own end helps."
    )
    assert fill("{event} still sits heavy.", {"event": "the blessings"}) == (
        "the blessings still sit heavy."
    )
    assert not agree_plural("losing our village") and agree_plural("dogs barking")


def test_every_typed_frame_takes_a_noun_phrase() -> None:
    """A frame that takes no filler at all is removed, not kept for a fallback: every typed
    slot of every bank frame takes at least a singular and a plural noun phrase."""
    for pool in _bank_pools():
        for frame in pool:
            for slot, accepted in frame_forms(frame):
                assert {"np", "pl"} <= accepted, (frame, slot)


def test_no_frame_is_drawn_for_a_filler_it_does_not_take() -> None:
    """Every bank frame x every filler form: a picker that knows the client's forms never
    draws a frame one of whose typed slots does not take them, and every pool with a typed
    frame has a frame for every form (so no fallback is ever needed)."""
    walked = 0
    for pool in _bank_pools():
        if not any(frame_forms(f) for f in pool):
            continue
        for form in FORMS:
            forms = dict.fromkeys(TYPED_SLOTS, frozenset((form,)))

            def fits(frame: str, forms: dict[str, frozenset[str]] = forms) -> bool:
                return all(not forms[s].isdisjoint(a) for s, a in frame_forms(frame))

            assert any(map(fits, pool)), (form, pool[:2])
            picker = Picker(Stream(7, 1, "refer-test"))
            picker.fits = fits
            for _ in range(2 * len(pool) + 1):
                drawn = picker.pick(pool)
                walked += 1
                assert fits(drawn), (form, drawn)
    assert walked > 500  # the banks do have typed frames


#: Lines the reviewers quoted (and their class): each must never come back.
_BAD = {
    "a gerund after during": r"\bduring (being|losing|waking|hiding|leaving|growing|watching) ",
    "a gerund or a kind after all of": r"\b(all|none|most) of (being|losing|waking|hiding|hospitals)",
    "a happening after mention": r"\bmention \w+ (barking|slamming|laughing|banging)\b",
    "a plural subject with a singular verb": (
        r"\b(when|whenever|if) (hospitals|fireworks|needles|[a-z]+ estates|dogs barking) "
        r"(sets|catches|comes|gets|knocks)\b"
    ),
    "running from a detail": r"wants to run from ",
    "doing something about a detail": r"to do something about ",
    "all jumbled, all of": r"jumbled, all of",
    "at a floor": r"\bat the factory floor\b",
    "a clause before ends": r"\bhow what \w+( \w+)? ends\b",
    "it feels like a gerund": r"feels like (being|losing|waking)\b",
    "a bare plural after after": r"the one I get after \w+s\b",
    "getting somewhere with a gerund": r"getting somewhere with (being|losing|waking)",
}


@pytest.fixture(scope="module")
def corpus() -> list[tuple[int, Any, list[Any]]]:
    """30 clients of each of two seeds, six conversations each."""
    out = []
    for seed in (9, 11):
        for case in planned_cases(load_config("default"), seed, 30):
            out.append((seed, case, compose_client(case, seed, BENCHMARK_ORDER)))
    return out


def test_the_quoted_bad_slot_fills_never_come_back(corpus: list[Any]) -> None:
    pattern = {k: re.compile(p) for k, p in _BAD.items()}
    for _, _, conversations in corpus:
        for conv in conversations:
            text = " ".join(t["text"] for t in conv["turns"])
            for name, regex in pattern.items():
                found = regex.search(text)
                assert found is None, (name, found.group(0) if found else "")


def test_a_long_name_is_said_in_full_at_most_once_a_conversation(corpus: list[Any]) -> None:
    """The hot spot's and the event's full names (when they have a shorter one) come once a
    conversation; the lines of daily life name the hot spot by its short name."""
    said_once = 0
    for seed, case, conversations in corpus:
        nar = build_narrative(case, seed)
        longs = []
        hot, event = nar.hotspot_names, nar.event_names
        if len(hot) > 2 and hot[1]["hotspot_c"] not in (hot[0]["hotspot_c"], *HOT_POINTERS):
            longs.append(hot[0]["hotspot_c"].lower())
        if len(event) > 1 and event[0]["event"].count(" ") >= 5:
            longs.append(event[0]["event"].lower())
        for conv in conversations:
            text = " ".join(t["text"] for t in conv["turns"]).lower()
            for name in longs:
                assert text.count(name) <= 1, (conv["phase"], name)
                said_once += text.count(name)
    assert said_once > 30  # the long names are there, once


@pytest.mark.parametrize(
    ("event", "short"),
    [
        ("what they did to me at work", "what they did"),
        ("the bullying at the warehouse where I worked", "the bullying"),
        # a clause cut before its verb is no name (reviewers quoted "the way your wife today")
        ("the way my husband at the time treated me", ""),
        ("what the woman who ran the house said about my family", ""),
    ],
)
def test_a_short_event_name_keeps_its_verb(event: str, short: str) -> None:
    from tvt.compose.narrative import _short_event

    assert _short_event(event) == short


def test_a_short_hot_spot_name_keeps_its_verb() -> None:
    from tvt.compose.narrative import _short

    # cut before "from", "the moment a load swinging" would have no verb (a reviewer quoted it)
    assert _short("the moment a load swinging from the crane hits the ground") == "that moment"
    assert _short("the moment a load swinging from the crane comes down on him") == (
        "the moment a load swinging from the crane comes down"
    )
    assert _short("the moment the ladder went out from under him and I fell") == (
        "the moment the ladder went out from under him"
    )


def test_the_event_is_it_once_its_full_name_is_said_and_no_short_name_fits() -> None:
    from tvt.compose.refer import fitting_name

    names = [{"event": "the night I called the police"}, {"event": "hiding under the stairs"}]
    typed = frame_forms("That's what's underneath all of {event}.")
    first = fitting_name(names, names[1], typed, used=0)
    assert first["event"] == "the night I called the police"
    assert fitting_name(names, names[1], typed, used=3)["event"] == "it"
