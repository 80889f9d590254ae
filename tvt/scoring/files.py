"""Scoring files on disk: read outputs and reference, name and hash them, compare to a baseline.

This is what ``tvt score`` runs and what the leaderboard recomputes on submission; the scoring
itself is :func:`tvt.scoring.core.score_trajectories`.
"""

from __future__ import annotations

from pathlib import Path

from tvt import jsonio
from tvt.errors import InputError
from tvt.jsonio import read_json, sha256_file
from tvt.records import ScoreReportDoc
from tvt.scoring.core import ScoreResult, score_trajectories
from tvt.scoring.reader import (
    DEFAULT_REFERENCE,
    Trajectories,
    load_hashed,
    resolve_reference,
)
from tvt.scoring.report import Baseline, Inputs, OutputsInput, ReferenceInput


def reference_fingerprint(ref_file: Path, sha256: str) -> str | None:
    """The dataset fingerprint of the manifest beside ``ref_file``, if it vouches for this file.

    A reference without a readable manifest beside it (a bare file, a hand-made folder) simply
    has no fingerprint; that is not an error.
    """
    manifest_path = ref_file.parent / "manifest.json"
    if not manifest_path.exists():
        return None
    try:
        manifest = read_json(manifest_path)
    except InputError:
        return None  # an unreadable manifest vouches for nothing
    files = manifest.get("files") if isinstance(manifest, dict) else None
    entry = files.get(ref_file.name) if isinstance(files, dict) else None
    recorded = entry.get("sha256") if isinstance(entry, dict) else None
    # A reference edited after generation no longer belongs to the fingerprinted dataset.
    fingerprint = manifest.get("fingerprint") if recorded == sha256 else None
    return fingerprint if isinstance(fingerprint, str) else None


def load_baseline(path: str | Path) -> Baseline:
    """Read a report written by ``tvt score --out`` and return its mean Pearson, DTW, RMSE."""
    path = Path(path)
    data = read_json(path)
    means: dict[str, float] = {}
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
    return Baseline(path=str(path), sha256=sha256_file(path), **means)


def _load_and_hash(out_path: Path, ref_file: Path) -> tuple[Trajectories, Trajectories, str, str]:
    """Parse and hash both files: outputs, reference, and their SHA-256.

    Each file is hashed as it is read, from the blocks the reader holds anyway, so no byte is
    read twice. The outputs come first: when both files are bad, the outputs' error is raised.
    One process and one thread: on a million clients the reader is about as fast as decoding the
    lines with ``orjson`` (``benchmark/perf/score.py``), and a second process parsing the
    reference (which this function used before) cost more CPU in starting, copying and sending
    back the arrays than it saved in wall time, all the more on a busy machine.
    """
    out, out_sha = load_hashed(out_path, "outputs")
    ref, ref_sha = load_hashed(ref_file, "reference")
    return out, ref, out_sha, ref_sha


def score(
    outputs: str | Path,
    reference: str | Path = DEFAULT_REFERENCE,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: str | Path | None = None,
) -> ScoreResult:
    """Load, validate, align and score two files; returns the report and the per-client arrays.

    Raises ``InputError`` for bad input: any rule of the outputs and reference formats (see
    docs/benchmark.md), an output for a client the reference does not know, no client with at
    least :data:`~tvt.scoring.core.MIN_PHASES` scorable phases, or (with ``require_complete``) any
    missing or incomplete client.
    """
    out_path = Path(outputs)
    ref_file = resolve_reference(reference)
    base = load_baseline(baseline) if baseline is not None else None
    out, ref, out_sha, ref_sha = _load_and_hash(out_path, ref_file)
    inputs = Inputs(
        outputs=OutputsInput(path=str(outputs), sha256=out_sha, records=out.records),
        reference=ReferenceInput(
            path=str(reference),
            file=str(ref_file),
            sha256=ref_sha,
            fingerprint=reference_fingerprint(ref_file, ref_sha),
            sources=tuple(ref.labels),
            records=ref.records,
        ),
    )
    return score_trajectories(
        out,
        ref,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        baseline=base,
        inputs=inputs,
    )


def score_files(
    outputs: str | Path,
    reference: str | Path = DEFAULT_REFERENCE,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: str | Path | None = None,
) -> ScoreReportDoc:
    """Score a model-output file against a reference and return the JSON report.

    This is what ``tvt score --json`` prints. Raises ``InputError`` for bad input (see
    :func:`score`).
    """
    return score(
        outputs,
        reference,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        baseline=baseline,
    ).report.to_dict()
