"""``tvt submit`` for every track: conversation tracks through :mod:`tvt.leaderboard.verify`, the
turn track (whose outputs and reference are per turn) here, with the same rules: every input rule
of the scorer, a published split unless ``--custom``, coverage, claims, no copy of the key."""

from __future__ import annotations

from datetime import date as _date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tvt import __version__
from tvt.errors import InputError, WorkFailed
from tvt.leaderboard.types import (
    Claimed,
    EntryMetrics,
    LeaderboardEntry,
    MetricEntry,
    SubmissionMeta,
)
from tvt.metrics import MetricStats, defined

if TYPE_CHECKING:
    from tvt.bench.turns import TurnReportDoc
from tvt.leaderboard.entry import (
    ENTRY_FORMAT,
    ENTRY_VERSION,
    slugify,
    validate_entry,
    validate_meta,
)
from tvt.leaderboard.verify import (
    MIN_COVERAGE,
    NEAR_REFERENCE_RMSE,
    Submission,
    benchmark_of_reference,
    check_claims,
    check_outputs_file,
)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else int(value or 0)


def turn_metrics(report: TurnReportDoc) -> EntryMetrics:
    """The entry's ``metrics`` block from a turn-track report (no DTW on this track)."""

    def metric(stats: MetricStats) -> MetricEntry:
        return {"mean": defined(stats["mean"]), "sd": stats.get("sd"), "ci95": stats.get("ci95")}

    return {
        "pearson": metric(report["pearson"]),
        "rmse": metric(report["rmse"]),
        "s_abs": float(report["s_abs"]),
        "s_abs_ci95": report.get("s_abs_ci95"),
        "n_scored": int(report["n_scored"]),
        "n_reference": int(report["n_reference"]),
        "missing": _count(report.get("missing")),
        "incomplete": _count(report.get("incomplete")),
        "undefined_pearson": _count(report.get("undefined_pearson")),
        "unit": "conversation",
        "turns_scored": int(report["turns_scored"]),
    }


def build_turn_entry(
    outputs: Path,
    meta_path: Path,
    reference: Path,
    *,
    date: str | None = None,
    bootstrap_seed: int = 0,
    custom: bool = False,
) -> LeaderboardEntry:
    """Verify and score turn-track outputs; the entry (nothing written)."""
    from tvt.bench.turns import score_turns

    check_outputs_file(outputs)
    meta = validate_meta(meta_path)
    ref_sha, where = benchmark_of_reference(reference, None, custom=custom)
    report = score_turns(outputs, reference, bootstrap_seed=bootstrap_seed)
    if report["rmse"]["mean"] == 0.0 and report["n_scored"] == report["n_reference"]:
        raise InputError(
            "these outputs are identical to the public reference (the answer key), so they "
            "measure nothing; rate the inputs with your model instead",
            path=outputs,
        )
    share = report["turns_scored"] / max(1, report["turns_reference"])
    metrics = turn_metrics(report)
    if share < MIN_COVERAGE:
        raise InputError(
            f"the outputs cover {share:.1%} of the reference's rated turns; a submission must "
            f"cover at least {MIN_COVERAGE:.0%}",
            path=outputs,
        )
    # DTW has no value on the turn track: a claimed one is not checked
    checked: SubmissionMeta = {**meta}
    if "claimed" in meta:
        claimed: Claimed = {**meta["claimed"]}
        claimed.pop("dtw", None)
        checked["claimed"] = claimed
    check_claims(checked, metrics, meta_path)
    outputs_sha = report["inputs"]["outputs"]["sha256"]
    stem = f"{slugify(meta['model'])}-{outputs_sha[:8]}"
    entry: dict[str, object] = {  # in the order entries are written: url after organization
        "entry_format": ENTRY_FORMAT,
        "entry_version": ENTRY_VERSION,
        "status": "verified" if where["split"] is not None else "custom",
        "model": meta["model"],
        "organization": meta["organization"],
        **({"url": meta["url"]} if "url" in meta else {}),
        "description": meta["description"],
        "rater_prompt_version": meta["rater_prompt_version"],
        "trained_on_tvt": meta.get("trained_on_tvt"),
        "date": date or _date.today().isoformat(),
        "benchmark": where["benchmark"],
        "track": where["track"] or "turn",
        "split": where["split"],
        "metrics": metrics,
        "verification": {
            "outputs_sha256": outputs_sha,
            "reference_sha256": ref_sha,
            "coverage": round(share, 6),
            "tvt_version": __version__,
            "outputs_file": f"outputs/{stem}.jsonl",
            "near_reference": bool(metrics["rmse"]["mean"] < NEAR_REFERENCE_RMSE),
        },
    }
    validate_entry(entry)
    return cast(LeaderboardEntry, entry)  # the schema holds


def submit_any(
    outputs: str | Path,
    meta_path: str | Path,
    *,
    leaderboard: str | Path,
    reference: str | Path | None = None,
    date: str | None = None,
    bootstrap_seed: int = 0,
    custom: bool = False,
) -> Submission:
    """``tvt submit``: the reference's shape picks the track's rules; an entry on a published
    track split also gets its reading skill against the track's prior (what the board ranks by)."""
    from tvt.bench.prior import skill_for_files
    from tvt.bench.turns import is_turn_reference
    from tvt.benchmark import DEFAULT_BENCHMARK, benchmark_reference
    from tvt.leaderboard.store import record_entry
    from tvt.leaderboard.verify import build_entry

    ref = Path(reference) if reference is not None else benchmark_reference(DEFAULT_BENCHMARK)
    if ref.is_dir():
        ref = ref / "reference.jsonl"
    if ref.is_file() and is_turn_reference(ref):
        entry = build_turn_entry(
            Path(outputs),
            Path(meta_path),
            ref,
            date=date,
            bootstrap_seed=bootstrap_seed,
            custom=custom,
        )
    else:
        entry = build_entry(
            outputs,
            meta_path,
            reference=reference,
            date=date,
            bootstrap_seed=bootstrap_seed,
            custom=custom,
        )
    if entry.get("track") is not None and entry["status"] == "verified":
        skill = skill_for_files(outputs, ref)
        entry["metrics"]["skill"] = skill  # validated just below
        validate_entry(entry)
    entry_path, out_copy = record_entry(leaderboard, entry, outputs)
    if out_copy is None:
        raise WorkFailed(f"the outputs of {entry_path.name} were not copied")
    return Submission(entry, entry_path, out_copy)
