"""Property tests of the offline composer over many seeds and sampled cases (hypothesis)."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.compose import REQUIRED_ACTS, compose_client
from tvt.compose.bank import client_bank, profile_bank, therapist_bank
from tvt.compose.narrative import build_narrative
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES
from tvt.pipeline import planned_cases
from tvt.resources import load_seed_json

NUMBER = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^a-z0-9']+")


def norm(text: str) -> str:
    """Words only, lower-cased: the composer runs sentences together ("..., and my hands"),
    adds the client's openers and tics and hesitations, so a beat is found by its words."""
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


def unlinked(text: str) -> str:
    """:func:`norm` without the words that link sentences ("and", "but", "so", "then")."""
    return " " + " ".join(w for w in norm(text).split() if w not in _LINKS) + " "


_LINKS = frozenset({"and", "but", "so", "then"})


def named(nar, text: str) -> str:
    """``text`` with the story's people by first name only, as the client says them after the
    first mention ("my sister Amara" -> "Amara", "a man in a hooded top" -> "the man")."""
    for full, name in nar.people:
        text = text.replace(full, name).replace(full[:1].upper() + full[1:], name)
    # People described at length are named short after the first mention ("the man").
    for full, short in nar.referents:
        text = text.replace(full, short).replace(full[:1].upper() + full[1:], short)
    return text


def said(sentence_source: str, text: str, nar=None) -> bool:
    """Whether some sentence (3+ words) of ``sentence_source`` is said in ``text``."""
    if nar is not None:
        sentence_source = named(nar, nar.voice.lexicon(sentence_source))
        text = named(nar, text)
    target = norm(text)
    parts = [norm(p) for p in re.split(r"(?<=[.!?])\s+", sentence_source)]
    return any(p in target for p in parts if len(p.split()) >= 3)


SETTINGS = settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def _config():
    return load_config("default")


def case_of(seed: int, client_id: int) -> dict:
    """Client ``client_id`` of seed ``seed`` (generated alone: prefix-stable by design)."""
    return next(planned_cases(_config(), seed, client_id, start=client_id))


def conversations(seed: int, client_id: int) -> tuple[dict, dict[str, dict]]:
    case = case_of(seed, client_id)
    convs = compose_client(case, seed, BENCHMARK_ORDER)
    return case, {c["phase"]: c for c in convs}


seeds = st.integers(min_value=0, max_value=2**31)
clients = st.integers(min_value=1, max_value=5000)


@pytest.mark.slow
@SETTINGS
@given(seeds, clients)
def test_structure_acts_and_alternation(seed: int, client_id: int) -> None:
    case, convs = conversations(seed, client_id)
    first = case["client_profile"]["name"].split()[0]
    assert list(convs) == list(BENCHMARK_ORDER)
    for phase, conv in convs.items():
        turns = conv["turns"]
        assert conv["client_id"] == case["client_id"]
        assert conv["source"] == "offline"
        for i, turn in enumerate(turns):
            assert turn["speaker"] == ("therapist" if i % 2 == 0 else "client"), (phase, i)
            assert turn["text"].strip() == turn["text"] and turn["text"]
            # No template slot may survive into the data.
            assert "{" not in turn["text"] and "}" not in turn["text"], turn["text"]
        acts = {t["act"] for t in turns}
        missing = set(REQUIRED_ACTS[phase]) - acts
        assert not missing, (phase, missing)
        therapist = [t["text"] for t in turns if t["speaker"] == "therapist"]
        # The therapist addresses the client by name in every phase ...
        assert any(first in t for t in therapist), phase
        # ... and never repeats a line more than three times in one conversation.
        assert max(therapist.count(t) for t in therapist) <= 3
    assert sum(t["act"] == "suds_request" for t in convs["P6"]["turns"]) >= 4


