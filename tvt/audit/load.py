"""Reading a native dataset folder for the audit (bad input: one sentence naming file and line).

Only what the checks need is required: ``client_id``, ``phase`` and ``turns`` with a ``speaker``
and a ``text`` each. ``suds``, ``suds_scale`` and ``act`` are used when present and never
required, so folders from other pipelines (or an imported release) can be audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tvt.audit.lexicon import words_of
from tvt.audit.rules import normalise
from tvt.dataset import iter_records, load_manifest, resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import is_finite_number
from tvt.phases import PHASE_INDEX
from tvt.records import Manifest, conversation_key_problem, turns_list_problem


@dataclass
class Turn:
    speaker: str
    text: str
    #: The stated SUDS on 0-100 from the turn's ``suds`` field (None when absent or null).
    suds: float | None = None
    #: 10 when the turn's ``suds_scale`` field says the client rated on 0-10.
    suds_scale: int | None = None

    # The lower-case text, its words and their set are computed on first use (in the worker
    # processes when the audit is split) and then kept.
    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> list[str]:
        return words_of(self.text)

    @cached_property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.words)


@dataclass
class Conversation:
    client_id: int
    phase: str
    turns: list[Turn]
    line: int = 0

    @property
    def key(self) -> tuple[int, str]:
        return (self.client_id, self.phase)

    def text(self, speaker: str | None = None) -> tuple[str, frozenset[str], str]:
        """The turns of ``speaker`` (or all) joined, with their words and in lower case: one
        test for a whole conversation before looking turn by turn."""
        key = speaker or "all"
        cached = self._joined.get(key)
        if cached is None:
            turns = [t for t in self.turns if speaker is None or t.speaker == speaker]
            tokens: frozenset[str] = frozenset().union(*(t.tokens for t in turns))
            text = "\n".join(t.text for t in turns)
            cached = self._joined[key] = (text, tokens, text.lower())
        return cached

    _joined: dict[str, tuple[str, frozenset[str], str]] = field(
        default_factory=dict, repr=False, compare=False
    )


@dataclass
class Case:
    client_id: int
    client_name: str | None = None
    therapist_name: str | None = None


@dataclass
class Dataset:
    folder: Path
    conversations: list[Conversation]
    cases: dict[int, Case] = field(default_factory=dict)
    manifest: Manifest | None = None

    def by_client(self) -> Iterator[tuple[int, list[Conversation]]]:
        """The conversations grouped by client, in file order (sorted by client and phase)."""
        group: list[Conversation] = []
        for conv in self.conversations:
            if group and group[0].client_id != conv.client_id:
                yield group[0].client_id, group
                group = []
            group.append(conv)
        if group:
            yield group[0].client_id, group


def _turn(t: Any, path: Path, line: int, i: int) -> Turn:
    where = f"turns[{i}]"
    if not isinstance(t, dict):
        raise InputError("each turn must be an object", path=path, line=line, field=where)
    speaker, text = t.get("speaker"), t.get("text")
    if speaker not in ("therapist", "client"):
        raise InputError(
            f"speaker must be 'therapist' or 'client', not {speaker!r}",
            path=path,
            line=line,
            field=f"{where}.speaker",
        )
    if not isinstance(text, str):
        raise InputError("must be a string", path=path, line=line, field=f"{where}.text")
    suds = t.get("suds")
    if suds is not None and not (is_finite_number(suds) and 0 <= suds <= 100):
        raise InputError(
            "must be a number from 0 to 100 or null", path=path, line=line, field=f"{where}.suds"
        )
    scale = t.get("suds_scale")
    return Turn(
        speaker=speaker,
        text=normalise(text),
        suds=float(suds) if suds is not None else None,
        suds_scale=10 if scale == 10 else None,
    )


def _client_id(value: Any, path: Path, line: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError("must be an integer >= 1", path=path, line=line, field="client_id")
    return value


def _name(section: Any) -> str | None:
    if isinstance(section, dict):
        name = section.get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def load_dataset(folder: str | Path) -> Dataset:
    """Read ``conversations.jsonl`` (required) and ``cases.jsonl`` (optional) of a dataset."""
    folder = resolve_dataset(folder)
    path = folder / "conversations.jsonl"
    if not path.exists():
        raise InputError("no conversations.jsonl in this dataset folder", path=folder)
    conversations: list[Conversation] = []
    seen: set[tuple[int, str]] = set()
    for line, rec in iter_records(folder, "conversations.jsonl"):
        found = conversation_key_problem(rec) or turns_list_problem(rec)
        if found:
            raise InputError(found[0], path=path, line=line, field=found[1])
        cid, phase, turns = rec["client_id"], rec["phase"], rec["turns"]
        if (cid, phase) in seen:
            raise InputError(
                f"duplicate conversation for client {cid}, phase {phase}", path=path, line=line
            )
        seen.add((cid, phase))
        conversations.append(
            Conversation(cid, phase, [_turn(t, path, line, i) for i, t in enumerate(turns)], line)
        )
    conversations.sort(key=lambda c: (c.client_id, PHASE_INDEX[c.phase]))
    cases: dict[int, Case] = {}
    cases_path = folder / "cases.jsonl"
    for line, rec in iter_records(folder, "cases.jsonl"):
        cid = _client_id(rec.get("client_id"), cases_path, line)
        if cid in cases:
            raise InputError(f"duplicate case for client {cid}", path=cases_path, line=line)
        cases[cid] = Case(
            cid, _name(rec.get("client_profile")), _name(rec.get("therapist_profile"))
        )
    return Dataset(folder, conversations, cases, load_manifest(folder))
