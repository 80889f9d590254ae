"""Consistency across a client's conversations: names, the index event's facts, pronouns.

These checks look at all conversations of one client together; a flag is counted once per
client and attached to each conversation that departs from the rest, with the turns that show it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

from tvt.audit.findings import Findings
from tvt.audit.lexicon import CategoryIndex, words_of
from tvt.audit.load import CaseView, ConversationView
from tvt.audit.rules import Rules
from tvt.phases import EXPOSURE_PHASES

# A capitalised word of letters (accented ones too: "Fabián"), optionally hyphenated.
_NAME = r"((?=[^\W\d_])[^\W\d_a-z][^\W\d_]+(?:[-'][^\W\d_]+)?)"
_AFTER_COMMA_RE = re.compile(r",\s+" + _NAME + r"(?=\s*(?:[.!?,]|$))")
_TURN_START_RE = re.compile(r"^\s*" + _NAME + r",")
_LOWER_WORD_RE = re.compile(r"(?<![\w'])[a-z][a-z'-]+")
_DOCTOR_RE = re.compile(r"\b(?:Dr|Doctor)\.?\s+" + _NAME)
_CLIENT_THANKS_RE = re.compile(
    r"\b(?:[Tt]hanks|[Tt]hank you|[Oo]kay|[Yy]es|[Ss]orry|[Rr]ight),\s+" + _NAME + r"(?=\s*[.!?,])"
)
# Addressed by title and surname: at the start of the turn, after a comma or a greeting, and
# followed by punctuation ("Welcome back, Mrs. Hakim.", "Mr. Lee, today we'll ..."); a title
# elsewhere ("Did Mrs. Chen see it?") names someone else.
_TITLE_RE = re.compile(
    r"(?:^\s*|,\s+|\b(?:[Hh]ello|[Hh]i|[Ww]elcome(?: back)?|[Gg]ood (?:morning|afternoon|evening)|"
    r"[Tt]hank you|[Tt]hanks)\s+)(Mr|Mrs|Ms|Miss|Mx)\.?\s+" + _NAME + r"(?=\s*(?:[.!?,]|$))"
)
_NUMBER = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred)"
)
# "Seventy-seven, keys biting into your palm" reads back a number, not a name.
_NUMBER_WORD_RE = re.compile(rf"^{_NUMBER}(?:[- ]{_NUMBER})*$", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*")
_INTRO_RE = re.compile(r"\b(?:[Mm]y name is|[Ii]'m Dr\.?|[Ii] am Dr\.?|[Cc]all me)\s+" + _NAME)


# Texts without which the expressions above cannot match, tested before running them: most
# turns name nobody, and a substring test costs far less than a search of the whole turn.
def _could_title(text: str) -> bool:
    return "Mr" in text or "Ms" in text or "Miss" in text or "Mx" in text


def _could_intro(lower: str) -> bool:
    return "name is" in lower or "m dr" in lower or "call me" in lower


#: the greeting words of _CLIENT_THANKS_RE without their first letter (either case), comma kept
_THANKS_ENDINGS = ("hanks,", "hank you,", "kay,", "es,", "orry,", "ight,")


def _could_thank(text: str) -> bool:
    return any(e in text for e in _THANKS_ENDINGS)


def addressed_names(conv: ConversationView, rules: Rules) -> tuple[dict[str, list[int]], ...]:
    """(client names, therapist names) found in ``conv``, each name with the turns using it."""
    client: dict[str, list[int]] = defaultdict(list)
    therapist: dict[str, list[int]] = defaultdict(list)
    # A capitalised word that the conversation also writes in lower case is an ordinary word
    # at the start of a sentence ("Antiseptic, sharp and cold."), not a name.
    # (one search of the turns joined by newlines: the same words as turn by turn, since a
    # newline neither starts nor continues one)
    lower = set(_LOWER_WORD_RE.findall(conv.text()[0]))
    not_names = rules.not_names

    def stop(name: str) -> bool:
        """Is ``name`` one of the rules' ``not_names``, or a word of the conversation in lower
        case capitalised? (What ``name in not_names | {w.capitalize() for w in lower}`` says,
        without capitalising every word of the conversation.)"""
        if name in not_names:
            return True
        word = name[:1].lower() + name[1:]
        return word in lower and word.capitalize() == name

    for i, turn in enumerate(conv.turns):
        text = turn.text
        if turn.speaker == "therapist":
            found = _AFTER_COMMA_RE.findall(text)
            start = _TURN_START_RE.match(text)
            # "Slower, Fabian." addresses Fabian: the first word is the instruction.
            if start and not _AFTER_COMMA_RE.match(text, start.end() - 1):
                found.append(start.group(1))
            # A word the client just said is echoed back ("Antiseptic, sharp and cold."): the
            # client does not say their own name, so it is not one.
            said = set(conv.turns[i - 1].text.split()) if i else set()
            found = [n for n in found if n[0].isupper() and not n.isupper()]
            found = [n for n in found if n not in said and f"{n}," not in said]
            for name in found:
                if not stop(name) and not _NUMBER_WORD_RE.match(name):
                    client[name].append(i)
            # "Mr. Lee", "Mrs. Hakim": a surname, kept apart from first names
            for title, name in _TITLE_RE.findall(text) if _could_title(text) else ():
                if not stop(name):
                    client[f"{title}. {name}"].append(i)
            for name in _INTRO_RE.findall(text) if _could_intro(turn.lower) else ():
                if not stop(name):
                    therapist[name].append(i)
        else:
            doctor = _DOCTOR_RE.findall(text) if "Dr" in text or "Doctor" in text else []
            thanks = _CLIENT_THANKS_RE.findall(text) if _could_thank(text) else []
            for name in doctor + thanks:
                if not stop(name):
                    therapist[name].append(i)
            for name in _INTRO_RE.findall(text) if _could_intro(turn.lower) else ():
                if not stop(name):
                    client[name].append(i)
    return client, therapist


def _name_check(
    check: str,
    convs: list[ConversationView],
    per_conv: list[dict[str, list[int]]],
    known: str | None,
    found: Findings,
) -> None:
    totals: Counter[str] = Counter()
    first: dict[str, int] = {}
    for names in per_conv:
        for name, turns in names.items():
            totals[name] += len(turns)
            first.setdefault(name, len(first))
    if not totals and not known:
        return
    found.eligible(check)
    odd = _odd_names(totals, first, known)
    if not odd:
        return
    found.tallies[check].flagged += 1
    where: dict[str, list[str]] = defaultdict(list)
    for conv, names in zip(convs, per_conv, strict=True):
        for name in names:
            where[name].append(conv.phase)
    usual = known or _usual(totals, first)
    detail = f"usual name {usual}; also " + ", ".join(f"{n} ({'/'.join(where[n])})" for n in odd)
    for conv, names in zip(convs, per_conv, strict=True):
        turns = sorted(i for n in odd for i in names.get(n, []))
        if turns:
            found.add_flag(check, conv, turns, detail)


def _fold(name: str) -> str:
    """A name compared without accents or case ("María" is "Maria")."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).lower()


