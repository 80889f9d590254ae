"""The fast strict reader of model outputs and references: JSON Lines in, one row per client out.

Reading is built for a million clients, in three layers, each taking only what it can answer
exactly as the strict check below would:

* a byte scan (:mod:`tvt.scoring.scan`) reads a block whose every line is the block's first line
  with other numbers (the file a program writes: the same keys, spacing and label on every line)
  straight into arrays, with no decoder and no Python object per line;
* a validating decoder (``msgspec``, which checks types while it decodes, straight into a typed
  record, no dict built) reads the canonical trajectory line: an integer ``client_id``, a
  ``trajectory`` of exactly the six phases, each a JSON number (not a boolean), and an optional
  string label; the ranges of the values are then checked in bulk with numpy;
* any line the decoder does not accept (another shape, a wrong type, a malformed line) is decoded
  again by ``orjson`` and goes through the strict per-field check of :mod:`tvt.scoring.lines`,
  which produces the error message (file, line, field), so the messages are those of the strict
  check whichever path a line took.

Identical duplicates of a (client, phase) value are accepted; a duplicate with a different value
is an error. Measured on a million clients (``benchmark/perf/score.py``): the scan reads a file in
about half the time ``orjson`` takes to decode its lines; the typed decode costs about as much as
that decode, and saves the per-field checks in Python that made the old orjson path about 3.5
times the decode floor.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, cast

import msgspec
import numpy as np
import orjson

from tvt import jsonio
from tvt.errors import InputError
from tvt.scoring import scan
from tvt.scoring.lines import (
    N_PHASES,
    PHASES,
    Collector,
    check_record,
    fmt_num,
    label_key,
    number_reason,
    strict_loads,
)
from tvt.scoring.rows import OutputRow, ReferenceRow

#: Default reference: the dataset folder ``tvt generate`` writes.
DEFAULT_REFERENCE = "tvt-data"

_BOM = b"\xef\xbb\xbf"
_DIGITS = b"0123456789"
_get_phases = attrgetter(*PHASES)
_get_id = attrgetter("client_id")
_get_trajectory = attrgetter("trajectory")


class _Phases(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A trajectory with exactly the six phases, each a JSON number (a boolean is refused)."""

    P5: int | float
    P10: int | float
    P6: int | float
    P7: int | float
    P8: int | float
    P11: int | float


class _Line(msgspec.Struct, gc=False):
    """The canonical trajectory line. ``phase`` and ``intensity`` admit no value, so that a line
    holding both shapes fails here and goes to the strict check, which refuses it; a label must be
    a string when present (``null`` goes to the strict check too). A phase value is kept as the
    number it was written as (an integer stays one: cheaper to decode); ranges are checked later."""

    client_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    trajectory: _Phases
    model: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET
    phase: msgspec.UnsetType = msgspec.UNSET
    intensity: msgspec.UnsetType = msgspec.UNSET


_decode_line = msgspec.json.Decoder(_Line).decode


@dataclass
class Trajectories:
    """Trajectories read from one file, one row per client, sorted by client id.

    ``values`` has shape ``(clients, 6)`` in benchmark order with NaN where a phase is absent.
    ``first_line`` is the line where each client first appears (for error messages).
    """

    path: Path
    ids: np.ndarray
    values: np.ndarray
    first_line: np.ndarray
    records: int
    labels: list[str] = field(default_factory=list)  # distinct ``model`` / ``source`` values


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, found a folder", path=path)
    # Refuse an oversized file before reading a byte of it.
    jsonio.check_size(path, jsonio.MAX_INPUT_BYTES)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path=path)


#: Bytes read at a time. A block whose every line is the canonical line is decoded with one call
#: per line from C (``map``) and its values gathered in bulk; a block holding any other line is
#: read line by line. A megabyte keeps the decoded records of a block small: the memory they take
#: is given back and taken again for every block, and 8 MB blocks made twice the page faults
#: (system time) of 1 MB blocks on a million clients.
_BLOCK = 1 << 20


