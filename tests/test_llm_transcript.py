"""Transcript parsing, repair and validation of LLM answers (tvt.llm.transcript)."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.llm.transcript import (
    MAX_TURN_WORDS,
    TranscriptError,
    parse_transcript,
    speaker_aliases,
    suds_label_stats,
)
from tvt.resources import load_schema

CASE = {
    "client_profile": {"name": "Murray Carroll"},
    "therapist_profile": {"name": "Nevaeh Parker"},
}


def parse(text, **kw):
    kw.setdefault("aliases", speaker_aliases(CASE))
    return parse_transcript(text, **kw)


def speakers(tr):
    return [t["speaker"] for t in tr.turns]


def test_plain_transcript():
    tr = parse("Therapist: How are you today?\nClient: Tired. I barely slept.")
    assert speakers(tr) == ["therapist", "client"]
    assert tr.turns[1]["text"] == "Tired. I barely slept."
    assert tr.turns[0]["act"] == "question"
    assert tr.repairs == []


def test_noise_is_repaired():
    text = """Sure! Here is the transcript you asked for:

BEGIN TRANSCRIPT
```
1. **Therapist:** Murray, shall we begin?
2. **Client**: I guess so.
   My hands are already sweating.

- Dr. Parker: Close your eyes when you're ready.
### Part two
Murray: Okay... they're closed.
*(He shifts in the chair.)*
Therapist (softly): Stay with it.
Client: "It's dark, I hear the van door."
---
END TRANSCRIPT

Note: this conversation is fictional.
"""
    tr = parse(text)
    assert speakers(tr) == ["therapist", "client"] * 3
    assert tr.turns[1]["text"] == "I guess so. My hands are already sweating."
    assert tr.turns[3]["text"] == "Okay... they're closed."
    assert tr.turns[5]["text"] == "It's dark, I hear the van door."
    assert "merged a continuation line" in tr.repairs
    assert "dropped text before the first speaker line" in tr.repairs
    assert "dropped a stage direction" in tr.repairs
    # the trailing note did not end up inside the last turn
    assert "fictional" not in tr.turns[-1]["text"]


def test_continuation_after_blank_line_is_merged_unless_it_is_a_note():
    text = "Therapist: Go on.\nClient: I ran.\n\nI kept running until the road ended.\n"
    assert parse(text).turns[1]["text"] == "I ran. I kept running until the road ended."
    text2 = "Therapist: Go on.\nClient: I ran.\n\nThis conversation shows avoidance."
    assert parse(text2).turns[1]["text"] == "I ran."


@pytest.mark.parametrize(
    "text, reason",
    [
        ("I'm sorry, but I can't help with creating this conversation.", "refusal"),
        ("Here is a story about a session. Everyone smiled.", "no Therapist:/Client: lines"),
        ("", "empty answer"),
        ("Client: Hi.\nTherapist: Hello.", "client speaks first"),
        ("Therapist: Hi.\nClient: Hello.\nClient: Again.", "two client turns in a row"),
        ("Therapist: Hi.\nClient: As an AI language model, I cannot.", "meta-text in turn 2"),
        ("Therapist: Go on.\nClient: [... the session continues ...]", "placeholder"),
        ("Therapist: Go on.\nClient:", "turn 2 is empty"),
    ],
)
def test_rejections(text, reason):
    with pytest.raises(TranscriptError) as err:
        parse(text)
    assert reason in err.value.reason


def test_client_saying_i_cannot_is_not_a_refusal():
    tr = parse("Therapist: What happens now?\nClient: I can't do this, I can't go back there.")
    assert len(tr.turns) == 2


def test_meta_line_between_turns_is_rejected():
    text = "Therapist: Go on.\nClient: I ran.\n\nNote: the client is anxious.\nTherapist: And then?"
    with pytest.raises(TranscriptError, match="meta-text between"):
        parse(text)


def test_turn_bounds_and_truncation():
    lines = "\n".join(
        f"{'Therapist' if i % 2 == 0 else 'Client'}: line number {i}." for i in range(10)
    )
    assert len(parse(lines, bounds=(10, 10)).turns) == 10
    with pytest.raises(TranscriptError, match="outside the bounds 12-20"):
        parse(lines, bounds=(12, 20))
    with pytest.raises(TranscriptError, match="outside the bounds 2-8"):
        parse(lines, bounds=(2, 8))
    # cut off at max tokens: the last, possibly partial, turn goes
    tr = parse(lines + "\nTherapist: and th", finish_reason="length")
    assert len(tr.turns) == 10 and tr.turns[-1]["text"] == "line number 9."
    assert any("cut off" in r for r in tr.repairs)


def test_overlong_turn_is_rejected():
    long = " ".join(["word"] * (MAX_TURN_WORDS + 1))
    with pytest.raises(TranscriptError, match="words"):
        parse(f"Therapist: Tell me.\nClient: {long}")


def test_suds_0_100_and_conversion_from_0_10():
    tr = parse(
        "Therapist: What's your SUDS right now?\nClient: About 70. My chest is tight.\n"
        "Therapist: Go on.\nClient: My SUDS is 85 now, it's the door.\n"
        "Therapist: And now?\nClient: I'm 28 and I still shake."
    )
    assert [t["suds"] for t in tr.turns] == [None, 70, None, 85, None, None]
    assert tr.turns[1]["act"] == "suds_report" and tr.turns[0]["act"] == "suds_check"
    assert all("suds_scale" not in t for t in tr.turns)

    tr = parse(
        "Therapist: On a scale from 0 to 10, where is your distress?\nClient: Maybe a 7.\n"
        "Therapist: And now?\nClient: It's 9 out of 10, I can smell the smoke."
    )
    assert tr.turns[1]["suds"] == 70 and tr.turns[1]["suds_scale"] == 10
    assert tr.turns[3]["suds"] == 90 and tr.turns[3]["suds_scale"] == 10


def test_suds_scale_by_conversation_and_words():
    # unscaled values all <= 10: the conversation used 0-10
    tr = parse("Therapist: SUDS?\nClient: Six.\nTherapist: SUDS now?\nClient: Eight, it's worse.")
    assert [t["suds"] for t in tr.turns if t["speaker"] == "client"] == [60, 80]
    assert all(t.get("suds_scale") == 10 for t in tr.turns if t["speaker"] == "client")
    tr = parse("Therapist: What's your SUDS?\nClient: Seventy-five, I think.")
    assert tr.turns[1]["suds"] == 75 and "suds_scale" not in tr.turns[1]
    tr = parse(
        "Therapist: Where are you on the scale?\nClient: On a scale of 0 to 100 it's 85 now."
    )
    assert tr.turns[1]["suds"] == 85
    # tvt.suds_text reads a number in an answer to a question that does not ask for a rating
    # only when it carries its own scale
    tr = parse("Therapist: Where are you?\nClient: I'm in the car, 2 streets away.")
    assert tr.turns[1]["suds"] is None
    tr = parse("Therapist: Where are you?\nClient: Honestly, 85 out of 100.")
    assert tr.turns[1]["suds"] == 85


#: Phrasing of a capable model answering the generation prompts (P10 of a combat client): the
#: therapist never says "SUDS" after the first check and the client gives the rating as words.
REAL_MODEL_P10 = """Therapist: Before we start, what's your SUDS, from 0 to 100?
Client: Forty, maybe. My hands are already cold.
Therapist: Close your eyes and begin where the convoy stops. Present tense.
Client: We stop on the ridge road. The engine ticks. Somebody laughs at something on the radio.
Therapist: Where is your distress now, in the back of that truck?
Client: Sixty-six. I can smell the diesel and the dust, it gets in my teeth.
Therapist: Stay there. What do you hear?
Client: The first shot. Then nothing, then everyone shouting at once.
Therapist: How high is it as the shouting starts?
Client: Eighty, eighty-five. My chest won't move.
Therapist: You're doing the hard part. Keep going.
Client: Danny is on the floor of the truck and I'm holding his vest, I can't let go of it.
Therapist: What number would you put on it now?
Client: Ninety-two. This is the bit I never say.
Therapist: Stay with Danny. How intense is it right now?
Client: Still up there... ninety.
Therapist: Let the picture fade, and give me one last number before you open your eyes.
Client: Seventy-one. Lower. I'm still here.
Therapist: Where does the distress sit now, compared with the start?
Client: Maybe sixty. It's heavy but it's not the same."""


def test_real_model_phrasing_is_read_by_the_one_suds_reader():
    """Ratings as words after questions that do not say "SUDS" ("Where is your distress now, in
    the back of that truck?" -> "Sixty-six.") are all labelled, and the acts follow."""
    tr = parse(REAL_MODEL_P10)
    clients = [t for t in tr.turns if t["speaker"] == "client"]
    assert [t["suds"] for t in clients] == [40, None, 66, None, 80, None, 92, 90, 71, 60]
    assert all("suds_scale" not in t for t in tr.turns)
    rated = [t for t in clients if t["suds"] is not None]
    assert all(t["act"] == "suds_report" for t in rated)
    questions = [t for t in tr.turns if t["act"] == "suds_check"]
    assert len(questions) == 7  # every rating question, none of the prompts
    stats = suds_label_stats([{"turns": tr.turns}])
    assert stats == {
        "rating_questions": 7,
        "answered_with_rating": 7,
        "answered_share": 1.0,
        "labelled_turns": 7,
    }


def test_output_matches_conversation_schema():
    tr = parse(
        "Therapist: SUDS from 0 to 10?\nClient: 7/10.\nTherapist: Stay with it.\nClient: Ok."
    )
    record = {"client_id": 1, "phase": "P10", "turns": tr.turns, "source": "openai:m"}
    jsonschema.validate(record, load_schema("conversation.schema.json"))
    assert list(tr.turns[1]) == ["speaker", "text", "suds", "act", "suds_scale"]


_line_text = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "Zs"), max_codepoint=0x24F),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() and ":" not in s)


@pytest.mark.slow  # about 1 s
@settings(max_examples=examples(150), deadline=None)
@given(
    texts=st.lists(_line_text, min_size=2, max_size=12),
    bold=st.booleans(),
    numbered=st.booleans(),
    blank=st.booleans(),
)
def test_property_clean_dialogue_round_trips(texts, bold, numbered, blank):
    """Any alternating dialogue survives markdown and numbering noise with its words intact."""
    lines = []
    for i, text in enumerate(texts):
        label = "Therapist" if i % 2 == 0 else "Client"
        label = f"**{label}:**" if bold else f"{label}:"
        prefix = f"{i + 1}. " if numbered else ""
        lines.append(f"{prefix}{label} {text}")
        if blank:
            lines.append("")
    try:
        tr = parse_transcript("\n".join(lines))
    except TranscriptError as exc:
        # only the content rules may reject random words (e.g. "etc."), never the structure
        assert "placeholder" in exc.reason or "meta" in exc.reason
        return
    assert speakers(tr) == ["therapist", "client"][: len(texts)] * (len(texts) // 2) + (
        ["therapist"] if len(texts) % 2 else []
    )
    assert [t["text"] for t in tr.turns] == [" ".join(t.split()) for t in texts]


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=300))
def test_property_never_crashes(text):
    """Arbitrary text either parses into alternating turns or raises TranscriptError."""
    try:
        tr = parse_transcript(text)
    except TranscriptError:
        return
    sp = speakers(tr)
    assert sp[0] == "therapist"
    assert all(sp[i] != sp[i + 1] for i in range(len(sp) - 1))
    for t in tr.turns:
        assert t["suds"] is None or 0 <= t["suds"] <= 100
