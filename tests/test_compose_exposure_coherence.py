"""Coherence inside the imaginal exposures (P10, P6, P7): the therapist's SUDS acknowledgement
follows the number and the way the client said it moved, the close of a session never
contradicts itself, and a feeling or thought named at a beat of the story fits that beat.

Corpus scans over 60 clients of two seeds: each asserts a tell the blind reviewers quoted
("Roughly the same, 65" -> "Rising to 65"; "Let's not skip it. We'll stop there."; "I feel
awfully furious" as a shell lands) never appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tvt.compose import compose_client
from tvt.compose.bank import narrative_schema, voice_bank
from tvt.compose.dialogue import Dialogue
from tvt.compose.narrative import BEAT_ORDER, build_narrative
from tvt.compose.scene import Moment, holds, places_of, posture_of, scene_bank
from tvt.config import load_config
from tvt.pipeline import planned_cases
from tvt.resources import load_seed_json

EXPOSURES = ("P10", "P6", "P7")
SEEDS = (9, 11)


def _cases() -> Iterator[tuple[int, dict]]:
    for seed in SEEDS:
        for case in planned_cases(load_config("default"), seed, 30):
            yield seed, case


@pytest.fixture(scope="module")
def said(request: pytest.FixtureRequest) -> list[tuple[str, str, str, str]]:
    """(phase, act, story stage, text) of every turn of the exposures, client and therapist."""
    out: list[tuple[str, str, str, str]] = []
    original = Dialogue.add

    def add(self: Dialogue, speaker: str, act: str, text: str, *a: object, **k: object) -> None:
        original(self, speaker, act, text, *a, **k)  # type: ignore[arg-type]
        if self.phase in EXPOSURES:
            out.append(
                (
                    self.phase,
                    speaker[0] + ":" + act,
                    getattr(self, "story_at", "before"),
                    self.turns[-1]["text"],
                )
            )

    mp = pytest.MonkeyPatch()
    mp.setattr(Dialogue, "add", add)
    try:
        for seed, case in _cases():
            compose_client(case, seed, EXPOSURES)
            out.append(("", "end", "", ""))
    finally:
        mp.undo()
    return out


_UP = re.compile(r"^(It's gone up|Up from|\d+ now\. It's climbing|That's higher|Rising to)")
_DOWN = re.compile(
    r"^(It's come down|Down from|\d+ now\. It's settling|It's dropping|Down to \d+, )"
)
_SAME = re.compile(r"^(Still at|\d+ again|Holding at|Steady at|Still \d+)")


def test_the_therapist_follows_the_stated_suds(said: list[tuple[str, str, str, str]]) -> None:
    """After a SUDS report the therapist's words agree with the numbers: "Rising" only after a
    rise of more than two points, "Down" only after a fall, "Still" only for the same number."""
    last: list[int] = []
    checked = 0
    for phase, act, _, text in said:
        if act == "end":
            last = []
            continue
        if act == "c:suds_report":
            found = re.match(r"\D*?(\d+)", text)
            last.append(int(found.group(1)) if found else -1)
            continue
        if not act.startswith("t:") or len(last) < 2 or phase != "P6":
            continue
        before, now = last[-2], last[-1]
        if _UP.match(text):
            assert now > before + 2, f"{before} -> {now}: {text!r}"
        if _DOWN.match(text):
            assert now < before, f"{before} -> {now}: {text!r}"
        if _SAME.match(text):
            assert now == before, f"{before} -> {now}: {text!r}"
        checked += 1
        last = last[-1:] + [-1]  # answered: the next therapist turn is not about this check
        last = last[:1]
    assert checked > 100


def test_a_session_never_closes_against_itself(said: list[tuple[str, str, str, str]]) -> None:
    """The check that ends a retelling never asks the client to go on ("Let's not skip it.
    We'll stop there."), and a close at a high number names the work, not only "Let it go"."""
    going_on = re.compile(r"Let's not skip it|Don't skip it|Keep them closed|Stay with it a little")
    last_suds = 0
    for i, (_, act, _, text) in enumerate(said):
        if act == "c:suds_report":
            found = re.match(r"\D*?(\d+)", text)
            last_suds = int(found.group(1)) if found else 0
        if act == "t:suds_request" and i + 2 < len(said) and said[i + 2][1] == "t:instruction":
            # The last check: the instruction after it closes the session.
            assert not going_on.search(text), text
        if act == "t:instruction" and i + 1 < len(said) and said[i + 1][1] == "c:response":
            if said[i - 1][1] == "c:suds_report" and last_suds >= 90 and said[i][0] != "P6":
                assert any(
                    w in text for w in ("still high", "hard work", "right to the end", "high as")
                ), f"{last_suds}: {text!r}"


def _feeling_words(kinds: frozenset[str]) -> re.Pattern[str]:
    banned = [
        w for k, ws in voice_bank()["feelings"]["kinds"].items() if k not in kinds for w in ws
    ]
    return re.compile(
        r"\b(?:I feel|I'm|It's making me|I am)\s+(?:\w+\s+){0,2}?(" + "|".join(banned) + r")\b"
    )


def test_a_feeling_fits_the_beat_it_is_named_at(said: list[tuple[str, str, str, str]]) -> None:
    """Before the danger only fear; under threat fear or horror; at the worst moment no grief
    unless it is a loss, no anger or shame unless someone there does the harm."""
    before = _feeling_words(frozenset())
    threat = _feeling_words(frozenset({"horror"}))
    n = 0
    for _, act, stage, text in said:
        if not act.startswith("c:"):
            continue
        if stage == "before":
            assert not before.search(text), text
        elif stage == "threat":
            assert not threat.search(text), text
        n += 1
    assert n > 1000


def test_the_worst_moment_of_a_shelling_is_not_anger() -> None:
    from tvt.compose.exposure import stage_kinds

    case = {
        "trauma_info": {"type": "combat or war experiences", "session_topic": "refugee experiences"}
    }
    assert "anger" not in stage_kinds(case, "hot")
    assert "grief" in stage_kinds(case, "after")


# -- the moment of a retelling: where, in what posture, what in the hands --------------------------
PRESET = load_seed_json("presets", "default.json")
ALLOWED = sorted(
    (t, topic) for t, topics in PRESET["compatible_topics"].items() for topic in topics
)


def _told(schema: dict) -> list[str]:
    return [line for variants in schema["beats"].values() for line in variants] + list(
        schema["slow"]
    )


def _story_places(schema: dict) -> frozenset[str]:
    return frozenset().union(*(places_of(line) for line in _told(schema)))


@pytest.mark.parametrize(("trauma_type", "topic"), ALLOWED)
def test_every_beat_leaves_a_detail_of_every_sense(trauma_type: str, topic: str) -> None:
    """Walk each story's beats in order, every variant: at each beat every sense still has a
    detail that fits the moment (the story's own, or scene.json's scene-free ones), and no
    detail of a place the story never goes to is drawable."""
    schema = narrative_schema(trauma_type, topic)
    places = _story_places(schema)
    fallback = scene_bank()["fallback"]["sensory"]
    for variant in range(2):
        moment = Moment(places)
        for beat in BEAT_ORDER:
            lines = schema["beats"][beat]
            moment.tell(lines[variant % len(lines)])
            for sense in fallback:
                details = schema["sensory"][sense] + schema.get("sensory_hot", {}).get(sense, [])
                assert any(moment.fits(x) for x in details + fallback[sense]), (beat, sense)
                for x in details:
                    if places and places_of(x) and not places_of(x) <= places:
                        assert not moment.fits(x), f"{trauma_type}/{topic}: {x!r} at {beat}"


def test_the_crash_stays_out_of_the_theatre() -> None:
    """The surgery after a crash is told in the hospital: petrol and the seatbelt, details of
    the crash before it, are drawn at none of its beats."""
    schema = narrative_schema("medical trauma", "car accident trauma")
    moment = Moment(_story_places(schema))
    for beat in BEAT_ORDER:
        moment.tell(schema["beats"][beat][0])
        for x in ("petrol", "the seatbelt cutting into my chest", "the cracked windscreen"):
            assert not moment.fits(x), (beat, x)


def test_one_posture_and_one_thing_in_the_hands_at_a_time() -> None:
    moment = Moment(frozenset())
    moment.said("My cheek is on the concrete.")
    assert posture_of("the cold wall against my back") == "standing"
    assert not moment.fits("the cold wall against my back")
    moment.restart()
    moment.said("I can feel my phone gripped in my hand.")
    assert not moment.fits("the door handle in my hand")
    assert moment.fits("I can feel my phone gripped in my hand.")


_SENT = re.compile(r"(?<=[.!?])\s+")


def test_composed_details_fit_their_moment(said: list[tuple[str, str, str, str]]) -> None:
    """In the composed exposures no sentence takes the client to a place the story's beats never
    go to, and no client turn holds two different things or two postures in its details."""
    beats: set[str] = set()
    for seed, case in _cases():
        nar = build_narrative(case, seed)
        beats |= {s for b in nar.beats.values() for line in b for s in _SENT.split(line)}
        beats |= {s for line in nar.slow for s in _SENT.split(line)}
    held_twice = 0
    for _, act, _, text in said:
        if not act.startswith("c:"):
            continue
        details = [s for s in _SENT.split(text) if s not in beats]
        postures = {posture_of(s) for s in details} - {""}
        assert len(postures) <= 1, text
        held_twice += sum(holds(s) for s in details) > 1
    assert held_twice == 0


def test_help_comes_only_after_the_worst() -> None:
    """ "I can see the officers running" at the moment nobody is coming: a rescue detail is
    drawn only once the aftermath is told."""
    moment = Moment(frozenset())
    assert not moment.fits("the officers running")
    moment.after = True
    assert moment.fits("the officers running")


_AHEAD = re.compile(
    r"is coming, and I don't want it to|I don't want to go anywhere near the moment|"
    r"open my eyes before|Can we stop before|I don't want to do the moment"
)


def test_the_worst_moment_is_never_ahead_once_told(said: list[tuple[str, str, str, str]]) -> None:
    """ "I know that moment is coming" after the father says "you stayed hidden, good": past
    the hot spot no client line puts it ahead."""
    late = [text for _, act, stage, text in said if act.startswith("c:") and stage == "after"]
    assert len(late) > 200
    for text in late:
        assert not _AHEAD.search(text), text


def test_a_story_that_puts_the_phone_in_the_hand_draws_no_other_held_thing() -> None:
    """The door handle in the hand a beat later puts the phone in: a story whose own beats hold
    something takes no held detail."""
    from tvt.compose.exposure import story_moment

    places, story_holds = story_moment("witnessing violence", "home invasion")
    schema = narrative_schema("witnessing violence", "home invasion")
    told = [line for variants in schema["beats"].values() for line in variants]
    assert story_holds == any(holds(line) for line in told)
    moment = Moment(places, story_holds)
    if story_holds:
        assert not moment.fits("the door handle in my hand")