def _usual(totals: Counter[str], first: dict[str, int]) -> str:
    """The most used name; on a tie, the one used first (phases in benchmark order)."""
    return min(totals, key=lambda n: (-totals[n], first[n]))


def _odd_names(totals: Counter[str], first: dict[str, int], known: str | None) -> list[str]:
    """The names that are not the client's (or the therapist's) usual one.

    First names and titled surnames ("Mrs. Hakim") are compared separately; a name is the
    usual one without accents ("Maria" for "María") or as its short form ("Raj" for "Rajesh").
    """

    def same(name: str, usual: set[str]) -> bool:
        f = _fold(name)
        return any(f == u or (len(f) >= 3 and (u.startswith(f) or f.startswith(u))) for u in usual)

    plain = Counter({n: c for n, c in totals.items() if ". " not in n})
    titled = Counter({n.split(". ", 1)[1]: c for n, c in totals.items() if ". " in n})
    titled_key = {n.split(". ", 1)[1]: n for n in totals if ". " in n}
    odd: list[str] = []
    for group, key in ((plain, lambda n: n), (titled, lambda n: titled_key[n])):
        if not group:
            continue
        if known:
            usual = {_fold(p) for p in re.split(r"[\s-]+", known) if p}
        else:
            usual = {_fold(_usual(group, {n: first[key(n)] for n in group}))}
        odd += [key(n) for n in group if not same(n, usual)]
    return sorted(odd)


