"""The paper's Table 1 as ``reported`` leaderboard entries.

The numbers come from ``seeds/paper.json`` (:mod:`tvt.paper`). They were published on the paper's
own data with Claude 3.5 Sonnet's ratings as the reference; they cannot be recomputed here, so they
are always shown apart from verified entries.
"""

from __future__ import annotations

from tvt.leaderboard.entry import ENTRY_FORMAT, ENTRY_VERSION
from tvt.leaderboard.types import LeaderboardEntry, Source
from tvt.paper import paper


def table_1_citation() -> str:
    """The citation of the paper's Table 1 (from ``seeds/paper.json``)."""
    return f"{paper().citation}, Table 1"


def paper_url() -> str:
    """The paper's address (from ``seeds/paper.json``)."""
    return paper().url


def paper_entries() -> list[LeaderboardEntry]:
    """The paper's Table 1 as ``reported`` entries (numbers exactly as published)."""
    figures = paper()
    source: Source = {"citation": table_1_citation(), "url": figures.url}
    out: list[LeaderboardEntry] = []
    for row in figures.table_1:
        n = row.n
        note = "Rated zero-shot; reference: Claude 3.5 Sonnet's ratings of the same conversations."
        if n < figures.clients:
            note += " N = 489: some conversations exceeded the Llama 3 context window."
        out.append(
            {
                "entry_format": ENTRY_FORMAT,
                "entry_version": ENTRY_VERSION,
                "status": "reported",
                "model": row.model,
                "organization": row.organization,
                "description": "Reported in the paper's Table 1 on the paper's own data.",
                "date": "2025-04",
                "benchmark": "paper-table-1",
                "metrics": {
                    "pearson": {"mean": row.pearson.mean, "sd": row.pearson.sd, "ci95": None},
                    "dtw": {"mean": row.dtw.mean, "sd": row.dtw.sd, "ci95": None},
                    "rmse": {"mean": row.rmse.mean, "sd": row.rmse.sd, "ci95": None},
                    "s_abs": row.s_abs,
                    "s_abs_ci95": None,
                    "n_scored": n,
                    "n_reference": figures.clients,
                    "missing": figures.clients - n,
                    "incomplete": None,
                    "undefined_pearson": None,
                },
                "source": {**source, "note": note},
            }
        )
    return out
