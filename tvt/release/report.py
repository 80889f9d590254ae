"""The import report: every repair, value kept as given, and skip, with counts and examples."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from tvt.errors import InputError


class EntryDoc(TypedDict):
    action: str
    description: str
    count: int
    examples: list[str]


class ImportReportDoc(TypedDict):
    """The import report as JSON (``tvt import --report``)."""

    totals: dict[str, int]
    entries: dict[str, EntryDoc]


@dataclass
class Entry:
    """One kind of repair or skip, how often it happened and a few examples."""

    action: str  # "read", "repaired", "kept" (kept as given and reported) or "skipped"
    description: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """Everything the importer repaired, kept as given, or skipped, with counts and examples."""

    max_examples: int = 3
    entries: dict[str, Entry] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, action: str, description: str, example: str | None = None) -> None:
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = Entry(action, description)
        entry.count += 1
        if example is not None and len(entry.examples) < self.max_examples:
            entry.examples.append(example)

    def count(self, key: str) -> int:
        entry = self.entries.get(key)
        return entry.count if entry else 0

    def to_dict(self) -> ImportReportDoc:
        return {
            "totals": dict(sorted(self.totals.items())),
            "entries": {
                key: {
                    "action": e.action,
                    "description": e.description,
                    "count": e.count,
                    "examples": e.examples,
                }
                for key, e in sorted(self.entries.items())
            },
        }

    def render(self) -> str:
        """A readable report: totals, then the entries grouped by action."""
        t = self.totals
        lines = [
            f"read {t.get('conversation_files', 0)} conversation files and "
            f"{t.get('metadata_files', 0)} metadata files; imported {t.get('clients', 0)} "
            f"clients and {t.get('conversations', 0)} conversations"
        ]
        titles = {
            "read": "Read from the text",
            "repaired": "Repaired",
            "kept": "Kept as given (reported)",
            "skipped": "Skipped",
        }
        for action in ("read", "repaired", "kept", "skipped"):
            group = [(k, e) for k, e in sorted(self.entries.items()) if e.action == action]
            if not group:
                continue
            lines.append(f"{titles[action]}:")
            for _, e in group:
                lines.append(f"  {e.count:>6}  {e.description}")
                for ex in e.examples:
                    lines.append(f"          e.g. {ex}")
        if len(lines) == 1:
            lines.append("no quirks found")
        return "\n".join(lines)


class NothingUsable(InputError):
    """No conversation of the release folder could be imported; ``report`` says why."""

    def __init__(self, report: ImportReport, src: Path) -> None:
        self.report = report
        super().__init__(
            "nothing usable: no conversation could be imported (see the report above)", path=src
        )
