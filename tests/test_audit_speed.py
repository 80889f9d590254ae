"""The audit's shortcuts give the answers of the plain regular expressions they stand for.

Each shortcut of tvt/audit/lexicon.py (docs/audit.md, "Speed") is checked against the rules
file's own expressions on generated conversations and on random texts: the words a match must
start with (``pattern_starts``), the case-sensitive search of the lower case (``_compile_lower``), and
a conversation's pre-check read turn by turn (``Lexicon.possible_in``).
"""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvt.audit.checks import audit_dataset
from tvt.audit.lexicon import _compile, tokens_of
from tvt.audit.load import ConversationView, TurnView, load_dataset
from tvt.audit.prefilter import case_safe, pattern_starts
from tvt.audit.rules import load_rules


@pytest.fixture(scope="module")
def conversations(tmp_path_factory) -> list[ConversationView]:
    from click.testing import CliRunner

    from tvt.cli import main

    out = tmp_path_factory.mktemp("gen") / "data"
    res = CliRunner().invoke(main, ["generate", "--seed", "5", "--clients", "6", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return load_dataset(Path(out)).conversations


def _all_patterns() -> list[str]:
    rules = load_rules()
    out = [p for e in rules.raw["lexicons"].values() for p in e["patterns"]]
    out += [p for cats in rules.raw["facts"].values() for ps in cats.values() for p in ps]
    return out


def _starts_hold(pattern: str, text: str) -> bool:
    """Does ``text`` hold what :func:`pattern_starts` says a match of ``pattern`` needs? (Said only of
    ASCII texts: ``re`` matches "suicid" in "\u017fuicide", whose lower case does not hold it.)"""
    starts = pattern_starts(pattern)
    if starts is None or not text.isascii():
        return True
    words, stems = starts
    lower = text.lower()
    return not words.isdisjoint(tokens_of(text)) or any(s in lower for s in stems)


def test_starts_of_examples():
    assert pattern_starts("(call|phone) (my|her)") == (frozenset({"call", "phone"}), frozenset())
    assert pattern_starts("suicid\\w*") == (frozenset(), frozenset({"suicid"}))
    # the most telling word, not the first: "i" is in most turns
    assert pattern_starts("i('ve| have)? (cut|burned) my") == (
        frozenset({"cut", "burned"}),
        frozenset(),
    )
    assert pattern_starts("didn't") == (frozenset({"didn"}), frozenset())
    assert pattern_starts("let [^.?!]{1,60} go for (now|today)") == (
        frozenset({"let"}),
        frozenset(),
    )
    assert pattern_starts("\\d+ ?%") is None  # a class first and no word after it
    assert pattern_starts("(?i)x") is None
    assert pattern_starts("x?") is None  # may match nothing


def test_case_safe_refuses_what_case_folding_would_change():
    assert case_safe("(i'm|i am)\\W*not (here|there)")
    assert case_safe("(0|zero) (to|–) (10|ten)")  # an en dash folds to nothing ASCII
    for pattern in ("Mr", "\\x41", "\\1", "(?i)x", "\u017f", "\u212a", "a\\"):
        assert not case_safe(pattern), pattern


@pytest.mark.slow
def test_shortcuts_on_generated_conversations(conversations):
    rules = load_rules()
    texts = [t.text for c in conversations for t in c.turns]
    for pattern in _all_patterns():
        rx = _compile([pattern], "test", "test")
        for text in texts:
            if rx.search(text):
                assert _starts_hold(pattern, text), (pattern, text)
    for lex in rules.lexicons.values():
        if lex.rx_lower is None:
            continue
        for text in texts:
            assert [m.span() for m in lex.rx.finditer(text)] == [
                m.span() for m in lex.rx_lower.finditer(text.lower())
            ], (lex.name, text)
    for conv in conversations:
        for speaker in ("client", "therapist", None):
            turns = [t for t in conv.turns if speaker is None or t.speaker == speaker]
            joined = conv.text(speaker)
            for lex in rules.lexicons.values():
                plain = lex.rx.search(joined[0]) is not None
                assert lex.possible_in(turns, *joined) == plain, (lex.name, conv.key, speaker)


_FRAGMENTS = st.sampled_from(
    ["take a deep breath", "I want to die", "kill myself", "I've cut my arms", "pills", "my fault",
     "SUDS", "you're safe here", "not", "never", "I'd", "breathe in", "she", "he", "the", "70",
     "out of 10", "blood pouring", "let it go for now", "Thoughts, yes. Of not being here",
     "rate your distress", "\n", ".", ",", "?", "'", "-", "...", "Caf\u00e9", "\u017fuicide"]
)  # fmt: skip


# About 8 s: every lexicon's expressions run plainly beside their shortcuts on each example.
@pytest.mark.slow
@given(st.lists(st.lists(_FRAGMENTS, max_size=8), min_size=1, max_size=4))
def test_shortcuts_on_random_texts(turn_parts):
    rules = load_rules()
    turns = [TurnView("client", " ".join(parts)) for parts in turn_parts]
    conv = ConversationView(1, "P10", turns)
    joined = conv.text("client")
    for pattern in _all_patterns():
        rx = _compile([pattern], "test", "test")
        for turn in turns:
            if rx.search(turn.text):
                assert _starts_hold(pattern, turn.text), (pattern, turn.text)
    for lex in rules.lexicons.values():
        assert lex.possible_in(turns, *joined) == (lex.rx.search(joined[0]) is not None)
        for turn in turns:
            rx, searched = lex.pattern_for(turn.text)
            assert [m.span() for m in rx.finditer(searched)] == [
                m.span() for m in lex.rx.finditer(turn.text)
            ]


def test_the_garbage_collector_is_restored(tmp_path):
    from click.testing import CliRunner

    from tvt.cli import main

    out = tmp_path / "data"
    res = CliRunner().invoke(main, ["generate", "--seed", "1", "--clients", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert gc.isenabled()
    audit_dataset(out, workers=1)
    assert gc.isenabled()
    gc.disable()
    try:
        audit_dataset(out, workers=1)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_compile_lower_is_used_only_for_ascii_texts():
    lex = load_rules().lex("tense.past")
    assert lex.pattern_for("I was there")[0] is lex.rx_lower
    assert lex.pattern_for("Fabi\u00e1n was there")[0] is lex.rx
    assert re.search(lex.rx, "Fabi\u00e1n WAS there")


# -- the diversity figures measured in parts (worker processes) and merged --------------------

_SENTENCE_PARTS = st.sampled_from(
    ["I", "was", "there", "It's", "all", "my", "fault", "again", "and", "again", ".", "!", "?",
     "...", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "Caf\u00e9", "\u0130stanbul", "\u03a3\u039f\u03a3",
     "don't", "'", "-", "_", "70", "I was there and it was dark."]
)  # fmt: skip


@given(st.lists(_SENTENCE_PARTS, max_size=24), st.sampled_from(["", " ", "\n"]))
def test_split_sentences_is_sentences_and_words(parts, sep):
    from tvt.audit.lexicon import split_sentences
    from tvt.diversity import sentences, words

    text = sep.join(parts)
    lower, found = split_sentences(text)
    assert found == [(s, len(words(s))) for s in sentences(text)]
    plain = words(text.lower()) if text.isascii() else [w.lower() for w in words(text)]
    assert lower == plain


def _figures_of_parts(convs, rules, cuts):
    from tvt.audit.variety import figures_part, merge_parts

    bounds = [0, *cuts, len(convs)]
    parts = [figures_part(convs[a:b], rules) for a, b in zip(bounds, bounds[1:], strict=False)]
    return merge_parts(parts, rules, convs).as_dict()


@pytest.mark.slow
def test_figures_in_parts_are_the_measured_figures(conversations):
    from tvt.audit.variety import corpus_figures

    rules = load_rules()
    # fresh views: the turns' cached sentences are computed by the parts themselves
    convs = [ConversationView(c.client_id, c.phase, [TurnView(t.speaker, t.text) for t in
             c.turns]) for c in conversations]  # fmt: skip
    plain = corpus_figures(convs, rules).as_dict()
    assert plain["speakers"]["client"]["top_sentences"]  # something to order
    n = len(convs)
    for cuts in ([], [1], [n // 3, n // 2], list(range(1, n)), [0, 0, n // 2]):
        assert _figures_of_parts(convs, rules, cuts) == plain, cuts
    assert repr(_figures_of_parts(convs, rules, [n // 2])) == repr(plain)


_TURN_TEXTS = st.sampled_from(
    ["Take a deep breath.", "I was there. I was there.", "It's my fault. It's my fault!",
     "What do you notice now? What do you notice now?", "Caf\u00e9 \u0130stanbul, again.",
     "\u03a3\u039f\u03a3 is what I said", "ok", "", "...", "The car. The car. The car came fast.",
     "I keep seeing the car come at me."]
)  # fmt: skip


@given(
    st.lists(st.lists(st.tuples(st.sampled_from(["client", "therapist"]), _TURN_TEXTS),
                      max_size=6), max_size=8),
    st.lists(st.integers(0, 8), max_size=3),
)  # fmt: skip
def test_figures_in_parts_on_random_conversations(convs, cuts):
    from dataclasses import replace

    from tvt.audit.variety import corpus_figures

    rules = load_rules()
    # low thresholds, so that recurring sentences and ties in the top ones come up
    rules = replace(rules, thresholds={**rules.thresholds, "diversity_threshold_conversations": 1,
                    "diversity_min_words": 1, "self_repeat_min_words": 2})  # fmt: skip
    views = [ConversationView(1, "P10", [TurnView(s, t) for s, t in c]) for c in convs]
    plain = corpus_figures(views, rules).as_dict()
    cuts = sorted(min(c, len(views)) for c in cuts)
    assert _figures_of_parts(views, rules, cuts) == plain


def test_distinct_is_numpy_unique():
    import numpy as np

    from tvt.audit.variety import _distinct

    rng = np.random.default_rng(1)
    for size, high in ((0, 5), (1, 5), (1000, 7), (5000, 1 << 62)):
        keys = rng.integers(0, high, size=size, dtype=np.int64)
        assert np.array_equal(_distinct(keys), np.unique(keys))


@given(st.lists(st.lists(_SENTENCE_PARTS, max_size=6), min_size=1, max_size=4))
def test_conversation_words_and_lower_words_read_in_one_pass(turn_parts):
    from tvt.audit.consistency import _LOWER_WORD_RE

    turns = [TurnView("client", " ".join(parts)) for parts in turn_parts]
    conv = ConversationView(1, "P10", turns)
    text, tokens, _ = conv.text()
    assert tokens == frozenset().union(*(t.tokens for t in turns))
    assert set(_LOWER_WORD_RE.findall(text)) == {
        w for t in turns for w in _LOWER_WORD_RE.findall(t.text)
    }


@given(
    st.text(alphabet=st.sampled_from("ab '\"\u2019\u2018\u201c\u201d\u02bc.\u00e9"), max_size=12)
)
def test_normalise_keeps_an_ascii_text_as_it_is(text):
    from tvt.audit.rules import _QUOTES, normalise

    assert normalise(text) == text.translate(_QUOTES)