def _read(path: Path, kind: str, digest: Any = None) -> tuple[Collector, int]:
    """Read and validate every line of ``path``; returns the collected values and record count.

    ``digest`` (a ``hashlib`` object), if given, is fed every byte of the file as it is read.
    """
    _check_file(path)
    col = Collector()
    label = label_key(kind)
    label_of = attrgetter(label)
    t_ids, t_lines, t_vals = col.t_ids.append, col.t_lines.append, col.t_vals.extend
    add_label = col.labels.add
    last_label = None
    loads = orjson.loads
    decode = _decode_line
    unset = msgspec.UNSET
    typed_error = msgspec.MsgspecError
    records = 0
    lineno = 0
    dense = True
    tpl: scan.Template | None = None
    gc_was_enabled = gc.isenabled()
    # Millions of small records would trigger the cycle collector over and over; they hold no
    # cycles.
    gc.disable()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                if not block.endswith(b"\n"):
                    block += fh.readline()  # the rest of the block's last line
                if digest is not None:
                    digest.update(block)
                if lineno == 0 and block.startswith(_BOM):
                    block = block[len(_BOM) :]
                whole = block if block.endswith(b"\n") else block + b"\n"
                first = whole[: whole.find(b"\n") + 1]
                if tpl is None or first.translate(None, _DIGITS) != tpl.skeleton:
                    tpl = scan.template(first, _decode_line, label)
                got = scan.scan(whole, tpl) if tpl is not None else None
                if got is not None:
                    # Every line of the block is the template's: read as arrays, no decoder.
                    n = got[0].size
                    col.add_block(*got)
                    if tpl is not None and tpl.label is not None:
                        col.labels.add(tpl.label)
                    if not dense or records != lineno:
                        if dense:  # a blank line came before: line numbers are kept from here on
                            col.dense = records
                            col.line_numbers()
                            dense = False
                        col.t_lines.extend(range(lineno + 1, lineno + n + 1))
                    records += n
                    lineno += n
                    continue
                lines = block.split(b"\n")
                tail = lines.pop()  # b"" after a final newline, else the file's unterminated line
                if tail:
                    lines.append(tail)
                try:
                    recs = list(map(decode, lines))
                except typed_error:
                    recs = None
                if recs is not None:
                    # Every line of the block is the canonical line: gather it in bulk.
                    n = len(recs)
                    col.t_ids.extend(map(_get_id, recs))
                    try:
                        vals = np.fromiter(
                            chain.from_iterable(map(_get_phases, map(_get_trajectory, recs))),
                            dtype=np.float64,
                            count=n * N_PHASES,
                        )
                    except OverflowError:  # an integer beyond any float: named below
                        vals = None
                    if vals is not None and ((vals >= 1.0) & (vals <= 10.0)).all():
                        if col.t_vals:
                            col.t_parts.append(col.t_vals)
                            col.t_vals = []
                            t_vals = col.t_vals.extend
                        col.t_parts.append(vals)
                    else:  # the numbers as written, for the message of the first bad one
                        t_vals(chain.from_iterable(map(_get_phases, map(_get_trajectory, recs))))
                    found = set(map(label_of, recs))
                    found.discard(unset)
                    col.labels.update(cast(set[str], found))
                    if not dense or records != lineno:
                        if dense:  # a blank line came before: line numbers are kept from here on
                            col.dense = records
                            col.line_numbers()
                            dense = False
                        col.t_lines.extend(range(lineno + 1, lineno + n + 1))
                    records += n
                    lineno += n
                    continue
                last_index = len(lines) - 1
                for i, raw in enumerate(lines):
                    lineno += 1
                    if i < last_index or not tail:
                        raw += b"\n"
                    try:
                        rec = decode(raw)
                    except typed_error:
                        rec = None
                    if rec is not None:
                        lab = rec.model if label == "model" else rec.source
                        if isinstance(lab, str) and lab != last_label:
                            add_label(lab)
                            last_label = lab
                        records += 1
                        t_ids(rec.client_id)
                        if dense:
                            if lineno == records:  # the n-th record on line n: no list kept
                                t_vals(_get_phases(rec.trajectory))
                                continue
                            col.t_ids.pop()
                            col.dense = records - 1
                            col.line_numbers()
                            col.t_ids.append(rec.client_id)
                            dense = False
                        t_lines(lineno)
                        t_vals(_get_phases(rec.trajectory))  # ranges are checked in bulk later
                        continue
                    # Not the canonical line: decoded again, the strict check says what is wrong.
                    try:
                        obj = loads(raw)
                    except orjson.JSONDecodeError:
                        if not raw.strip():
                            continue
                        # Only the last line of a file can lack its newline.
                        obj = strict_loads(raw, path, lineno, last=not raw.endswith(b"\n"))
                    records += 1
                    if dense:
                        col.dense = records - 1
                        col.line_numbers()  # the strict check records its own line numbers
                        dense = False
                    check_record(obj, path, lineno, kind, col)
    finally:
        if gc_was_enabled:
            gc.enable()
    if records == 0:
        raise InputError("file is empty", path=path)
    col.dense = records if dense else None
    return col, records


