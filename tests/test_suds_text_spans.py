"""tvt.suds_text for callers with rules of their own: every rating with its span (iter_ratings) and
the 0-10 scale rules (on_0_100), as ``tvt audit`` uses them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from tvt.suds_text import find_rating, iter_ratings, on_0_100, read_suds

WORDS = st.sampled_from(
    ["I'd", "say", "about", "a", "maybe", "it's", "at", "or", "to", "from", "and", "between",
     "out of", "/", "%", "years", "minutes", "of them", "0", "1", "6", "7", "10", "60", "70", "100",
     "150", "six", "seven", "seventy-five", "a hundred", "one", "sixteen", "tense", "5.5", ",", "."]
)  # fmt: skip
TEXTS = st.lists(WORDS, max_size=12).map(" ".join)


@given(TEXTS)
def test_find_rating_is_the_first_of_iter_ratings(text):
    found = list(iter_ratings(text))
    assert find_rating(text) == (found[0].rating if found else None)
    own = [f.rating for f in found if f.out_of]
    assert find_rating(text, own_scale_only=True) == (own[0] if own else None)


@given(TEXTS)
def test_spans_are_in_order_inside_the_text_and_in_range(text):
    ends = 0
    for f in iter_ratings(text):
        assert ends <= f.start < f.end <= len(text)
        ends = f.end
        assert 0 <= f.rating.value <= (f.rating.scale or 100)
        assert f.rating.scale in (None, 10, 100)
        assert not f.out_of or f.rating.scale is not None


@given(
    st.integers(0, 100),
    st.booleans(),
    st.sampled_from(["", "I'd say", "Right now it's about", "Hmm, maybe a"]),
    st.sampled_from(["", ".", ", I think.", " and rising."]),
)
def test_the_span_is_the_number_as_said(value, in_words, lead, tail):
    said = num2words(value) if in_words and value != 1 else str(value)
    text = f"{lead} {said}{tail}".strip()
    found = list(iter_ratings(text))
    assert [f.rating.value for f in found] == [value]
    assert text[found[0].start : found[0].end] == said


@given(st.integers(0, 100), st.integers(0, 100))
def test_a_change_spans_both_numbers(a, b):
    text = f"It went from {a} to {b} just now."
    (f,) = iter_ratings(text)
    assert text[f.start : f.end] == f"{a} to {b}" and f.rating.value == b


@given(st.floats(0, 100, allow_nan=False), st.sampled_from([10, 100]))
def test_on_0_100(value, scale):
    got, read_on = on_0_100(value, scale)
    assert 0 <= got <= 100
    if scale == 10 and value <= 10:
        assert read_on == 10 and got == int(value * 10 + 0.5)
    else:  # on 0-100, or above 10 on 0-10 (the client answered on 0-100)
        assert read_on == 100 and got == int(value + 0.5)


@given(st.integers(0, 100), st.sampled_from([10, 100]))
def test_read_suds_uses_on_0_100(value, scale):
    turns = [
        {"speaker": "therapist", "text": f"What's your SUDS, 0 to {scale}?"},
        {"speaker": "client", "text": f"About {value}."},
    ]
    (s,) = read_suds(turns)
    assert (s.value, s.scale) == on_0_100(value, scale)
