"""One pass over a dataset's records that gathers everything its card reports.

Each record goes to the Croissant field scan of its file and, for cases and conversations, to the
statistics collector (:class:`tvt.stats.Collector`); references add their intensities by phase.
A survey can be filled as the records are written (and surveys of parts merged, exactly), or
from the files of a folder with the one checked reader (:func:`survey_folder`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tvt.card.croissant import RECORD_SETS, FieldScan
from tvt.phases import BENCHMARK_ORDER
from tvt.records import (
    Case,
    Conversation,
    ReferenceRow,
    read_cases,
    read_conversations,
    read_references,
)
from tvt.stats import Collector


class Survey:
    """What a dataset's card needs to know about its records."""

    def __init__(self) -> None:
        self.scans = {rs: FieldScan(fields) for rs, _, fields, _ in RECORD_SETS}
        self.stats = Collector()
        #: phase -> {reference intensity: clients}
        self.intensity: dict[str, Counter[float]] = {p: Counter() for p in BENCHMARK_ORDER}

    def add_case(self, case: Case) -> None:
        self.scans["cases"].add(case)
        self.stats.add_case(case)

    def add_conversation(self, conv: Conversation) -> None:
        self.scans["conversations"].add(conv)
        self.stats.add_conversation(conv)

    def add_reference(self, ref: ReferenceRow) -> None:
        self.scans["reference"].add(ref)
        for p, v in ref["trajectory"].items():
            self.intensity[p][float(v)] += 1

    def merge(self, other: Survey) -> None:
        for rs, scan in other.scans.items():
            self.scans[rs].merge(scan)
        self.stats.merge(other.stats)
        for p, counts in other.intensity.items():
            self.intensity[p].update(counts)

    def mean_intensity(self, phase: str) -> float | None:
        """Mean reference intensity of ``phase`` over the clients, or None without any."""
        values = self.intensity[phase]
        total = sum(values.values())
        return sum(v * c for v, c in values.items()) / total if total else None


def survey_folder(folder: str | Path) -> Survey:
    """Survey the data files of ``folder``, each record checked (``InputError`` at the first bad)."""
    survey = Survey()
    readers: list[tuple[Any, Any]] = [
        (read_cases, survey.add_case),
        (read_conversations, survey.add_conversation),
        (read_references, survey.add_reference),
    ]
    for read, add in readers:
        for _, record in read(folder):
            add(record)
    return survey
