"""The optional LLM judge for what rules cannot decide: is the stuck point processed, is the risk
assessed adequately.

It goes through the same request loop as ``tvt rate --rater openai`` (:mod:`tvt.llm.per_item`):
the chat client with its retries, JSON mode, the response cache, bounded concurrency, the progress
bar, and format-failure accounting (an unreadable answer is asked again with a reminder and a new
seed, up to ``max_attempts``; what still cannot be read is counted as a format failure, never
guessed).

The judge reads P8 and P11 conversations (where stuck points are processed) and every
conversation in which the rules found a risk statement. Its figures are reported in their own
section beside the rule figures, with the agreement between the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from tvt.audit.checks import AuditResult
from tvt.audit.findings import Findings
from tvt.audit.load import ConversationView
from tvt.audit.types import Example, JudgeDoc, Judgement, JudgeQuestion, JudgeVerdict
from tvt.errors import WorkFailed
from tvt.llm.per_item import Asked, ask_parsed, json_in_text
from tvt.phases import PHASE_INDEX, PHASE_NAMES
from tvt.resources import seeds_path

JUDGE_VERSION = "v1"
#: question id -> (answer key, the answer that flags, the answers that count as eligible, text)
QUESTIONS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "stuck_point_not_processed": (
        "stuck_point",
        "not_processed",
        ("processed", "not_processed"),
        "Stuck point stated but not processed",
    ),
    "risk_not_assessed": (
        "risk",
        "not_assessed",
        ("assessed", "not_assessed"),
        "Risk stated but not assessed adequately",
    ),
}
QUESTION_IDS = tuple(QUESTIONS)
#: the rule check each question is compared with
RULE_OF = {
    "stuck_point_not_processed": "processing.belief_not_taken_up",
    "risk_not_assessed": "safety.unassessed_risk",
}
_ALLOWED = {
    "stuck_point": {"processed", "not_processed", "none"},
    "risk": {"assessed", "not_assessed", "none"},
}
_NONE_WORDS = {"none", "n/a", "na", "not_applicable", "no", "null"}


@cache
def judge_prompts() -> Any:
    from tvt.llm.prompts import PromptSet

    folder = seeds_path("audit", "judge", JUDGE_VERSION)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}
    return PromptSet("audit-judge", JUDGE_VERSION, files)


def _value(raw: Any, key: str) -> str | None:
    if raw is None:
        return "none"
    if not isinstance(raw, str):
        return None
    v = re.sub(r"[\s-]+", "_", raw.strip().lower())
    if v in _NONE_WORDS:
        v = "none"
    return v if v in _ALLOWED[key] else None


def parse_verdict(text: str | None) -> JudgeVerdict | None:
    """``{"stuck_point", "risk", "turn"}`` from a judge answer, or None if it cannot be read."""
    if not text:
        return None
    for obj in json_in_text(text):
        if not isinstance(obj, dict):
            continue
        keys = {str(k).lower(): v for k, v in obj.items()}
        if "stuck_point" not in keys or "risk" not in keys:
            continue
        sp, risk = _value(keys["stuck_point"], "stuck_point"), _value(keys["risk"], "risk")
        if sp is None or risk is None:
            continue
        turn = keys.get("turn")
        ok_turn = isinstance(turn, int) and not isinstance(turn, bool)
        return {"stuck_point": sp, "risk": risk, "turn": turn if ok_turn else None}
    return None


def transcript(conv: ConversationView) -> str:
    return "\n".join(f"[{i}] {t.speaker.capitalize()}: {t.text}" for i, t in enumerate(conv.turns))


def judge_messages(conv: ConversationView, prompts: Any) -> list[dict[str, str]]:
    user = prompts.template("user.md").substitute(
        phase=conv.phase, phase_name=PHASE_NAMES[conv.phase], transcript=transcript(conv)
    )
    return [
        {"role": "system", "content": prompts.files["system.md"].strip()},
        {"role": "user", "content": user.strip()},
    ]


@dataclass
class Verdict(Asked[JudgeVerdict]):
    """The judge's answer about one conversation (``value`` is the parsed verdict)."""

    conv: ConversationView

    @property
    def answer(self) -> JudgeVerdict | None:
        return self.value


async def judge_conversation(
    client: Any, conv: ConversationView, *, prompts: Any, params: dict[str, Any], max_attempts: int
) -> Verdict:
    """Ask about one conversation, re-asking after unreadable answers."""
    return await ask_parsed(
        Verdict(conv=conv),
        client,
        judge_messages(conv, prompts),
        parse=parse_verdict,
        retry_message={"role": "user", "content": prompts.files["retry.md"].strip()},
        wanted="readable verdict",
        params=params,
        seed=0,
        client_id=conv.client_id,
        purpose=f"audit-judge:{conv.phase}",
        prompt_version=prompts.id,
        max_attempts=max_attempts,
    )


def judge_items(
    result: AuditResult, only: set[tuple[int, str]] | None = None
) -> list[ConversationView]:
    """The conversations the judge reads: P8 and P11, and those with a rule risk statement;
    with ``only``, those (client, phase) conversations instead (the gold set's, to score it)."""
    if only is not None:
        return [c for c in result.dataset.conversations if c.key in only]
    return [
        c
        for c in result.dataset.conversations
        if c.phase in ("P8", "P11") or c.key in result.risk_turns
    ]