@pytest.mark.slow
@SETTINGS
@given(seeds, clients)
def test_suds_match_text_and_plan(seed: int, client_id: int) -> None:
    case, convs = conversations(seed, client_id)
    plan = case["plan"]
    planned = {plan["suds"][p][k] for p in EXPOSURE_PHASES for k in ("start", "peak", "end")}
    for phase, conv in convs.items():
        stated: list[int] = []
        for turn in conv["turns"]:
            numbers = [int(n) for n in NUMBER.findall(turn["text"])]
            if turn["speaker"] == "client":
                if turn["suds"] is None:
                    assert numbers == [], turn["text"]
                else:
                    # The stated number is in the text, on 0-100, and it is the only number.
                    assert 0 <= turn["suds"] <= 100
                    assert numbers == [turn["suds"]], turn["text"]
                    assert turn["act"] == "suds_report"
                    stated.append(turn["suds"])
            else:
                assert turn["suds"] is None
                # A therapist only repeats numbers the client stated or the plan's SUDS.
                assert set(numbers) <= set(stated) | planned, turn["text"]
        # Every phase but processing (where it is optional) states a SUDS.
        assert stated or phase == "P11", phase
        if phase in EXPOSURE_PHASES:
            target = plan["suds"][phase]
            assert stated[0] == target["start"]
            assert stated[-1] == target["end"]
            assert max(stated) == target["peak"]
            assert all(0 <= v <= target["peak"] for v in stated)
            if target["course"]["kind"] == "hotspot":  # the classic corridor; other courses dip
                top = stated.index(target["peak"])
                assert all(target["start"] <= v <= target["peak"] for v in stated[:top])
                assert all(target["end"] <= v <= target["peak"] for v in stated[top:])
        else:
            assert all(round(v / 10) == plan["intensity"][phase] for v in stated), stated


@pytest.mark.slow
@SETTINGS
@given(seeds, clients)
# A late hotspot with little habituation averaged 7.03 in P10 against a planned 6 (found by the
# explore profile); tvt/compose/exposure.py now keeps the arc's average to the plan.
@example(seed=1013146, client_id=3735)
def test_turn_intensities_follow_the_plan(seed: int, client_id: int) -> None:
    case, convs = conversations(seed, client_id)
    plan = case["plan"]
    for phase, conv in convs.items():
        levels = [t["intensity"] for t in conv["turns"]]
        assert all(1 <= x <= 10 for x in levels)
        if phase not in EXPOSURE_PHASES:
            assert set(levels) == {plan["intensity"][phase]}
            continue
        for turn in conv["turns"]:
            if turn["suds"] is not None:
                assert turn["intensity"] == max(1.0, round(turn["suds"] / 10, 1))
        # The arc's average agrees with the phase intensity of the plan (the mean of start, peak
        # and end): within a point on the hot-spot arc; a course that holds its peak (plateau,
        # no come-down) or dips sits further from that mean, within two points.
        tol = 1.0 if plan["suds"][phase]["course"]["kind"] == "hotspot" else 2.0
        assert abs(sum(levels) / len(levels) - plan["intensity"][phase]) <= tol + 1e-9


