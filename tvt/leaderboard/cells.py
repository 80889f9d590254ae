"""How an entry's numbers are written in every format: one row of cells per entry."""

from __future__ import annotations

from typing import Any

from tvt.leaderboard.entry import finite
from tvt.leaderboard.sections import Section
from tvt.leaderboard.types import BoardRow, EntryMetrics, MetricEntry

HEADERS = [
    "#", "model", "organization", "track", "trained on tvt", "reading skill [95% CI]",
    "S_abs [95% CI]", "N", "Pearson",
    "DTW", "RMSE", "date",
]  # fmt: skip


def num(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if finite(value) else "-"


def track_text(entry: BoardRow) -> str:
    """The benchmark and track an entry was scored on (``tvt-bench-v2 masked``, ``tvt-bench-v1``)."""
    track = entry.get("track")
    return f"{entry['benchmark']} {track}" if track else str(entry["benchmark"])


def trained_text(entry: BoardRow) -> str:
    """META ``trained_on_tvt``: yes, no, or unknown when not stated."""
    value = entry.get("trained_on_tvt")
    return "unknown" if value is None else ("yes" if value else "no")


def mean_sd(metric: MetricEntry | None) -> str:
    if not metric:  # e.g. DTW on the turn track, which has none
        return "-"
    mean, sd = metric.get("mean"), metric.get("sd")
    return f"{num(mean)} ± {num(sd)}" if finite(sd) else num(mean)


def s_abs_text(m: EntryMetrics, digits: int = 3) -> str:
    ci = m.get("s_abs_ci95")
    text = num(m["s_abs"], digits)
    return f"{text} [{num(ci[0], 3)}, {num(ci[1], 3)}]" if ci else text


def model_text(entry: BoardRow) -> str:
    """The model's name; for tvt eval entries with how many attempts the model made there."""
    attempts = entry.get("attempts")
    if entry.get("verification", {}).get("near_reference"):
        return f"{entry['model']} (near the public answer key)"
    if attempts is None:
        return str(entry["model"])
    return f"{entry['model']} ({attempts} attempt{'s' if attempts != 1 else ''})"


def skill_text(m: EntryMetrics) -> str:
    """Reading skill against the protocol prior (1 - MSE/MSE_prior), or ``-`` without a prior."""
    skill = m.get("skill")
    if not isinstance(skill, dict) or not finite(skill.get("value")):
        return "-"
    ci = skill.get("ci95")
    text = f"{skill['value']:+.3f}"
    return f"{text} [{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else text


def row_cells(entry: BoardRow, section: Section) -> list[str]:
    """The cells of :data:`HEADERS` for one ranked entry."""
    m = entry["metrics"]
    return [
        str(entry["rank"]),
        model_text(entry),
        entry["organization"],
        track_text(entry),
        trained_text(entry),
        skill_text(m),
        # Published S_abs values have two decimals; do not pretend to a third.
        s_abs_text(m, section.s_abs_digits),
        str(m["n_scored"]),
        mean_sd(m["pearson"]),
        mean_sd(m.get("dtw")),
        mean_sd(m["rmse"]),
        entry["date"],
    ]


def coverage_note(m: EntryMetrics) -> str:
    """What N hides: clients missing or incomplete, and clients whose Pearson was undefined."""
    unit = "conversations" if m.get("unit") == "conversation" else "clients"
    parts = [f"{m['n_scored']} scored of {m.get('n_reference') or '?'} {unit}"]
    for label, value in (
        ("missing", m.get("missing")),
        ("incomplete", m.get("incomplete")),
        ("Pearson undefined (scored 0)", m.get("undefined_pearson")),
        ("format failures", m.get("format_failures")),
    ):
        if value is not None:
            parts.append(f"{label}: {value}")
    return "; ".join(parts)
