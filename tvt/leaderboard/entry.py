"""A leaderboard entry and a submission's META.json: their schemas and the blocks built from a
``tvt score`` report.

An entry (``schemas/leaderboard-entry.schema.json``) holds the model's description, the metrics
at full precision and, for a verified entry, what it was verified against and the mean trajectory
drawn on the page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from tvt import schemacheck
from tvt.errors import InputError
from tvt.jsonio import read_json
from tvt.leaderboard.types import EntryMetrics, MetricEntry, SubmissionMeta
from tvt.phases import BENCHMARK_ORDER
from tvt.scoring import ScoreReport

ENTRY_FORMAT = "tvt-leaderboard-entry"
ENTRY_VERSION = 1
#: A META.json or an entry is a few kilobytes; anything this big is refused before reading it.
MAX_META_BYTES = 1024**2


def slugify(text: str, max_len: int = 48) -> str:
    """A file-name-safe slug: ASCII letters, digits and single hyphens, never empty.

    Whatever the model name holds (slashes, ``..``, NUL, right-to-left marks) the slug cannot name
    anything outside the entries folder.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:max_len].rstrip("-")
    return slug or "model"


def validate_meta(path: str | Path) -> SubmissionMeta:
    """Read and validate a submission META.json; ``InputError`` names the field at fault."""
    path = Path(path)
    if path.is_dir():
        raise InputError("expected a META.json file, found a folder", path=path)
    meta = read_json(path, limit=MAX_META_BYTES)
    schemacheck.check("submission", meta, path=path)
    return cast(SubmissionMeta, meta)  # the schema holds


def validate_entry(entry: Any, path: str | Path | None = None) -> None:
    """Check an entry against ``schemas/leaderboard-entry.schema.json``."""
    schemacheck.check("leaderboard-entry", entry, path=path, what="not a valid leaderboard entry")


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: Any) -> int | None:
    """Report fields may hold a count or the list of what they count."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    return int(value)


def _interval(value: Any) -> list[float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(map(finite, value)):
        return [float(value[0]), float(value[1])]
    return None


def metrics_from_report(report: ScoreReport | Mapping[str, Any]) -> EntryMetrics:
    """The entry's ``metrics`` block from a ``tvt score`` report (full precision, no rounding).

    ``report`` is the typed report or its JSON form; an ``s_abs`` given as
    ``{"value": x, "ci95": [lo, hi]}`` is read too.
    """
    data: Mapping[str, Any] = report.to_dict() if isinstance(report, ScoreReport) else report

    def metric(key: str) -> MetricEntry:
        m = data[key]
        sd = m.get("sd")
        return {
            "mean": float(m["mean"]),
            "sd": float(sd) if sd is not None and finite(sd) else None,
            "ci95": _interval(m.get("ci95")),
        }

    s_abs = data["s_abs"]
    if isinstance(s_abs, dict):
        value = float(s_abs["value"] if "value" in s_abs else s_abs["mean"])
        interval = _interval(s_abs.get("ci95"))
    else:
        value = float(s_abs)
        interval = _interval(data.get("s_abs_ci95"))
    return {
        "pearson": metric("pearson"),
        "dtw": metric("dtw"),
        "rmse": metric("rmse"),
        "s_abs": value,
        "s_abs_ci95": interval,
        "n_scored": int(data["n_scored"]),
        "n_reference": _count(data.get("n_reference")),
        "missing": _count(data.get("missing")),
        "incomplete": _count(data.get("incomplete")),
        "undefined_pearson": _count(data.get("undefined_pearson")),
    }


def mean_trajectories(report: ScoreReport) -> dict[str, dict[str, float]]:
    """Mean model and reference intensity per phase over the scored clients (for the chart)."""
    out: dict[str, dict[str, float]] = {"model": {}, "reference": {}}
    for phase in BENCHMARK_ORDER:
        stats = report.per_phase[phase]
        if stats.model_mean is None or stats.reference_mean is None:
            raise InputError(f"no client was scored on phase {phase}")
        out["model"][phase] = round(float(stats.model_mean), 6)
        out["reference"][phase] = round(float(stats.reference_mean), 6)
    return out
