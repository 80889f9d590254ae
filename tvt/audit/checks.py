"""The list of checks and the run over a dataset (rules only; the LLM judge is tvt.audit.judge)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tvt.audit.load import Dataset, load_dataset
from tvt.audit.rules import RATIONALE_ELEMENTS, Rules, load_rules
from tvt.phases import EXPOSURE_PHASES

#: Every check, in report order. Their descriptions live in the rules file (``checks``).
CHECK_IDS: tuple[str, ...] = (
    *(f"rationale.missing_{e}" for e in RATIONALE_ELEMENTS),
    "exposure.past_tense_narration",
    "exposure.suds_sparse",
    "exposure.suds_0_10",
    "exposure.suds_mixed",
    "exposure.therapist_talks_too_much",
    "exposure.relaxation",
    "exposure.unprompted_grounding",
    "exposure.topic_change",
    "processing.few_open_questions",
    "processing.no_recording_homework",
    "processing.no_in_vivo_homework",
    "processing.belief_not_taken_up",
    "consistency.client_name",
    "consistency.therapist_name",
    "consistency.event_what",
    "consistency.event_who",
    "consistency.event_where",
    "consistency.pronouns",
    "safety.risk_statement",
    "safety.unassessed_risk",
    "safety.risk_met_with_praise_or_suds",
    "safety.partial_assessment",
    "safety.method_detail",
    "safety.graphic_injury",
    "safety.explicit_sexual",
    "diversity.self_repeating",
)

FAMILIES: tuple[str, ...] = (
    "rationale",
    "exposure",
    "processing",
    "consistency",
    "safety",
    "diversity",
)


@dataclass
class AuditResult:
    """The outcome of the rule-based audit of one dataset."""

    dataset: Dataset
    rules: Rules
    findings: Any
    figures: Any
    phases: Counter[str] = field(default_factory=Counter)
    #: (client, phase) -> turn indices of risk statements (what the judge is asked about)
    risk_turns: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    @property
    def conversations(self) -> int:
        return len(self.dataset.conversations)

    @property
    def clients(self) -> int:
        return len({c.client_id for c in self.dataset.conversations})


def audit_dataset(folder: str | Path, rules: Rules | None = None) -> AuditResult:
    """Run every rule-based check over the dataset folder ``folder``."""
    from tvt.audit.consistency import consistency
    from tvt.audit.fidelity import exposure, processing, rationale
    from tvt.audit.findings import Findings
    from tvt.audit.safety import safety
    from tvt.audit.variety import corpus_figures, self_repeating

    rules = rules or load_rules()
    data = load_dataset(folder)
    found = Findings(rules.checks, rules.t("examples_per_check"))
    phases: Counter[str] = Counter()
    risk_turns: dict[tuple[int, str], list[int]] = {}
    for cid, convs in data.by_client():
        for conv in convs:
            phases[conv.phase] += 1
            if conv.phase == "P5":
                rationale(conv, rules, found)
            elif conv.phase in EXPOSURE_PHASES:
                exposure(conv, rules, found)
            else:
                processing(conv, rules, found)
            risks = safety(conv, rules, found)
            if risks:
                risk_turns[conv.key] = risks
            self_repeating(conv, rules, found)
        consistency(convs, data.cases.get(cid), rules, found)
    figures = corpus_figures(data.conversations, rules)
    return AuditResult(data, rules, found, figures, phases, risk_turns)
