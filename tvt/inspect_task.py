"""tvt-bench-v2 as an inspect_ai task: ``inspect eval tvt/trajectory -T track=masked --model ...``.

Optional (``pip install 'tvt[inspect]'``); registered through the ``inspect_ai`` entry point in
pyproject.toml. The task sends the same versioned rating prompt as ``tvt eval`` over a dev split
(the shipped files) or a sealed split (a fresh secret seed, kept in the secrets folder under its
commitment; the task metadata records the commitment, recipe and inputs sha256), parses answers with the same parsers, and reports
the same metrics as ``tvt score`` by scoring the answers through tvt's own scorer: S_abs (S_turn
on the turn track), Pearson, RMSE (and DTW on the conversation tracks), plus the format-failure
rate.

Task parameters (``-T name=value``): ``track`` (full | masked | turn), ``split`` (dev | sealed),
``clients`` (dev: the first N clients; sealed: the split size, default 100).
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, mean, metric, scorer
from inspect_ai.solver import TaskState, generate

from tvt.bench import BENCHMARK_NAME
from tvt.leaderboard.types import CommittedRecipe
from tvt.records import PhaseOutputRow, TurnOutputsRow

#: Reference records per split key, for the metrics (kept out of the logs).
_REFERENCES: dict[str, list[dict[str, Any]]] = {}


class SplitInfo(TypedDict, total=False):
    """What a run's log records of the split it rated (the seed of a sealed split stays secret)."""

    split: str  # "dev" or "sealed"
    commitment: str
    inputs_sha256: str
    recipe: CommittedRecipe


def _split(track: str, split: str, clients: int | None) -> tuple[Any, str, SplitInfo]:
    from tvt.bench.inputs import read_inputs
    from tvt.bench.recipe import commitment, data_versions, draw_seed, generation_recipe, split_dir
    from tvt.bench.splits import Split, build_split
    from tvt.bench.tracks import get_track
    from tvt.jsonio import iter_jsonl

    trk = get_track(track)
    if split == "dev":
        folder = split_dir(track, "dev")
        inputs = read_inputs(folder / "inputs.jsonl")
        reference = [obj for _, obj in iter_jsonl(folder / "reference.jsonl")]
        if clients is not None:
            keep = sorted({r["client_id"] for r in inputs})[:clients]
            inputs = [r for r in inputs if r["client_id"] in keep]
            reference = [r for r in reference if r["client_id"] in keep]
        s = Split(trk, -1, len({r["client_id"] for r in inputs}), "default", [], inputs, reference)
        return s, f"dev:{track}:{s.inputs_sha256}", {"split": "dev"}
    if split != "sealed":
        raise ValueError(f"unknown split {split!r} (dev or sealed)")
    from tvt.bench.sealed import _write_secret, default_secrets_dir

    n = clients or 100
    seed = draw_seed()
    recipe = generation_recipe(trk, "sealed", n, "default", data_versions())
    commit = commitment(seed, recipe)
    _write_secret(
        default_secrets_dir(), commit, {"commitment": commit, "recipe": recipe, "seed": seed}
    )
    s = build_split(trk, seed, n)
    return (
        s,
        f"sealed:{commit}",
        {
            "split": "sealed",
            "commitment": commit,
            "inputs_sha256": s.inputs_sha256,
            "recipe": recipe,
        },
    )


def _samples(split: Any) -> list[Sample]:
    from tvt.llm.prompts import rating_messages, turn_rating_messages

    out = []
    for rec in split.inputs:
        if split.track.unit == "turn":
            messages, marked = turn_rating_messages(rec["turns"])
        else:
            messages, marked = rating_messages(rec["turns"]), []
        out.append(
            Sample(
                input=[
                    ChatMessageSystem(content=messages[0]["content"]),
                    ChatMessageUser(content=messages[1]["content"]),
                ],
                target="",
                id=f"{rec['client_id']}-{rec['phase']}",
                metadata={"client_id": rec["client_id"], "phase": rec["phase"], "turns": marked},
            )
        )
    return out


def outputs_from_scores(scores: list[Any]) -> list[PhaseOutputRow | TurnOutputsRow]:
    """tvt model-output records from inspect sample scores (format failures left out)."""
    out: list[PhaseOutputRow | TurnOutputsRow] = []
    for s in scores:
        meta = (s.score.metadata if hasattr(s, "score") else s.metadata) or {}
        if not meta.get("parsed"):
            continue
        if "intensities" in meta:
            out.append(
                {
                    "client_id": meta["client_id"],
                    "phase": meta["phase"],
                    "turns": meta["turns"],
                    "intensities": meta["intensities"],
                }
            )
        else:
            out.append(
                {
                    "client_id": meta["client_id"],
                    "phase": meta["phase"],
                    "intensity": meta["intensity"],
                }
            )
    return out


def _report(key: str, scores: list[Any]) -> dict[str, Any] | None:
    from tvt.bench.scoring import score_records

    outputs = outputs_from_scores(scores)
    if not outputs:
        return None
    return score_records(outputs, _REFERENCES[key])


def _metric_value(key: str, scores: list[Any], name: str) -> float:
    from tvt.errors import InputError

    try:  # inspect also computes metrics on partial results while a run is in progress
        report = _report(key, scores)
    except InputError:
        return math.nan
    if report is None or name not in report:
        return math.nan
    value = report[name]
    return float(value["mean"] if isinstance(value, dict) else value)


@metric
def s_abs(key: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return _metric_value(key, scores, "s_abs")

    return compute


@metric
def pearson(key: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return _metric_value(key, scores, "pearson")

    return compute


@metric
def rmse(key: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return _metric_value(key, scores, "rmse")

    return compute


@metric
def dtw(key: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return _metric_value(key, scores, "dtw")

    return compute


@scorer(metrics=[mean()])
def intensity_reader() -> Scorer:
    """Parse the answer with tvt's parsers; value 1 when readable, 0 for a format failure."""
    from tvt.bench.llm_rate import parse_turn_ratings
    from tvt.raters.llm import parse_intensity

    async def score(state: TaskState, target: Target) -> Score:
        meta = dict(state.metadata)
        text = state.output.completion if state.output else ""
        if meta["turns"]:
            values = parse_turn_ratings(text, len(meta["turns"]))
            meta.update(parsed=values is not None, intensities=values)
        else:
            value = parse_intensity(text)
            meta.update(parsed=value is not None, intensity=value)
        return Score(value=1.0 if meta["parsed"] else 0.0, answer=text[:200], metadata=meta)

    return score


@task
def trajectory(track: str = "masked", split: str = "dev", clients: int | None = None) -> Task:
    """Rate tvt-bench-v2 inputs; the metrics are tvt score's (S_abs, Pearson, RMSE, DTW)."""
    data, key, info = _split(track, split, None if clients is None else int(clients))
    _REFERENCES[key] = data.reference
    metrics: list[Any] = [s_abs(key), pearson(key), rmse(key)]
    if data.track.unit != "turn":
        metrics.append(dtw(key))
    return Task(
        dataset=MemoryDataset(_samples(data), name=f"{BENCHMARK_NAME}-{track}-{split}"),
        solver=generate(),
        scorer=intensity_reader(),
        metrics=[*metrics, mean()],
        metadata={"benchmark": BENCHMARK_NAME, "track": track, **info},
    )
