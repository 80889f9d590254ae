"""Reading a native dataset folder for the audit (bad input: one sentence naming file and line).

The records are those of :mod:`tvt.records` (:class:`~tvt.records.Conversation`,
:class:`~tvt.records.Turn`, :class:`~tvt.records.Case`, :class:`~tvt.records.Manifest`); the
audit reads each through a view built from it in one place (``TurnView.of``,
``ConversationView.of``, ``CaseView.of``) that keeps what the checks use, the text normalised,
and caches the words the checks look for.

Only what the checks need is required: ``client_id``, ``phase`` and ``turns`` with a ``speaker``
and a ``text`` each. ``suds``, ``suds_scale`` and ``act`` are used when present and never
required, so folders from other pipelines (or an imported release) can be audited; the client
and therapist names are read when the case has them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from tvt.audit.lexicon import split_sentences, words_of
from tvt.audit.rules import normalise
from tvt.dataset import iter_records, load_manifest, resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import is_finite_number
from tvt.phases import PHASE_INDEX
from tvt.records import (
    Case,
    Conversation,
    Manifest,
    Turn,
    conversation_key_problem,
    turns_list_problem,
)

_T = TypeVar("_T")


class _kept(Generic[_T]):
    """A property computed on first use and then stored in the instance (which then answers
    without calling this again), like ``functools.cached_property`` but without the lock that
    one takes on every first read in Python 3.10 and 3.11."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__

    def __get__(self, obj: Any, owner: type | None = None) -> _T:
        if obj is None:  # read on the class: the descriptor itself, as for a property
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass
class TurnView:
    """A :class:`~tvt.records.Turn` as the audit reads it (:meth:`of`)."""

    speaker: str
    text: str
    #: The stated SUDS on 0-100 from the turn's ``suds`` field (None when absent or null).
    suds: float | None = None
    #: 10 when the turn's ``suds_scale`` field says the client rated on 0-10.
    suds_scale: int | None = None

    @classmethod
    def of(cls, turn: Turn) -> TurnView:
        """The audit's view of a turn: its text normalised, a 0-10 answer's scale kept."""
        suds = turn.get("suds")
        return cls(
            speaker=turn["speaker"],
            text=normalise(turn["text"]),
            suds=float(suds) if suds is not None else None,
            suds_scale=10 if turn.get("suds_scale") == 10 else None,
        )

    # The lower-case text, its words and their set are computed on first use (in the worker
    # processes when the audit is split) and then kept.
    @_kept
    def lower(self) -> str:
        return self.text.lower()

    @_kept
    def words(self) -> list[str]:
        return words_of(self.text)

    @_kept
    def tokens(self) -> frozenset[str]:
        return frozenset(self.words)

    @_kept
    def sentences(self) -> list[tuple[str, int]]:
        """The turn's sentences (:func:`tvt.diversity.sentences`) with their numbers of words
        (:func:`tvt.diversity.words`): read by the diversity figures and the self-repeat check."""
        self.diversity_words, found = split_sentences(self.text)
        return found

    @_kept
    def diversity_words(self) -> list[str]:
        """The turn's words as :func:`tvt.diversity.measure` counts them (lower case)."""
        self.sentences, found = split_sentences(self.text)[::-1]
        return found


@dataclass
class ConversationView:
    """A :class:`~tvt.records.Conversation` as the audit reads it (:meth:`of`), with the line
    it came from."""

    client_id: int
    phase: str
    turns: list[TurnView]
    line: int = 0

    @classmethod
    def of(cls, conversation: Conversation, line: int = 0) -> ConversationView:
        return cls(
            conversation["client_id"],
            conversation["phase"],
            [TurnView.of(t) for t in conversation["turns"]],
            line,
        )

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
            # the union of the turns' word sets, from their word lists in one pass (cheaper)
            tokens = frozenset(chain.from_iterable(t.words for t in turns))
            text = "\n".join(t.text for t in turns)
            cached = self._joined[key] = (text, tokens, text.lower())
        return cached

    def words(self, speaker: str) -> list[str]:
        """The words of the turns of ``speaker``, in order (kept for the next call)."""
        cached = self._words.get(speaker)
        if cached is None:
            cached = self._words[speaker] = [
                w for t in self.turns if t.speaker == speaker for w in t.words
            ]
        return cached

    _joined: dict[str, tuple[str, frozenset[str], str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _words: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class CaseView:
    """What the audit uses of a :class:`~tvt.records.Case`: the client's and therapist's names
    (an imported release has none)."""

    client_id: int
    client_name: str | None = None
    therapist_name: str | None = None

    @classmethod
    def of(cls, case: Case) -> CaseView:
        return cls(
            case["client_id"],
            _name(case.get("client_profile")),
            _name(case.get("therapist_profile")),
        )


@dataclass
class AuditData:
    """A dataset folder as the audit reads it: its conversations in client and phase order."""

    folder: Path
    conversations: list[ConversationView]
    cases: dict[int, CaseView] = field(default_factory=dict)
    manifest: Manifest | None = None

    def by_client(self) -> Iterator[tuple[int, list[ConversationView]]]:
        """The conversations grouped by client, in file order (sorted by client and phase)."""
        group: list[ConversationView] = []
        for conv in self.conversations:
            if group and group[0].client_id != conv.client_id:
                yield group[0].client_id, group
                group = []
            group.append(conv)
        if group:
            yield group[0].client_id, group


def _check_turn(t: Any, path: Path, line: int, i: int) -> None:
    """What the audit needs of a turn: a speaker and a text, and a SUDS of 0-100 if any."""
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


def load_dataset(folder: str | Path) -> AuditData:
    """Read ``conversations.jsonl`` (required) and ``cases.jsonl`` (optional) of a dataset."""
    folder = resolve_dataset(folder)
    path = folder / "conversations.jsonl"
    if not path.exists():
        raise InputError("no conversations.jsonl in this dataset folder", path=folder)
    conversations: list[ConversationView] = []
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
        for i, t in enumerate(turns):
            _check_turn(t, path, line, i)
        # checked above: a client, a phase, and turns with a speaker and a text each
        conversations.append(ConversationView.of(cast(Conversation, rec), line))
    conversations.sort(key=lambda c: (c.client_id, PHASE_INDEX[c.phase]))
    cases: dict[int, CaseView] = {}
    cases_path = folder / "cases.jsonl"
    for line, rec in iter_records(folder, "cases.jsonl"):
        cid = _client_id(rec.get("client_id"), cases_path, line)
        if cid in cases:
            raise InputError(f"duplicate case for client {cid}", path=cases_path, line=line)
        # only the client id is required: the profiles' names are read where a case has them
        cases[cid] = CaseView.of(cast(Case, rec))
    return AuditData(folder, conversations, cases, load_manifest(folder))
