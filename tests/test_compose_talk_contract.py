"""Turn-to-turn coherence in the talk phases (P5, P8, P11): the question-answer contract
(:data:`tvt.compose.acts.ANSWERS`) and the therapist taking up what the client just said.

Each test scans the talk phases of 60 clients of two seeds and asserts a tell that blind PE
supervisors quoted never appears: a client turn that does not answer the question before it, an
admission of drinking met with the avoidance rationale, a plan proposed and never made, a
request ignored, validation after a positive statement or a stuck belief, a belief answered with
an unrelated story of the week, and a mid-band final session that reads as settled."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tvt.compose import compose_client
from tvt.compose.acts import ANSWERS
from tvt.compose.bank import client_bank, therapist_bank
from tvt.compose.dialogue import Dialogue
from tvt.compose.narrative import build_narrative
from tvt.compose.talk import answered, recording_exchanges
from tvt.compose.talk_p11 import tier_of
from tvt.config import load_config
from tvt.pipeline import planned_cases

SEEDS = (9, 11)
N = 30
TALK = ["P5", "P8", "P11"]

Exchange = tuple[str, int, str, str]


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict[str, Any], dict[str, dict[str, Any]], list[Exchange]]]:
    """(case, conversations by phase, question-answer pairs) for 60 clients of two seeds, one
    seed in verbal SUDS and with a high share of risk moments (their exchanges are checked too)."""
    out = []
    for seed in SEEDS:
        style = "verbal" if seed == SEEDS[1] else "numeric"
        for case in planned_cases(load_config("default"), seed, N):
            with recording_exchanges() as log:
                convs = compose_client(case, seed, TALK, suds_style=style, risk_share=0.5)
            out.append((case, {c["phase"]: c for c in convs}, list(log)))
    return out


def _head(line: str) -> str:
    """A pool line's words up to its first slot (they appear verbatim in the text)."""
    return line.split("{")[0]


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 3}


def _says(text: str, line: str) -> bool:
    """Whether ``text`` says ``line`` (most of its own words: the voice may add an opener or
    reword a phrase, "maybe" -> "perhaps")."""
    words = _content(re.sub(r"\{\w+\}", "", line))
    return len(_content(text) & words) >= 0.6 * len(words)


def _starts(text: str, pool: list[str]) -> bool:
    return any(len(_head(x)) >= 4 and text.startswith(_head(x)) for x in pool)


def test_every_question_gets_an_answer_the_contract_lists(corpus: list[Any]) -> None:
    """Walk every talk-phase conversation: each client turn after a therapist question was
    composed as an answer to it, from a pool the contract lists for that question."""
    checked = 0
    for case, convs, log in corpus:
        pairs = {(phase, i): (q, a) for phase, i, q, a in log}
        for phase, conv in convs.items():
            turns = conv["turns"]
            for i in range(1, len(turns), 2):
                if not turns[i - 1]["text"].rstrip().endswith("?"):
                    continue
                assert (phase, i) in pairs, (case["client_id"], phase, turns[i - 1]["text"])
                question, answer = pairs[(phase, i)]
                assert answer in ANSWERS[f"{phase}.{question}"], (phase, question, answer)
                checked += 1
    assert checked >= 60 * 20, checked


def test_the_contract_refuses_an_answer_to_another_question() -> None:
    case = next(iter(planned_cases(load_config("default"), SEEDS[0], 1)))
    d = Dialogue(case, "P5", build_narrative(case, SEEDS[0]), SEEDS[0])
    answered(d, "ask_question", "questions")
    with pytest.raises(AssertionError, match="does not answer"):
        answered(d, "ask_concern", "questions")  # a "what worries you?" answered with a question
    with pytest.raises(AssertionError, match="does not answer"):
        answered(d, "no_such_question", "questions")


def test_p5_takes_up_the_substance_answer_before_the_rationale(corpus: list[Any]) -> None:
    """An admission of drinking ("last night ... round at my friend's") is taken up, never met
    with the avoidance rationale as if it had not been said; nor is "No, nothing"."""
    common = therapist_bank()["common"]
    said = client_bank()["P5"]["substance_answer"]
    kinds = ("sober", "drank", "urge")
    seen = 0
    for _case, convs, _log in corpus:
        turns = convs["P5"]["turns"]
        for i, turn in enumerate(turns[:-1]):
            if turn["act"] != "substance_check":
                continue
            j = next(k for k, x in enumerate(said) if _says(turns[i + 1]["text"], x))
            assert _starts(turns[i + 2]["text"], common["ack_" + kinds[j]]), turns[i + 2]["text"]
            seen += 1
    assert seen >= 5, seen


