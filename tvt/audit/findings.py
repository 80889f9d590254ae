"""What the checks record: per-check tallies, per-conversation flags, measures and examples."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tvt.audit.load import ConversationView
from tvt.audit.types import Example, Flag, ShownTurn, TallyDoc

#: Characters of a turn shown in an example excerpt.
EXCERPT_CHARS = 320


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@dataclass
class Tally:
    """Counts of one check: eligible and flagged units, flagged conversations and turns."""

    check: str
    unit: str
    eligible: int = 0
    flagged: int = 0
    conversations: set[tuple[int, str]] = field(default_factory=set)
    turns: int = 0
    examples: list[Example] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.flagged / self.eligible if self.eligible else None

    def as_dict(self) -> TallyDoc:
        return {
            "unit": self.unit,
            "eligible": self.eligible,
            "flagged": self.flagged,
            "rate": self.rate,
            "conversations_flagged": len(self.conversations),
            "turns_flagged": self.turns,
        }


@dataclass
class Mean:
    """A measure averaged over the units it was taken on (exactly rounded, so the same in any
    order: a run split over processes gives the same figures)."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def value(self) -> float | None:
        return math.fsum(self.values) / len(self.values) if self.values else None


class Findings:
    """The record of an audit run, filled by the checks."""

    def __init__(self, checks: dict[str, dict[str, Any]], examples: int) -> None:
        self.tallies = {cid: Tally(cid, spec["unit"]) for cid, spec in checks.items()}
        self.flags: dict[tuple[int, str], list[Flag]] = {}
        self.means: dict[str, Mean] = {}
        self.figures: dict[str, Any] = {}
        self.max_examples = examples

    def eligible(self, check: str, n: int = 1) -> None:
        self.tallies[check].eligible += n

    def flag(
        self,
        check: str,
        conv: ConversationView,
        turns: list[int],
        detail: str | None = None,
        *,
        units: int = 1,
    ) -> None:
        """Record ``units`` flagged units of ``check`` in ``conv``, triggered by ``turns``."""
        tally = self.tallies[check]
        tally.flagged += units
        self.add_flag(check, conv, turns, detail)

    def add_flag(
        self, check: str, conv: ConversationView, turns: list[int], detail: str | None = None
    ) -> None:
        """Attach a flag to a conversation without counting a unit (client-level checks)."""
        tally = self.tallies[check]
        tally.conversations.add(conv.key)
        tally.turns += len(turns)
        entry: Flag = {"check": check, "turns": sorted(turns)}
        if detail:
            entry["detail"] = detail
        self.flags.setdefault(conv.key, []).append(entry)
        if len(tally.examples) < self.max_examples:
            tally.examples.append(self.example(conv, turns, detail))

    @staticmethod
    def example(conv: ConversationView, turns: list[int], detail: str | None) -> Example:
        shown: list[ShownTurn] = []
        if turns:
            first = min(turns)
            for i in (first - 1, first):
                if 0 <= i < len(conv.turns):
                    t = conv.turns[i]
                    shown.append(
                        {
                            "turn": i,
                            "speaker": t.speaker,
                            "text": excerpt(t.text),
                            "hit": i in turns,
                        }
                    )
        return {
            "client_id": conv.client_id,
            "phase": conv.phase,
            "turns": sorted(turns),
            "detail": detail,
            "excerpt": shown,
        }

    def measure(self, name: str, value: float) -> None:
        self.means.setdefault(name, Mean()).add(value)

    def merge(self, other: Findings) -> None:
        """Add the findings of a later part of the same dataset (clients after these)."""
        for cid, theirs in other.tallies.items():
            mine = self.tallies[cid]
            mine.eligible += theirs.eligible
            mine.flagged += theirs.flagged
            mine.conversations |= theirs.conversations
            mine.turns += theirs.turns
            room = self.max_examples - len(mine.examples)
            mine.examples.extend(theirs.examples[: max(0, room)])
        self.flags.update(other.flags)
        for name, mean in other.means.items():
            self.means.setdefault(name, Mean()).values.extend(mean.values)
