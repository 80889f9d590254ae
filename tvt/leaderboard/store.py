"""The leaderboard folder: recording entries safely, reading them back, ranking them.

Layout::

    entries/<slug>-<sha8>.json     one entry each (schemas/leaderboard-entry.schema.json)
    outputs/<slug>-<sha8>.jsonl    the outputs a verified entry was scored from
    .lock                          serialises concurrent submits
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from filelock import FileLock, Timeout

from tvt.benchmark import benchmark_dir
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import atomic_writer, read_json, sha256_file, write_json
from tvt.leaderboard.entry import MAX_META_BYTES, slugify, validate_entry
from tvt.leaderboard.sections import STATUSES
from tvt.leaderboard.types import BoardRow, LeaderboardEntry

#: Seconds a submit waits for another submit holding the leaderboard lock.
LOCK_TIMEOUT = 120.0

#: Ranked entries by status, in the order of :data:`~tvt.leaderboard.sections.SECTIONS`.
Groups = dict[str, list[BoardRow]]


def default_leaderboard_dir() -> Path:
    """The leaderboard shipped with tvt (read-only in an installed package)."""
    return benchmark_dir() / "leaderboard"


def _inside(folder: Path, name: str) -> Path:
    path = folder / name
    if path.resolve().parent != folder.resolve():  # defence in depth; slugify already ensures it
        raise InputError("entry name would leave the leaderboard folder", field="model")
    return path


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """Hold the leaderboard's file lock (works across processes and threads)."""
    lock = FileLock(str(folder / ".lock"), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise WorkFailed(
            f"another submit has held the leaderboard lock for {LOCK_TIMEOUT:.0f} s; try again",
        ) from None
    try:
        yield
    finally:
        lock.release()


def prepare_leaderboard(folder: str | Path) -> Path:
    """Create the leaderboard folder (and entries/, outputs/) if missing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("leaderboard path exists and is not a folder", path=folder)
    for sub in ("entries", "outputs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def _entry_stem(entry: LeaderboardEntry) -> tuple[str, str]:
    """The file stem of an entry and the sha256 that names it (of its outputs, if it has any)."""
    if "verification" in entry:
        sha = entry["verification"]["outputs_sha256"]
        return Path(entry["verification"]["outputs_file"]).stem, sha
    sha = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
    return f"{slugify(entry['model'])}-{sha[:8]}", sha


def record_entry(
    folder: str | Path, entry: LeaderboardEntry, outputs: str | Path | None = None
) -> tuple[Path, Path | None]:
    """Write an entry (and for a verified one, its outputs copy) under the leaderboard lock.

    Duplicate outputs (same sha256 as an existing entry's) are refused with ``InputError``.
    The outputs copy is renamed into place before the entry, so a visible entry always has its
    outputs; both use temp-file-and-rename so readers never see a partial file.
    """
    folder = prepare_leaderboard(folder)
    entries_dir = folder / "entries"
    validate_entry(entry)
    stem, sha = _entry_stem(entry)
    entry_path = _inside(entries_dir, f"{stem}.json")
    with _lock(folder):
        if "verification" in entry:
            for other_path, other in _iter_entry_files(entries_dir):
                if other.get("verification", {}).get("outputs_sha256") == sha:
                    raise InputError(
                        f"these outputs (sha256 {sha[:12]}...) were already submitted as "
                        f"{other_path.name}",
                        path=outputs,
                    )
        elif entry_path.exists():
            raise InputError(f"the entry {entry_path.name} already exists", path=entry_path)
        out_copy = None
        if outputs is not None:
            out_copy = _inside(folder / "outputs", f"{stem}.jsonl")
            with atomic_writer(out_copy, "wb") as dst, open(outputs, "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
            if sha256_file(out_copy) != sha:  # the file changed while we scored it
                out_copy.unlink()
                raise InputError("the outputs file changed during the submission", path=outputs)
        write_json(entry_path, entry)
    return entry_path, out_copy


def _iter_entry_files(entries_dir: Path) -> Iterable[tuple[Path, LeaderboardEntry]]:
    if not entries_dir.is_dir():
        return
    for path in sorted(entries_dir.glob("*.json")):
        if path.name.startswith("."):
            continue
        entry = read_json(path, limit=MAX_META_BYTES)
        validate_entry(entry, path)
        yield path, cast(LeaderboardEntry, entry)  # the schema holds


def load_entries(folder: str | Path) -> list[BoardRow]:
    """All entries of a leaderboard folder, each validated (a bad file is an ``InputError``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("leaderboard folder not found", path=folder)
    out: list[BoardRow] = []
    for path, entry in _iter_entry_files(folder / "entries"):
        out.append({**entry, "_file": path.name})
    # tvt-bench-v2: the sealed entries `tvt eval` writes to LEADERBOARD/sealed/.
    from tvt.leaderboard.tiers import display_entry, load_sealed_entries

    out.extend(display_entry(e) for e in load_sealed_entries(folder))
    return out


def rank_key(entry: BoardRow) -> tuple[Any, ...]:
    """Best first: by reading skill when the entry has one, else by S_abs; then Pearson, name."""
    m = entry["metrics"]
    skill = m.get("skill")
    value = skill.get("value") if isinstance(skill, dict) else None
    score = value if isinstance(value, (int, float)) else None
    return (
        entry.get("track") or "",  # entries rank within their track
        0 if score is not None else 1,
        -(score if score is not None else 0.0),
        -m["s_abs"],
        -m["pearson"]["mean"],
        entry["model"],
        entry.get("_file", ""),
    )


def rank(entries: Iterable[BoardRow]) -> Groups:
    """Split entries by status (one group per section), each ranked within its track.

    The order is by reading skill (``metrics.skill.value``) where entries have it, else by S_abs;
    ties break on Pearson, then model name, so the order never depends on file order. Sections
    that are not ranked (custom references) show ``-`` as rank.
    """
    from tvt.leaderboard.sections import SECTIONS

    ranked = {s.status: s.ranked for s in SECTIONS}
    groups: Groups = {status: [] for status in STATUSES}
    for entry in entries:
        groups[entry["status"]].append(entry)
    for status, rows in groups.items():
        rows.sort(key=rank_key)
        for i, entry in enumerate(rows):
            if not ranked[status]:
                entry["rank"] = "-"
                continue
            same_track = i and rows[i - 1].get("track") == entry.get("track")
            previous = rows[i - 1].get("rank")
            entry["rank"] = previous + 1 if same_track and isinstance(previous, int) else 1
    return groups


def leaderboard_groups(folder: str | Path) -> Groups:
    """Load and rank a leaderboard folder."""
    return rank(load_entries(folder))
