"""Conversation repair: a release conversation document -> a native conversation record.

Turns go through the turn-string codec (:mod:`tvt.release.turns`); SUDS stated in the client's
words are read by the one SUDS text reader (:mod:`tvt.suds_text`) into the ``suds`` field.
"""

from __future__ import annotations

from typing import Any

from tvt.records import Conversation, Turn
from tvt.release.metadata import Unusable
from tvt.release.report import ImportReport
from tvt.release.turns import EMPTY_TURN_TEXT, parse_turn, sliding_windows
from tvt.suds_text import Statement, read_suds


def repair_conversation(
    doc: Any, client_id: int, phase: str, where: str, report: ImportReport
) -> Conversation:
    """A release conversation document -> a native conversation record (quirks repaired)."""
    if not isinstance(doc, dict):
        raise Unusable("conversation is not a JSON object")
    full = doc.get("full_conversation")
    if not isinstance(full, list) or not full:
        raise Unusable("'full_conversation' is missing, empty or not a list")
    for i, item in enumerate(full):
        if not isinstance(item, str):
            raise Unusable(f"full_conversation item {i} is not a string")
    for key in sorted(set(doc) - {"full_conversation", "three_turn_sequences"}):
        report.add(f"extra:conversation.{key}", "kept", f"unexpected key '{key}' ignored", where)
    turns: list[Turn] = []
    previous = None
    for i, raw in enumerate(full):
        turn, problem = parse_turn(raw, previous)
        if problem == "no-label":
            report.add(
                "turn:no-label",
                "kept",
                "turn without a Therapist:/Client: label; speaker inferred from alternation, "
                "original string kept",
                f"{where} turn {i}: {raw[:60]!r}",
            )
        elif problem == "empty":
            report.add(
                "turn:empty",
                "kept",
                f"empty turn; text recorded as {EMPTY_TURN_TEXT!r}, original string kept",
                f"{where} turn {i}",
            )
        elif "raw" in turn:
            report.add(
                "turn:label-variant",
                "kept",
                "turn label or spacing differs from 'Therapist: '/'Client: '; original string kept",
                f"{where} turn {i}: {raw[:40]!r}",
            )
        turns.append(turn)
        previous = turn["speaker"]
    record: Conversation = {"client_id": client_id, "phase": phase, "turns": turns}
    if "three_turn_sequences" not in doc:
        report.add(
            "three_turn_sequences:missing",
            "kept",
            "three_turn_sequences missing; export will leave it out too",
            where,
        )
        record["three_turn_sequences"] = None
    elif doc["three_turn_sequences"] != sliding_windows(full):
        seqs = doc["three_turn_sequences"]
        if not isinstance(seqs, list) or not all(
            isinstance(s, list) and all(isinstance(x, str) for x in s) for s in seqs
        ):
            raise Unusable("'three_turn_sequences' is not a list of lists of strings")
        report.add(
            "three_turn_sequences:differs",
            "kept",
            "three_turn_sequences are not the sliding windows of full_conversation; kept as given",
            where,
        )
        record["three_turn_sequences"] = seqs
    _report_suds(assign_suds(turns), where, report)
    record["source"] = "import"
    return record


def assign_suds(turns: list[Turn]) -> list[Statement]:
    """Fill ``suds`` of the client turns that state a SUDS rating; returns the statements.

    The statements are found by :func:`tvt.suds_text.read_suds`. Values are stored on 0-100; a
    statement read on 0-10 also gets ``suds_scale: 10``.
    """
    found = read_suds(turns)
    for st in found:
        turns[st.turn]["suds"] = st.value
        if st.scale == 10:
            turns[st.turn]["suds_scale"] = 10
    return found


def _report_suds(found: list[Statement], where: str, report: ImportReport) -> None:
    for st in found:
        ex = f"{where}: {st.text[:50]!r} -> {st.value}"
        if st.scale == 10:
            report.add(
                "suds:0-10",
                "repaired",
                "SUDS stated on 0-10, stored on 0-100 with suds_scale 10",
                ex,
            )
        else:
            report.add("suds:0-100", "read", "SUDS stated on 0-100, stored as is", ex)
        if st.assumed:
            report.add(
                "suds:scale-assumed",
                "kept",
                "SUDS scale never named in the conversation; assumed from its numbers "
                "(all <= 10: 0-10, else 0-100)",
                ex,
            )
    if len({st.scale for st in found}) > 1:
        report.add(
            "suds:mixed-scales",
            "kept",
            "conversation mixes 0-10 and 0-100 SUDS statements (each converted on its own scale)",
            where,
        )
