"""The figures the paper reports, read from ``seeds/paper.json`` (the one copy of them).

Table 1 (the models' benchmark results), the release's mean turns per conversation by phase,
words per turn by speaker, and the distributions of its 500 clients. ``tvt stats --against
paper`` compares a dataset with them; the leaderboard lists Table 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from tvt.resources import load_seed_json, seeds_path
from tvt.schemacheck import check


@dataclass(frozen=True)
class MeanSd:
    mean: float
    sd: float


@dataclass(frozen=True)
class Table1Row:
    """One model of the paper's Table 1, numbers exactly as published."""

    model: str
    organization: str
    n: int  # clients scored (489 where conversations exceeded the model's context window)
    pearson: MeanSd
    dtw: MeanSd
    rmse: MeanSd
    s_abs: float


@dataclass(frozen=True)
class Paper:
    citation: str
    url: str
    clients: int
    #: attribute -> value -> percent of the paper's clients (behaviours: share showing each).
    distributions: dict[str, dict[str, float]]
    age_mean: float
    behaviours_per_client: float
    #: phase -> mean turns per conversation of the release.
    turns_per_conversation: dict[str, float]
    #: speaker -> about how many words per turn.
    words_per_turn: dict[str, float]
    #: whose ratings Table 1's models were compared with.
    table_1_reference: str
    table_1: tuple[Table1Row, ...]


def _mean_sd(obj: Mapping[str, float]) -> MeanSd:
    return MeanSd(mean=obj["mean"], sd=obj["sd"])


@cache
def paper() -> Paper:
    """The paper's figures (checked against ``schemas/paper.schema.json``; loaded once)."""
    data = load_seed_json("paper.json")
    check("paper", data, path=seeds_path("paper.json"))
    return Paper(
        citation=data["citation"],
        url=data["url"],
        clients=data["clients"],
        distributions={k: dict(v) for k, v in data["distributions"].items()},
        age_mean=data["age_mean"],
        behaviours_per_client=data["behaviours_per_client"],
        turns_per_conversation=dict(data["turns_per_conversation"]),
        words_per_turn=dict(data["words_per_turn"]),
        table_1_reference=data["table_1"]["reference"],
        table_1=tuple(
            Table1Row(
                model=r["model"],
                organization=r["organization"],
                n=r["n"],
                pearson=_mean_sd(r["pearson"]),
                dtw=_mean_sd(r["dtw"]),
                rmse=_mean_sd(r["rmse"]),
                s_abs=r["s_abs"],
            )
            for r in data["table_1"]["rows"]
        ),
    )