def _bulk_values(col: Collector, path: Path) -> np.ndarray:
    """Turn the trajectory values into one array, locating any value that is not a valid number.

    Blocks the reader checked already come as arrays; the rest are the numbers as written, checked
    here in bulk, and the first bad one (in file order) is named with its line and phase.
    """
    arrays = []
    offset = 0
    for part in [*col.t_parts, col.t_vals]:
        if isinstance(part, np.ndarray):
            arrays.append(part)
            offset += part.size
            continue
        arrays.append(_check_values(part, col, path, offset))
        offset += len(part)
    vals = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    return vals.reshape(-1, N_PHASES)


def _check_values(values: list[Any], col: Collector, path: Path, offset: int) -> np.ndarray:
    """``values`` as an array; refuses the first that is not a number in range (NaN: absent)."""
    try:
        vals = np.fromiter(values, dtype=np.float64, count=len(values))
    except (TypeError, OverflowError):
        vals = None  # some value is not a float-sized number: find it one by one below
    if vals is not None:
        # NaN marks an absent phase (JSON cannot carry NaN: the readers refuse it).
        bad = ~np.isnan(vals) & ~((vals >= 1.0) & (vals <= 10.0))
        if not bad.any():
            return vals
        first = int(np.flatnonzero(bad)[0])
    else:
        first = next(i for i, v in enumerate(values) if v == v and number_reason(v) is not None)
    rec, ph = divmod(offset + first, N_PHASES)
    reason = number_reason(values[first]) or "invalid intensity"
    raise InputError(reason, path=path, line=col.t_line(rec), field=f"trajectory.{PHASES[ph]}")