class _Hits:
    """Category counts of a conversation's client turns; the turns of a category on demand."""

    def __init__(
        self, conv: ConversationView, index: CategoryIndex, rules: Rules, passing: bool = False
    ) -> None:
        self.conv, self.index = conv, index
        self.passing = rules.lex("facts.in_passing") if passing else None
        client_turns = [t for t in conv.turns if t.speaker == "client"]
        if self.passing is not None and not self.passing.possible_in(
            client_turns, *conv.text("client")
        ):
            self.passing = None  # nothing is named in passing: count the whole text
        tokens: frozenset[str] | None = None
        client = [t.text for t in conv.turns if t.speaker == "client"]
        kept = client if self.passing is None else [self._kept(t) for t in client]
        if kept == client:
            # nothing named in passing: the conversation's own text and words serve (the same
            # words as words_of(text), in another order, which counts do not depend on)
            text, tokens, lower = conv.text("client")
            words = conv.words("client")
        else:
            text = "\n".join(kept)
            lower = text.lower()
            words = words_of(text)
        self.counts: Counter[str] = Counter(index.counts(text, words, lower, tokens))

    def _kept(self, text: str) -> str:
        """``text`` without the sentences that name people in passing."""
        assert self.passing is not None
        if self.passing.find(text) is None:
            return text
        return " ".join(s for s in _SENTENCE_RE.findall(text) if self.passing.find(s) is None)

    def turns(self, category: str) -> list[int]:
        lex = self.index.categories[category]
        if self.passing is None:
            return [
                i
                for i, t in enumerate(self.conv.turns)
                if t.speaker == "client" and lex.count(t.text, t.words)
            ]
        return [
            i
            for i, t in enumerate(self.conv.turns)
            if t.speaker == "client" and lex.count(self._kept(t.text))
        ]


def _category_hits(
    conv: ConversationView, index: CategoryIndex, rules: Rules, passing: bool = False
) -> _Hits:
    return _Hits(conv, index, rules, passing)


def _dominant(counts: Counter[str], minimum: int, share: float = 0.0) -> str | None:
    if not counts:
        return None
    cat, n = max(sorted(counts.items()), key=lambda kv: kv[1])
    if n < minimum or n < share * sum(counts.values()):
        return None
    return cat


def _divergence_check(
    check: str,
    convs: list[ConversationView],
    hits: list[_Hits],
    minimum: int,
    found: Findings,
    share: float = 0.0,
    exclusive: bool = True,
) -> None:
    dominant = [_dominant(h.counts, minimum, share) for h in hits]
    known = [d for d in dominant if d is not None]
    if len(known) < 2:
        return
    found.eligible(check)
    tally = Counter(known)
    usual = max(sorted(tally), key=lambda c: tally[c])
    odd = [
        (conv, d, h)
        for conv, d, h in zip(convs, dominant, hits, strict=True)
        if d is not None and d != usual and (not exclusive or h.counts.get(usual, 0) == 0)
    ]
    # Only a departure when the usual conversations do not mention the odd kind either.
    odd = [
        (conv, d, h)
        for conv, d, h in odd
        if not exclusive
        or not any(g.counts.get(d, 0) for g, dd in zip(hits, dominant, strict=True) if dd == usual)
    ]
    if not odd:
        return
    found.tallies[check].flagged += 1
    for conv, d, h in odd:
        found.add_flag(check, conv, h.turns(d), f"{d} here, {usual} in the other phases")


def consistency(
    convs: list[ConversationView], case: CaseView | None, rules: Rules, found: Findings
) -> None:
    """Audit all conversations of one client together."""
    names = [addressed_names(c, rules) for c in convs]
    _name_check(
        "consistency.client_name",
        convs,
        [n[0] for n in names],
        case.client_name if case else None,
        found,
    )
    _name_check(
        "consistency.therapist_name",
        convs,
        [n[1] for n in names],
        case.therapist_name if case else None,
        found,
    )
    narration = [c for c in convs if c.phase in EXPOSURE_PHASES]
    minimum = rules.t("facts_min_hits")
    for facet in ("what", "who", "where"):
        hits = [_category_hits(c, rules.facts[facet], rules, facet == "who") for c in narration]
        _divergence_check(f"consistency.event_{facet}", narration, hits, minimum, found)
    hits = [_category_hits(c, rules.facts["pronoun"], rules) for c in narration]
    _divergence_check(
        "consistency.pronouns",
        narration,
        hits,
        rules.t("pronoun_min_count"),
        found,
        share=rules.t("pronoun_min_share"),
        exclusive=False,
    )
