"""``tvt score``: load model outputs and a reference, align them, compute the benchmark report.

Model outputs (SPEC §3) come in two line shapes, freely mixed and in any order::

    {"client_id": 7, "phase": "P10", "intensity": 8}
    {"client_id": 7, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 6, "P11": 4}}

A reference is a ``reference.jsonl`` (trajectory lines with a ``source``), given directly or as a
dataset folder that holds one.

Every bad-input rule of SPEC §4 is enforced while reading: the error names the file, the line
and the field, and the command exits with code 2. Identical duplicates of a (client, phase) value
are accepted; a duplicate with a different value is an error.

Coverage rules (documented in docs/benchmark.md):

* a reference client without any output is *missing*; the rest are scored and the missing ones
  listed (like the paper's N = 489);
* a client whose outputs lack some phase the reference has is *incomplete*: it is scored on the
  phases present in both, in benchmark order, if there are at least :data:`MIN_PHASES` of them,
  otherwise it is *excluded* (not scored) and listed;
* an output phase for which the reference has no value is listed under ``unreferenced``;
* ``require_complete=True`` turns any missing, incomplete or excluded client into an error.

Reading is built for a million clients: ``orjson`` decodes each line, a fast path accepts the
canonical trajectory line with a handful of checks, and anything else goes through the strict
per-field validator that produces the error message.
"""

from __future__ import annotations

import gc
import json
import math
from array import array
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from tvt import __version__, jsonio, metrics
from tvt.errors import InputError
from tvt.jsonio import check_size, read_json, sha256_file
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX, PHASE_NAMES

try:  # orjson is a declared dependency; the json fallback keeps a broken install usable
    import orjson

    _loads = orjson.loads
    _DecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover
    _loads = json.loads
    _DecodeError = ValueError

PHASES = BENCHMARK_ORDER
N_PHASES = len(PHASES)
#: An incomplete client is scored only if at least this many phases are present in both the
#: outputs and the reference: with two points every Pearson correlation is +-1.
MIN_PHASES = 3
#: Default reference: the dataset folder ``tvt generate`` writes.
DEFAULT_REFERENCE = "tvt-data"
REPORT_FORMAT = "tvt-score-report"
REPORT_VERSION = "1.0"

_BOM = b"\xef\xbb\xbf"
_NAN = float("nan")
_get_phases = itemgetter(*PHASES)
_PHASE_LIST = ", ".join(PHASES)


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


# -- reading ---------------------------------------------------------------------------------
def _strict_loads(raw: bytes, path: Path, lineno: int, last: bool) -> Any:
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


def _number_reason(v: Any) -> str | None:
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
        return f"intensity {_fmt_num(f)} is outside [1, 10]"
    return None


class _Collector:
    """Accumulates validated values in compact arrays while a file is read."""

    def __init__(self) -> None:
        # trajectory lines: id, line, and six values (NaN where a phase is absent)
        self.t_ids: list[int] = []
        self.t_lines: list[int] = []
        self.t_vals: list[float] = []
        # phase lines: id, phase index, value, line
        self.p_ids: list[int] = []
        self.p_idx: list[int] = []
        self.p_vals: list[float] = []
        self.p_lines: list[int] = []
        self.labels: set[str] = set()


def _check_client_id(obj: dict[str, Any], path: Path, lineno: int) -> int:
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
    return cid


def _check_label(obj: dict[str, Any], key: str, path: Path, lineno: int, col: _Collector) -> None:
    if key in obj:
        value = obj[key]
        if not isinstance(value, str):
            raise InputError(f"{key} must be a string", path=path, line=lineno, field=key)
        col.labels.add(value)


