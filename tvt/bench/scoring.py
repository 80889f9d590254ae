"""Score outputs of any track: conversation tracks through ``tvt score``'s scorer, the turn track
through :mod:`tvt.bench.turns`. Records held in memory are written to a temporary folder first,
so both paths read exactly what a submitted file would contain."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tvt.jsonio import write_jsonl

if TYPE_CHECKING:
    from tvt.bench.turns import TurnReportDoc
    from tvt.records import ScoreReportDoc


def score_any(
    outputs: str | Path,
    reference: str | Path,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
) -> ScoreReportDoc | TurnReportDoc:
    """The report of ``outputs`` against ``reference``; the reference's shape picks the scorer."""
    from tvt.bench.turns import is_turn_reference, score_turns

    if is_turn_reference(reference):
        return score_turns(
            outputs, reference, require_complete=require_complete, bootstrap_seed=bootstrap_seed
        )
    from tvt.scoring import score_files

    return score_files(
        outputs, reference, require_complete=require_complete, bootstrap_seed=bootstrap_seed
    )


def score_records(
    outputs: Iterable[Mapping[str, object]],  # written out as they are, then scored
    reference: Iterable[Mapping[str, object]],
    *,
    bootstrap_seed: int = 0,
) -> dict[str, Any]:
    """Score in-memory outputs against in-memory reference records."""
    with tempfile.TemporaryDirectory(prefix="tvt-bench-") as tmp:
        out_path = Path(tmp) / "outputs.jsonl"
        ref_path = Path(tmp) / "reference.jsonl"
        write_jsonl(out_path, outputs)
        write_jsonl(ref_path, reference)
        # the report as plain JSON: the temporary paths go, and the sealed entry keeps some keys
        report = cast(dict[str, Any], score_any(out_path, ref_path, bootstrap_seed=bootstrap_seed))
    for side in report.get("inputs", {}).values():
        side.pop("path", None)  # temporary paths mean nothing to a reader
        side.pop("file", None)
    return report
