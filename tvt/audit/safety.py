"""Safety checks: risk statements and the therapist's response, method detail, graphic content.

A risk statement is read as a PE supervisor reads it (docs/audit.md, "Labelling guide"): a
client's statement about themself of wishing to be dead (passive ideation), of killing
themself (active ideation), of a plan or means, or of self-harm, or of wanting to harm others.
Each kind is a lexicon of ``seeds/audit/rules.json``; what a supervisor would not count is
excluded there sentence by sentence: words of others reported or quoted ("saying I should kill
myself"), denials ("I'm not suicidal", "I'd never hurt myself"), fear of dying in the narrated
event ("I'm going to die", "scared I might not wake up"), figures of speech and shame ("I want
to disappear" is not in any lexicon). Hesitations are read through: "about... about ending it
all" is "about ending it all".

Each statement is classified (kind, who: self or others, when: now or since, or in the narrated
memory) and reported in the flag's detail.
"""

from __future__ import annotations

import re

from tvt.audit.findings import Findings
from tvt.audit.lexicon import tokens_of
from tvt.audit.load import ConversationView, TurnView
from tvt.audit.rules import Rules
from tvt.phases import EXPOSURE_PHASES

#: Risk kinds in report order, with the lexicon that finds each (plan_or_means is a means
#: word of safety.method together with safety.means_intent in the same turn).
RISK_KINDS = ("plan_or_means", "active", "passive", "self_harm", "harm_others")
_LEXICON = {
    "active": "safety.active_ideation",
    "passive": "safety.passive_ideation",
    "self_harm": "safety.self_harm",
    "harm_others": "safety.harm_others",
}
ASSESS_PARTS = ("thoughts", "plan", "intent", "resources")

_ELLIPSIS_RE = re.compile(r"\s*(?:\.\.\.+|\u2026)\s*")
# A word group said twice across a hesitation ("if I just... if I just wasn't" -> "if I just wasn't").
_REPEAT_RE = re.compile(r"\b((?:[\w']+[ ,]+){0,3}[\w']+)[ ,-]+\1\b", re.IGNORECASE)
_NOW_RE = re.compile(
    r"\b(now|these days|lately|sometimes|some days|most days|still|since|ever since|at night|"
    r"anymore|any more|recently|keep)\b",
    re.IGNORECASE,
)


def plain(text: str) -> str:
    """``text`` with hesitations read through: ellipses dropped, stammered repeats collapsed."""
    if "..." in text or "\u2026" in text:  # most turns have no ellipsis: skip the search
        text = _ELLIPSIS_RE.sub(" ", text)
    for _ in range(3):
        new = _REPEAT_RE.sub(r"\1", text)
        if new == text:
            break
        text = new
    return text


def risk_kinds(turn: TurnView, rules: Rules) -> list[str]:
    """The kinds of risk a client turn states (see :data:`RISK_KINDS`)."""
    text = plain(turn.text)
    # The words of the text once for the six lexicons (the turn's own when nothing was read
    # through, which is most turns), not once per lexicon.
    if text == turn.text:
        tokens, lower = turn.tokens, turn.lower
    else:
        tokens, lower = tokens_of(text), text.lower()
    found = [
        k for k, lex in _LEXICON.items() if rules.lex(lex).find(text, tokens, lower) is not None
    ]
    if (
        rules.lex("safety.method").find(text, tokens, lower) is not None
        and rules.lex("safety.means_intent").find(text, tokens, lower) is not None
    ):
        found.append("plan_or_means")
    return [k for k in RISK_KINDS if k in found]


def risk_when(turn: TurnView, phase: str) -> str:
    """When the statement is about: 'now' (or since the trauma), or 'in the narrated memory'
    (an exposure phase narrates the event in the present tense, so its tense says nothing)."""
    if _NOW_RE.search(turn.text):
        return "now"
    return "in the narrated memory" if phase in EXPOSURE_PHASES else "now"


def describe(kinds: list[str], turn: TurnView, phase: str) -> str:
    names = {
        "plan_or_means": "plan or means",
        "active": "active ideation",
        "passive": "passive ideation",
        "self_harm": "self-harm",
        "harm_others": "harm to others",
    }
    who = "others" if kinds == ["harm_others"] else "self"
    return f"{'/'.join(names[k] for k in kinds)} ({who}, {risk_when(turn, phase)})"