def _slow_record(obj: Any, path: Path, lineno: int, kind: str, col: _Collector) -> None:
    """Validate one record field by field, raising the precise error; collect it if valid."""
    if not isinstance(obj, dict):
        raise InputError("each line must be a JSON object", path=path, line=lineno)
    cid = _check_client_id(obj, path, lineno)
    label = "model" if kind == "outputs" else "source"
    _check_label(obj, label, path, lineno, col)
    has_traj = "trajectory" in obj
    has_phase = "phase" in obj or "intensity" in obj
    if has_traj and has_phase:
        raise InputError(
            "a line has either 'trajectory' or 'phase' and 'intensity', not both",
            path=path,
            line=lineno,
        )
    if has_traj:
        traj = obj["trajectory"]
        if not isinstance(traj, dict):
            raise InputError(
                "trajectory must be an object {phase: intensity}",
                path=path,
                line=lineno,
                field="trajectory",
            )
        if not traj:
            raise InputError("trajectory is empty", path=path, line=lineno, field="trajectory")
        row = [_NAN] * N_PHASES
        for phase, value in traj.items():
            if phase not in PHASE_INDEX:
                raise InputError(
                    f"unknown phase '{phase}' (phases are {_PHASE_LIST})",
                    path=path,
                    line=lineno,
                    field=f"trajectory.{phase}",
                )
            reason = _number_reason(value)
            if reason:
                raise InputError(reason, path=path, line=lineno, field=f"trajectory.{phase}")
            row[PHASE_INDEX[phase]] = float(value)
        col.t_ids.append(cid)
        col.t_lines.append(lineno)
        col.t_vals.extend(row)
        return
    if kind != "outputs":
        raise InputError("missing field", path=path, line=lineno, field="trajectory")
    if "phase" not in obj and "intensity" not in obj:
        raise InputError(
            "missing field (a line needs 'trajectory', or 'phase' and 'intensity')",
            path=path,
            line=lineno,
            field="trajectory",
        )
    for key in ("phase", "intensity"):
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
    reason = _number_reason(obj["intensity"])
    if reason:
        raise InputError(reason, path=path, line=lineno, field="intensity")
    col.p_ids.append(cid)
    col.p_idx.append(PHASE_INDEX[phase])
    col.p_vals.append(float(obj["intensity"]))
    col.p_lines.append(lineno)


def _has_bool_tokens(path: Path) -> bool:
    """Whether ``true`` or ``false`` occurs anywhere in the file (a C-speed scan of a mapping)."""
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(b"true") >= 0 or mm.find(b"false") >= 0


def _read(path: Path, kind: str) -> tuple[_Collector, int]:
    """Read and validate every line of ``path``; returns the collected values and record count."""
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, found a folder", path=path)
    # Refuse an oversized file before reading a byte of it.
    check_size(path, jsonio.MAX_INPUT_BYTES)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path=path)
    # JSON booleans would slip through the bulk float conversion as 0/1. Where the file has no
    # true/false token at all (the usual case) no line needs checking for them.
    check_bools = _has_bool_tokens(path)
    col = _Collector()
    label = "model" if kind == "outputs" else "source"
    t_ids, t_lines, t_vals = col.t_ids.append, col.t_lines.append, col.t_vals.extend
    add_label = col.labels.add
    last_label = None
    loads = _loads
    records = 0
    lineno = 0
    gc_was_enabled = gc.isenabled()
    # Millions of small dicts would trigger the cycle collector over and over; they hold no cycles.
    gc.disable()
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                lineno += 1
                if lineno == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                try:
                    obj = loads(raw)
                except _DecodeError:
                    if not raw.strip():
                        continue
                    # Only the last line of a file can lack its newline.
                    obj = _strict_loads(raw, path, lineno, last=not raw.endswith(b"\n"))
                records += 1
                # Fast path: a well-formed trajectory line with all six phases.
                try:
                    cid = obj["client_id"]
                    traj = obj["trajectory"]
                    if (
                        type(cid) is int
                        and type(traj) is dict
                        and len(traj) == N_PHASES
                        and cid >= 1
                        and "phase" not in obj
                        and "intensity" not in obj
                        and not (check_bools and (b"true" in raw or b"false" in raw))
                    ):
                        values = _get_phases(traj)  # KeyError unless exactly the six phases
                        lab = obj.get(label)
                        if lab is not None and lab != last_label:
                            if type(lab) is not str:
                                raise TypeError
                            add_label(lab)
                            last_label = lab
                        t_ids(cid)
                        t_lines(lineno)
                        t_vals(values)  # types and ranges are checked in bulk afterwards
                        continue
                except (KeyError, TypeError, IndexError):
                    pass
                _slow_record(obj, path, lineno, kind, col)
    finally:
        if gc_was_enabled:
            gc.enable()
    if records == 0:
        raise InputError("file is empty", path=path)
    return col, records


