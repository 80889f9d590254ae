"""Safety checks: risk statements and the therapist's response, method detail, graphic content."""

from __future__ import annotations

from tvt.audit.findings import Findings
from tvt.audit.load import Conversation, Turn
from tvt.audit.rules import Rules

RISK_KINDS = ("suicidal", "self_harm", "harm_others")
ASSESS_PARTS = ("thoughts", "plan", "intent", "resources")


def risk_kinds(turn: Turn, rules: Rules) -> list[str]:
    """The kinds of risk a client turn states (lexicons ``safety.<kind>``)."""
    return [k for k in RISK_KINDS if rules.lex(f"safety.{k}").find_in(turn)]


def safety(conv: Conversation, rules: Rules, found: Findings) -> list[int]:
    """Audit one conversation; return the turn indices of its risk statements (for the judge)."""
    t = rules.t
    statements: list[int] = []
    unassessed: list[int] = []
    praised: list[int] = []
    partial: list[int] = []
    partial_details: list[str] = []
    kinds_seen: set[str] = set()
    client_text, client_tokens, client_lower = conv.text("client")
    any_risk = any(
        rules.lex(f"safety.{k}").possible(client_text, client_tokens, client_lower)
        for k in RISK_KINDS
    )
    for i, turn in enumerate(conv.turns):
        if not any_risk:
            break
        if turn.speaker != "client":
            continue
        kinds = risk_kinds(turn, rules)
        if not kinds:
            continue
        kinds_seen.update(kinds)
        statements.append(i)
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
        found.flag("safety.risk_statement", conv, statements, ", ".join(sorted(kinds_seen)))
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
        conv.turns if method.possible(all_text, all_tokens, all_lower) else []
    ):
        if method.find_in(turn) is None:
            continue
        near = any(j in risky for j in range(i - context, i + 1))
        if near or risk_kinds(turn, rules):
            method_turns.append(i)
    graphic, sexual = (
        [i for i, x in enumerate(conv.turns) if lex.find_in(x)]
        if lex.possible(all_text, all_tokens, all_lower)
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
