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
