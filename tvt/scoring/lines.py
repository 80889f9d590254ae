"""The strict, field-by-field check of one line of outputs or reference.

The reader's fast path accepts the canonical trajectory line with a handful of checks; every other
line comes here, where each bad-input rule is checked in turn so that the error names the file,
the line and the field. A valid line is added to a :class:`Collector`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tvt.errors import InputError
from tvt.numbers import short
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX

PHASES = BENCHMARK_ORDER
N_PHASES = len(PHASES)
NAN = float("nan")
_PHASE_LIST = ", ".join(PHASES)
#: The keys of the two line shapes (:mod:`tvt.scoring.rows`).
_TRAJECTORY_KEY = "trajectory"
_PHASE_KEYS = ("phase", "intensity")


class Collector:
    """Validated values of one file, kept in compact lists while the file is read."""

    def __init__(self) -> None:
        # trajectory lines: id, line, and six values (NaN where a phase is absent)
        self.t_ids: list[int] = []
        #: Client ids finished before ``t_ids`` (in file order): arrays of whole blocks the reader
        #: scanned (:mod:`tvt.scoring.scan`) and the lists ``t_ids`` held before them.
        self.t_id_parts: list[Any] = []
        self.t_lines: list[int] = []
        #: While not None: the trajectory lines so far were lines 1..n of the file, one each
        #: (the usual file), and ``t_lines`` is left empty until that stops being true.
        self.dense: int | None = 0
        self.t_vals: list[Any] = []  # numbers; their types and ranges are checked in bulk
        #: Values finished before ``t_vals`` (in file order): lists like ``t_vals``, and arrays of
        #: whole blocks the reader has already checked (:mod:`tvt.scoring.reader`).
        self.t_parts: list[Any] = []
        # phase lines: id, phase index, value, line
        self.p_ids: list[int] = []
        self.p_idx: list[int] = []
        self.p_vals: list[float] = []
        self.p_lines: list[int] = []
        self.labels: set[str] = set()

    def add_block(self, ids: Any, values: Any) -> None:
        """Add a block of trajectory lines read as arrays (ids, and ``(lines, 6)`` values)."""
        if self.t_ids:
            self.t_id_parts.append(self.t_ids.copy())
            self.t_ids.clear()  # the same list: the reader holds its bound methods
        self.t_id_parts.append(ids)
        if self.t_vals:
            self.t_parts.append(self.t_vals.copy())
            self.t_vals.clear()
        self.t_parts.append(values.ravel())

    def line_numbers(self) -> None:
        """Write out the line numbers of a dense start (``t_lines`` is kept from here on)."""
        if self.dense is not None:
            self.t_lines.extend(range(1, self.dense + 1))
            self.dense = None

    def t_line(self, i: int) -> int:
        """The line of trajectory record ``i``."""
        return i + 1 if self.dense is not None else self.t_lines[i]


def label_key(kind: str) -> str:
    """The optional label of a line: ``model`` in outputs, ``source`` in a reference."""
    return "model" if kind == "outputs" else "source"


def fmt_num(v: float) -> str:
    """A number as a message shows it: ``7``, ``7.25``, ``1e+308`` (never 309 digits)."""
    return short(v)


def strict_loads(raw: bytes, path: Any, lineno: int, last: bool) -> Any:
    """Decode a line orjson refused, with the standard library's clearer messages.

    The standard library also accepts what orjson cannot represent (integers beyond 64 bits, or
    1e400, which becomes infinity and is then refused by the range check with a precise reason).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path, line=lineno) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        truncated = last and not raw.endswith(b"\n")
        hint = " (the last line looks truncated)" if truncated else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise InputError(f"malformed JSON{hint}: {reason}", path=path, line=lineno) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed (intensities must be finite numbers)")


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is float) and type(v) is not bool


def number_reason(v: Any) -> str | None:
    """Why ``v`` is not an acceptable intensity, or None if it is."""
    if not _is_number(v):
        return f"intensity must be a number, got {json.dumps(v)[:40]}"
    try:
        f = float(v)
    except OverflowError:
        return "intensity is outside [1, 10] (a number too large for a float)"
    if not math.isfinite(f):
        return f"intensity must be a finite number, got {f}"
    if not 1 <= v <= 10:
        return f"intensity {fmt_num(f)} is outside [1, 10]"
    return None


