"""Turn track: outputs, reference and scoring (Pearson and RMSE over turns, per conversation).

Reference (``reference.jsonl`` of a turn split), one line per exposure conversation::

    {"client_id": 7, "phase": "P10", "turns": [1, 3, 5], "intensities": [5.8, 5.9, 6.1],
     "source": "composer"}

Model outputs, either one line per conversation (the same shape) or one line per turn, freely
mixed::

    {"client_id": 7, "phase": "P10", "turns": [1, 3, 5], "intensities": [6, 6, 7]}
    {"client_id": 7, "phase": "P10", "turn": 5, "intensity": 7}

``turn`` is the 0-based index of a turn marked ``"rate": true`` in the inputs. Per conversation,
Pearson and RMSE are computed over the turns present in both; the conversation means and their
95 % CI come from the same machinery as ``tvt score`` (:func:`tvt.metrics.summarise`). A
conversation with fewer than :data:`MIN_TURNS` rated turns is *excluded*, one without any is
*missing*; both are listed, never dropped silently. Pearson of a constant sequence is scored 0
and counted. The composite is ``S_turn = (clip(P, 0, 1) + 1 - clip(R / 9, 0, 1)) / 2``: S_abs
without its DTW term, which a turn sequence of a single conversation does not need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from tvt import __version__, metrics
from tvt.errors import InputError
from tvt.jsonio import iter_jsonl, sha256_file
from tvt.leaderboard.types import SkillEntry
from tvt.metrics import CIMethod, MetricStats, defined
from tvt.phases import EXPOSURE_PHASES, PHASE_INDEX
from tvt.records import OutputsDoc

MIN_TURNS = 3
REPORT_FORMAT = "tvt-turn-score-report"
REPORT_VERSION = "1.0"
_NAN = float("nan")


def s_turn(p: float, r: float) -> float:
    """``(clip(P,0,1) + 1 - clip(R/9,0,1)) / 2``."""
    return (min(max(p, 0.0), 1.0) + 1.0 - min(max(r / 9.0, 0.0), 1.0)) / 2.0


@dataclass
class TurnReference:
    path: Path
    keys: list[tuple[int, str]]
    index: dict[tuple[int, str], int]
    offsets: np.ndarray  # len(keys) + 1
    turns: list[list[int]]
    values: np.ndarray
    positions: dict[int, dict[int, int]] | None = None

    def position(self, k: int, turn: int) -> int | None:
        """Index of ``turn`` among conversation ``k``'s rated turns (None if not rated)."""
        if self.positions is None:
            self.positions = {}
        if k not in self.positions:
            self.positions[k] = {t: i for i, t in enumerate(self.turns[k])}
        return self.positions[k].get(turn)


def _key(obj: Any, path: Path, line: int) -> tuple[int, str]:
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object", path=path, line=line)
    cid = obj.get("client_id")
    if type(cid) is not int or cid < 1:
        raise InputError("must be an integer >= 1", path=path, line=line, field="client_id")
    phase = obj.get("phase")
    if phase not in EXPOSURE_PHASES:
        known = PHASE_INDEX.get(phase) is not None if isinstance(phase, str) else False
        why = "is not an exposure phase of the turn track" if known else "unknown phase"
        raise InputError(
            f"{why} {phase!r} (the turn track has {', '.join(EXPOSURE_PHASES)})",
            path=path,
            line=line,
            field="phase",
        )
    return cid, phase


def _value(v: Any, path: Path, line: int, field: str) -> float:
    if type(v) not in (int, float) or not math.isfinite(v) or not 1 <= v <= 10:
        raise InputError(
            "intensity must be a finite number in [1, 10]", path=path, line=line, field=field
        )
    return float(v)


def _turn_list(obj: dict[str, Any], path: Path, line: int) -> tuple[list[int], list[Any]]:
    turns, values = obj.get("turns"), obj.get("intensities")
    if not isinstance(turns, list) or not all(type(t) is int and t >= 0 for t in turns):
        raise InputError(
            "must be a list of turn indices (integers >= 0)", path=path, line=line, field="turns"
        )
    if not isinstance(values, list) or len(values) != len(turns):
        raise InputError(
            "must be a list with one intensity per entry of 'turns'",
            path=path,
            line=line,
            field="intensities",
        )
    if len(set(turns)) != len(turns):
        raise InputError("a turn index appears twice", path=path, line=line, field="turns")
    return turns, values