@pytest.mark.slow
@SETTINGS
@given(seeds, clients)
def test_within_phase_arc_peaks_at_the_hotspot(seed: int, client_id: int) -> None:
    case, convs = conversations(seed, client_id)
    nar = build_narrative(case, seed)
    hotspot = set(nar.beats["hotspot"])
    for phase in ("P10", "P6"):
        if case["plan"]["suds"][phase]["course"]["kind"] != "hotspot":
            continue  # other courses peak elsewhere (tests/test_suds_courses.py)
        turns = convs[phase]["turns"]
        peak = case["plan"]["suds"][phase]["peak"]
        reports = [i for i, t in enumerate(turns) if t["suds"] is not None]
        first_peak = next(i for i in reports if turns[i]["suds"] == peak)
        # The peak is stated right after the client narrates the hotspot (two turns earlier).
        if peak > case["plan"]["suds"][phase]["start"]:
            assert any(said(h, turns[first_peak - 2]["text"], nar) for h in hotspot), phase
        # Distress rises before the peak and partly habituates after it.
        assert first_peak not in (reports[0], reports[-1]) or peak == turns[reports[0]]["suds"]


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds, st.integers(min_value=1, max_value=3000), st.integers(min_value=1, max_value=3000))
# Found by the explore profile: client 1's own "There's a tube in my throat. I can't speak.",
# run together with "and", read as client 1017's "There's a tube in my throat and I can't speak."
@example(seed=1017, a=1, b=1017)
def test_no_other_client_leaks_in(seed: int, a: int, b: int) -> None:
    case_a, convs_a = conversations(seed, a)
    case_b = case_of(seed, b)
    if case_a["client_profile"]["name"] == case_b["client_profile"]["name"]:
        return
    text = " ".join(t["text"] for c in convs_a.values() for t in c["turns"])
    assert case_b["client_profile"]["name"] not in text
    nar_a = build_narrative(case_a, seed)
    nar_b = build_narrative(case_b, seed)
    own = {s for beats in nar_a.beats.values() for s in beats} | set(nar_a.slow)
    foreign = {s for beats in nar_b.beats.values() for s in beats} | set(nar_b.slow)
    # Without the links the composer puts between sentences ("There's a tube in my throat. I
    # can't speak." said as "..., and I can't speak"), so that two of this client's own
    # sentences run together are not taken for another client's one sentence.
    own_words = unlinked(" ".join(own))
    for beat in foreign - own:
        for part in re.split(r"(?<=[.!?])\s+", beat):
            # A sentence of the other client's story that this client's story does not share.
            if len(part.split()) >= 6 and unlinked(part) not in own_words:
                assert unlinked(part) not in unlinked(text), part
    # Every narrated beat belongs to this client's own narrative.
    narrated = [
        t["text"] for p in EXPOSURE_PHASES for t in convs_a[p]["turns"] if t["act"] == "narration"
    ]
    assert all(any(said(s, n, nar_a) for s in own) for n in narrated)


@pytest.mark.slow
@SETTINGS
@given(seeds, clients)
# A talkative voice once ran away in P6 (50.75 words a client turn): the composer now keeps a
# conversation's later turns short once its average is high (tvt/compose/length.py).
@example(seed=130, client_id=548)
# The explore profile found a P5 whose therapist repeated a long event name in full (25.4 words a
# turn, bound 25); composer 3.0 shortens a name after its first mention (22.2).
@example(seed=38176202, client_id=20)
# Found by the explore profile on composer 3.0 (a P5 therapist at 25.1 words a turn); composer
# 3.1's shorter rationale lines keep it at 21.1.
@example(seed=4365, client_id=4365)
# Found by the explore profile on composer 3.4 (a P11 at 50.6 client words a turn, bound 50): the
# line of how the client is now goes only on a turn short enough to take it (tvt/compose/talk.py).
@example(seed=3399, client_id=3399)
# And a P11 of long answers at a mild level (51.1): P11's runaway cap comes after 6 turns, not 10.
@example(seed=586, client_id=4926)
def test_words_per_turn_bands(seed: int, client_id: int) -> None:
    _, convs = conversations(seed, client_id)
    for phase, conv in convs.items():
        therapist = [len(t["text"].split()) for t in conv["turns"] if t["speaker"] == "therapist"]
        client = [len(t["text"].split()) for t in conv["turns"] if t["speaker"] == "client"]
        assert 4 <= sum(therapist) / len(therapist) <= 25, phase
        assert 15 <= sum(client) / len(client) <= 50, phase
        assert max(therapist) <= 60 and max(client) <= 110


# -- the therapist's voice ---------------------------------------------------------------------
TOPICS = sorted(load_seed_json("presets", "default.json")["session_topic"])
QUOTED = re.compile(r'"[^"]*"')
FIRST_PERSON = re.compile(r"\b(I|I'm|I've|I'd|I'll|me|my|mine|myself|our|ours|we|us)\b")
CLIENT_POSSESSIVE = re.compile(r"\b(my|our|ours|mine|myself)\b\s*(\w*)")
WORD = re.compile(r"[\w']+")


