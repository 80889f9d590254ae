"""The exporter: a native dataset folder -> the release layout (conversations/ and metadata/).

The export reproduces the release's keys and turn strings (through the turn-string codec), not
its quirks; docs/formats.md describes the layout.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict, cast

from tvt.dataset import prepare_output, resolve_dataset
from tvt.errors import InputError
from tvt.fields import CLIENT_FIELDS
from tvt.records import Case, ClientProfile, Conversation, read_cases, read_conversations
from tvt.release.metadata import CaseParts
from tvt.release.turns import render_turn, sliding_windows
from tvt.staging import Staging


def load_cases(folder: Path) -> dict[int, Case]:
    """``client_id`` -> case of a dataset folder's cases.jsonl, each checked."""
    return {case["client_id"]: case for _, case in read_cases(folder)}


class ReleaseConversation(TypedDict, total=False):
    """A conversation file of the public release (``<client>_<phase>_conversation.json``)."""

    full_conversation: list[str]  # "Therapist: ..." / "Client: ..." strings
    three_turn_sequences: list[list[str]]


def release_metadata(case: Case) -> CaseParts:
    """The release's metadata document of a native case (no names, the release's keys)."""
    cp: Mapping[str, Any] = case["client_profile"]
    profile = {key: cp[key] for key in CLIENT_FIELDS}  # the release's keys: no name
    return {
        "client_profile": cast(ClientProfile, profile),
        "therapist_profile": {
            "age": case["therapist_profile"]["age"],
            "gender": case["therapist_profile"]["gender"],
        },
        "trauma_info": {
            "type": case["trauma_info"]["type"],
            "session_topic": case["trauma_info"]["session_topic"],
        },
    }


def release_conversation(conv: Conversation) -> ReleaseConversation:
    """The release's conversation document of a native conversation record."""
    full = [render_turn(t) for t in conv["turns"]]
    doc: ReleaseConversation = {"full_conversation": full}
    if "three_turn_sequences" in conv:
        if conv["three_turn_sequences"] is not None:
            doc["three_turn_sequences"] = conv["three_turn_sequences"]
    else:
        doc["three_turn_sequences"] = sliding_windows(full)
    return doc


def _write_doc(path: Path, doc: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=2))
        fh.write("\n")


@contextlib.contextmanager
def staged_export(out: Path, force: bool, names: tuple[str, ...]) -> Iterator[Path]:
    """A staging folder inside ``out`` whose entries ``names`` replace ``out``'s on success.

    ``out`` must be new or empty unless ``force``; entries of ``names`` that the export does not
    write are removed from ``out`` (stale files of an earlier export).
    """
    staging = Staging(out)  # notes whether ``out`` exists before prepare_output creates it
    prepare_output(out, force)
    with staging:
        yield staging.path
        staging.promote(names, remove_missing=names)


def conversations_of(folder: Path, cases: Mapping[int, Case]) -> Iterator[Conversation]:
    """The conversations of a dataset folder to export, each checked and of a client in ``cases``.

    ``InputError`` (file, line, field) at the first bad record, a second conversation of the same
    client and phase, or one whose client is not in ``cases.jsonl``.
    """
    path = folder / "conversations.jsonl"
    for lineno, conv in read_conversations(folder, required=True):
        if conv["client_id"] not in cases:
            raise InputError(
                f"client {conv['client_id']} is not in cases.jsonl",
                path=path,
                line=lineno,
                field="client_id",
            )
        yield conv


def export_release(dataset: str | Path, out: str | Path, *, force: bool = False) -> dict[str, int]:
    """Write the release layout (conversations/ and metadata/) of a native dataset folder."""
    folder = resolve_dataset(dataset)
    out = Path(out)
    cases = load_cases(folder)
    counts = {"conversations": 0, "metadata": 0}
    with staged_export(out, force, ("conversations", "metadata")) as staging:
        (staging / "conversations").mkdir()
        (staging / "metadata").mkdir()
        for conv in conversations_of(folder, cases):
            cid, phase = conv["client_id"], conv["phase"]
            _write_doc(
                staging / "conversations" / f"{cid}_{phase}_conversation.json",
                release_conversation(conv),
            )
            _write_doc(
                staging / "metadata" / f"{cid}_{phase}_metadata.json",
                release_metadata(cases[cid]),
            )
            counts["conversations"] += 1
            counts["metadata"] += 1
        if not counts["conversations"]:
            raise InputError(
                "conversations.jsonl has no records; nothing to export",
                path=folder / "conversations.jsonl",
            )
    return counts
