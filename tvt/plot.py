"""``tvt score --plot``: a headless PNG of a scoring run.

Left: mean trajectory of the model and of the reference over the six phases in benchmark order,
each with its per-phase spread (mean +- SD band) -- the view of the paper's Figure 6. Middle and
right: the distribution of the per-client errors (DTW and RMSE, then Pearson), so a good mean
cannot hide a long tail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tvt.jsonio import atomic_writer
from tvt.phases import BENCHMARK_ORDER
from tvt.scoring import ScoreResult


def _figure(**kwargs: Any) -> Any:
    """A matplotlib Figure drawn by the Agg renderer, outside pyplot.

    pyplot is not touched, so drawing never changes the backend of the caller's session (a
    notebook keeps its inline figures) and needs no display. Imported here, not at the top:
    matplotlib takes about a second to import, and only a run that draws should pay for it.
    """
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = (~np.isnan(values)).sum(axis=0)
    mean = np.full(values.shape[1], np.nan)
    sd = np.zeros(values.shape[1])
    ok = n > 0
    mean[ok] = np.nanmean(values[:, ok], axis=0)
    many = n > 1
    sd[many] = np.nanstd(values[:, many], axis=0, ddof=1)
    return mean, sd


def plot_result(result: ScoreResult, path: str | Path, *, title: str | None = None) -> None:
    """Write the trajectory and error-distribution figure of ``result`` to ``path`` (PNG)."""
    scored = result.scored
    model = result.model[scored]
    ref = result.reference[scored]
    x = np.arange(len(BENCHMARK_ORDER))
    fig = _figure(figsize=(15, 4.6), dpi=100)
    ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.3, 1, 1]})
    for values, label, color in ((ref, "reference", "#1f77b4"), (model, "model", "#d62728")):
        mean, sd = _mean_sd(values)
        ax1.plot(x, mean, marker="o", color=color, label=f"{label} mean")
        ax1.fill_between(x, mean - sd, mean + sd, color=color, alpha=0.18, label=f"{label} ± SD")
    ax1.set_xticks(x, BENCHMARK_ORDER)
    ax1.set_ylim(0.5, 10.5)
    ax1.set_xlabel("phase (benchmark order)")
    ax1.set_ylabel("emotional intensity (1-10)")
    ax1.set_title(f"Mean trajectory, {int(scored.sum())} clients")
    ax1.grid(alpha=0.3)
    ax1.legend(loc="upper right", fontsize=8)

    rep = result.report
    d = result.dtw[scored]
    e = result.rmse[scored]
    hi = float(max(np.max(d), np.max(e), 1.0))
    bins = np.linspace(0.0, hi, 41)
    ax2.hist(d, bins=bins, alpha=0.55, color="#9467bd", label=f"DTW (mean {rep.dtw.mean:.2f})")
    ax2.hist(
        e,
        bins=bins,
        alpha=0.55,
        color="#2ca02c",
        label=f"RMSE (mean {rep.rmse.mean:.2f})",
    )
    ax2.set_xlabel("per-client distance (lower is better)")
    ax2.set_ylabel("clients")
    ax2.set_title("Per-client DTW and RMSE")
    ax2.legend(loc="upper right", fontsize=8)
    ax2.grid(alpha=0.3)

    ax3.hist(result.pearson[scored], bins=np.linspace(-1, 1, 41), color="#ff7f0e", alpha=0.8)
    ax3.set_xlabel("per-client Pearson (higher is better)")
    ax3.set_ylabel("clients")
    ax3.set_title(
        f"Per-client Pearson (mean {rep.pearson.mean:.2f})\n"
        f"{rep.undefined_pearson} constant trajectories scored 0"
    )
    ax3.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    with atomic_writer(path, "wb") as fh:
        # No creation date or software version in the file: same inputs, same bytes.
        fig.savefig(fh, format="png", metadata={"Software": None})
