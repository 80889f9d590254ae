"""The composer's skeleton of one conversation and the messages that ask a model to realize it.

Per turn the model sees: its number and speaker, the composer's act, the SUDS rating the client
states (if any) and the planned intensity, the story facts the draft mentions, the protocol
elements it carries (the audit lexicons the draft matches, :meth:`Checker.elements`), and the
composer's own sentence as the draft. The prompts are ``seeds/prompts/realize/<version>/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tvt.llm.prompts import PromptSet, generation_values, load_prompts
from tvt.realize.verify import ELEMENT_NAMES, band_of, distress_bands
from tvt.records import Case, Conversation
from tvt.suds_text import asks_for_suds

SUDS_STYLES = ("numeric", "verbal")


def realize_prompts(suds_style: str = "numeric") -> PromptSet:
    """The realize prompts; with ``verbal`` the system message of ``seeds/prompts/realize-verbal/``
    (distress in words) replaces the numeric one, recorded as ``realize-v1+verbal-v1``."""
    if suds_style not in SUDS_STYLES:
        raise ValueError(f"unknown SUDS style {suds_style!r} (numeric or verbal)")
    base = load_prompts("realize")
    if suds_style == "numeric":
        return base
    verbal = load_prompts("realize-verbal")
    return PromptSet(
        base.kind, f"{base.version}+verbal-{verbal.version}", {**base.files, **verbal.files}
    )


def _facts_block(facts: Mapping[str, str]) -> str:
    return "\n".join(f"- {k.replace('_', ' ')}: {v}" for k, v in facts.items()) or "- (none)"


def facts_in(text: str, facts: Mapping[str, str]) -> list[str]:
    """The names of the story facts whose words the draft mentions."""
    low = text.lower()
    return [k for k, v in facts.items() if len(v) > 3 and v.lower() in low]


def skeleton_line(
    n: int,
    turn: Mapping[str, Any],
    elements: Sequence[str],
    facts: Mapping[str, str],
    suds_style: str = "numeric",
) -> str:
    """One turn of the skeleton as the model reads it."""
    parts = [f"{n}. {turn['speaker'].capitalize()}", f"act: {turn['act']}"]
    if turn["speaker"] == "client" and suds_style == "verbal":
        if turn.get("suds") is not None:
            words = distress_bands()[band_of(int(turn["suds"]))][1]
            parts.append(
                "distress in words: one of " + ", ".join(f'"{w}"' for w in words) + " (no number)"
            )
        else:
            parts.append("no distress level")
    elif turn["speaker"] == "client":
        if turn.get("suds") is not None:
            parts.append(f"SUDS {turn['suds']} (state exactly {turn['suds']})")
        else:
            parts.append("no SUDS number")
    elif asks_for_suds(turn["text"]):
        parts.append(
            "asks how strong the distress is"
            if suds_style == "verbal"
            else "asks for the SUDS rating"
        )
    if turn.get("intensity") is not None:
        parts.append(f"intensity {turn['intensity']}/10")
    named = facts_in(turn["text"], facts)
    if named:
        parts.append("facts: " + ", ".join(named))
    if elements:
        parts.append("keep: " + "; ".join(ELEMENT_NAMES.get(e, e) for e in elements))
    return " | ".join(parts) + f" | draft: {turn['text']}"


def numbered(turns: Sequence[Mapping[str, Any]], texts: Sequence[str]) -> str:
    """``1. Therapist: ...`` lines of ``texts`` with the skeleton's speakers."""
    return "\n".join(
        f"{i}. {t['speaker'].capitalize()}: {text}"
        for i, (t, text) in enumerate(zip(turns, texts, strict=True), start=1)
    )


def realize_messages(
    case: Case,
    conv: Conversation,
    elements: Sequence[Sequence[str]],
    facts: Mapping[str, str],
    prompts: PromptSet | None = None,
    suds_style: str = "numeric",
) -> list[dict[str, str]]:
    """The system and user messages asking for the rewrite of one composed conversation."""
    prompts = prompts or realize_prompts(suds_style)
    turns = conv["turns"]
    # the profile placeholders are the generation prompts' (one rendering of a case)
    values = generation_values(case, conv["phase"], dict(facts), load_prompts("generation"))
    values.update(
        facts=_facts_block(facts),
        skeleton="\n".join(
            skeleton_line(n, t, e, facts, suds_style)
            for n, (t, e) in enumerate(zip(turns, elements, strict=True), start=1)
        ),
        count=len(turns),
        first_speaker=turns[0]["speaker"].capitalize(),
        last_speaker=turns[-1]["speaker"].capitalize(),
    )
    return [
        {"role": "system", "content": prompts.files["system.md"].strip()},
        {"role": "user", "content": prompts.template("user.md").substitute(values).strip()},
    ]


def retry_message(
    problems: Mapping[int, tuple[str, str]],
    turns: Sequence[Mapping[str, Any]],
    prompts: PromptSet | None = None,
) -> dict[str, str]:
    """The follow-up naming each failed turn (0-based indices) and why."""
    prompts = prompts or load_prompts("realize")
    lines = "\n".join(
        f"- turn {i + 1} ({turns[i]['speaker']}): {reason}"
        for i, (_kind, reason) in sorted(problems.items())
    )
    numbers = ", ".join(str(i + 1) for i in sorted(problems))
    text = prompts.template("retry.md").substitute(problems=lines, numbers=numbers)
    return {"role": "user", "content": text.strip()}


def format_retry_message(
    reason: str, wanted: Sequence[int], prompts: PromptSet | None = None
) -> dict[str, str]:
    """The follow-up after an answer that could not be used as a whole (0-based ``wanted``)."""
    prompts = prompts or load_prompts("realize")
    if len(wanted) > 2 and list(wanted) == list(range(wanted[0], wanted[-1] + 1)):
        numbers = f"{wanted[0] + 1} to {wanted[-1] + 1}"
    else:
        numbers = ", ".join(str(i + 1) for i in wanted)
    text = prompts.template("format_retry.md").substitute(
        reason=reason, count=len(wanted), numbers=numbers
    )
    return {"role": "user", "content": text.strip()}