def _assemble(col: Collector, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge trajectory and phase lines into one row per client; refuse conflicting duplicates."""
    t_vals = _bulk_values(col, path)
    id_parts = [np.asarray(p, dtype=np.int64) for p in [*col.t_id_parts, col.t_ids]]
    t_ids = id_parts[0] if len(id_parts) == 1 else np.concatenate(id_parts)
    if col.dense is not None:
        t_lines = np.arange(1, col.dense + 1, dtype=np.int64)
    else:
        t_lines = np.asarray(col.t_lines, dtype=np.int64)
    if not col.p_ids:
        if t_ids.size < 2 or bool((t_ids[1:] > t_ids[:-1]).all()):
            return t_ids, t_vals, t_lines  # one line per client, in order: the usual file
        order = np.argsort(t_ids, kind="stable")
        ids = t_ids[order]
        if ids.size < 2 or not (ids[1:] == ids[:-1]).any():
            return ids, t_vals[order], t_lines[order]
    # General case: one entry per (client, phase, value, line), then sort and merge.
    present = ~np.isnan(t_vals).ravel()
    e_ids = np.concatenate(
        [np.repeat(t_ids, N_PHASES)[present], np.asarray(col.p_ids, dtype=np.int64)]
    )
    e_phase = np.concatenate(
        [
            np.tile(np.arange(N_PHASES, dtype=np.int64), len(t_ids))[present],
            np.asarray(col.p_idx, dtype=np.int64),
        ]
    )
    e_vals = np.concatenate([t_vals.ravel()[present], np.asarray(col.p_vals)])
    e_lines = np.concatenate(
        [np.repeat(t_lines, N_PHASES)[present], np.asarray(col.p_lines, dtype=np.int64)]
    )
    key = e_ids * N_PHASES + e_phase
    order = np.lexsort((e_lines, key))
    key, e_vals, e_lines, e_ids, e_phase = (
        key[order],
        e_vals[order],
        e_lines[order],
        e_ids[order],
        e_phase[order],
    )
    same = key[1:] == key[:-1]
    conflict = same & (e_vals[1:] != e_vals[:-1])
    if conflict.any():
        k = int(np.flatnonzero(conflict)[0]) + 1
        raise InputError(
            f"client {int(e_ids[k])} phase {PHASES[int(e_phase[k])]}: intensity "
            f"{fmt_num(e_vals[k])} conflicts with {fmt_num(e_vals[k - 1])} on line "
            f"{int(e_lines[k - 1])}",
            path=path,
            line=int(e_lines[k]),
        )
    keep = np.concatenate([[True], ~same])  # identical duplicates collapse to the first
    e_ids, e_phase, e_vals, e_lines = e_ids[keep], e_phase[keep], e_vals[keep], e_lines[keep]
    # Entries are sorted by client, so each client is one run of consecutive entries.
    new = np.concatenate([[True], e_ids[1:] != e_ids[:-1]])
    starts = np.flatnonzero(new)
    ids = e_ids[starts]
    row = np.cumsum(new) - 1
    values = np.full((ids.size, N_PHASES), np.nan)
    values[row, e_phase] = e_vals
    first_line = np.minimum.reduceat(e_lines, starts)
    return ids, values, first_line


def _trajectories(path: Path, col: Collector, records: int) -> Trajectories:
    ids, values, first_line = _assemble(col, path)
    return Trajectories(
        path=path,
        ids=ids,
        values=values,
        first_line=first_line,
        records=records,
        labels=sorted(col.labels),
    )


def _load(path: str | Path, kind: str, digest: Any = None) -> Trajectories:
    path = Path(path)
    col, records = _read(path, kind, digest)
    return _trajectories(path, col, records)


def load_hashed(path: Path, kind: str) -> tuple[Trajectories, str]:
    """Read a file of ``kind`` (``"outputs"`` or ``"reference"``) and its SHA-256 in one pass."""
    digest = hashlib.sha256()
    traj = _load(path, kind, digest)
    return traj, digest.hexdigest()


def load_outputs(path: str | Path) -> Trajectories:
    """Read a model-output file (either line shape) into one row per client.

    Raises ``InputError`` (file, line, field, reason) on any bad input.
    """
    return _load(path, "outputs")


def resolve_reference(path: str | Path) -> Path:
    """The reference JSONL file for ``path``: the file itself, or ``reference.jsonl`` in a folder."""
    path = Path(path)
    if not path.exists():
        hint = (
            " (run `tvt generate --seed 42` first, or pass --reference)"
            if str(path) == DEFAULT_REFERENCE
            else ""
        )
        raise InputError(f"reference not found{hint}", path=path)
    if path.is_dir():
        ref = path / "reference.jsonl"
        if not ref.exists():
            raise InputError("dataset folder has no reference.jsonl", path=path)
        return ref
    return path


def load_reference(path: str | Path) -> Trajectories:
    """Read a reference (a ``reference.jsonl`` or a dataset folder holding one).

    Raises ``InputError`` on bad input; a reference may leave phases out for some clients.
    """
    return _load(resolve_reference(path), "reference")


def trajectories_from_rows(
    rows: Iterable[OutputRow | ReferenceRow], kind: str = "outputs", *, name: str = "<memory>"
) -> Trajectories:
    """Validate in-memory rows by the rules of a file and return one row per client.

    ``kind`` is ``"outputs"`` or ``"reference"``; an error names ``name`` and the row's position
    (from 1) as its line, so scoring predictions held in memory needs no temporary file.
    """
    path = Path(name)
    col = Collector()
    records = 0
    for records, row in enumerate(rows, start=1):
        check_record(row, path, records, kind, col)
    if records == 0:
        raise InputError("no rows", path=path)
    return _trajectories(path, col, records)
