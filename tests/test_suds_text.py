"""The one reader of SUDS stated in words (tvt.suds_text): rules, properties, and agreement of the
importer and the lexical rater (issue: "Six or seven." and "It went from 60 to 80.")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from tvt.raters.lexical import rate_conversation, stated_suds
from tvt.release import assign_suds
from tvt.suds_text import asks_for_suds, find_rating, named_scale, read_suds, word_number


def th(text: str) -> dict:
    return {"speaker": "therapist", "text": text, "suds": None, "act": "unknown"}


def cl(text: str) -> dict:
    return {"speaker": "client", "text": text, "suds": None, "act": "unknown"}


def read(text: str, scale: int | None = None) -> tuple[int, int, bool] | None:
    """The first statement of ``text`` answering a SUDS question that names ``scale`` (or none)."""
    question = "What is your SUDS" + (f", 0 to {scale}?" if scale else "?")
    found = read_suds([th(question), cl(text)])
    return (found[0].value, found[0].scale, found[0].assumed) if found else None


def spoken(n: int) -> str:
    """``n`` in words, from a reference library (num2words), not from the reader under test."""
    return num2words(n)


# -- the two sentences the importer and the rater used to read differently ----------------------
@pytest.mark.parametrize(
    ("answer", "value"),
    [("Six or seven.", 65), ("It went from 60 to 80.", 80), ("Sixty or seventy.", 65)],
)
def test_import_and_rater_read_the_same_number(answer, value):
    turns = [th("What's your SUDS?"), cl(answer)]
    imported = [dict(t) for t in turns]
    assign_suds(imported)
    assert imported[1]["suds"] == value
    reading = stated_suds(turns)
    assert reading.source == "text" and reading.values == [value]
    rated = rate_conversation(turns, signals=("suds-text",))
    assert rated.suds.values == [value]


# -- rules, one example each --------------------------------------------------------------------
def test_ranges_count_as_their_middle():
    assert read("Six or seven.") == (65, 10, True)
    assert read("60-70, I think", 100) == (65, 100, False)
    assert read("Between 60 and 70.", 100) == (65, 100, False)
    assert read("Maybe 6 to 7.", 10) == (65, 10, False)


def test_a_change_counts_as_where_it_ended():
    assert read("It went from 60 to 40.", 100) == (40, 100, False)
    assert read("From a four to a six.", 10) == (60, 10, False)
    assert read("Six or maybe a seven.", 10) == (60, 10, False)  # not a range: the first
    assert read("from 3 to 5", 10) == (50, 10, False)
    assert read("It went from 0 to 100.", 10) == (100, 100, False)  # a change, not the scale
    assert read("On a scale from 0 to 10, a 7.") == (70, 10, False)


def test_units_and_the_scale_itself_are_not_ratings():
    assert read("That was 5 years ago.", 100) is None
    assert read("It lasted twenty minutes.", 100) is None
    assert read("Two of them held me down.", 100) is None
    assert read("On a scale of 0 to 100? I'm at 85.") == (85, 100, False)
    assert read("It's one of the worst, maybe an eight.", 10) == (80, 10, False)
    assert read("It's been 5.5 years.", 100) is None
    assert read("Seventy-five years on, and still.", 100) is None


def test_scale_precedence():
    # The client's own scale wins over the question's.
    assert read("7 out of 10", 100) == (70, 10, False)
    assert read("70%", 10) == (70, 100, False)
    # Above 10 on a 0-10 question: the client answered on 0-100.
    assert read("70", 10) == (70, 100, False)
    # A scale named later in the conversation applies to an earlier bare number.
    later = read_suds([th("SUDS?"), cl("8."), th("Still 8, from 0 to 10?"), cl("Yes.")])
    assert [(s.value, s.scale, s.assumed) for s in later] == [(80, 10, False)]
    # The last scale named before a statement wins over an earlier one.
    turns = [th("From 0 to 100, your SUDS?"), cl("70."), th("And now, 0 to 10?"), cl("6.")]
    assert [(s.value, s.scale) for s in read_suds(turns)] == [(70, 100), (60, 10)]


def test_no_scale_named_the_conversation_decides_once():
    turns = [th("What's your SUDS?"), cl("8"), th("SUDS now?"), cl("65")]
    assert [(s.value, s.scale, s.assumed) for s in read_suds(turns)] == [
        (8, 100, True),
        (65, 100, True),
    ]
    turns = [th("What's your SUDS?"), cl("8"), th("SUDS now?"), cl("6")]
    assert [(s.value, s.scale) for s in read_suds(turns)] == [(80, 10), (60, 10)]


def test_where_a_statement_is_looked_for():
    # Not after a SUDS question: only a number with its own scale counts.
    assert (
        read_suds([th("Tell me about that day."), cl("I was 25, it was 3 in the morning.")]) == []
    )
    got = read_suds([th("How are you?"), cl("I walked 20 minutes, I was at 7/10.")])
    assert [(s.value, s.scale) for s in got] == [(70, 10)]
    # The client naming SUDS makes any rating count.
    assert [s.value for s in read_suds([th("Go on."), cl("My SUDS is about 60.")])] == [60]
    # Only the turn right after the question.
    turns = [th("SUDS?"), cl("50."), th("Go on."), cl("There were 3 of us, then 4.")]
    assert [s.turn for s in read_suds(turns)] == [1]


@pytest.mark.parametrize(
    ("question", "asks", "scale"),
    [
        ("Stay in it. What's the number?", True, None),
        ("Give me a number, nought to a hundred.", True, 100),
        ("What's your distress at, right now?", True, None),
        ("Where are you on the scale now?", True, None),
        ("On a scale from 0 to 10, how distressed are you?", True, 10),
        ("What is your SUDS, zero to 100?", True, 100),
        ("Where are you now?", False, None),
        ("Tell me what you see.", False, None),
    ],
)
def test_questions_and_named_scales(question, asks, scale):
    assert asks_for_suds(question) is asks
    assert named_scale(question) == scale


# -- properties ---------------------------------------------------------------------------------
@given(st.integers(0, 100))
def test_digits_on_0_100(value):
    assert read(f"I'd say it's at {value} now.", 100) == (value, 100, False)


@given(st.integers(0, 10))
def test_digits_on_0_10_are_scaled(value):
    assert read(f"Maybe a {value}.", 10) == (value * 10, 10, False)
    assert find_rating(f"{value} out of 10").scale == 10
    assert read(f"{value} out of 10") == (value * 10, 10, False)


@given(st.integers(0, 100).filter(lambda n: n != 1), st.sampled_from([None, 10, 100]))
def test_words_read_like_digits(value, scale):
    """Differential: a number spelled by num2words reads exactly as its digits."""
    words = spoken(value)
    assert word_number(words) == value
    assert read(f"About {words}.", scale) == read(f"About {value}.", scale)
    assert read(f"{words.capitalize()}, I think.", scale) == read(f"{value}, I think.", scale)


@given(st.integers(0, 100), st.integers(0, 100), st.sampled_from([10, 100]))
def test_ranges_are_symmetric_and_in_between(a, b, scale):
    scale = 100 if max(a, b) > 10 else scale
    if min(a, b) in (0, 1) and max(a, b) in (10, 100):
        return  # "0 or 10" reads as naming the scale (tested above)
    ab, ba = read(f"{a} or {b}", scale), read(f"{b} or {a}", scale)
    assert ab == ba
    assert ab is not None
    factor = 100 // ab[1]
    assert min(a, b) * factor <= ab[0] <= max(a, b) * factor
    assert ab[0] == int((a + b) / 2 * factor + 0.5)


@given(st.integers(0, 100), st.integers(0, 100))
def test_a_change_reads_its_end(a, b):
    assert read(f"It went from {a} to {b}.", 100) == (b, 100, False)


@given(
    st.integers(0, 100),
    st.sampled_from(["minutes", "years", "days", "times", "people", "of them", "o'clock"]),
)
def test_a_number_with_a_unit_is_never_a_rating(value, unit):
    assert read(f"It was {value} {unit}.", 100) is None


@given(st.lists(st.tuples(st.booleans(), st.text(max_size=60)), max_size=8))
def test_any_conversation_reads_in_range(spec):
    turns = [cl(text) if is_client else th(text) for is_client, text in spec]
    found = read_suds(turns)
    for s in found:
        assert 0 <= s.value <= 100 and s.scale in (10, 100)
        assert turns[s.turn]["speaker"] == "client" and s.text == turns[s.turn]["text"]
    assert [s.turn for s in found] == sorted({s.turn for s in found})


@given(st.integers(0, 10), st.text(alphabet="abc .,?", max_size=30))
def test_an_own_scale_is_read_anywhere(value, filler):
    turns = [th(filler), cl(f"{filler} I'm at {value} out of 10")]
    assert [(s.value, s.scale) for s in read_suds(turns)] == [(value * 10, 10)]


ANSWERS = st.sampled_from(
    ["Six or seven.", "It went from 60 to 80.", "About a 7.", "8 out of 10", "Seventy-five.",
     "I was 12 years old.", "Maybe 40, maybe 50.", "A hundred.", "It's 5.", "Two of them."]
)  # fmt: skip
QUESTIONS = st.sampled_from(
    ["What's your SUDS?", "On a scale of 0 to 10, where are you?", "Go on.",
     "Rate it from 0 to 100.", "What happens next?"]
)  # fmt: skip


@given(st.lists(st.tuples(QUESTIONS, ANSWERS), min_size=1, max_size=6))
def test_importer_and_rater_always_agree(pairs):
    turns = [t for q, a in pairs for t in (th(q), cl(a))]
    imported = [dict(t) for t in turns]
    assign_suds(imported)
    stored = [float(t["suds"]) for t in imported if t["suds"] is not None]
    assert stated_suds(turns, use_field=False).values == stored
    # And the rater reading the imported field sees the same values as reading the words.
    field = stated_suds(imported, use_text=False)
    assert field.values == stored
