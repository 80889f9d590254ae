"""SUDS read from text by tvt audit: the numbers come from tvt.suds_text (the reader import and the
lexical rater use); which turns are ratings, the head-words window, the rules' unit lexicon and
the scale precedence are the audit's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tvt.audit.load import ConversationView, TurnView
from tvt.audit.rules import load_rules
from tvt.audit.suds import HEAD_WORDS, first_rating, first_rating_number, trace
from tvt.resources import seeds_path
from tvt.suds_text import read_suds

RULES = load_rules()


def conv(*texts: str) -> ConversationView:
    """Therapist and client turns alternating, the therapist first, no ``suds`` fields."""
    speakers = ("therapist", "client")
    return ConversationView(1, "P10", [TurnView(speakers[i % 2], t) for i, t in enumerate(texts)])


def ratings(*texts: str) -> list[tuple[int, float, int]]:
    return trace(conv(*texts), RULES).ratings


# -- where the audit's own reader and tvt.suds_text disagreed, the suds_text rule now holds ------
@pytest.mark.parametrize(
    ("question", "answer", "rating"),
    [
        # a range is its middle (the audit read the first number: 60)
        ("How distressed are you, 0 to 10?", "Six or seven.", (65, 10)),
        ("What's your SUDS, 0 to 100?", "60-70, I think.", (65, 100)),
        # a change "from X to Y" is Y (the audit read X)
        ("What's your SUDS, 0 to 100?", "It went from 60 to 80.", (80, 100)),
        # the scale said by the client is not a rating (the audit read the 0)
        ("What's your SUDS?", "On a scale of 0 to 100? I'm at 85.", (85, 100)),
        # number words the audit read wrongly ("seven" inside "seventeen")
        ("What's your SUDS, 0 to 100?", "Seventeen.", (17, 100)),
    ],
)
def test_numbers_read_as_suds_text_reads_them(question, answer, rating):
    assert ratings(question, answer) == [(1, *rating)]
    (s,) = read_suds(
        [{"speaker": "therapist", "text": question}, {"speaker": "client", "text": answer}]
    )
    assert (s.value, s.scale) == rating


@pytest.mark.parametrize(
    "answer",
    [
        "Very bad. My back is tense and my hands shake.",  # "ten" inside "tense" was 10
        "Really high, like sixteen years ago.",  # "six" inside "sixteen" was 6
        "Really high. I can't get two of my colleagues out of my head.",  # "of" is a unit
        # the unit after the window's last word (the 14th, "twenty-five") was not seen
        "Strong, really strong, lower than before, and my head... it's spinning, same as"
        " twenty-five years ago.",
    ],
)
def test_words_that_are_not_ratings(answer):
    assert ratings("How upset are you right now?", answer) == []
    # ... yet the client turn answered a check
    assert trace(conv("How upset are you right now?", answer), RULES).checked_ordinals == [0]


# -- the audit's own rules -----------------------------------------------------------------------
@given(st.integers(0, 100), st.integers(0, 30))
def test_only_the_head_of_an_answer_is_read(value, filler):
    text = " ".join(["so"] * filler + [f"{value}."])
    got = first_rating_number(text, RULES)
    assert got == (value if filler < HEAD_WORDS else None)


@pytest.mark.slow  # compiles an edited copy of the rules: about 1 s
@settings(deadline=None)  # the first example compiles an edited copy of the rules
@given(st.integers(2, 100))
def test_the_rules_unit_lexicon_is_applied_too(value):
    """tvt.suds_text reads "5 floors"; an edited rules file that names the unit passes over it."""
    text = f"It was {value} floors up, at {value} now."
    assert first_rating_number(text, RULES) == value
    doc = json.loads(seeds_path("audit", "rules.json").read_text(encoding="utf-8"))
    doc["lexicons"]["suds.not_a_rating"]["patterns"].append("floors")
    rules = _load(doc)
    found = first_rating(text, rules)
    assert found is not None and found.value == value
    assert first_rating_number(f"It was {value} floors up.", rules) is None


_LOADED: dict[str, object] = {}


def _load(doc: dict):
    key = json.dumps(doc, sort_keys=True)
    if key not in _LOADED:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "rules.json"
            path.write_text(key, encoding="utf-8")
            _LOADED[key] = load_rules(path)
    return _LOADED[key]


def test_scale_precedence():
    # The scale said with the number wins over the question's.
    assert ratings("What's your SUDS, 0 to 100?", "7 out of 10.") == [(1, 70, 10)]
    assert ratings("How distressed are you, 0 to 10?", "About 70%.") == [(1, 70, 100)]
    # The question's scale, then the last one a check named.
    assert ratings("What's your SUDS, 0 to 10?", "6.", "SUDS now?", "4.") == [
        (1, 60, 10),
        (3, 40, 10),
    ]
    # Above 10 on 0-10: the client answered on 0-100.
    assert ratings("How distressed are you, 0 to 10?", "About 70.") == [(1, 70, 100)]
    # No scale named anywhere: each number decides (the audit flags a conversation that mixes).
    assert ratings("What's your SUDS?", "8.", "SUDS now?", "65.") == [(1, 80, 10), (3, 65, 100)]


@given(
    st.sampled_from([10, 100]),
    st.sampled_from(
        ["About {a}.", "{a} or {b}.", "It went from {a} to {b}.", "Between {a} and {b}."]
    ),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_audit_and_suds_text_agree_on_an_answer(scale, form, a, b):
    """Differential: after a check that names the scale, the audit reads what read_suds reads."""
    question = f"What's your SUDS, 0 to {scale}?"
    answer = form.format(a=a, b=b)
    turns = [{"speaker": "therapist", "text": question}, {"speaker": "client", "text": answer}]
    expected = [(s.turn, s.value, s.scale) for s in read_suds(turns)]
    assert ratings(question, answer) == expected
