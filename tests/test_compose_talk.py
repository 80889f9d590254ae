"""The talk phases (P5 orientation, P8 eliciting, P11 processing): each exchange is an exchange
(the client's questions get answers, Socratic questions get answers that fit them, one closing),
and P11 speaks at its planned intensity (a final session planned at 8 is a client still
overwhelmed, one planned at 2 a settled one)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tvt.compose import compose_client
from tvt.compose.bank import client_bank, therapist_bank
from tvt.compose.dialogue import Dialogue
from tvt.compose.narrative import build_narrative
from tvt.compose.talk import belief_kind
from tvt.compose.talk_p11 import CAME_DOWN, LEAVING_ANSWERS, STILL_HIGH, tier_of
from tvt.config import load_config
from tvt.pipeline import planned_cases

SEED = 42
N = 40


@pytest.fixture(scope="module")
def clients() -> list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    out = []
    for case in planned_cases(load_config("default"), SEED, N):
        convs = compose_client(case, SEED, ["P5", "P8", "P11"])
        out.append((case, {c["phase"]: c for c in convs}))
    return out


def _plain(pool: list[str]) -> list[str]:
    """The lines of a pool with no slots (they appear verbatim in the text)."""
    return [x for x in pool if "{" not in x]


def _content(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 3]


def test_p11_speaks_at_its_planned_intensity(clients: list[Any]) -> None:
    tb, cb = therapist_bank()["P11"], client_bank()["P11"]
    # Without the last character: the therapist may add the client's name before it.
    planning = [x[:-1] for x in _plain(tb["summary_high"])]
    planning += [x.split("{")[0] for x in tb["closing_high"]]
    high_client = [x.split("{")[0] for k, v in cb.items() if k.endswith("_high") for x in v]
    high_client = [x for x in high_client if len(x) > 20]
    seen = {"high": 0, "low": 0}
    for case, convs in clients:
        level = case["plan"]["intensity"]["P11"]
        turns = convs["P11"]["turns"]
        therapist = " ".join(t["text"] for t in turns if t["speaker"] == "therapist")
        client = " ".join(t["text"] for t in turns if t["speaker"] == "client")
        if level >= STILL_HIGH:
            seen["high"] += 1
            # The therapist plans more work on the memory, and the last SUDS still reads high.
            assert any(p in therapist for p in planning), case["client_id"]
            reported = [t["suds"] for t in turns if t["suds"] is not None]
            assert reported and reported[-1] >= 65, (case["client_id"], reported)
        elif tier_of(level) == "low":
            seen["low"] += 1
            assert not any(p in therapist for p in planning), case["client_id"]
            assert not any(p in client for p in high_client), case["client_id"]
    assert seen["high"] and seen["low"], seen


def test_p11_says_it_came_down_only_when_it_did(clients: list[Any]) -> None:
    for case, convs in clients:
        pb = case["plan"]["suds"]["P7"]
        reflections = [t["text"] for t in convs["P11"]["turns"] if t["act"] == "reflection"]
        if pb["peak"] - pb["end"] < CAME_DOWN:
            assert not any("came down to" in r or "ended at" in r for r in reflections)


def test_socratic_questions_get_answers_that_fit(clients: list[Any]) -> None:
    tb, cb = therapist_bank()["P11"], client_bank()["P11"]
    checked = 0
    for _case, convs in clients:
        turns = convs["P11"]["turns"]
        nar_kinds = ("guilt", "danger", "incompetence")
        for i, turn in enumerate(turns[:-1]):
            for kind in nar_kinds:
                for j, question in enumerate(tb["stuck_" + kind]):
                    if "{" in question or not turn["text"].startswith(question[:-1]):
                        continue
                    # An answer's own words, without its story slots ("{event}").
                    answers = [re.sub(r"\{\w+\}", "", a) for a in cb[f"stuck_answer_{kind}_{j}"]]
                    said = set(_content(turns[i + 1]["text"]))
                    # The voice may reword a phrase ("a lot" -> "a great deal"): most of the
                    # answer's own words are there.
                    assert any(
                        len(said & set(_content(a))) >= 0.6 * len(set(_content(a))) for a in answers
                    ), (question, turns[i + 1]["text"])
                    checked += 1
    assert checked >= 10


def test_the_goodbye_question_is_answered_as_asked(clients: list[Any]) -> None:
    tb, cb = therapist_bank()["P11"], client_bank()["P11"]
    for _case, convs in clients:
        turns = convs["P11"]["turns"]
        for i, turn in enumerate(turns[:-1]):
            for j, question in enumerate(tb["before_leaving"]):
                if turn["text"].startswith(question[:-1].split(",")[0]):
                    name = LEAVING_ANSWERS[j]
                    pools = [v for k, v in cb.items() if k == name or k.startswith(name + "_")]
                    said = set(_content(turns[i + 1]["text"]))
                    lines = [set(_content(x.split("{")[0])) for p in pools for x in p]
                    assert any(x and len(said & x) >= 0.6 * len(x) for x in lines), (
                        question,
                        turns[i + 1]["text"],
                    )


def test_client_questions_in_orientation_are_answered(clients: list[Any]) -> None:
    tb, cb = therapist_bank()["P5"], client_bank()["P5"]
    answered = 0
    for _case, convs in clients:
        turns = convs["P5"]["turns"]
        for i in range(1, len(turns) - 1, 2):
            for name in ("rationale_response", "procedure_response", "rise_fall_response"):
                for j, line in enumerate(cb[name]):
                    key = f"answer_{name}_{j}"
                    head = line.split("{")[0]
                    if key not in tb or len(head) < 12 or head not in turns[i]["text"]:
                        continue
                    if "?" not in turns[i]["text"]:
                        continue  # the question was cut from a long turn
                    assert any(turns[i + 1]["text"].startswith(a) for a in tb[key]), (
                        turns[i]["text"],
                        turns[i + 1]["text"],
                    )
                    answered += 1
    assert answered >= 5


def test_one_substance_check_and_one_closing(clients: list[Any]) -> None:
    for _case, convs in clients:
        for phase, conv in convs.items():
            acts = [t["act"] for t in conv["turns"] if t["speaker"] == "therapist"]
            assert acts.count("closing") <= 1, phase
            pairs = zip(acts, acts[1:], strict=False)
            assert not any(a == b == "substance_check" for a, b in pairs), phase
            if phase == "P5":
                courage = [t["text"] for t in conv["turns"] if t["act"] == "validation"]
                assert not any("begin" in c for c in courage)


def test_an_opener_or_tic_is_used_once_per_conversation() -> None:
    case = next(planned_cases(load_config("default"), SEED, 1))
    nar = build_narrative(case, SEED)
    d = Dialogue(case, "P8", nar, SEED)
    sentences = [f"This is sentence number {i} about the day it happened." for i in range(400)]
    marks: list[str] = []
    for s in sentences:
        out = d._coloured(s, 3)
        if out != s:
            marks.append(out.replace(s[:-1], "").replace(s[1:-1], ""))
    assert marks, "the voice never coloured a sentence"
    assert len(d.colours) == len(marks)


@pytest.mark.parametrize(
    ("belief", "kind"),
    [
        ("Hospitals are places where terrible things happen to me.", "danger"),
        ("It's my fault. I should have stopped it.", "guilt"),
        ("I'm weak. I can't cope with anything.", "incompetence"),
        ("I was stupid to trust the job offer in the first place.", "guilt"),
    ],
)
def test_belief_kind(belief: str, kind: str) -> None:
    assert belief_kind(belief) == kind


@pytest.mark.slow
def test_a_risk_moment_is_assessed_once() -> None:
    """A client voices a risk moment once and the therapist assesses it once (P8 used to run
    the whole assessment twice when the conversation had room for it)."""
    flagged = 0
    for case in planned_cases(load_config("default"), 7, 200):
        for conv in compose_client(case, 7, ["P8", "P11"]):
            acts = [t["act"] for t in conv["turns"]]
            if conv.get("risk_moment"):
                flagged += 1
                assert acts.count("risk_assessment") == 3, (case["client_id"], conv["phase"])
            else:
                assert "risk_assessment" not in acts
    assert flagged >= 3


@pytest.mark.parametrize("style", ["numeric", "verbal"])
def test_an_exposure_close_says_it_came_down_only_when_it_did(style: str) -> None:
    """A P6 that ends at or near its peak is closed as one that stayed high, never with "Down to
    91" or "a real drop", and the client does not say it loosened (a blind reviewer caught the
    therapist saying "Down to 91" after a rise to 91)."""
    down = re.compile(r"\b(Down to|real drop|come down by the end|eased off)\b|\bDown from\b")
    loosened = re.compile(r"(loosened|easing its grip|did come down|It came down)")
    seen = {"high": 0, "down": 0}
    for case in planned_cases(load_config("default"), SEED, N):
        (conv,) = compose_client(case, SEED, ["P6"], suds_style=style)
        turns = conv["turns"]
        close = max(i for i, t in enumerate(turns) if t["act"] == "instruction")
        stated = [t["suds"] for t in turns[:close] if t.get("suds") is not None]
        levels = stated or [0]
        came_down = len(levels) >= 2 and levels[-1] <= max(levels) - 10 and levels[-1] <= levels[-2]
        after = " ".join(t["text"] for t in turns[close : close + 2])
        if came_down:
            seen["down"] += 1
        else:
            seen["high"] += 1
            assert not down.search(turns[close]["text"]), (case["client_id"], levels, after)
            assert not loosened.search(after), (case["client_id"], levels, after)
    assert seen["high"] and seen["down"], seen


def test_a_struggle_in_exposure_is_answered() -> None:
    """A client who asks to stop, skip a part or open their eyes (or says it is too much) during
    P7 hears the therapist take that up first, even when the next turn is a SUDS check or the
    return to the hot spot (a blind reviewer found "Can I skip past this bit?" met by the next
    reinforcement as if unsaid)."""
    tb, tcommon = therapist_bank()["P7"], therapist_bank()["common"]

    def opening(line: str) -> str:
        # The line's first sentence up to its last word (the name may follow it).
        return re.split(r"[.;,?]", line.split("{")[0])[0]

    answers = {
        kind[len("reinforce_") :]: [opening(x) for x in lines]
        for kind, lines in tb.items()
        if kind.startswith("reinforce_")
    }
    for kind in answers:
        answers[kind] += [opening(x) for x in tcommon["ack_" + kind]]
        answers[kind] += [opening(x) for x in tcommon.get("ack_end_" + kind, [])]  # at the close
    asks_stop = client_bank()["common"]["struggle_asks"]["stop"]
    seen = {"any": 0, "stop": 0}
    for case in planned_cases(load_config("default"), SEED, N):
        (conv,) = compose_client(case, SEED, ["P7"])
        turns = conv["turns"]
        for i, turn in enumerate(turns[:-1]):
            if turn["act"] != "struggle":
                continue
            seen["any"] += 1
            reply = turns[i + 1]["text"]
            assert any(reply.startswith(a) for v in answers.values() for a in v if a), reply
            if any(x in turn["text"] for x in asks_stop):
                # "Can we stop?" is answered as a wish to stop, whatever pool it came from.
                seen["stop"] += 1
                assert any(reply.startswith(a) for a in answers["stop"] if a), reply
    assert seen["any"] >= N and seen["stop"], seen


def test_the_therapist_echoes_a_perceived_detail_at_most_once() -> None:
    """ "You can hear the radio hissing." read as mechanical when it came every few turns: at
    most once per exposure conversation, and only right after the client named the detail."""
    tcommon = therapist_bank()["common"]
    frames = [f.split("{")[0] for k, v in tcommon.items() if k.startswith("echo_") for f in v]
    for case in planned_cases(load_config("default"), SEED, N):
        for conv in compose_client(case, SEED, ["P6", "P7", "P10"]):
            turns = conv["turns"]
            echoes = [
                i
                for i, t in enumerate(turns)
                if t["speaker"] == "therapist" and any(t["text"].startswith(f) for f in frames)
            ]
            assert len(echoes) <= 1, (case["client_id"], conv["phase"])
            for i in echoes:
                said = turns[i]["text"].split(".")[0].split(" ", 3)[-1]
                named = [w for w in _content(said) if not w.startswith("you")]
                # Named just before (a person may come back with their full name).
                found = [w for w in named if w in turns[i - 1]["text"].lower()]
                assert 2 * len(found) >= len(named), (said, turns[i - 1])


def test_p8_takes_up_the_stuck_belief_with_an_open_question(clients: list[Any]) -> None:
    """After the client voices the hot thought, P8 asks about it once, and the client's answer
    is the one paired with that question; the belief is never just put off ("We'll look at
    it", "We'll come back to it" read to a PE supervisor as a missed stuck point)."""
    questions = therapist_bank()["P8"]["belief_open"]
    answers = [a.split("{")[0][:20] for a in client_bank()["P8"]["belief_answer"]]
    asked = 0
    for case, convs in clients:
        turns = convs["P8"]["turns"]
        therapist = [t["text"] for t in turns if t["speaker"] == "therapist"]
        assert not any(re.search(r"We'll (look at|come back to) it", t) for t in therapist)
        hits = [
            i for i, t in enumerate(turns) if any(t["text"].startswith(q[:-1]) for q in questions)
        ]
        assert len(hits) <= 1, case["client_id"]
        for i in hits:
            asked += 1
            q = next(k for k, x in enumerate(questions) if turns[i]["text"].startswith(x[:-1]))
            assert answers[q].lower()[:12] in turns[i + 1]["text"].lower(), turns[i + 1]["text"]
    assert asked >= N // 2, asked