def _bulk_values(col: _Collector, path: Path) -> np.ndarray:
    """Turn the fast-path values into an array, locating any value that is not a valid number."""
    try:
        vals = np.frombuffer(array("d", col.t_vals), dtype=np.float64)
    except (TypeError, OverflowError):
        vals = None
    if vals is not None:
        # NaN marks an absent phase (JSON cannot carry NaN: the readers refuse it).
        bad = ~np.isnan(vals) & ~((vals >= 1.0) & (vals <= 10.0))
        if not bad.any():
            return vals.reshape(-1, N_PHASES)
        first = int(np.flatnonzero(bad)[0])
    else:
        first = next(
            i for i, v in enumerate(col.t_vals) if v == v and _number_reason(v) is not None
        )
    rec, ph = divmod(first, N_PHASES)
    reason = _number_reason(col.t_vals[first]) or "invalid intensity"
    raise InputError(reason, path=path, line=col.t_lines[rec], field=f"trajectory.{PHASES[ph]}")


def _assemble(col: _Collector, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge trajectory and phase lines into one row per client; refuse conflicting duplicates."""
    t_vals = _bulk_values(col, path)
    t_ids = np.asarray(col.t_ids, dtype=np.int64)
    t_lines = np.asarray(col.t_lines, dtype=np.int64)
    if not col.p_ids:
        order = np.argsort(t_ids, kind="stable")
        ids = t_ids[order]
        if ids.size < 2 or not (ids[1:] == ids[:-1]).any():
            return ids, t_vals[order], t_lines[order]
    # General case: one entry per (client, phase, value, line), then sort and merge.
    present = ~np.isnan(t_vals)
    e_ids = np.concatenate(
        [np.repeat(t_ids, N_PHASES)[present.ravel()], np.asarray(col.p_ids, dtype=np.int64)]
    )
    e_phase = np.concatenate(
        [
            np.tile(np.arange(N_PHASES, dtype=np.int64), len(t_ids))[present.ravel()],
            np.asarray(col.p_idx, dtype=np.int64),
        ]
    )
    e_vals = np.concatenate([t_vals.ravel()[present.ravel()], np.asarray(col.p_vals)])
    e_lines = np.concatenate(
        [np.repeat(t_lines, N_PHASES)[present.ravel()], np.asarray(col.p_lines, dtype=np.int64)]
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
            f"{_fmt_num(e_vals[k])} conflicts with {_fmt_num(e_vals[k - 1])} on line "
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


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _load(path: str | Path, kind: str) -> Trajectories:
    path = Path(path)
    col, records = _read(path, kind)
    ids, values, first_line = _assemble(col, path)
    return Trajectories(
        path=path,
        ids=ids,
        values=values,
        first_line=first_line,
        records=records,
        labels=sorted(col.labels),
    )


def load_outputs(path: str | Path) -> Trajectories:
    """Read a model-output file (either line shape of SPEC §3) into one row per client.

    Raises ``InputError`` (file, line, field, reason) on any bad input.
    """
    return _load(path, "outputs")


def trajectories_from_rows(
    rows: Any, kind: str = "outputs", *, name: str = "<memory>"
) -> Trajectories:
    """Validate in-memory rows by the rules of a file and return one row per client.

    ``kind`` is ``"outputs"`` or ``"reference"``; an error names ``name`` and the row's position
    (from 1) as its line, so scoring predictions held in memory needs no temporary file.
    """
    path = Path(name)
    col = _Collector()
    records = 0
    for records, row in enumerate(rows, start=1):
        _slow_record(row, path, records, kind, col)
    if records == 0:
        raise InputError("no rows", path=path)
    ids, values, first_line = _assemble(col, path)
    return Trajectories(path, ids, values, first_line, records, sorted(col.labels))


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


def reference_fingerprint(ref_file: Path, sha256: str) -> str | None:
    """The dataset fingerprint of the manifest beside ``ref_file``, if it vouches for this file."""
    manifest_path = ref_file.parent / "manifest.json"
    if not manifest_path.exists():
        return None
    try:
        manifest = read_json(manifest_path)
    except InputError:
        return None
    try:
        recorded = manifest["files"][ref_file.name]["sha256"]
    except (KeyError, TypeError):
        return None
    # A reference edited after generation no longer belongs to the fingerprinted dataset.
    return manifest.get("fingerprint") if recorded == sha256 else None


# -- scoring ---------------------------------------------------------------------------------
@dataclass
class ScoreResult:
    """The report plus the per-client arrays behind it (rows follow the reference's client ids)."""

    report: dict[str, Any]
    client_ids: np.ndarray
    model: np.ndarray
    reference: np.ndarray
    scored: np.ndarray
    status: np.ndarray  # "scored", "missing" or "excluded"
    n_phases: np.ndarray
    pearson: np.ndarray
    dtw: np.ndarray
    rmse: np.ndarray
    pearson_undefined: np.ndarray


def _per_client(
    model: np.ndarray, reference: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Metrics for every client with enough shared phases, grouped by which phases are present."""
    n = model.shape[0]
    present = ~np.isnan(model) & ~np.isnan(reference)
    n_phases = present.sum(axis=1)
    scorable = n_phases >= MIN_PHASES
    r = np.full(n, np.nan)
    d = np.full(n, np.nan)
    e = np.full(n, np.nan)
    undefined = np.zeros(n, dtype=bool)
    codes = present.astype(np.int64) @ (1 << np.arange(N_PHASES, dtype=np.int64))
    full = (1 << N_PHASES) - 1
    if scorable.all() and (codes == full).all():
        groups = [(slice(None), slice(None))]
    else:
        groups = []
        for code in np.unique(codes[scorable]):
            rows = np.flatnonzero(scorable & (codes == code))
            cols = [j for j in range(N_PHASES) if code >> j & 1]
            groups.append((rows, cols))
    for rows, cols in groups:
        m = model[rows][:, cols] if not isinstance(rows, slice) else model
        c = reference[rows][:, cols] if not isinstance(rows, slice) else reference
        r[rows], undefined[rows] = metrics.pearson(m, c)
        d[rows] = metrics.dtw(m, c)
        e[rows] = metrics.rmse(m, c)
    return scorable, n_phases, r, d, e, undefined


def _per_phase(model: np.ndarray, reference: np.ndarray, scored: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for j, phase in enumerate(PHASES):
        m = model[scored, j]
        c = reference[scored, j]
        ok = ~np.isnan(m) & ~np.isnan(c)
        m, c = m[ok], c[ok]
        n = int(ok.sum())
        diff = m - c
        out[phase] = {
            "name": PHASE_NAMES[phase],
            "n": n,
            "mae": float(np.abs(diff).mean()) if n else None,
            "bias": float(diff.mean()) if n else None,
            "model_mean": float(m.mean()) if n else None,
            "model_sd": float(m.std(ddof=1)) if n > 1 else None,
            "reference_mean": float(c.mean()) if n else None,
            "reference_sd": float(c.std(ddof=1)) if n > 1 else None,
        }
    return out


def load_baseline(path: str | Path) -> dict[str, Any]:
    """Read a report written by ``tvt score --out`` and return its mean Pearson, DTW, RMSE."""
    path = Path(path)
    data = read_json(path)
    means: dict[str, Any] = {"path": str(path), "sha256": sha256_file(path)}
    for key in ("pearson", "dtw", "rmse"):
        try:
            value = data[key]["mean"]
        except (KeyError, TypeError):
            raise InputError(
                "not a tvt score report (no mean)", path=path, field=f"{key}.mean"
            ) from None
        if not jsonio.is_finite_number(value):
            raise InputError("must be a finite number", path=path, field=f"{key}.mean")
        means[key] = float(value)
    return means


def _ids(a: np.ndarray) -> list[int]:
    return [int(x) for x in a]


def score(
    outputs: str | Path,
    reference: str | Path = DEFAULT_REFERENCE,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: str | Path | None = None,
) -> ScoreResult:
    """Load, validate, align and score; returns the report and the per-client arrays.

    Raises ``InputError`` for bad input: any rule of SPEC §4, an output for a client the reference
    does not know, no client with at least :data:`MIN_PHASES` scorable phases, or (with
    ``require_complete``) any missing, incomplete or excluded client.
    """
    out_path = Path(outputs)
    ref_file = resolve_reference(reference)
    base = load_baseline(baseline) if baseline is not None else None
    out = load_outputs(out_path)
    ref = load_reference(ref_file)
    out_sha = sha256_file(out_path)
    ref_sha = sha256_file(ref_file)
    inputs = {
        "outputs": {"path": str(outputs), "sha256": out_sha, "records": out.records},
        "reference": {
            "path": str(reference),
            "file": str(ref_file),
            "sha256": ref_sha,
            "fingerprint": reference_fingerprint(ref_file, ref_sha),
            "sources": ref.labels,
            "records": ref.records,
        },
    }
    return score_trajectories(
        out,
        ref,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        baseline=base,
        inputs=inputs,
    )


def score_trajectories(
    out: Trajectories,
    ref: Trajectories,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
) -> ScoreResult:
    """Align, check coverage and score trajectories already read (from files or from memory).

    ``inputs`` describes the files scored (left out of the report for trajectories held in
    memory); ``baseline`` is what :func:`load_baseline` returns. Raises ``InputError`` as
    :func:`score` does.
    """
    out_path = out.path
    base = baseline

    # Align outputs to the reference's clients; an unknown client is bad input.
    pos = np.searchsorted(ref.ids, out.ids)
    pos_c = np.minimum(pos, ref.ids.size - 1)
    known = ref.ids[pos_c] == out.ids
    if not known.all():
        k = int(np.flatnonzero(~known)[np.argmin(out.first_line[~known])])
        raise InputError(
            f"unknown client {int(out.ids[k])}: the reference {ref.path} has no such client",
            path=out_path,
            line=int(out.first_line[k]),
            field="client_id",
        )
    n_ref = ref.ids.size
    model = np.full((n_ref, N_PHASES), np.nan)
    model[pos] = out.values
    refv = ref.values

    has_output = ~np.isnan(model).all(axis=1)
    scorable, n_phases, r, d, e, undefined = _per_client(model, refv)
    scored = has_output & scorable
    missing = ~has_output
    excluded = has_output & ~scorable
    incomplete = has_output & (~np.isnan(refv) & np.isnan(model)).any(axis=1)
    unref = ~np.isnan(model) & np.isnan(refv)
    unreferenced = [[int(ref.ids[i]), PHASES[j]] for i, j in zip(*np.nonzero(unref), strict=True)]

    if require_complete and (missing.any() or incomplete.any()):
        parts = []
        if missing.any():
            parts.append(
                f"{int(missing.sum())} missing client(s), first {_id_preview(ref.ids[missing])}"
            )
        if incomplete.any():
            parts.append(
                f"{int(incomplete.sum())} incomplete client(s), first "
                f"{_id_preview(ref.ids[incomplete])}"
            )
        raise InputError(
            "--require-complete: the outputs do not cover every reference client and phase ("
            + "; ".join(parts)
            + ")",
            path=out_path,
        )
    if not scored.any():
        raise InputError(
            f"no client could be scored: none has at least {MIN_PHASES} phases present in both "
            "the outputs and the reference",
            path=out_path,
        )

    stats, ci_method, draws = metrics.summarise(
        {"pearson": r[scored], "dtw": d[scored], "rmse": e[scored]}, seed=bootstrap_seed
    )
    s = metrics.s_abs(stats["pearson"]["mean"], stats["dtw"]["mean"], stats["rmse"]["mean"])
    s_ci = None
    if draws is not None:
        s_draws = [metrics.s_abs(*row) for row in draws.tolist()]
        lo, hi = np.percentile(s_draws, [2.5, 97.5])
        s_ci = [float(lo), float(hi)]
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "format_version": REPORT_VERSION,
        "tvt_version": __version__,
        "pearson": stats["pearson"],
        "dtw": stats["dtw"],
        "rmse": stats["rmse"],
        "s_abs": s,
        "s_abs_ci95": s_ci,
        "n_scored": int(scored.sum()),
        "n_reference": int(n_ref),
        "n_output_clients": int(has_output.sum()),
        "missing": _ids(ref.ids[missing]),
        "incomplete": _ids(ref.ids[incomplete]),
        "excluded": _ids(ref.ids[excluded]),
        "unreferenced": unreferenced,
        "undefined_pearson": int((undefined & scored).sum()),
        "per_phase": _per_phase(model, refv, scored),
        "ci": ci_method,
        "models": out.labels,
    }
    if inputs is not None:
        report["inputs"] = inputs
    if base is not None:
        model_means = {k: stats[k]["mean"] for k in ("pearson", "dtw", "rmse")}
        report["baseline"] = {**base, **metrics.ratios(model_means, base)}
    status = np.where(scored, "scored", np.where(missing, "missing", "excluded"))
    return ScoreResult(
        report=report,
        client_ids=ref.ids,
        model=model,
        reference=refv,
        scored=scored,
        status=status,
        n_phases=np.where(has_output, n_phases, 0),
        pearson=r,
        dtw=d,
        rmse=e,
        pearson_undefined=undefined & scored,
    )


def _id_preview(ids: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(x)) for x in ids[:limit])
    return shown + (", ..." if ids.size > limit else "")


def score_files(
    outputs: str | Path,
    reference: str | Path = DEFAULT_REFERENCE,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: str | Path | None = None,
) -> dict[str, Any]:
    """Score a model-output file against a reference and return the JSON report (a plain dict).

    This is what ``tvt score --json`` prints and what the leaderboard recomputes on submission.
    Raises ``InputError`` for bad input (see :func:`score`).
    """
    return score(
        outputs,
        reference,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        baseline=baseline,
    ).report


# -- writing ---------------------------------------------------------------------------------
def per_client_records(result: ScoreResult) -> list[dict[str, Any]]:
    """One record per reference client: status, phases scored and the three metrics."""

    def num(a: np.ndarray) -> list[float | None]:
        return [None if math.isnan(x) else float(x) for x in a.tolist()]

    pear, dtw_, rms = num(result.pearson), num(result.dtw), num(result.rmse)
    recs = []
    for i, cid in enumerate(result.client_ids.tolist()):
        scored = bool(result.scored[i])
        recs.append(
            {
                "client_id": cid,
                "status": str(result.status[i]),
                "phases": int(result.n_phases[i]),
                "pearson": pear[i] if scored else None,
                "pearson_undefined": bool(result.pearson_undefined[i]),
                "dtw": dtw_[i] if scored else None,
                "rmse": rms[i] if scored else None,
            }
        )
    return recs


def write_per_client(result: ScoreResult, path: str | Path) -> None:
    """Write per-client metrics as JSON Lines, or CSV when ``path`` ends in ``.csv``."""
    path = Path(path)
    recs = per_client_records(result)
    if path.suffix.lower() == ".csv":
        import csv

        with jsonio.atomic_writer(path) as fh:
            cols = list(recs[0]) if recs else ["client_id"]
            w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(recs)
    else:
        jsonio.write_jsonl(path, recs)


def _f(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def format_table(report: dict[str, Any]) -> str:
    """The report as a readable text table (what ``tvt score`` prints by default)."""
    ref = report["inputs"]["reference"]
    src = ", ".join(ref["sources"]) or "unlabelled"
    fp = f", fingerprint {ref['fingerprint'][:12]}" if ref.get("fingerprint") else ""
    lines = [
        f"outputs   {report['inputs']['outputs']['path']}"
        + (f"  (model: {', '.join(report['models'])})" if report["models"] else ""),
        f"reference {ref['file']}  (source: {src}{fp})",
        f"clients   {report['n_scored']} scored of {report['n_reference']} in the reference; "
        f"{len(report['missing'])} missing, {len(report['incomplete'])} incomplete, "
        f"{len(report['excluded'])} excluded; Pearson undefined (constant trajectory, scored 0) "
        f"for {report['undefined_pearson']}",
        "",
        f"{'metric':<8} {'mean':>7} {'SD':>7}   {'95% CI':<17}",
    ]
    for key, label, better in (
        ("pearson", "Pearson", "higher is better"),
        ("dtw", "DTW", "lower is better"),
        ("rmse", "RMSE", "lower is better"),
    ):
        st = report[key]
        ci = f"[{_f(st['ci95'][0])}, {_f(st['ci95'][1])}]" if st["ci95"] else "-"
        lines.append(f"{label:<8} {_f(st['mean']):>7} {_f(st['sd']):>7}   {ci:<17} {better}")
    s_ci = report.get("s_abs_ci95")
    s_ci_text = f"[{_f(s_ci[0])}, {_f(s_ci[1])}]" if s_ci else "-"
    lines.append(f"{'S_abs':<8} {_f(report['s_abs']):>7} {'':>7}   {s_ci_text:<17} composite")
    lines.append(
        f"CI: {report['ci']['method']}"
        + (
            f" ({report['ci']['resamples']} resamples, seed {report['ci']['seed']})"
            if report["ci"]["method"] == "percentile bootstrap"
            else f" ({report['ci'].get('reason', '')})"
        )
    )
    lines += ["", f"{'phase':<5} {'n':>7} {'model':>6} {'ref':>6} {'MAE':>6} {'bias':>6}  name"]
    for phase, st in report["per_phase"].items():
        lines.append(
            f"{phase:<5} {st['n']:>7} {_f(st['model_mean'], 2):>6} {_f(st['reference_mean'], 2):>6} "
            f"{_f(st['mae'], 2):>6} {st['bias']:>+6.2f}  {st['name']}"
            if st["bias"] is not None
            else f"{phase:<5} {st['n']:>7} {'-':>6} {'-':>6} {'-':>6} {'-':>6}  {st['name']}"
        )
    if "baseline" in report:
        b = report["baseline"]
        lines += [
            "",
            f"vs baseline {b['path']} (Pearson {_f(b['pearson'])}, DTW {_f(b['dtw'])}, "
            f"RMSE {_f(b['rmse'])}): R_corr {_f(b['r_corr'])}, R_dtw {_f(b['r_dtw'])}, "
            f"R_rmse {_f(b['r_rmse'])}  (> 1 means better than the baseline)",
        ]
    for key, label in (
        ("missing", "missing"),
        ("incomplete", "incomplete"),
        ("excluded", "excluded"),
    ):
        ids = report[key]
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
            lines.append(f"{label} clients: {shown}")
    if report["unreferenced"]:
        lines.append(
            f"{len(report['unreferenced'])} output value(s) have no reference phase and were "
            "not scored (see 'unreferenced' in --json)"
        )
    return "\n".join(lines)