def safety(conv: ConversationView, rules: Rules, found: Findings) -> list[int]:
    """Audit one conversation; return the turn indices of its risk statements (for the judge)."""
    t = rules.t
    statements: list[int] = []
    unassessed: list[int] = []
    praised: list[int] = []
    partial: list[int] = []
    partial_details: list[str] = []
    details: list[str] = []
    client_text, client_tokens, client_lower = conv.text("client")
    client_turns = [x for x in conv.turns if x.speaker == "client"]
    any_risk = any(
        rules.lex(lex).possible_in(client_turns, client_text, client_tokens, client_lower)
        for lex in (*_LEXICON.values(), "safety.means_intent")
    )
    for i, turn in enumerate(conv.turns):
        if not any_risk:
            break
        if turn.speaker != "client":
            continue
        kinds = risk_kinds(turn, rules)
        if not kinds:
            continue
        details.append(f"turn {i}: {describe(kinds, turn, conv.phase)}")
        statements.append(i)
        # An answer to a safety question ("Are you having thoughts of ending your life?" ->
        # "It's more wishing it would all stop than wanting to die") is part of the assessment
        # under way, not a new statement that needs one.
        asked = next((x for x in reversed(conv.turns[:i]) if x.speaker == "therapist"), None)
        if asked is not None and any(
            rules.lex(f"safety.assess_{p}").find_in(asked) is not None for p in ASSESS_PARTS
        ):
            continue
        following = [(j, x) for j, x in enumerate(conv.turns) if j > i and x.speaker == "therapist"]
        window = following[: t("assessment_window_therapist_turns")]
        first = window[: t("followup_therapist_turns")]
        found.eligible("safety.unassessed_risk")
        found.eligible("safety.risk_met_with_praise_or_suds")
        parts = {
            p
            for p in ASSESS_PARTS
            for _, x in window
            if rules.lex(f"safety.assess_{p}").find_in(x) is not None
        }
        assessed = any(
            rules.lex(f"safety.assess_{p}").find_in(x) is not None
            for p in ASSESS_PARTS
            for _, x in first
        )
        if not assessed:
            unassessed.append(i)
            if first and rules.lex("safety.praise_or_suds").find_in(first[0][1]) is not None:
                praised.append(i)
        else:
            found.eligible("safety.partial_assessment")
            missing = [p for p in ASSESS_PARTS if p not in parts]
            if missing:
                partial.append(i)
                partial_details.append("no " + "/".join(missing))
    found.eligible("safety.risk_statement")
    if statements:
        found.flag("safety.risk_statement", conv, statements, "; ".join(details))
    if unassessed:
        found.flag("safety.unassessed_risk", conv, unassessed, units=len(unassessed))
    if praised:
        found.flag("safety.risk_met_with_praise_or_suds", conv, praised, units=len(praised))
    if partial:
        found.flag(
            "safety.partial_assessment",
            conv,
            partial,
            "; ".join(sorted(set(partial_details))),
            units=len(partial),
        )
    # -- method detail in a risk context, graphic injury, explicit sexual content
    method = rules.lex("safety.method")
    context = t("method_context_turns")
    risky = set(statements)
    method_turns = []
    all_text, all_tokens, all_lower = conv.text()
    for i, turn in enumerate(
        conv.turns if method.possible_in(conv.turns, all_text, all_tokens, all_lower) else []
    ):
        if method.find_in(turn) is None:
            continue
        near = any(j in risky for j in range(i - context, i + 1))
        if near or risk_kinds(turn, rules):
            method_turns.append(i)
    graphic, sexual = (
        [i for i, x in enumerate(conv.turns) if lex.find_in(x)]
        if lex.possible_in(conv.turns, all_text, all_tokens, all_lower)
        else []
        for lex in (rules.lex("safety.graphic_injury"), rules.lex("safety.explicit_sexual"))
    )
    for check, hits in (
        ("safety.method_detail", method_turns),
        ("safety.graphic_injury", graphic),
        ("safety.explicit_sexual", sexual),
    ):
        found.eligible(check)
        if hits:
            found.flag(check, conv, hits)
    return statements
