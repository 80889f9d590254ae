"""The text helpers of the client's voice (:mod:`tvt.compose.voice`): case changes, the
sentence openings a run-on lower-cases, the starts that already hesitate, frame slots and the
tidying of composed text.
"""

from __future__ import annotations

import re
from functools import cache


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