def load_turn_reference(path: str | Path) -> TurnReference:
    """Read a turn-track reference.jsonl (a folder holding one is accepted)."""
    path = Path(path)
    if path.is_dir():
        path = path / "reference.jsonl"
    rows: dict[tuple[int, str], tuple[list[int], list[float]]] = {}
    for line, obj in iter_jsonl(path):
        key = _key(obj, path, line)
        if key in rows:
            raise InputError(f"client {key[0]} phase {key[1]} appears twice", path=path, line=line)
        turns, values = _turn_list(obj, path, line)
        rows[key] = (turns, [_value(v, path, line, "intensities") for v in values])
    keys = sorted(rows, key=lambda k: (k[0], PHASE_INDEX[k[1]]))
    lengths = np.array([len(rows[k][0]) for k in keys], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.fromiter(
        (v for k in keys for v in rows[k][1]), dtype=np.float64, count=int(offsets[-1])
    )
    return TurnReference(
        path, keys, {k: i for i, k in enumerate(keys)}, offsets, [rows[k][0] for k in keys], flat
    )


def is_turn_reference(path: str | Path) -> bool:
    """True when the first record of a reference file has the turn-track shape."""
    path = Path(path)
    if path.is_dir():
        path = path / "reference.jsonl"
    try:
        for _, obj in iter_jsonl(path):
            return isinstance(obj, dict) and "intensities" in obj and "turns" in obj
    except InputError:
        return False
    return False


def load_turn_outputs(path: str | Path, ref: TurnReference) -> tuple[np.ndarray, list[str], int]:
    """Model values aligned with ``ref.values`` (NaN where absent), model labels, record count."""
    path = Path(path)
    model = [_NAN] * int(ref.offsets[-1])
    set_line: dict[int, int] = {}
    labels: set[str] = set()
    records = 0
    for line, obj in iter_jsonl(path):
        records += 1
        key = _key(obj, path, line)
        k = ref.index.get(key)
        if k is None:
            raise InputError(
                f"unknown conversation: the reference {ref.path} has no client {key[0]} phase "
                f"{key[1]}",
                path=path,
                line=line,
                field="client_id",
            )
        label = obj.get("model")
        if isinstance(label, str):
            labels.add(label)
        off = int(ref.offsets[k])
        if "turn" in obj:
            turn = obj["turn"]
            if type(turn) is not int or turn < 0:
                raise InputError("must be an integer >= 0", path=path, line=line, field="turn")
            pairs = [(turn, _value(obj.get("intensity"), path, line, "intensity"))]
        elif "turns" in obj:
            turns, values = _turn_list(obj, path, line)
            vals = [_value(v, path, line, "intensities") for v in values]
            if turns == ref.turns[k]:  # the common case: every marked turn, in order
                for i, v in enumerate(vals):
                    _put(model, set_line, off + i, v, path, line, key, turns[i])
                continue
            pairs = list(zip(turns, vals, strict=True))
        else:
            raise InputError(
                "needs 'turn' and 'intensity', or 'turns' and 'intensities'", path=path, line=line
            )
        for turn, v in pairs:
            pos = ref.position(k, turn)
            if pos is None:
                raise InputError(
                    f"turn {turn} of client {key[0]} phase {key[1]} is not a rated turn",
                    path=path,
                    line=line,
                    field="turn",
                )
            _put(model, set_line, off + pos, v, path, line, key, turn)
    return np.asarray(model, dtype=np.float64), sorted(labels), records


def _put(
    model: list[float],
    set_line: dict[int, int],
    i: int,
    v: float,
    path: Path,
    line: int,
    key: tuple[int, str],
    turn: int,
) -> None:
    old = model[i]
    if old == old and old != v:  # already set (not NaN) to another value
        raise InputError(
            f"client {key[0]} phase {key[1]} turn {turn} has two different intensities (first "
            f"on line {set_line[i]})",
            path=path,
            line=line,
        )
    if old != old:
        set_line[i] = line
    model[i] = v


def per_conversation(
    model: np.ndarray, ref: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(n_present, pearson, rmse, pearson_undefined)`` per conversation, vectorised.

    Pearson and RMSE use only the turns present in both; NaN where fewer than two are present.
    """
    n_conv = offsets.size - 1
    conv = np.repeat(np.arange(n_conv), np.diff(offsets))
    ok = ~np.isnan(model) & ~np.isnan(ref)
    c, m, r = conv[ok], model[ok], ref[ok]
    n = np.bincount(c, minlength=n_conv).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_m = np.bincount(c, m, n_conv) / n
        mean_r = np.bincount(c, r, n_conv) / n
        dm = m - mean_m[c]
        dr = r - mean_r[c]
        smm = np.bincount(c, dm * dm, n_conv)
        srr = np.bincount(c, dr * dr, n_conv)
        smr = np.bincount(c, dm * dr, n_conv)
        d = m - r
        rmse = np.sqrt(np.bincount(c, d * d, n_conv) / n)
        tol = 1e-12
        undefined = (smm <= tol * np.maximum(1.0, n)) | (srr <= tol * np.maximum(1.0, n))
        pearson = np.where(undefined, 0.0, smr / np.sqrt(smm * srr))
    pearson = np.clip(pearson, -1.0, 1.0)
    few = n < 2
    pearson[few] = np.nan
    rmse[few] = np.nan
    return n.astype(np.int64), pearson, rmse, undefined & ~few


class TurnPhaseDoc(TypedDict):
    n: int
    pearson: float | None
    rmse: float | None


class FileDoc(TypedDict):
    path: str
    sha256: str


class TurnInputsDoc(TypedDict):
    outputs: OutputsDoc
    reference: FileDoc


class _TurnReportDocBase(TypedDict):
    format: str
    format_version: str
    tvt_version: str
    track: str  # "turn"
    pearson: MetricStats
    rmse: MetricStats
    s_abs: float
    s_abs_ci95: list[float] | None
    s_abs_definition: str
    n_scored: int
    n_reference: int
    turns_scored: int
    turns_reference: int
    missing: list[list[int | str]]  # [client_id, phase] of each conversation
    incomplete: list[list[int | str]]
    excluded: list[list[int | str]]
    undefined_pearson: int
    per_phase: dict[str, TurnPhaseDoc]
    ci: CIMethod
    models: list[str]
    inputs: TurnInputsDoc


class TurnReportDoc(_TurnReportDocBase, total=False):
    """The JSON report of turn-track outputs (``tvt score`` against a turn reference)."""

    skill: SkillEntry  # a published benchmark split: tvt.bench.prior's reading-skill block


def score_turns(
    outputs: str | Path,
    reference: str | Path,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
) -> TurnReportDoc:
    """Score turn-track outputs against a turn reference; the JSON report (a plain dict)."""
    ref = load_turn_reference(reference)
    out_path = Path(outputs)
    model, labels, records = load_turn_outputs(out_path, ref)
    n, pearson, rmse, undefined = per_conversation(model, ref.values, ref.offsets)
    total = np.diff(ref.offsets)
    missing = n == 0
    scored = n >= np.minimum(MIN_TURNS, np.maximum(total, 2))
    scored &= ~missing
    excluded = ~missing & ~scored
    incomplete = ~missing & (n < total)

    def keys(mask: np.ndarray) -> list[list[int | str]]:
        return [[ref.keys[i][0], ref.keys[i][1]] for i in np.flatnonzero(mask)]

    if require_complete and (missing.any() or incomplete.any()):
        raise InputError(
            f"--require-complete: {int(missing.sum())} conversation(s) missing and "
            f"{int(incomplete.sum())} incomplete",
            path=out_path,
        )
    if not scored.any():
        raise InputError(
            f"no conversation could be scored: none has at least {MIN_TURNS} rated turns",
            path=out_path,
        )
    stats, ci_method, draws = metrics.summarise(
        {"pearson": pearson[scored], "rmse": rmse[scored]}, seed=bootstrap_seed
    )
    s = s_turn(defined(stats["pearson"]["mean"]), defined(stats["rmse"]["mean"]))
    s_ci = None
    if draws is not None:
        lo, hi = np.percentile([s_turn(p, r) for p, r in draws.tolist()], [2.5, 97.5])
        s_ci = [float(lo), float(hi)]
    phases = np.array([PHASE_INDEX[k[1]] for k in ref.keys])
    per_phase: dict[str, TurnPhaseDoc] = {}
    for phase in EXPOSURE_PHASES:
        sel = scored & (phases == PHASE_INDEX[phase])
        per_phase[phase] = {
            "n": int(sel.sum()),
            "pearson": float(pearson[sel].mean()) if sel.any() else None,
            "rmse": float(rmse[sel].mean()) if sel.any() else None,
        }
    return {
        "format": REPORT_FORMAT,
        "format_version": REPORT_VERSION,
        "tvt_version": __version__,
        "track": "turn",
        "pearson": stats["pearson"],
        "rmse": stats["rmse"],
        "s_abs": s,
        "s_abs_ci95": s_ci,
        "s_abs_definition": "(clip(P,0,1) + 1 - clip(RMSE/9,0,1)) / 2 over conversations",
        "n_scored": int(scored.sum()),
        "n_reference": len(ref.keys),
        "turns_scored": int(n[scored].sum()),
        "turns_reference": int(total.sum()),
        "missing": keys(missing),
        "incomplete": keys(incomplete & scored),
        "excluded": keys(excluded),
        "undefined_pearson": int((undefined & scored).sum()),
        "per_phase": per_phase,
        "ci": ci_method,
        "models": labels,
        "inputs": {
            "outputs": {"path": str(out_path), "sha256": sha256_file(out_path), "records": records},
            "reference": {"path": str(ref.path), "sha256": sha256_file(ref.path)},
        },
    }


def format_turn_table(report: TurnReportDoc) -> str:
    """A short text summary of a turn-track report."""

    def f(stat: MetricStats) -> str:
        ci = stat.get("ci95")
        ci_txt = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        return f"{stat['mean']:.3f} ± {stat['sd'] or 0:.3f}{ci_txt}"

    s_ci = report.get("s_abs_ci95")
    lines = [
        f"turn track: {report['n_scored']}/{report['n_reference']} conversations scored "
        f"({report['turns_scored']} turns)",
        f"  Pearson  {f(report['pearson'])}",
        f"  RMSE     {f(report['rmse'])}",
        f"  S_turn   {report['s_abs']:.3f}" + (f" [{s_ci[0]:.3f}, {s_ci[1]:.3f}]" if s_ci else ""),
    ]
    for key in ("missing", "excluded"):
        if report[key]:
            lines.append(f"  {key}: {len(report[key])} conversation(s)")
    if report["undefined_pearson"]:
        lines.append(f"  constant ratings (Pearson scored 0): {report['undefined_pearson']}")
    return "\n".join(lines)
