"""The records the audit writes: flags, examples, the judge's verdicts and the report document.

``tvt audit --json`` prints an :class:`AuditDocument`; ``--per-conversation`` writes one
:class:`ConversationAudit` per line. The shapes of the dataset records the audit reads are those
of :mod:`tvt.records`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from tvt.diversity import CorpusFiguresDoc
    from tvt.llm.client import UsageRecord
    from tvt.records import BackendInfo, Cost


class _FlagBase(TypedDict):
    check: str
    turns: list[int]  # indices of the turns that triggered it


class Flag(_FlagBase, total=False):
    """One rule check that fired on a conversation."""

    detail: str


class ShownTurn(TypedDict):
    """A turn quoted in an example (shortened), and whether it triggered the check."""

    turn: int
    speaker: str
    text: str
    hit: bool


class Example(TypedDict):
    """A flagged conversation quoted in the report: the triggering turn and the one before it."""

    client_id: int
    phase: str
    turns: list[int]
    detail: str | None
    excerpt: list[ShownTurn]


class TallyDoc(TypedDict):
    """Counts of one check."""

    unit: str
    eligible: int
    flagged: int
    rate: float | None
    conversations_flagged: int
    turns_flagged: int


class CheckDoc(TallyDoc):
    """One check of the report: what it tests, why, its counts and a few examples."""

    family: str
    title: str
    rule: str
    why: str
    examples: list[Example]


class JudgeVerdict(TypedDict):
    """The LLM judge's answer about one conversation."""

    stuck_point: str
    risk: str
    turn: int | None


class JudgeFailure(TypedDict):
    """A conversation the judge could not judge."""

    failure: str | None
    attempts: int


#: What the judge gave about one conversation.
Judgement = JudgeVerdict | JudgeFailure


class JudgeQuestion(TypedDict):
    """One question of the judge, and how it agreed with its rule check."""

    question: str
    rule_check: str
    eligible: int
    flagged: int
    rate: float | None
    compared: int
    agreement: float | None
    examples: list[Example]


class _JudgeDocBase(TypedDict):
    judged: int
    items: int
    format_failures: int
    request_failures: int
    first_answer_unreadable: int
    questions: dict[str, JudgeQuestion]


class JudgeDoc(_JudgeDocBase, total=False):
    """The judge section of the report (the run's settings added once it has run)."""

    model: str
    base_url_host: str | None
    prompt_version: str
    prompt_sha256: str
    json_mode: bool
    usage: UsageRecord
    cost_estimate: Cost | None
    summary: str


class DatasetDoc(TypedDict):
    """What was audited."""

    folder: str
    fingerprint: str | None
    backend: BackendInfo | None
    conversations: int
    clients: int
    phases: dict[str, int]


class RulesDoc(TypedDict):
    version: str
    sha256: str
    source: str


class FailedCondition(TypedDict):
    condition: str
    value: float | None


class FailOnDoc(TypedDict):
    """``--fail-on``: the conditions given and those that failed."""

    conditions: list[str]
    failed: list[FailedCondition]


class _AuditDocumentBase(TypedDict):
    format: str
    format_version: str
    tvt_version: str
    dataset: DatasetDoc
    rules: RulesDoc
    checks: dict[str, CheckDoc]
    measures: dict[str, float | None]
    diversity: CorpusFiguresDoc
    judge: JudgeDoc | None


class AuditDocument(_AuditDocumentBase, total=False):
    """``tvt audit --json``: everything the audit found."""

    fail_on: FailOnDoc


class _ConversationAuditBase(TypedDict):
    client_id: int
    phase: str
    flags: list[Flag]


class ConversationAudit(_ConversationAuditBase, total=False):
    """One line of ``--per-conversation``: a conversation's flags and its judge verdict."""

    judge: Judgement | None