@cache
def _therapist_templates() -> tuple[str, ...]:
    """(word before, first-person word, word after) as written in the therapist's own lines.

    A first-person word in a therapist turn is legitimate only in a context the therapist's
    templates themselves contain ("I'll ask you", "let me", "I'm with you"); one that arrived
    through a slot filled in the client's voice ("the night I nearly died") has a context no
    template has.
    """
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk(therapist_bank())
    # P5's client questions and concerns carry the therapist's specific answers.
    for phase in client_bank().values():
        for pool in ("questions", "concerns"):
            for item in phase.get(pool, []) if isinstance(phase, dict) else []:
                walk(item.get("therapist", []))
    for section in ("behaviours", "conditions"):
        for entry in profile_bank()[section].values():
            walk(entry["link"])
    return tuple(texts)


@cache
def _therapist_first_person_contexts() -> frozenset[tuple[str, str, str]]:
    return frozenset(
        ctx
        for text in _therapist_templates()
        for ctx in _contexts(re.sub(r"\{\w+\}", "SLOT", text))
    )


@cache
def _therapist_possessives() -> frozenset[str]:
    """The therapist's own possessives as the templates write them ("my office", "my voice")."""
    return frozenset(
        m.group(0) for t in _therapist_templates() for m in CLIENT_POSSESSIVE.finditer(t)
    )


def _contexts(text: str) -> list[tuple[str, str, str]]:
    """First-person words with their neighbours, sentence by sentence (turns join sentences
    from several templates)."""
    out = []
    for sentence in re.split(r"[.!?]", QUOTED.sub(" ", text)):
        padded = ["", *WORD.findall(sentence), ""]
        out += [
            (padded[i - 1].lower(), w, padded[i + 1].lower())
            for i, w in enumerate(padded)
            if w and FIRST_PERSON.fullmatch(w)
        ]
    return out


def _client_voice_phrases(nar) -> set[str]:
    """Every narrative phrase in the client's voice that contains a first-person word."""
    phrases = {v for k, v in nar.ctx.items() if not k.endswith("_cap")}
    phrases |= {t for beats in nar.beats.values() for t in beats}
    phrases |= set(nar.slow) | set(nar.thoughts) | set(nar.reminders)
    phrases |= {t for ds in nar.sensory_all.values() for t in ds}
    return {p for p in phrases if FIRST_PERSON.search(QUOTED.sub(" ", p))}


@pytest.mark.slow
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds, clients, st.sampled_from(TOPICS))
@example(seed=2903, client_id=2903, topic="airplane crash")  # explore: a client named "Te"
def test_therapist_never_speaks_in_the_clients_voice(seed: int, client_id: int, topic: str) -> None:
    """Outside quoted client words, no therapist turn refers to the client's event as "my"."""
    case = case_of(seed, client_id)
    case = {**case, "trauma_info": {**case["trauma_info"], "session_topic": topic}}
    nar = build_narrative(case, seed)
    client_phrases = _client_voice_phrases(nar)
    allowed = _therapist_first_person_contexts()
    for conv in compose_client(case, seed, BENCHMARK_ORDER):
        for turn in conv["turns"]:
            if turn["speaker"] != "therapist":
                continue
            text = QUOTED.sub(" ", turn["text"])
            for phrase in client_phrases:
                # Whole words: "our boots" is not inside "Your boots".
                found = re.search(r"(?<![\w'])" + re.escape(phrase), text)
                assert not found, (topic, conv["phase"], phrase, turn["text"])
            for m in CLIENT_POSSESSIVE.finditer(text):
                assert m.group(0) in _therapist_possessives(), (topic, conv["phase"], m.group(0))
            # Numbers and the name come from slots, as in the templates.
            name = r"\b" + re.escape(nar.ctx["first"]) + r"\b"  # a name "Te" is not in "Tell"
            slotted = re.sub(r"\d+", "SLOT", re.sub(name, "SLOT", text))
            for ctx in _contexts(slotted):
                assert ctx in allowed, (topic, conv["phase"], ctx, turn["text"])


def test_voice_check_catches_a_client_voice_slot() -> None:
    """The check above would flag the leak it guards against."""
    bad = "Remembering the night I nearly died is not the same as being back there."
    assert any(c not in _therapist_first_person_contexts() for c in _contexts(bad))
    leak = CLIENT_POSSESSIVE.search("I'll ask you to describe the end of my marriage")
    assert leak and leak.group(0) not in _therapist_possessives()
