"""The optional LLM judge for what rules cannot decide: is the stuck point processed, is the risk
assessed adequately.

It goes through the same machinery as ``tvt rate --rater openai`` (tvt/llm/): the chat client with
its retries, the response cache, bounded concurrency, the progress bar, and format-failure
accounting (an unreadable answer is asked again with a reminder and a new seed, up to
``max_attempts``; what still cannot be read is counted as a format failure, never guessed).

The judge reads P8 and P11 conversations (where stuck points are processed) and every
conversation in which the rules found a risk statement. Its figures are reported in their own
section beside the rule figures, with the agreement between the two.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tvt.audit.checks import AuditResult
from tvt.audit.findings import Findings
from tvt.audit.load import Conversation
from tvt.errors import WorkFailed
from tvt.phases import PHASE_INDEX, PHASE_NAMES
from tvt.resources import seeds_path
from tvt.rng import client_int_seed

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
_JSON_RE = re.compile(r"\{[^{}]*\}", re.DOTALL)


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


def parse_verdict(text: str | None) -> dict[str, Any] | None:
    """``{"stuck_point", "risk", "turn"}`` from a judge answer, or None if it cannot be read."""
    if not text:
        return None
    for m in _JSON_RE.finditer(text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
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


def transcript(conv: Conversation) -> str:
    return "\n".join(f"[{i}] {t.speaker.capitalize()}: {t.text}" for i, t in enumerate(conv.turns))


def judge_messages(conv: Conversation, prompts: Any) -> list[dict[str, str]]:
    user = prompts.template("user.md").substitute(
        phase=conv.phase, phase_name=PHASE_NAMES[conv.phase], transcript=transcript(conv)
    )
    return [
        {"role": "system", "content": prompts.files["system.md"].strip()},
        {"role": "user", "content": user.strip()},
    ]


@dataclass
class Verdict:
    conv: Conversation
    answer: dict[str, Any] | None = None
    attempts: int = 0
    first_unreadable: bool = False
    reason: str | None = None
    answers: list[str] = field(default_factory=list)


async def judge_conversation(
    client: Any, conv: Conversation, *, prompts: Any, params: dict[str, Any], max_attempts: int
) -> Verdict:
    """Ask about one conversation, re-asking after unreadable answers."""
    from tvt.llm.client import RequestFailed

    base = judge_messages(conv, prompts)
    out = Verdict(conv)
    messages = base
    for attempt in range(1, max_attempts + 1):
        out.attempts = attempt
        try:
            comp = await client.complete(
                messages,
                params=params,
                seed=client_int_seed(0, conv.client_id, f"audit-judge:{conv.phase}:{attempt}"),
                prompt_version=prompts.id,
            )
        except RequestFailed as exc:
            out.reason = f"request failed: {exc.reason}"
            return out
        answer = parse_verdict(comp.text)
        if answer is not None:
            out.answer = answer
            return out
        if attempt == 1:
            out.first_unreadable = True
        out.answers.append(comp.text[:200])
        messages = [
            *base,
            {"role": "assistant", "content": comp.text or "(no answer)"},
            {"role": "user", "content": prompts.files["retry.md"].strip()},
        ]
    out.reason = f"format failure: no readable verdict in {max_attempts} answer(s)"
    return out


def judge_items(result: AuditResult) -> list[Conversation]:
    """The conversations the judge reads: P8 and P11, and those with a rule risk statement."""
    return [
        c
        for c in result.dataset.conversations
        if c.phase in ("P8", "P11") or c.key in result.risk_turns
    ]


def run_judge(
    result: AuditResult, options: Any
) -> tuple[dict[str, Any], dict[tuple[int, str], dict[str, Any]]]:
    """Judge the audit's conversations; return the report section and the per-conversation verdicts.

    ``options`` is a :class:`tvt.llm.generation.LLMOptions`. Raises ``WorkFailed`` (exit 1) only
    when no conversation at all could be judged.
    """
    from tvt.llm.client import LLMClient, Usage, resolve_endpoint
    from tvt.llm.generation import cost_estimate, open_cache
    from tvt.llm.runner import Progress, run_pool, summary_line

    options.check()
    endpoint = resolve_endpoint(options.model, options.base_url)
    prompts = judge_prompts()
    items = judge_items(result)
    usage = Usage()
    verdicts: list[Verdict] = []
    json_mode = {"on": True}

    def params() -> dict[str, Any]:
        p: dict[str, Any] = {"temperature": options.temperature, "max_tokens": options.max_tokens}
        if json_mode["on"]:
            p["response_format"] = {"type": "json_object"}
        return p

    client: Any = None  # opened inside the event loop by main()

    async def work(conv: Conversation) -> Verdict:
        v = await judge_conversation(
            client, conv, prompts=prompts, params=params(), max_attempts=options.max_attempts
        )
        if json_mode["on"] and v.reason and "HTTP 400" in v.reason:
            json_mode["on"] = False  # the server does not support JSON mode
            v = await judge_conversation(
                client, conv, prompts=prompts, params=params(), max_attempts=options.max_attempts
            )
        return v

    cache = open_cache(options)
    progress = Progress(len(items), "judge", usage, enabled=options.progress)

    def on_result(conv: Conversation, v: Verdict) -> None:
        verdicts.append(v)
        progress.advance(failed=v.answer is None)

    async def main() -> None:
        nonlocal client
        client = LLMClient(
            endpoint, cache=cache, policy=options.policy, timeout=options.timeout, usage=usage
        )
        try:
            await run_pool(items, work, concurrency=options.concurrency, on_result=on_result)
        finally:
            await client.aclose()

    try:
        asyncio.run(main())
    finally:
        progress.close()
        if cache is not None:
            cache.close()
    verdicts.sort(key=lambda v: (v.conv.client_id, PHASE_INDEX[v.conv.phase]))
    doc, per_conv = summarise(result, verdicts)
    cost = cost_estimate(options, usage.prompt_tokens, usage.completion_tokens)
    failed = [v for v in verdicts if v.answer is None]
    doc.update(
        model=endpoint.model,
        base_url_host=endpoint.host,
        prompt_version=prompts.id,
        prompt_sha256=prompts.sha256,
        json_mode=json_mode["on"],
        usage=usage.as_dict(),
        cost_estimate=cost,
        summary=summary_line(usage, len(verdicts) - len(failed), len(failed), cost["usd"] if cost else None),
    )
    if items and len(failed) == len(items):
        raise WorkFailed(
            f"the judge could not judge any of {len(items)} conversations "
            f"({doc['format_failures']} format failures); first reason: {failed[0].reason}"
        )
    return doc, per_conv


def summarise(
    result: AuditResult, verdicts: list[Verdict]
) -> tuple[dict[str, Any], dict[tuple[int, str], dict[str, Any]]]:
    """The judge section of the report, and the verdict of each judged conversation."""
    flags = result.findings.flags
    examples = Findings({}, result.rules.t("examples_per_check"))
    questions: dict[str, Any] = {}
    per_conv: dict[tuple[int, str], dict[str, Any]] = {}
    for v in verdicts:
        if v.answer is None:
            per_conv[v.conv.key] = {"failure": v.reason, "attempts": v.attempts}
        else:
            per_conv[v.conv.key] = dict(v.answer)
    for qid, (key, bad, counted, text) in QUESTIONS.items():
        rule = RULE_OF[qid]
        eligible = flagged = compared = agreed = 0
        shown: list[dict[str, Any]] = []
        for v in verdicts:
            if v.answer is None or v.answer[key] not in counted:
                continue
            if key == "stuck_point" and v.conv.phase not in ("P8", "P11"):
                continue
            eligible += 1
            judged_bad = v.answer[key] == bad
            flagged += judged_bad
            rule_eligible = _rule_units(result, v.conv, rule)
            if rule_eligible:
                compared += 1
                rule_bad = any(f["check"] == rule for f in flags.get(v.conv.key, []))
                agreed += rule_bad == judged_bad
            if judged_bad and len(shown) < examples.max_examples:
                turn = v.answer.get("turn")
                turns = [turn] if isinstance(turn, int) and 0 <= turn < len(v.conv.turns) else []
                shown.append(examples._example(v.conv, turns, f"judge: {bad}"))
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
    doc = {
        "judged": len(verdicts) - len(failed),
        "items": len(verdicts),
        "format_failures": fmt,
        "request_failures": len(failed) - fmt,
        "first_answer_unreadable": sum(1 for v in verdicts if v.first_unreadable),
        "questions": questions,
    }
    return doc, per_conv


def _rule_units(result: AuditResult, conv: Conversation, rule: str) -> bool:
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