def test_p5_makes_the_plan_it_proposes(corpus: list[Any]) -> None:
    """ "Let's agree what you'll do tonight" is done: the client makes the plan, and the
    therapist's next turn confirms it (no "Alright. That helps." after a plan question)."""
    concerns = [c for c in client_bank()["P5"]["concerns"] if c.get("response")]
    confirm = therapist_bank()["common"]["ack_plan"]
    generic = client_bank()["P5"]["answer_response"]
    seen = 0
    for _case, convs, _log in corpus:
        turns = convs["P5"]["turns"]
        for i, turn in enumerate(turns[:-2]):
            entry = next((c for c in concerns if _starts(turn["text"], c["therapist"])), None)
            if entry is None or turn["speaker"] != "therapist":
                continue
            assert turn["text"].endswith("?"), turn["text"]
            answer = turns[i + 1]["text"]
            assert any(_says(answer, x) for x in entry["response"]), answer
            assert not _starts(answer, generic), answer
            assert _starts(turns[i + 2]["text"], confirm), turns[i + 2]["text"]
            seen += 1
    assert seen >= 2, seen


def test_p8_answers_a_request_and_meets_a_positive_answer_as_one(corpus: list[Any]) -> None:
    """ "Just to hear that going through it wasn't pointless" gets its answer first; a positive
    answer ("Maybe I'm stronger than I've felt") is never met with validation of distress."""
    tb = therapist_bank()["P8"]
    common = therapist_bank()["common"]
    distress = [x for x in tb["validation"] if len(_head(x)) >= 8]
    request = _head(client_bank()["P8"]["answers"]["needs_now"]["client"][2])
    positive = ("self", "control", "surprised", "then_vs_now", "compare")
    requests = positives = 0
    for _case, convs, log in corpus:
        turns = convs["P8"]["turns"]
        assert not any("human reaction" in t["text"] for t in turns)
        for phase, i, _question, answer in log:
            if phase != "P8" or i + 1 >= len(turns):
                continue
            after = turns[i + 1]["text"]
            if request in turns[i]["text"]:
                assert _starts(after, common["ack_needs_now_2"]), after
                requests += 1
            if answer.removeprefix("answers.") in positive:
                assert not _starts(after, distress), (turns[i]["text"], after)
                positives += 1
    assert requests >= 3 and positives >= 60, (requests, positives)


def test_p8_examines_the_stuck_belief_instead_of_validating_it(corpus: list[Any]) -> None:
    """After the client says why the belief feels true, the therapist asks a Socratic question
    about it (when the session has room) and never answers it with "It makes sense"."""
    tb = therapist_bank()["P8"]
    probed = 0
    for _case, convs, log in corpus:
        turns = convs["P8"]["turns"]
        for phase, i, question, _answer in log:
            if phase != "P8" or question != "belief_open" or i + 1 >= len(turns):
                continue
            after = turns[i + 1]["text"]
            assert not after.startswith(("That makes sense", "It makes sense")), after
            # A Socratic question about it, or (no room left) the belief marked, not agreed with.
            probe = any(after.startswith(_head(q)[:25]) for q in tb["belief_probe"])
            assert probe or _starts(after, tb["belief_noted"]), after
            probed += probe
    assert probed >= 20, probed


def test_p11_answers_the_belief_question_about_the_belief(corpus: list[Any]) -> None:
    """Asked about the thought, the client speaks of the thought (where it shows up in their own
    story), not an unrelated story of their week."""
    cb = client_bank()["P11"]
    own = [x for k, v in cb.items() if k.startswith(("stuck_example", "stuck_state")) for x in v]
    # How an episode of the client's week opens ("Last weekend, I was at my mum's for tea").
    week = re.compile(r"\b(weekend|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
    seen = 0
    for _case, convs, log in corpus:
        turns = convs["P11"]["turns"]
        for phase, i, question, _answer in log:
            if phase == "P11" and question == "belief":
                text = turns[i]["text"]
                assert any(_says(text, x) for x in own) and not week.search(text), text
                seen += 1
    assert seen >= 50, seen


def test_p11_mid_band_still_carries_distress(corpus: list[Any]) -> None:
    """A final session planned at 4-7 says what is still there (what spikes, what is avoided):
    at least two of its client turns carry a mid-band line (or, after an exposure that did not
    come down, a line saying so), and none says a low-band one."""
    cb = client_bank()["P11"]
    mid = [_head(x) for k, v in cb.items() if k.endswith(("_mid", "_flat")) for x in v]
    mid = [re.sub(r"\W+$", "", x) for x in mid if len(x) >= 15]
    low = [_head(x) for k, v in cb.items() if k.endswith("_low") for x in v if len(_head(x)) >= 20]
    seen = 0
    for case, convs, _log in corpus:
        if tier_of(case["plan"]["intensity"]["P11"]) != "mid":
            continue
        client = [t["text"] for t in convs["P11"]["turns"] if t["speaker"] == "client"]
        carrying = sum(any(m in t for m in mid) for t in client)
        assert carrying >= 2, (case["client_id"], client)
        assert not any(x in t for x in low for t in client), case["client_id"]
        seen += 1
    assert seen >= 10, seen
