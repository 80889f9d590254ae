"""The protocol prior and *reading skill*: how much better than not reading a model is.

A rater that reads nothing still knows the protocol: distress is moderate at orientation, peaks
during exposure and tapers through processing; inside an exposure it climbs to the hot spot and
habituates. That shape alone scores well on S_abs, so S_abs cannot say whether a model read
anything. The **prior** is the best non-reading predictor fitted on public data: the mean
reference intensity per phase (conversation tracks) or per phase and relative turn position
(the turn track: :data:`POSITION_BINS` equal bins of the rated turn's position in its
conversation), fitted on a train split of its own seed and shipped with the recipe.

**Reading skill** over all rated units u (a client's phase, or a rated turn) that the model
rated, with m the model, c the reference and p the prior:

- ``skill = 1 - sum (m - c)^2 / sum (p - c)^2``: 0 for the prior itself, 1 for the reference,
  below 0 for a model that does worse than not reading;
- ``residual_r = corr(m - p, c - p)``: whether the model sees which units lie above or below
  the protocol's shape (0 for any non-reading predictor that follows the shape).

Both come with a 95 % percentile-bootstrap interval over clients (conversation tracks) or
conversations (turn track): 1,000 resamples, seed 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np

from tvt.benchmark import PriorDoc, Recipe
from tvt.leaderboard.types import SkillEntry
from tvt.records import BenchReference, ModelOutputRow, OutputRow, TurnOutputsRow

POSITION_BINS = 10
BOOTSTRAP = 1000


def position_bin(k: int, n: int, bins: int = POSITION_BINS) -> int:
    """The bin of the ``k``-th (0-based) of ``n`` rated turns: relative position k/(n-1)."""
    x = k / (n - 1) if n > 1 else 0.5
    return min(int(x * bins), bins - 1)


@dataclass(frozen=True)
class Prior:
    """Per phase, one mean (conversation tracks) or one mean per position bin (turn track)."""

    unit: str
    means: dict[str, list[float]]
    fitted_on: dict[str, int]  # seed and clients of the train split

    def value(self, phase: str, k: int = 0, n: int = 1) -> float:
        row = self.means[phase]
        return row[0] if self.unit != "turn" else row[position_bin(k, n, len(row))]

    def to_json(self) -> PriorDoc:
        return {
            "unit": self.unit,
            "bins": POSITION_BINS if self.unit == "turn" else 1,
            "means": {p: [round(v, 6) for v in row] for p, row in self.means.items()},
            "fitted_on": dict(self.fitted_on),
        }

    @classmethod
    def from_json(cls, doc: PriorDoc) -> Prior:
        return cls(
            str(doc["unit"]),
            {p: [float(v) for v in row] for p, row in doc["means"].items()},
            dict(doc.get("fitted_on", {})),
        )


def fit_prior(
    reference: Iterable[BenchReference], unit: str, fitted_on: dict[str, int] | None = None
) -> Prior:
    """Fit the prior on a train split's reference records (no text is read)."""
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    bins = POSITION_BINS if unit == "turn" else 1
    for r in reference:
        if unit == "turn":
            if "trajectory" in r:
                raise ValueError("a turn-track prior is fitted on turn references")
            vals = r["intensities"]
            items = [(r["phase"], position_bin(k, len(vals)), v) for k, v in enumerate(vals)]
        elif "trajectory" in r:
            items = [(p, 0, v) for p, v in r["trajectory"].items()]
        else:
            raise ValueError("a conversation-track prior is fitted on trajectories")
        for phase, b, v in items:
            s = sums.setdefault(phase, np.zeros(bins))
            c = counts.setdefault(phase, np.zeros(bins))
            s[b] += float(v)
            c[b] += 1
    means: dict[str, list[float]] = {}
    for phase, s in sums.items():
        c = counts[phase]
        overall = s.sum() / c.sum()
        means[phase] = [float(s[i] / c[i]) if c[i] else float(overall) for i in range(bins)]
    return Prior(unit, means, dict(fitted_on or {}))


