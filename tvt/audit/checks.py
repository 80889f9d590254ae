"""The list of checks and the run over a dataset (rules only; the LLM judge is tvt.audit.judge)."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tvt.audit.load import AuditData, load_dataset
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

    dataset: AuditData
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


#: (dataset, rules) of the run in progress, inherited by forked worker processes.
_SHARED: tuple[Any, Rules] | None = None
#: Datasets smaller than this are audited in one process (starting workers costs more).
PARALLEL_MIN_CONVERSATIONS = 600


def _audit_clients(
    groups: list[tuple[int, list[Any]]],
    data: AuditData,
    rules: Rules,
    progress: Callable[[int], None] | None = None,
) -> tuple[Any, Counter[str], dict[tuple[int, str], list[int]]]:
    """Run the per-conversation and per-client checks over ``groups`` (client, conversations)."""
    from tvt.audit.consistency import consistency
    from tvt.audit.fidelity import exposure, processing, rationale
    from tvt.audit.findings import Findings
    from tvt.audit.safety import safety
    from tvt.audit.variety import self_repeating

    found = Findings(rules.checks, rules.t("examples_per_check"))
    phases: Counter[str] = Counter()
    risk_turns: dict[tuple[int, str], list[int]] = {}
    for cid, convs in groups:
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
        if progress is not None:
            progress(len(convs))
    return found, phases, risk_turns


def _chunk_job(
    bounds: tuple[int, int],
) -> tuple[int, Any, Counter[str], dict[tuple[int, str], list[int]], Any]:
    from tvt.audit.variety import figures_part

    assert _SHARED is not None
    data, rules = _SHARED
    groups = list(data.by_client())[bounds[0] : bounds[1]]
    found, phases, risks = _audit_clients(groups, data, rules)
    part = figures_part((c for _, convs in groups for c in convs), rules)
    return sum(len(c) for _, c in groups), found, phases, risks, part


def _split(groups: list[tuple[int, list[Any]]], parts: int) -> list[tuple[int, int]]:
    """Contiguous ranges of ``groups`` with about the same number of conversations each."""
    total = sum(len(c) for _, c in groups)
    bounds: list[tuple[int, int]] = []
    acc, start = 0, 0
    for i, (_, convs) in enumerate(groups):
        acc += len(convs)
        if acc >= total * (len(bounds) + 1) / parts and len(bounds) < parts - 1:
            bounds.append((start, i + 1))
            start = i + 1
    bounds.append((start, len(groups)))
    return [b for b in bounds if b[0] < b[1]]


def default_workers(conversations: int) -> int:
    """Two processes for a large dataset on a machine with two cores or more, where ``fork``
    exists (the workers inherit the loaded dataset); one otherwise."""
    import multiprocessing
    import os

    if conversations < PARALLEL_MIN_CONVERSATIONS or (os.cpu_count() or 1) < 2:
        return 1
    return 2 if "fork" in multiprocessing.get_all_start_methods() else 1


#: Parts per worker process: more parts than processes let progress be reported as they end.
PARTS_PER_WORKER = 4


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (restored after).

    The audit keeps every turn's text, words and word set (millions of objects) and makes no
    reference cycles of its own; the collector, run after every few hundred new lists, would
    walk them all again and again: about a sixth of the audit's time for nothing. Memory is
    still freed as usual (by reference counting); forked workers inherit the pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def audit_dataset(
    folder: str | Path,
    rules: Rules | None = None,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AuditResult:
    """Run every rule-based check over the dataset folder ``folder``.

    With ``workers`` > 1 the clients are split between forked processes, which also measure
    their part of the diversity figures (merged here); the result is the same as with one process. ``progress``
    is called with the number of conversations audited as they are done (for a progress bar).
    """
    with _no_cycle_collection():
        return _audit_dataset(folder, rules, workers, progress)


def _audit_dataset(
    folder: str | Path,
    rules: Rules | None,
    workers: int | None,
    progress: Callable[[int], None] | None,
) -> AuditResult:
    from tvt.audit.variety import figures_part, merge_parts

    global _SHARED
    rules = rules or load_rules()
    data = load_dataset(folder)
    groups = list(data.by_client())
    if workers is None:
        workers = default_workers(len(data.conversations))
    if workers <= 1:
        found, phases, risk_turns = _audit_clients(groups, data, rules, progress)
        part = figures_part(data.conversations, rules)
        figures = merge_parts([part], rules, data.conversations)
        return AuditResult(data, rules, found, figures, phases, risk_turns)
    import multiprocessing

    # the checks' modules imported here, before the fork, rather than once in each worker
    import tvt.audit.consistency
    import tvt.audit.fidelity
    import tvt.audit.findings
    import tvt.audit.safety  # noqa: F401

    _SHARED = (data, rules)
    chunks: list[tuple[Any, Counter[str], dict[tuple[int, str], list[int]], Any]] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # imap keeps the parts in client order (the merge below relies on it)
            pending = pool.imap(_chunk_job, _split(groups, workers * PARTS_PER_WORKER))
            for done, *chunk in pending:
                chunks.append((chunk[0], chunk[1], chunk[2], chunk[3]))
                if progress is not None:
                    progress(done)
    finally:
        _SHARED = None
    found, phases, risk_turns, _ = chunks[0]
    for more_found, more_phases, more_risks, _ in chunks[1:]:
        found.merge(more_found)
        phases.update(more_phases)
        risk_turns.update(more_risks)
    # the parts are consecutive runs of clients, in dataset order (as merge_parts needs)
    figures = merge_parts([c[3] for c in chunks], rules, data.conversations)
    return AuditResult(data, rules, found, figures, phases, risk_turns)