def run_judge(
    result: AuditResult, options: Any, *, only: set[tuple[int, str]] | None = None
) -> tuple[JudgeDoc, dict[tuple[int, str], Judgement]]:
    """Judge the audit's conversations; return the report section and the per-conversation verdicts.

    ``options`` is a :class:`tvt.llm.generation.LLMOptions`. Raises ``WorkFailed`` (exit 1) only
    when no conversation at all could be judged.
    """
    from tvt.llm.generation import cost_estimate
    from tvt.llm.per_item import run_items

    options.check()
    prompts = judge_prompts()
    items = judge_items(result, only)

    async def ask(client: Any, conv: ConversationView, params: dict[str, Any]) -> Verdict:
        return await judge_conversation(
            client, conv, prompts=prompts, params=params, max_attempts=options.max_attempts
        )

    run = run_items(items, ask, options=options, desc="judge")
    endpoint, usage, verdicts = run.endpoint, run.usage, run.results
    verdicts.sort(key=lambda v: (v.conv.client_id, PHASE_INDEX[v.conv.phase]))
    doc, per_conv = summarise(result, verdicts)
    cost = cost_estimate(options, usage.prompt_tokens, usage.completion_tokens)
    failed = run.failed
    doc["model"] = endpoint.model
    doc["base_url_host"] = endpoint.host
    doc["prompt_version"] = prompts.id
    doc["prompt_sha256"] = prompts.sha256
    doc["json_mode"] = run.json_mode
    doc["usage"] = usage.as_dict()
    doc["cost_estimate"] = cost
    doc["summary"] = run.summary_line(cost)
    if items and len(failed) == len(items):
        raise WorkFailed(
            f"the judge could not judge any of {len(items)} conversations "
            f"({doc['format_failures']} format failures); first reason: {failed[0].reason}"
        )
    return doc, per_conv


def summarise(
    result: AuditResult, verdicts: list[Verdict]
) -> tuple[JudgeDoc, dict[tuple[int, str], Judgement]]:
    """The judge section of the report, and the verdict of each judged conversation."""
    flags = result.findings.flags
    examples = Findings({}, result.rules.t("examples_per_check"))
    questions: dict[str, JudgeQuestion] = {}
    per_conv: dict[tuple[int, str], Judgement] = {}
    for v in verdicts:
        if v.answer is None:
            per_conv[v.conv.key] = {"failure": v.reason, "attempts": v.attempts}
        else:
            per_conv[v.conv.key] = v.answer.copy()
    for qid, (key, bad, counted, text) in QUESTIONS.items():
        rule = RULE_OF[qid]
        eligible = flagged = compared = agreed = 0
        shown: list[Example] = []
        for v in verdicts:
            if v.answer is None or _said(v.answer, key) not in counted:
                continue
            if key == "stuck_point" and v.conv.phase not in ("P8", "P11"):
                continue
            eligible += 1
            judged_bad = _said(v.answer, key) == bad
            flagged += judged_bad
            rule_eligible = _rule_units(result, v.conv, rule)
            if rule_eligible:
                compared += 1
                rule_bad = any(f["check"] == rule for f in flags.get(v.conv.key, []))
                agreed += rule_bad == judged_bad
            if judged_bad and len(shown) < examples.max_examples:
                turn = v.answer.get("turn")
                turns = [turn] if isinstance(turn, int) and 0 <= turn < len(v.conv.turns) else []
                shown.append(examples.example(v.conv, turns, f"judge: {bad}"))
        questions[qid] = {
            "question": text,
            "rule_check": rule,
            "eligible": eligible,
            "flagged": flagged,
            "rate": flagged / eligible if eligible else None,
            "compared": compared,
            "agreement": agreed / compared if compared else None,
            "examples": shown,
        }
    failed = [v for v in verdicts if v.answer is None]
    fmt = sum(1 for v in failed if v.reason and v.reason.startswith("format"))
    doc: JudgeDoc = {
        "judged": len(verdicts) - len(failed),
        "items": len(verdicts),
        "format_failures": fmt,
        "request_failures": len(failed) - fmt,
        "first_answer_unreadable": sum(1 for v in verdicts if v.first_unreadable),
        "questions": questions,
    }
    return doc, per_conv


def _said(verdict: JudgeVerdict, key: str) -> str:
    """The verdict's answer to question ``key`` (``stuck_point`` or ``risk``)."""
    return verdict["stuck_point"] if key == "stuck_point" else verdict["risk"]


def _rule_units(result: AuditResult, conv: ConversationView, rule: str) -> bool:
    """Did the rule check have something to judge in ``conv`` (a belief or a risk statement)?"""
    if rule == "safety.unassessed_risk":
        return conv.key in result.risk_turns
    from tvt.audit.rules import BELIEF_KINDS

    rules = result.rules
    return any(
        rules.lex(f"belief.{k}").find_in(t) is not None
        for t in conv.turns
        if t.speaker == "client"
        for k in BELIEF_KINDS
    )
