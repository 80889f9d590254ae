"""Distributions of a dataset against the sampler's design weights and the paper's figures.

For every profile attribute: counts, percentages, the target percentage implied by the config the
dataset was made with, and a chi-square goodness-of-fit p-value (the statistic and p-value of
``scipy.stats.chisquare``, computed with ``scipy.special.chdtrc``). When the dataset has
conversations: turns per conversation and words per turn by phase and speaker, and SUDS coverage
(share of conversations with at least one stated SUDS, and SUDS statements per conversation).

:class:`Collector` takes the records one at a time (from the files, or as they are written), so
the figures need one pass and flat memory; collectors of parts of a dataset merge exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tvt.config import Config, load_config
from tvt.dataset import load_manifest, resolve_dataset
from tvt.errors import InputError
from tvt.paper import paper as paper_figures
from tvt.phases import BENCHMARK_ORDER
from tvt.records import Case, Conversation, Manifest, read_cases, read_conversations
from tvt.stats.measures import Moments, chi_square
from tvt.stats.targets import design_targets, resolve_targets
from tvt.stats.types import (
    AgeFigures,
    AttributeFigures,
    BehaviourFigures,
    PhaseFigures,
    StatsReport,
    ValueRow,
)


@dataclass(frozen=True)
class Attribute:
    """A counted attribute of a case: the value of ``case[section][field]``.

    ``behaviour_count`` is the one exception: the number of behaviours a client shows.
    """

    key: str
    label: str
    section: str
    field: str

    def get(self, case: Case) -> str:
        record: Mapping[str, Any] = case  # the section and field are data, not literals
        value = record[self.section][self.field]
        return str(len(value)) if self.key == "behaviour_count" else str(value)


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("gender", "client gender", "client_profile", "gender"),
    Attribute("ethnicity", "ethnicity", "client_profile", "ethnicity"),
    Attribute(
        "co_occurring_condition",
        "co-occurring condition",
        "client_profile",
        "co_occurring_condition",
    ),
    Attribute(
        "relationship_status", "relationship status", "client_profile", "relationship_status"
    ),
    Attribute("occupation", "occupation", "client_profile", "occupation"),
    Attribute("living_situation", "living situation", "client_profile", "living_situation"),
    Attribute("age_group", "age group", "client_profile", "age_group"),
    Attribute("trauma_type", "trauma type", "trauma_info", "type"),
    Attribute("session_topic", "session topic", "trauma_info", "session_topic"),
    Attribute("behaviour_count", "behaviours per client", "client_profile", "exhibited_behaviors"),
    Attribute("therapist_gender", "therapist gender", "therapist_profile", "gender"),
)

#: (key, section, field) of the attributes whose value is counted as it is.
_PLAIN = tuple((a.key, a.section, a.field) for a in ATTRIBUTES if a.key != "behaviour_count")

SPEAKERS = ("therapist", "client")


class _PhaseFigures:
    """What the conversations of one phase (or all of them) add up to."""

    __slots__ = (
        "conversations",
        "turns",
        "speaker_turns",
        "words",
        "with_suds",
        "suds",
        "scale_10",
    )

    def __init__(self) -> None:
        self.conversations = 0
        self.turns = Moments()
        self.speaker_turns = {s: Moments() for s in SPEAKERS}
        self.words = {s: Moments() for s in SPEAKERS}
        self.with_suds = 0
        self.suds = Moments()  # SUDS statements per conversation
        self.scale_10 = 0

    def merge(self, other: _PhaseFigures) -> None:
        self.conversations += other.conversations
        self.turns.merge(other.turns)
        for s in SPEAKERS:
            self.speaker_turns[s].merge(other.speaker_turns[s])
            self.words[s].merge(other.words[s])
        self.with_suds += other.with_suds
        self.suds.merge(other.suds)
        self.scale_10 += other.scale_10

    def summary(self) -> PhaseFigures:
        return {
            "conversations": self.conversations,
            "turns_per_conversation": self.turns.summary(),
            "by_speaker": {
                s: {
                    "turns_per_conversation": self.speaker_turns[s].summary(),
                    "words_per_turn": self.words[s].summary(),
                }
                for s in SPEAKERS
            },
            "suds_coverage": self.with_suds / self.conversations,
            "suds_statements_per_conversation": self.suds.summary(),
            "suds_statements_converted_from_0_10": self.scale_10,
        }


class Collector:
    """Takes checked cases and conversations one at a time; :meth:`report` gives the figures."""

    def __init__(self) -> None:
        self.n = 0
        self.counts: dict[str, Counter[str]] = {a.key: Counter() for a in ATTRIBUTES}
        self.behaviour_clients: Counter[str] = Counter()
        self.behaviour_mentions: Counter[str] = Counter()
        self.ages = Moments()
        self.per_client = Moments()
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.phases: dict[str, _PhaseFigures] = {}

    def add_case(self, case: Case) -> None:
        self.n += 1
        counts = self.counts
        record: Mapping[str, Any] = case  # the sections and fields are data, not literals
        for key, section, field in _PLAIN:
            counts[key][str(record[section][field])] += 1
        behaviours = [str(b) for b in case["client_profile"]["exhibited_behaviors"]]
        counts["behaviour_count"][str(len(behaviours))] += 1
        self.behaviour_clients.update(set(behaviours))
        self.behaviour_mentions.update(behaviours)
        self.per_client.add(len(behaviours))
        self.ages.add(case["client_profile"]["age"])
        info = case["trauma_info"]
        self.pairs[(info["type"], info["session_topic"])] += 1

    def add_conversation(self, conv: Conversation) -> None:
        phase = conv["phase"]
        figures = self.phases.get(phase)
        if figures is None:
            figures = self.phases[phase] = _PhaseFigures()
        turns = conv["turns"]
        figures.conversations += 1
        figures.turns.add(len(turns))
        per_speaker = {"therapist": 0, "client": 0}
        stated = 0
        words = figures.words
        for t in turns:
            speaker = t["speaker"]
            per_speaker[speaker] += 1
            words[speaker].add(len(t["text"].split()))
            if speaker == "client" and t.get("suds") is not None:
                stated += 1
                if t.get("suds_scale") == 10:
                    figures.scale_10 += 1
        for s, k in per_speaker.items():
            figures.speaker_turns[s].add(k)
        figures.with_suds += stated > 0
        figures.suds.add(stated)

    def merge(self, other: Collector) -> None:
        """Add what ``other`` collected (for example from another part of the same dataset)."""
        self.n += other.n
        for key, counts in other.counts.items():
            self.counts[key].update(counts)
        self.behaviour_clients.update(other.behaviour_clients)
        self.behaviour_mentions.update(other.behaviour_mentions)
        self.ages.merge(other.ages)
        self.per_client.merge(other.per_client)
        self.pairs.update(other.pairs)
        for phase, figures in other.phases.items():
            self.phases.setdefault(phase, _PhaseFigures()).merge(figures)

    def conversation_figures(self) -> dict[str, PhaseFigures] | None:
        """Figures by phase in benchmark order, then ``"all"``; None without conversations."""
        if not self.phases:
            return None
        total = _PhaseFigures()
        out: dict[str, PhaseFigures] = {}
        for phase in BENCHMARK_ORDER:
            if phase in self.phases:
                out[phase] = self.phases[phase].summary()
                total.merge(self.phases[phase])
        out["all"] = total.summary()
        return out

    def report(
        self,
        manifest: Manifest | None,
        *,
        against: str | None = None,
        config: Config | None = None,
        targets_note: str = "",
    ) -> StatsReport:
        """All the figures as plain data (what ``tvt stats --json`` prints).

        ``config`` is the config whose weights are the targets and ``targets_note`` where they
        come from, or why there are none (see :func:`tvt.stats.targets.resolve_targets`).
        """
        n = self.n
        targets = design_targets(config) if config is not None else None
        reported = paper_figures() if against == "paper" else None
        attributes: dict[str, AttributeFigures] = {}
        for a in ATTRIBUTES:
            target = targets.get(a.key) if targets else None
            paper_pct = reported.distributions.get(a.key) if reported else None
            entry: AttributeFigures = {
                "label": a.label,
                "n": n,
                "values": _values_table(self.counts[a.key], n, target, paper_pct),
            }
            if target is not None:
                entry["chi_square"], entry["chi_square_note"] = chi_square(
                    self.counts[a.key], target
                )
            attributes[a.key] = entry

        behaviours: BehaviourFigures = {
            "label": "behaviours (share of clients)",
            "n": n,
            "values": _values_table(
                self.behaviour_clients,
                n,
                targets["behaviour_share"] if targets else None,
                reported.distributions["behaviours"] if reported else None,
            ),
            "mentions": sum(self.behaviour_mentions.values()),
            "per_client": {**self.per_client.summary()},
        }
        if reported:
            behaviours["per_client"]["paper_mean"] = reported.behaviours_per_client
        if targets:
            # The test runs on mentions: each mention is one draw from the uniform choice.
            behaviours["chi_square"], behaviours["chi_square_note"] = chi_square(
                self.behaviour_mentions, targets["behaviour_mentions"]
            )
            behaviours["per_client"]["target_mean"] = sum(
                int(k) * p for k, p in targets["behaviour_count"].items()
            )

        age: AgeFigures = {**self.ages.summary(), "min": self.ages.low, "max": self.ages.high}
        if config is not None:
            ca = config.data["client"]["age"]
            width = ca["max"] - ca["min"] + 1
            age["target_mean"] = (ca["min"] + ca["max"]) / 2
            age["target_sd"] = math.sqrt((width**2 - 1) / 12)
        if reported:
            age["paper_mean"] = reported.age_mean

        conversations = self.conversation_figures()
        if conversations and reported:
            for phase, ref in reported.turns_per_conversation.items():
                if phase in conversations:
                    conversations[phase]["paper_turns_per_conversation"] = ref
            for s, ref in reported.words_per_turn.items():
                conversations["all"]["by_speaker"][s]["paper_words_per_turn"] = ref

        compatible = load_config("default").data["compatible_topics"]
        coherent = sum(k for (t, x), k in self.pairs.items() if x in compatible.get(t, ()))
        return {
            "dataset": {
                "clients": n,
                "seed": manifest.get("seed") if manifest else None,
                "config": manifest.get("config") if manifest else None,
                "backend": (manifest.get("backend") or {}).get("name") if manifest else None,
            },
            "targets": {
                "available": config is not None,
                "source": targets_note if config is not None else None,
                "reason": None if config is not None else targets_note,
            },
            "against": against,
            "attributes": attributes,
            "behaviours": behaviours,
            "age": age,
            "type_topic_pairs": {
                "distinct": len(self.pairs),
                "coherent_share": coherent / n if n else None,
                "coherent_note": "share of clients whose topic is compatible with the trauma type "
                "by the default preset's table",
            },
            "conversations": conversations,
        }


def _values_table(
    counts: Counter[str],
    n: int,
    target: dict[str, float] | None,
    paper: dict[str, float] | None,
) -> dict[str, ValueRow]:
    """Per value: count, percent, target percent and paper percent (targets' order first)."""
    order = list(target or {}) + list(paper or {})
    order += sorted(v for v in counts if v not in order)
    out: dict[str, ValueRow] = {}
    for v in dict.fromkeys(order):
        row: ValueRow = {
            "count": counts.get(v, 0),
            "percent": 100.0 * counts.get(v, 0) / n if n else None,
        }
        if target is not None:
            row["target_percent"] = 100.0 * target.get(v, 0.0)
        if paper is not None:
            row["paper_percent"] = paper.get(v)
        out[v] = row
    return out


def compute_stats(
    dataset: str | Path,
    *,
    against: str | None = None,
    config_path: str | Path | None = None,
    progress: Callable[..., None] | None = None,
) -> StatsReport:
    """All statistics of a dataset folder as plain data (what ``tvt stats --json`` prints).

    ``progress(n, total=...)``, when given, hears of every record read (the command line's bar).
    """
    folder = resolve_dataset(dataset)
    manifest = load_manifest(folder)
    config, note = resolve_targets(manifest, config_path)
    advance = progress or (lambda n=1, total=None: None)
    files = manifest.get("files", {}) if manifest else {}
    advance(
        0,
        total=sum(files[n]["records"] for n in ("cases.jsonl", "conversations.jsonl") if n in files)
        or None,
    )
    collector = Collector()
    for _, case in read_cases(folder):
        collector.add_case(case)
        advance(1)
    if collector.n == 0:
        raise InputError("no cases to describe", path=folder / "cases.jsonl")
    for _, conv in read_conversations(folder):
        collector.add_conversation(conv)
        advance(1)
    return collector.report(manifest, against=against, config=config, targets_note=note)


def stats_of_records(
    cases: Iterable[Case],
    conversations: Iterable[Conversation],
    manifest: Manifest | None,
    *,
    against: str | None = None,
    config_path: str | Path | None = None,
) -> StatsReport:
    """:func:`compute_stats` of records held in memory (what ``tvt.stats(ds)`` reports)."""
    config, note = resolve_targets(manifest, config_path)
    collector = Collector()
    for case in cases:
        collector.add_case(case)
    if collector.n == 0:
        raise InputError("no cases to describe")
    for conv in conversations:
        collector.add_conversation(conv)
    return collector.report(manifest, against=against, config=config, targets_note=note)