def prior_outputs(
    reference: Sequence[BenchReference], prior: Prior
) -> list[TurnOutputsRow | OutputRow]:
    """The prior's predictions as outputs in the track's format (one line per reference line)."""
    out: list[TurnOutputsRow | OutputRow] = []
    for r in reference:
        if "turns" in r:
            turns = r["turns"]
            n = len(turns)
            out.append(
                {
                    "client_id": r["client_id"],
                    "phase": r["phase"],
                    "turns": list(turns),
                    "intensities": [round(prior.value(r["phase"], k, n), 3) for k in range(n)],
                    "model": "prior",
                }
            )
        else:
            out.append(
                {
                    "client_id": r["client_id"],
                    "trajectory": {p: round(prior.value(p), 3) for p in r["trajectory"]},
                    "model": "prior",
                }
            )
    return out


def _units(
    outputs: Iterable[ModelOutputRow], reference: Sequence[BenchReference], prior: Prior
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Aligned (model, reference, prior, group) over the units both sides have."""
    m_list: list[float] = []
    c_list: list[float] = []
    p_list: list[float] = []
    g_list: list[int] = []
    if prior.unit == "turn":
        got: dict[tuple[int, str, int], float] = {}
        for o in outputs:
            if "turns" in o:
                for t, v in zip(o["turns"], o["intensities"], strict=True):
                    got[(int(o["client_id"]), o["phase"], int(t))] = float(v)
            elif "turn" in o:
                got[(int(o["client_id"]), o["phase"], int(o["turn"]))] = float(o["intensity"])
        for g, r in enumerate(reference):
            if "turns" not in r:
                continue
            n = len(r["turns"])
            for k, (t, c) in enumerate(zip(r["turns"], r["intensities"], strict=True)):
                said = got.get((int(r["client_id"]), r["phase"], int(t)))
                if said is not None:
                    m_list.append(said)
                    c_list.append(float(c))
                    p_list.append(prior.value(r["phase"], k, n))
                    g_list.append(g)
    else:
        got2: dict[tuple[int, str], float] = {}
        for o in outputs:
            if "trajectory" in o:
                for p, v in o["trajectory"].items():
                    got2[(int(o["client_id"]), p)] = float(v)
            elif "intensity" in o:
                got2[(int(o["client_id"]), o["phase"])] = float(o["intensity"])
        for g, r in enumerate(reference):
            if "trajectory" not in r:
                continue
            for p, c in r["trajectory"].items():
                said = got2.get((int(r["client_id"]), p))
                if said is not None and c is not None:
                    m_list.append(said)
                    c_list.append(float(c))
                    p_list.append(prior.value(p))
                    g_list.append(g)
    return (
        np.asarray(m_list),
        np.asarray(c_list),
        np.asarray(p_list),
        np.asarray(g_list, dtype=np.int64),
    )


def _skill_parts(m: np.ndarray, c: np.ndarray, p: np.ndarray) -> tuple[float, float | None]:
    denom = float(((p - c) ** 2).sum())
    skill = 1.0 - float(((m - c) ** 2).sum()) / denom if denom > 0 else float("nan")
    rm, rc = m - p, c - p
    if rm.std() == 0 or rc.std() == 0:
        return skill, 0.0
    return skill, float(np.corrcoef(rm, rc)[0, 1])


def reading_skill(
    outputs: Iterable[ModelOutputRow],
    reference: Sequence[BenchReference],
    prior: Prior,
    *,
    seed: int = 0,
    resamples: int = BOOTSTRAP,
) -> SkillEntry:
    """``{"value", "ci95", "residual_r", "residual_r_ci95", "prior"}`` (see the module docstring)."""
    m, c, p, g = _units(outputs, reference, prior)
    if m.size == 0:
        return {"value": float("nan"), "ci95": None, "residual_r": None, "residual_r_ci95": None}
    skill, rr = _skill_parts(m, c, p)
    groups = np.unique(g)
    # Per-group sums make each resample O(groups): skill needs sums of squares, the residual
    # correlation needs the five moment sums.
    idx = np.searchsorted(groups, g)
    k = groups.size

    def sums(x: np.ndarray) -> np.ndarray:
        return np.bincount(idx, weights=x, minlength=k)

    rm, rc = m - p, c - p
    parts = np.stack(
        [sums((m - c) ** 2), sums((p - c) ** 2), sums(np.ones_like(m)), sums(rm), sums(rc),
         sums(rm * rm), sums(rc * rc), sums(rm * rc)]
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, k, size=(resamples, k))
    tot = parts[:, draws].sum(axis=2)  # (8, resamples)
    with np.errstate(invalid="ignore", divide="ignore"):
        sk = 1.0 - tot[0] / tot[1]
        n = tot[2]
        cov = tot[7] - tot[3] * tot[4] / n
        var_m = tot[5] - tot[3] ** 2 / n
        var_c = tot[6] - tot[4] ** 2 / n
        r = np.where((var_m > 1e-12) & (var_c > 1e-12), cov / np.sqrt(var_m * var_c), 0.0)

    def ci(x: np.ndarray) -> list[float] | None:
        x = x[np.isfinite(x)]
        if x.size == 0:
            return None
        lo, hi = np.percentile(x, [2.5, 97.5])
        return [float(lo), float(hi)]

    return {
        "value": skill if np.isfinite(skill) else None,
        "ci95": ci(sk),
        "residual_r": rr,
        "residual_r_ci95": ci(r),
        "prior": f"{prior.unit} prior fitted on seed {prior.fitted_on.get('seed')}",
    }


# -- the prior a benchmark ships, and skill for files ----------------------------------------------
def track_prior(track: str, benchmark: str | None = None) -> Prior:
    """The prior shipped in the recipe of ``benchmark`` (default: the current one) for ``track``.

    A recipe without one (written before priors existed) gets it fitted from its train split,
    which is deterministic, so the figure is the same wherever it is computed.
    """
    from tvt.bench import BENCHMARK_NAME

    return _track_prior(track, benchmark or BENCHMARK_NAME)


@cache
def _track_prior(track: str, benchmark: str) -> Prior:
    from tvt.bench.recipe import load_recipe, track_entry

    recipe = load_recipe(benchmark)
    spec = track_entry(recipe, track)
    if "prior" in spec:
        return Prior.from_json(spec["prior"])
    return fit_track_prior(track, recipe)


def fit_track_prior(track: str, recipe: Recipe) -> Prior:
    """Fit ``track``'s prior on the recipe's train split (seed and clients from the recipe)."""
    from tvt.bench.splits import build_split
    from tvt.bench.tracks import get_track

    train = recipe["train_split"]
    trk = get_track(track)
    split = build_split(trk, int(train["seed"]), int(train["clients"]), str(recipe["preset"]))
    return fit_prior(
        split.reference, trk.unit, {"seed": int(train["seed"]), "clients": int(train["clients"])}
    )


def _jsonl(path: str | Path) -> list[dict[str, Any]]:
    import json

    with open(path, encoding="utf-8-sig") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def skill_for_files(
    outputs: str | Path, reference: str | Path, reference_sha256: str | None = None
) -> SkillEntry | None:
    """Reading skill of an outputs file against a published split's reference (None for a
    reference that is no published split with a track: there is no prior to compare with).

    The outputs must already have passed the scorer's input rules. ``reference_sha256`` (from
    the score report) saves hashing the reference again.
    """
    from tvt.benchmark import known_split
    from tvt.jsonio import sha256_file

    ref = Path(reference)
    if ref.is_dir():
        ref = ref / "reference.jsonl"
    where = known_split(reference_sha256 or sha256_file(ref))
    if where is None or where["track"] is None:
        return None
    prior = track_prior(str(where["track"]), str(where["benchmark"]))
    # Both files passed the scorer's input rules: the reference is a published split's.
    return reading_skill(
        cast(list[ModelOutputRow], _jsonl(outputs)), cast(list[BenchReference], _jsonl(ref)), prior
    )


def skill_text(skill: SkillEntry | None) -> str:
    """One line for the terminal."""
    if not skill:
        return "reading skill: - (no published split, so no prior to compare with)"
    ci = skill.get("ci95")
    rr = skill.get("residual_r")
    ci_txt = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
    rr_txt = f"{rr:.3f}" if rr is not None else "-"
    return (
        f"reading skill {skill['value']:.3f}{ci_txt} (1 - MSE/MSE_prior; 0 = the protocol "
        f"prior, below 0 = worse than not reading), residual r {rr_txt}"
    )
