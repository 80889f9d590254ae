"""The resume journal: each finished conversation is appended here the moment it exists.

It lives inside the output folder as ``.tvt-journal.jsonl`` (tvt ignores ``.tvt-*`` entries when
it checks that a folder is empty) and is removed once the dataset is committed. The first line
identifies the run (endpoint host, model, prompts, sampling parameters, seed, config); ``--resume``
refuses a journal written by a different run rather than mixing two runs in one dataset.

Lines are flushed to the operating system after every write, which is what surviving ``kill -9``
needs (the kernel keeps the data even if the process dies); a truncated last line from a crash
mid-write is ignored on reading.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Generic, TypeVar, cast

from tvt.errors import InputError
from tvt.jsonio import dumps

JOURNAL_NAME = ".tvt-journal.jsonl"


#: A journal entry: a JSON object with at least ``client_id`` and ``phase`` (each run keeps its
#: own TypedDict of what else it records).
E = TypeVar("E", bound=Mapping[str, Any])


def run_id(description: Mapping[str, object]) -> str:
    """The id of a run: sha256 of its description, a JSON object of whatever decides its answers
    (each run kind has its own; the journal only hashes and records it)."""
    return hashlib.sha256(dumps(description).encode()).hexdigest()


class Journal(Generic[E]):
    """Append-only record of finished work of one run, keyed by ``(client_id, phase)``."""

    def __init__(self, folder: Path, description: Mapping[str, object], *, resume: bool) -> None:
        self.path = folder / JOURNAL_NAME
        self.run = run_id(description)
        self.description = description
        self.entries: dict[tuple[int, str], E] = {}
        if resume and self.path.exists():
            self._load()
            self._fh: IO[str] = open(self.path, "a", encoding="utf-8", newline="\n")
        else:
            self._fh = open(self.path, "w", encoding="utf-8", newline="\n")
            self._fh.write(
                dumps({"journal": "tvt-llm", "run": self.run, "description": description}) + "\n"
            )
            self._fh.flush()

    def _load(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        try:
            header = json.loads(lines[0])
        except (json.JSONDecodeError, IndexError):
            header = {}
        if header.get("run") != self.run:
            raise InputError(
                "the resume journal in this folder was written by a different run (model, "
                "endpoint, prompts, sampling or seed differ); drop --resume to start afresh",
                path=self.path,
            )
        for text in lines[1:]:
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
            except json.JSONDecodeError:
                continue  # the line being written when the process was killed
            # the run's own lines: this journal wrote them, for the same description
            self.entries[(entry["client_id"], entry["phase"])] = cast(E, entry)
        if lines and lines[-1].strip():
            # Make sure the next entry starts on its own line after a torn write.
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write("\n")

    def append(self, entry: E) -> None:
        self.entries[(entry["client_id"], entry["phase"])] = entry
        self._fh.write(dumps(entry) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
