"""The folder scan: find the release's files, group them by client and phase, load the usable one.

Stray names and unknown phases are reported and ignored; numbered copies (``*(1).json``) are
compared with their main file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from tvt.errors import InputError
from tvt.jsonio import read_json
from tvt.phases import PHASE_INDEX
from tvt.release.report import ImportReport

#: ``12_P10_conversation.json``, ``12_P10_conversation(1).json``, ``12_P10_metadata.json``.
_FILE_RE = re.compile(
    r"^(?P<client>\d+)_(?P<phase>[Pp]\d+)_(?P<kind>conversation|metadata)"
    r"(?:\s*\((?P<copy>\d+)\))?\.json$"
)


class Slot(TypedDict):
    """The files of one (client, phase, kind): the main file and stray numbered copies."""

    main: Path | None
    copies: list[tuple[int, Path]]


@dataclass
class ReleaseFiles:
    """The release's files grouped by client and phase: main file and stray copies."""

    files: dict[int, dict[str, dict[str, Slot]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )

    def add(self, client: int, phase: str, kind: str, copy: int | None, path: Path) -> None:
        slot = self.files[client][phase].setdefault(kind, {"main": None, "copies": []})
        if copy is None:
            slot["main"] = path
        else:
            slot["copies"].append((copy, path))


def scan_release(src: Path, report: ImportReport) -> ReleaseFiles:
    """Check the layout and list its files; stray names and unknown phases are reported."""
    if not src.exists():
        raise InputError("release folder not found", path=src)
    if not src.is_dir():
        raise InputError(
            "expected the release folder (with conversations/ and metadata/)", path=src
        )
    for sub in ("conversations", "metadata"):
        if not (src / sub).is_dir():
            raise InputError(
                f"no {sub}/ folder: not the release layout (expected conversations/ and "
                "metadata/ with files like 1_P5_conversation.json and 1_P5_metadata.json)",
                path=src,
            )
    found = ReleaseFiles()
    for sub, kind in (("conversations", "conversation"), ("metadata", "metadata")):
        for path in sorted((src / sub).iterdir()):
            if path.name.startswith("."):
                continue
            m = _FILE_RE.match(path.name)
            if not m or m.group("kind") != kind or not path.is_file():
                report.add(
                    f"stray:{sub}",
                    "skipped",
                    f"file in {sub}/ whose name is not in the release layout; ignored",
                    path.name,
                )
                continue
            phase = m.group("phase").upper()
            client = int(m.group("client"))
            if phase not in PHASE_INDEX or client < 1:
                report.add(
                    "stray:phase",
                    "skipped",
                    "file for an unknown phase or client id 0; ignored",
                    path.name,
                )
                continue
            copy = int(m.group("copy")) if m.group("copy") else None
            found.add(client, phase, kind, copy, path)
            report.totals[f"{kind}_files"] += 1
    if not found.files:
        raise InputError(
            "no release files found (expected names like 1_P5_conversation.json)", path=src
        )
    return found


def load_slot(slot: Slot | None, kind: str, report: ImportReport) -> tuple[Any, str] | None:
    """Read the main file of a slot, compare it with its stray copies; None when unusable."""
    if slot is None:
        return None
    main: Path | None = slot["main"]
    copies = sorted(slot["copies"])
    docs: dict[Path, Any] = {}
    for path in [p for p in [main] if p] + [p for _, p in copies]:
        try:
            docs[path] = read_json(path)
        except (InputError, OSError) as exc:
            reason = exc.reason if isinstance(exc, InputError) else (exc.strerror or str(exc))
            report.add(
                f"unreadable:{kind}",
                "skipped",
                f"{kind} file that is not valid JSON or cannot be read; skipped",
                f"{path.name}: {reason}",
            )
    if main is None or main not in docs:
        usable = [p for _, p in copies if p in docs]
        if not usable:
            return None
        chosen = usable[0]
        report.add(
            f"copy-used:{kind}",
            "repaired",
            f"{kind} main file missing or unreadable; used its numbered copy",
            chosen.name,
        )
    else:
        chosen = main
    for _, path in copies:
        if path == chosen or path not in docs:
            continue
        if docs[path] == docs[chosen]:
            report.add(
                f"duplicate:{kind}:identical",
                "skipped",
                f"duplicate {kind} file identical to the main file; skipped",
                path.name,
            )
        else:
            report.add(
                f"duplicate:{kind}:differs",
                "skipped",
                f"duplicate {kind} file that differs from the main file; kept the main file",
                path.name,
            )
    return docs[chosen], chosen.name
