"""Validity of the lexical rater on a dataset: how well it recovers what the dataset planned.

For each signal subset the `tvt score` metrics of its trajectories against the dataset's
reference and its mean rating per phase; the turn-level correlation of the language score with
the planned per-turn intensity and with the SUDS stated in the turn; and how often reading SUDS
from the words alone (tvt.suds_text) reproduces the `suds` field. docs/benchmark.md reports the
figures for `tvt generate --seed 42`.

    python benchmark/lexical_validity.py tvt-data
    python benchmark/lexical_validity.py tvt-data --json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from tvt.dataset import resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import write_jsonl
from tvt.phases import BENCHMARK_ORDER
from tvt.raters.lexical import (
    SIGNALS,
    SudsReading,
    client_turn_scores,
    combine,
    rater_label,
    rounded,
    stated_suds,
    weighted_language,
)
from tvt.records import read_conversations
from tvt.scoring import score_files
from tvt.tables import text_table

#: Signal subsets whose agreement with the plan :func:`validity` reports.
VALIDITY_SETS: tuple[tuple[str, ...], ...] = (
    SIGNALS,
    ("suds-field",),
    ("suds-text",),
    ("language",),
    ("suds-text", "language"),
)


def _corr(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"n": n, "pearson": None, "spearman": None}
    return {
        "n": n,
        "pearson": float(np.corrcoef(x, y)[0, 1]),
        "spearman": float(spearmanr(x, y).statistic),
    }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validity(dataset_dir: str | Path, *, bootstrap_seed: int = 0) -> dict[str, Any]:
    """How well the lexical rater recovers what a dataset planned (or, without a plan, its shape).

    * phase level, for each signal subset of :data:`VALIDITY_SETS`: the ``tvt score`` metrics of
      its trajectories against the dataset's ``reference.jsonl`` and its mean rating per phase;
    * turn level: correlation of each client turn's language score with the turn's planned
      ``intensity`` and, on turns that state one, with the SUDS;
    * the SUDS text reader against the ``suds`` field: how often reading the words alone gives
      the same values.
    """
    folder = Path(dataset_dir)
    per_conv: list[tuple[int, str, float | None, SudsReading, SudsReading]] = []
    turn_plan: tuple[list[float], list[float]] = ([], [])
    turn_suds: tuple[list[float], list[float]] = ([], [])
    text_same = text_total = 0
    text_diffs: list[float] = []
    for _, rec in read_conversations(resolve_dataset(folder), required=True):
        turns = rec["turns"]
        scores = client_turn_scores(turns)
        language = weighted_language(scores)
        field = stated_suds(turns, use_text=False)
        text = stated_suds(turns, use_field=False)
        per_conv.append((rec["client_id"], rec["phase"], language, field, text))
        for i, sc, _ in scores:
            if _number(planned := turns[i].get("intensity")):
                turn_plan[0].append(sc)
                turn_plan[1].append(float(planned))
            if _number(suds := turns[i].get("suds")):
                turn_suds[0].append(sc)
                turn_suds[1].append(float(suds))
        if field.mean is not None:
            text_total += 1
            text_same += text.values == field.values
            if text.mean is not None:
                text_diffs.append(abs(text.mean - field.mean))
    if not per_conv:
        raise InputError("dataset has no conversations", path=folder / "conversations.jsonl")

    has_reference = (folder / "reference.jsonl").exists()
    phase_level = []
    with tempfile.TemporaryDirectory(prefix="tvt-lexical-validity-") as tmp:
        for signals in VALIDITY_SETS:
            traj: dict[int, dict[str, float]] = {}
            for cid, phase, language, field, text in per_conv:
                suds = field.mean if "suds-field" in signals else None
                if suds is None and "suds-text" in signals:
                    suds = text.mean
                value = rounded(combine(suds, language if "language" in signals else None))
                if value is not None:
                    traj.setdefault(cid, {})[phase] = value
            means = {p: _mean([t[p] for t in traj.values() if p in t]) for p in BENCHMARK_ORDER}
            row: dict[str, Any] = {
                "signals": rater_label(signals),
                "rated": sum(len(t) for t in traj.values()),
                "phase_means": means,
            }
            if has_reference and traj:
                out = Path(tmp) / "outputs.jsonl"
                write_jsonl(
                    out, [{"client_id": c, "trajectory": t} for c, t in sorted(traj.items())]
                )
                try:
                    rep = score_files(out, folder, bootstrap_seed=bootstrap_seed)
                except InputError as exc:
                    row["score_error"] = str(exc)
                else:
                    row.update(
                        {k: rep[k]["mean"] for k in ("pearson", "dtw", "rmse")}
                        | {
                            "s_abs": rep["s_abs"],
                            "n_scored": rep["n_scored"],
                            "undefined_pearson": rep["undefined_pearson"],
                            "reference_means": {
                                p: v["reference_mean"] for p, v in rep["per_phase"].items()
                            },
                        }
                    )
            phase_level.append(row)
    return {
        "dataset": str(folder),
        "conversations": len(per_conv),
        "phase_level": phase_level,
        "turn_level": {
            "language_vs_planned_intensity": _corr(*turn_plan),
            "language_vs_stated_suds": _corr(*turn_suds),
        },
        "suds_text_reader": {
            "conversations_with_suds_field": text_total,
            "same_values_from_text": text_same,
            "mean_abs_difference_of_means": _mean(text_diffs),
        },
    }


def format_validity(v: dict[str, Any]) -> str:
    """A readable table of :func:`validity`."""

    def f(x: Any, d: int = 3) -> str:
        return "-" if x is None else f"{x:.{d}f}"

    header = ["signals", "Pearson", "DTW", "RMSE", "S_abs", *BENCHMARK_ORDER]
    rows = []
    ref_means = None
    for row in v["phase_level"]:
        ref_means = row.get("reference_means") or ref_means
        rows.append(
            [
                row["signals"],
                f(row.get("pearson")),
                f(row.get("dtw"), 2),
                f(row.get("rmse"), 2),
                f(row.get("s_abs")),
                *(f(row["phase_means"][p], 2) for p in BENCHMARK_ORDER),
            ]
        )
    if ref_means:
        rows.append(
            [
                "reference (phase means)",
                "",
                "",
                "",
                "",
                *(f(ref_means[p], 2) for p in BENCHMARK_ORDER),
            ]
        )
    lines = [f"dataset {v['dataset']}: {v['conversations']} conversations", ""]
    lines += [text_table(header, rows), ""]
    t = v["turn_level"]
    for key, label in (
        ("language_vs_planned_intensity", "client-turn language score vs planned turn intensity"),
        ("language_vs_stated_suds", "client-turn language score vs SUDS stated in the turn"),
    ):
        c = t[key]
        lines.append(
            f"{label}: Pearson {f(c['pearson'])}, Spearman {f(c['spearman'])} (n = {c['n']})"
        )
    s = v["suds_text_reader"]
    lines.append(
        f"SUDS read from text alone equals the suds field in {s['same_values_from_text']} of "
        f"{s['conversations_with_suds_field']} conversations (mean |difference| of conversation "
        f"means {f(s['mean_abs_difference_of_means'], 2)} SUDS points)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python benchmark/lexical_validity.py",
        description="Validity of the lexical rater on a dataset (agreement with its plan).",
    )
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    try:
        v = validity(args.dataset)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(v, indent=2) if args.json else format_validity(v))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
