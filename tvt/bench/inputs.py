"""The text-only ``inputs.jsonl`` a rater sees, and reading it back with bad-input checks.

One line per conversation, sorted by client id then benchmark phase order::

    {"client_id": 7, "phase": "P10", "turns": [{"speaker": "therapist", "text": "..."},
                                             {"speaker": "client", "text": "...", "rate": true}]}

Nothing else: no ``suds``, no ``intensity``, no ``act``, no profile. On the turn track the client
turns to rate carry ``"rate": true``; a turn is named by its 0-based index in ``turns``.
The schema is ``schemas/inputs.schema.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from tvt.errors import InputError
from tvt.jsonio import dumps, iter_jsonl
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.records import (
    Conversation,
    InputRecord,
    InputTurn,
    conversation_key_problem,
    turns_list_problem,
)

INPUTS_SCHEMA = "inputs.schema.json"


def input_record(conversation: Conversation, *, mark_client_turns: bool) -> InputRecord:
    """The text-only view of a labelled conversation record (labels and acts dropped)."""
    turns: list[InputTurn] = []
    for t in conversation["turns"]:
        turn: InputTurn = {"speaker": t["speaker"], "text": t["text"]}
        if mark_client_turns and t["speaker"] == "client" and t["text"].strip():
            turn["rate"] = True
        turns.append(turn)
    return {"client_id": conversation["client_id"], "phase": conversation["phase"], "turns": turns}


def marked_turns(record: InputRecord) -> list[int]:
    """Indices of the turns to rate (``"rate": true``) of an input record."""
    return [i for i, t in enumerate(record["turns"]) if t.get("rate") is True]


def inputs_text(records: Iterable[InputRecord]) -> str:
    """The canonical JSON Lines text of input records (what ``inputs.jsonl`` holds)."""
    return "".join(dumps(r) + "\n" for r in records)


def inputs_sha256(records: Iterable[InputRecord]) -> str:
    """sha256 of the canonical ``inputs.jsonl`` bytes of ``records``."""
    return hashlib.sha256(inputs_text(records).encode("utf-8")).hexdigest()


def _check(rec: Any, path: Path, line: int) -> InputRecord:
    if not isinstance(rec, dict):
        raise InputError("expected a JSON object", path=path, line=line)
    extra = sorted(set(rec) - {"client_id", "phase", "turns"})
    if extra:
        raise InputError(
            f"unexpected field {extra[0]!r}: inputs carry client_id, phase and turns only",
            path=path,
            line=line,
            field=extra[0],
        )
    found = conversation_key_problem(rec) or turns_list_problem(rec)
    if found:
        raise InputError(found[0], path=path, line=line, field=found[1])
    turns = rec["turns"]
    for i, t in enumerate(turns):
        if (
            not isinstance(t, dict)
            or t.get("speaker") not in ("therapist", "client")
            or not isinstance(t.get("text"), str)
        ):
            raise InputError(
                "each turn needs a speaker (therapist|client) and a text",
                path=path,
                line=line,
                field=f"turns[{i}]",
            )
        extra = sorted(set(t) - {"speaker", "text", "rate"})
        if extra:
            raise InputError(
                f"unexpected turn field {extra[0]!r} (labels never appear in inputs)",
                path=path,
                line=line,
                field=f"turns[{i}].{extra[0]}",
            )
        if "rate" in t and (t["rate"] is not True or t["speaker"] != "client"):
            raise InputError(
                "'rate' may only be true, on a client turn",
                path=path,
                line=line,
                field=f"turns[{i}].rate",
            )
    return cast(InputRecord, rec)  # checked field by field above


def read_inputs(path: str | Path) -> list[InputRecord]:
    """Read and check an ``inputs.jsonl``; sorted by client then benchmark phase order.

    Raises InputError (file, line, field) for malformed lines, labels that must not be there, a
    duplicate (client, phase) or an empty file.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "inputs.jsonl"
    seen: dict[tuple[int, str], int] = {}
    out = []
    for line, rec in iter_jsonl(path):
        rec = _check(rec, path, line)
        key = (rec["client_id"], rec["phase"])
        if key in seen:
            raise InputError(
                f"client {key[0]} phase {key[1]} appears twice (first on line {seen[key]})",
                path=path,
                line=line,
            )
        seen[key] = line
        out.append(rec)
    out.sort(key=lambda r: (r["client_id"], PHASE_INDEX[r["phase"]]))
    return out


def looks_like_inputs(path: str | Path) -> bool:
    """True for an ``inputs.jsonl`` file (or a folder holding one without conversations.jsonl)."""
    p = Path(path)
    if p.is_dir():
        return (p / "inputs.jsonl").is_file() and not (p / "conversations.jsonl").is_file()
    return p.is_file() and p.name.endswith("inputs.jsonl")


def phases_of(records: Sequence[InputRecord]) -> list[str]:
    present = {r["phase"] for r in records}
    return [p for p in BENCHMARK_ORDER if p in present]
