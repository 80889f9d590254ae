"""Verifying a submission: nothing in it is trusted.

The outputs go through every rule of ``tvt score`` and every metric is recomputed against the
reference (the shipped tvt-bench-v1 one unless another is given); claimed numbers must match the
recomputed ones, and the outputs must cover enough of the reference. The result is a ``verified``
entry, which :mod:`tvt.leaderboard.store` records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import Any, cast

import numpy as np

from tvt import __version__
from tvt.benchmark import (
    DEFAULT_BENCHMARK,
    KnownSplit,
    benchmark_reference,
    known_split,
    load_benchmark,
)
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import sha256_file
from tvt.leaderboard.entry import (
    ENTRY_FORMAT,
    ENTRY_VERSION,
    mean_trajectories,
    metrics_from_report,
    slugify,
    validate_entry,
    validate_meta,
)
from tvt.leaderboard.store import record_entry
from tvt.leaderboard.types import EntryMetrics, LeaderboardEntry, SubmissionMeta
from tvt.scoring import ScoreResult, score

#: A submission must score at least this share of the reference clients. The paper's own
#: Llama 3 rows (489 of 500 = 97.8 %) pass; a model that skipped one client in twenty does not.
MIN_COVERAGE = 0.95
#: A claimed metric may differ from the recomputed one by at most this much.
CLAIM_TOLERANCE = 1e-6
#: Outputs of a 500-client benchmark are well under 1 MB; anything this big is refused before
#: reading a byte of it.
MAX_OUTPUTS_BYTES = 256 * 1024**2


def _reference_file(reference: str | Path | None) -> tuple[Path, str | None]:
    """Resolve ``--reference`` to a reference.jsonl; also return the benchmark it belongs to."""
    if reference is None:
        bench = load_benchmark(DEFAULT_BENCHMARK)
        path = benchmark_reference(DEFAULT_BENCHMARK)
        if not path.is_file():
            raise WorkFailed(f"this installation lacks the {DEFAULT_BENCHMARK} reference ({path})")
        return path, bench["name"]
    path = Path(reference)
    if path.is_dir():
        path = path / "reference.jsonl"
    if not path.is_file():
        raise InputError(
            "reference not found (give a dataset folder or a reference.jsonl)", path=path
        )
    return path, None


def benchmark_of_reference(
    ref_path: Path, bench_name: str | None, *, custom: bool = False
) -> tuple[str, KnownSplit]:
    """The reference's sha256 and which published split it is: benchmark, track, split.

    A reference that is no published split is refused unless ``custom`` (then the benchmark is
    ``custom:<sha>`` and the entry is never ranked): a self-made reference can make any outputs
    look perfect.
    """
    ref_sha = sha256_file(ref_path)
    if bench_name is not None:
        recorded = load_benchmark(bench_name)["files"]["reference.jsonl"]
        if ref_sha != recorded:
            raise WorkFailed(
                f"the shipped {bench_name} reference does not match its recorded sha256; "
                "the installation is damaged"
            )
    found = known_split(ref_sha)
    if found is not None:
        return ref_sha, found
    if not custom:
        raise InputError(
            "this reference is no published benchmark split (tvt-bench-v1, or a tvt-bench-v2 "
            "track's dev reference); pass --custom to score against it anyway (custom entries "
            "are listed apart and never ranked)",
            path=ref_path,
        )
    return ref_sha, {"benchmark": f"custom:{ref_sha[:12]}", "track": None, "split": None}


#: Outputs this close to a public answer key (RMSE over clients) are flagged on the page.
NEAR_REFERENCE_RMSE = 0.5


def check_outputs_file(path: Path) -> None:
    """Refuse a missing, non-regular or oversized outputs file before reading it."""
    if not path.exists():
        raise InputError("outputs file not found", path=path)
    if not path.is_file():
        raise InputError("expected an outputs file (JSON Lines), found something else", path=path)
    size = path.stat().st_size
    if size > MAX_OUTPUTS_BYTES:
        raise InputError(
            f"outputs file is {size / 1024**3:.1f} GB; a submission may be at most "
            f"{MAX_OUTPUTS_BYTES // 1024**2} MB (the outputs of a 500-client benchmark are under 1 MB)",
            path=path,
        )


def check_claims(meta: SubmissionMeta, metrics: EntryMetrics, meta_path: Path) -> None:
    """Reject a META whose ``claimed`` numbers differ from the recomputed ones."""
    recomputed: Mapping[str, Any] = metrics  # looked up by the claimed keys
    claims: Mapping[str, Any] = meta.get("claimed", {})
    for key, claimed in sorted(claims.items()):
        actual = recomputed[key] if key in ("s_abs", "n_scored") else recomputed[key]["mean"]
        if key == "n_scored":
            ok = claimed == actual
        else:
            ok = abs(float(claimed) - float(actual)) <= CLAIM_TOLERANCE
        if not ok:
            raise InputError(
                f"claimed {key} {claimed!r} differs from the recomputed {actual!r} "
                f"(tolerance {CLAIM_TOLERANCE:g})",
                path=meta_path,
                field=f"claimed.{key}",
            )


def coverage(result: ScoreResult) -> float:
    """Share of the reference's (client, phase) ratings that were rated and scored.

    Counting ratings rather than clients means a submission cannot skip the hard phases of every
    client and still pass: an incomplete client counts for the phases it has.
    """
    ref_present = ~np.isnan(result.reference)
    rated = ref_present & ~np.isnan(result.model) & result.scored[:, np.newaxis]
    total = int(ref_present.sum())
    return float(rated.sum()) / total if total else 0.0


def build_entry(
    outputs: str | Path,
    meta_path: str | Path,
    *,
    reference: str | Path | None = None,
    date: str | None = None,
    bootstrap_seed: int = 0,
    custom: bool = False,
) -> LeaderboardEntry:
    """Verify and score a submission; return its ``verified`` (or ``custom``) entry.

    Nothing is written. The entry records the benchmark, track and split of the reference.

    Raises ``InputError`` (exit 2) for an invalid META, outputs that break a rule of
    ``tvt score``, too low coverage, or a claimed metric that does not match.
    """
    outputs = Path(outputs)
    meta_path = Path(meta_path)
    check_outputs_file(outputs)
    meta = validate_meta(meta_path)
    ref_path, bench_name = _reference_file(reference)
    ref_sha, where = benchmark_of_reference(ref_path, bench_name, custom=custom)

    # The full scoring path of `tvt score` (every input rule), keeping the per-client arrays.
    result = score(outputs, ref_path, require_complete=False, bootstrap_seed=bootstrap_seed)
    # A copy of a public answer key measures nothing (tvt-bench-v2): refused, exit 2.
    from tvt.leaderboard.tiers import refuse_reference_copy

    refuse_reference_copy(result.model, result.reference, outputs)
    report = result.report
    metrics = metrics_from_report(report)
    share = coverage(result)
    if share < MIN_COVERAGE:
        raise InputError(
            f"the outputs cover {share:.1%} of the reference ratings "
            f"({metrics['n_scored']} of {metrics['n_reference']} clients scored); "
            f"a submission must cover at least {MIN_COVERAGE:.0%}",
            path=outputs,
        )
    check_claims(meta, metrics, meta_path)

    assert report.inputs is not None  # scored from files
    outputs_sha = report.inputs.outputs.sha256
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
        "track": where["track"],
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
        "trajectory": mean_trajectories(report),
    }
    validate_entry(entry)
    return cast(LeaderboardEntry, entry)  # the schema holds


@dataclass(frozen=True)
class Submission:
    """An accepted submission: the entry and where it was written."""

    entry: LeaderboardEntry
    entry_path: Path
    outputs_path: Path


def submit(
    outputs: str | Path,
    meta_path: str | Path,
    *,
    leaderboard: str | Path,
    reference: str | Path | None = None,
    date: str | None = None,
    bootstrap_seed: int = 0,
    custom: bool = False,
) -> Submission:
    """Verify, score and record a submission (``tvt submit``)."""
    entry = build_entry(
        outputs,
        meta_path,
        reference=reference,
        date=date,
        bootstrap_seed=bootstrap_seed,
        custom=custom,
    )
    entry_path, out_copy = record_entry(leaderboard, entry, outputs)
    if out_copy is None:  # record_entry copies the outputs whenever it is given them
        raise WorkFailed(f"the outputs of {entry_path.name} were not copied")
    return Submission(entry, entry_path, out_copy)