def _check_client_id(obj: dict[str, Any], path: Any, lineno: int) -> int:
    if "client_id" not in obj:
        raise InputError("missing field", path=path, line=lineno, field="client_id")
    cid = obj["client_id"]
    if type(cid) is not int:
        raise InputError(
            f"client_id must be an integer, got {json.dumps(cid)[:40]}",
            path=path,
            line=lineno,
            field="client_id",
        )
    if cid < 1:
        raise InputError(
            f"client_id must be >= 1, got {cid}", path=path, line=lineno, field="client_id"
        )
    if cid >= 2**63:
        raise InputError(
            f"client_id must be below 2**63, got {short(cid)}",
            path=path,
            line=lineno,
            field="client_id",
        )
    return cid


def _check_label(obj: dict[str, Any], key: str, path: Any, lineno: int, col: Collector) -> None:
    if key in obj:
        value = obj[key]
        if not isinstance(value, str):
            raise InputError(f"{key} must be a string", path=path, line=lineno, field=key)
        col.labels.add(value)


def _trajectory_row(traj: Any, path: Any, lineno: int) -> list[float]:
    if not isinstance(traj, dict):
        raise InputError(
            "trajectory must be an object {phase: intensity}",
            path=path,
            line=lineno,
            field="trajectory",
        )
    if not traj:
        raise InputError("trajectory is empty", path=path, line=lineno, field="trajectory")
    row = [NAN] * N_PHASES
    for phase, value in traj.items():
        if phase not in PHASE_INDEX:
            raise InputError(
                f"unknown phase '{phase}' (phases are {_PHASE_LIST})",
                path=path,
                line=lineno,
                field=f"trajectory.{phase}",
            )
        reason = number_reason(value)
        if reason:
            raise InputError(reason, path=path, line=lineno, field=f"trajectory.{phase}")
        row[PHASE_INDEX[phase]] = float(value)
    return row


def check_record(obj: Any, path: Any, lineno: int, kind: str, col: Collector) -> None:
    """Validate one record field by field, raising the precise error; collect it if valid."""
    if not isinstance(obj, dict):
        raise InputError("each line must be a JSON object", path=path, line=lineno)
    cid = _check_client_id(obj, path, lineno)
    _check_label(obj, label_key(kind), path, lineno, col)
    has_traj = _TRAJECTORY_KEY in obj
    has_phase = any(key in obj for key in _PHASE_KEYS)
    if has_traj and has_phase:
        raise InputError(
            "a line has either 'trajectory' or 'phase' and 'intensity', not both",
            path=path,
            line=lineno,
        )
    if has_traj:
        col.t_vals.extend(_trajectory_row(obj[_TRAJECTORY_KEY], path, lineno))
        col.t_ids.append(cid)
        col.line_numbers()
        col.t_lines.append(lineno)
        return
    if kind != "outputs":
        raise InputError("missing field", path=path, line=lineno, field="trajectory")
    if not has_phase:
        raise InputError(
            "missing field (a line needs 'trajectory', or 'phase' and 'intensity')",
            path=path,
            line=lineno,
            field="trajectory",
        )
    for key in _PHASE_KEYS:
        if key not in obj:
            raise InputError("missing field", path=path, line=lineno, field=key)
    phase = obj["phase"]
    if not isinstance(phase, str) or phase not in PHASE_INDEX:
        raise InputError(
            f"unknown phase {json.dumps(phase)[:40]} (phases are {_PHASE_LIST})",
            path=path,
            line=lineno,
            field="phase",
        )
    reason = number_reason(obj["intensity"])
    if reason:
        raise InputError(reason, path=path, line=lineno, field="intensity")
    col.p_ids.append(cid)
    col.p_idx.append(PHASE_INDEX[phase])
    col.p_vals.append(float(obj["intensity"]))
    col.p_lines.append(lineno)
