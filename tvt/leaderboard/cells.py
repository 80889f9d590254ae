"""How an entry's numbers are written in every format: one row of cells per entry."""

from __future__ import annotations

from typing import Any

from tvt.leaderboard.entry import finite
from tvt.leaderboard.sections import Section

HEADERS = ["#", "model", "organization", "S_abs [95% CI]", "N", "Pearson", "DTW", "RMSE", "date"]


def num(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if finite(value) else "-"


def mean_sd(metric: dict[str, Any]) -> str:
    mean, sd = metric.get("mean"), metric.get("sd")
    return f"{num(mean)} ± {num(sd)}" if finite(sd) else num(mean)


def s_abs_text(m: dict[str, Any], digits: int = 3) -> str:
    ci = m.get("s_abs_ci95")
    text = num(m["s_abs"], digits)
    return f"{text} [{num(ci[0], 3)}, {num(ci[1], 3)}]" if ci else text


def row_cells(entry: dict[str, Any], section: Section) -> list[str]:
    """The cells of :data:`HEADERS` for one ranked entry."""
    m = entry["metrics"]
    return [
        str(entry["rank"]),
        entry["model"],
        entry["organization"],
        # Published S_abs values have two decimals; do not pretend to a third.
        s_abs_text(m, section.s_abs_digits),
        str(m["n_scored"]),
        mean_sd(m["pearson"]),
        mean_sd(m["dtw"]),
        mean_sd(m["rmse"]),
        entry["date"],
    ]


def coverage_note(m: dict[str, Any]) -> str:
    """What N hides: clients missing or incomplete, and clients whose Pearson was undefined."""
    parts = [f"{m['n_scored']} scored of {m.get('n_reference') or '?'} clients"]
    for key, label in (
        ("missing", "missing"),
        ("incomplete", "incomplete"),
        ("undefined_pearson", "Pearson undefined (scored 0)"),
    ):
        if m.get(key) is not None:
            parts.append(f"{label}: {m[key]}")
    return "; ".join(parts)
