"""Grammar of composed sentences, checked over 10,000+ generated client sentences per error class.

Each test is one class of error the composer used to make (issue 10, item 7) and now avoids
through ``lemminflect`` (noun number, for verb agreement) or through slots that agree. The checks
use a second library, ``inflect``, as the reference, so the two must agree.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from tvt.compose import compose_client
from tvt.compose.bank import topic_files
from tvt.compose.language import is_plural
from tvt.config import load_config
from tvt.diversity import sentences
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.resources import seeds_path


@cache
def _engine() -> Any:
    """inflect's engine, built on first use (importing inflect costs seconds of collection)."""
    import inflect

    return inflect.engine()


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict, str]]:
    """(case, sentence) for every client sentence of 40 clients, six phases each."""
    out = []
    for case in planned_cases(load_config("default"), 7, 40):
        for conv in compose_client(case, 7, BENCHMARK_ORDER):
            for turn in conv["turns"]:
                if turn["speaker"] == "client":
                    out.extend((case, s) for s in sentences(turn["text"]))
    assert len(out) >= 10_000
    return out


_SUBJECT_VERB = re.compile(
    r"(\w+ )?\b(?:the|my|these|those|two|three|their|his|her|our|your) ([a-z]+s) "
    r"(is|isn't|was|wasn't)\b",
    re.I,
)
_PREPOSITIONS = {"in", "on", "of", "off", "from", "at", "with", "to", "into", "by", "under", "over"}


@pytest.mark.slow
def test_a_plural_subject_never_takes_a_singular_verb(corpus) -> None:
    """ "The posts isn't happening now": slot subjects agree through ``inflect``."""
    bad = []
    for _, s in corpus:
        for m in _SUBJECT_VERB.finditer(s):
            before = (m.group(1) or "").strip().lower()
            noun = m.group(2).lower()
            # "my heart thudding in my ears is", "the wind rattling the windows is": the noun
            # after a preposition or a participle is not the subject.
            if before in _PREPOSITIONS or before.endswith("ing") or noun.endswith("ss"):
                continue
            if _engine().singular_noun(noun):
                bad.append(s)
    assert not bad, bad[:5]


#: Noun phrases and their head noun, found by hand (None: two nouns joined by "and").
HEADS = {
    "the posts": "posts",
    "the screen lighting up my face": "screen",
    "diesel and dust": None,
    "two of my colleagues, huddled by the wall": "colleagues",
    "my own sweat, sharp and sour": "sweat",
    "the alarms going off": "alarms",
    "my hands": "hands",
    "the end of my marriage": "end",
    "the children in the back": "children",
    "the smell of smoke": "smell",
    "reversing beepers": "beepers",
    "a creak on the stairs": "creak",
}


@pytest.mark.slow  # importing inflect costs about 2 s of CPU, paid by the first of these
@pytest.mark.parametrize("phrase", sorted(HEADS))
def test_is_plural_agrees_with_inflect_on_the_head_noun(phrase: str) -> None:
    """The agreement helper against ``inflect`` on the phrase's head noun."""
    head = HEADS[phrase]
    expected = True if head is None else bool(_engine().singular_noun(head))
    assert is_plural(phrase) == expected


def test_a_smell_is_never_tasted(corpus) -> None:
    """ "I can almost taste the sour smell of my own sweat" (within one clause: "I can almost
    taste the stale air - I can smell beer" is two sensations, run together)."""
    bad = [s for _, s in corpus if re.search(r"\btaste\b[^-,;.]*\bsmell\b", s, re.I)]
    assert not bad, bad[:5]


def test_the_job_fits_the_occupation(corpus) -> None:
    """Retired, unemployed and student clients do not fear losing their job."""
    bad = [
        s
        for case, s in corpus
        if case["client_profile"]["occupation"] in ("Retired", "Unemployed", "Student")
        and re.search(r"\blose my job\b", s)
    ]
    assert not bad, bad[:5]


def test_no_capital_after_a_comma_or_a_run_on(corpus) -> None:
    """ "Um, They've found me": a sentence that runs on after a filler or a link is lower-cased."""
    pattern = re.compile(
        r"(,| and| -) (My|It|It's|The|They|They've|There's|This|That|What|So|Let's|Can't|"
        r"Everything|Part|Then|Not|Some|Mostly) "
    )
    bad = [s for _, s in corpus if pattern.search(s)]
    assert not bad, bad[:5]


@pytest.mark.slow  # inflect, as above
def test_articles_agree_with_the_next_word(corpus) -> None:
    """ "a hour", "an uniform": the article fits the word after it (``inflect`` decides)."""
    bad = []
    for _, s in corpus:
        for m in re.finditer(r"\b(a|an) ([A-Za-z][a-z]+)\b", s):
            art, word = m.group(1).lower(), m.group(2)
            if _engine().a(word).split()[0] != art:
                bad.append(s)
    assert not bad, bad[:5]


def test_the_hotspot_the_therapist_names_is_in_the_present_tense() -> None:
    """The therapist names the hot spot as it happens in the retelling ("comes down")."""
    past = re.compile(r"\b(came|went|was|were|fell|hit|saw|ran|took)\b")
    for name in topic_files():
        topic = json.loads(seeds_path("compose", "topics", name).read_text(encoding="utf-8"))
        assert not past.search(topic["refs"]["hotspot_t"]), (name, topic["refs"]["hotspot_t"])


def test_the_noun_table_is_lemminflects_and_covers_the_data() -> None:
    """seeds/compose/nouns.json is what ``python -m tvt.compose.nouns`` writes: lemminflect's
    lemma of every head noun the data uses, so generation never needs lemminflect's tables."""
    from tvt.compose.language import lemminflect_lemma
    from tvt.compose.nouns import shipped_heads
    from tvt.resources import load_seed_json

    lemma = load_seed_json("compose", "nouns.json")["lemma"]
    assert shipped_heads(clients=400) <= set(lemma)
    for head, stem in lemma.items():
        assert lemminflect_lemma(head) == stem, head
