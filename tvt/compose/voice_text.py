"""The text helpers of the client's voice (:mod:`tvt.compose.voice`): case changes, the
sentence openings a run-on lower-cases, the starts that already hesitate, frame slots and the
tidying of composed text.
"""

from __future__ import annotations

import re
from functools import cache

from tvt.compose.bank import voice_bank


def _keep_case(word: str, m: re.Match[str]) -> str:
    """``word`` capitalised when the text it replaces was."""
    return _cap(word) if m.group(0)[0].isupper() else word


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


#: Sentence openings that are lower-cased when the sentence runs on after a filler or a link.
RUN_ON = frozenset(
    "My It It's There's There The This That Everything Part All Then And So Not No Don't Just "
    "Even Still What Why How When Now Maybe Sometimes Yes Okay Yeah Let's They They've They're "
    "He He's She She's We We're We've You Your Can't Some Mostly Tired Less More Someone "
    "Somebody Something Nothing People Everyone Nobody His Her Their Our A An Again Only Every "
    "Each Another Up Down Higher Lower Back Sorry Thank Thanks Good Right Alright Well Maybe "
    "Probably Honestly Which Tight Crawling Swimming Still Even Just Or But Because Because "
    "Frozen Terrified Helpless Overwhelmed Lost Trapped Frantic Petrified Desperate".split()
)
_RUN_ON = RUN_ON
#: Sentence starts that already hesitate; no opener goes before them.
_HESITANT = (
    '"',
    "I - ",
    "It - ",
    "I'm - ",
    "No - ",
    "Um",
    "Uh",
    "Erm",
    "Hm",
    "I...",
    "It's...",
    "Okay",
    "Sorry",
    "Hang on",
    "Give me",
    "There's -",
    "It's -",
    "I just...",
)


@cache
def _frame_keys(frame: str) -> tuple[str, ...]:
    """The slots of a body frame, in order of first use."""
    return tuple(dict.fromkeys(re.findall(r"\{(\w+)\}", frame)))


def _low(text: str) -> str:
    return text[:1].lower() + text[1:]


_SENTENCE_START = re.compile(r"([.!?] )([a-z])")


def _tidy(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    text = text.replace(" .", ".").replace(" ,", ",").strip()
    # An empty intensifier must not leave a sentence starting in lower case.
    if ". " in text or "? " in text or "! " in text:
        text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text[:1].upper() + text[1:]


@cache
def _an_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in voice_bank()["an_words"])
    return re.compile(r"\b([Aa]) (?=(?:" + words + r")\b)")


@cache
def _lexicon_pattern(find: str) -> re.Pattern[str]:
    """Where a lexicon phrase may be swapped: as a whole phrase, and not where another word
    depends on it ("a bit of", "that kind of thing")."""
    guard = {
        "a bit": r"(?! of)",
        "kind of": r"(?<!that )(?<!this )(?<!what )(?<!the )(?<!a )(?<!A )(?<!any )(?<!one )",
        # "I reckon so", but not "when I reckon about it".
        "I think": r"(?! about| of| back| through| it through| that through)",
    }
    head = find if find.startswith("I") else f"[{find[0]}{find[0].upper()}]{find[1:]}"
    if find == "kind of":
        return re.compile(guard[find] + r"\b" + head + r"\b")
    return re.compile(r"\b" + head + r"\b" + guard.get(find, ""))


_DETAIL_CUT = re.compile(
    r"(?:,| that | which | where | who | with | still | against | under | on | in | from | over | through )"
)


def short_detail(detail: str) -> str:
    """A detail said before, named again the short way people do ("the traffic outside that I
    can't get to", then "the traffic outside"): up to its first clause or place phrase, when
    what is left still names something (two words or more); else the detail as it was."""
    m = _DETAIL_CUT.search(detail)
    if m is None:
        return detail
    head = detail[: m.start()].strip()
    if len(head.split()) < 2 or "'s " in detail[m.start() :]:
        # "a woman with a shopping bag's jacket": the thing is the jacket, not the woman.
        return detail
    # Named before, it is the one already mentioned: "a man", then "the man".
    return "the " + head[2:] if head.startswith("a ") else head
