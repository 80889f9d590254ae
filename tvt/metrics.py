"""The emotional-trajectory metrics of the paper, vectorised over all clients at once.

Every function takes trajectories as 2-D float arrays of shape ``(clients, phases)`` in benchmark
order (P5, P10, P6, P7, P8, P11) and returns one value per client. Nothing loops over clients in
Python: one million clients are scored in well under a second.

* :func:`pearson` -- correlation of model and reference; a constant trajectory on either side has
  no defined correlation and is scored 0 (a constant predictor must not escape the metric).
* :func:`dtw` -- dynamic time warping distance, pinned as in ``dtaidistance.dtw.distance``: full
  window, local cost ``(m_i - c_j)**2``, result ``sqrt`` of the summed cost along the best path.
* :func:`rmse` -- root mean squared error over the phases.
* :func:`s_abs` -- the paper's composite from the mean Pearson, DTW and RMSE.
* :func:`summarise` -- mean, SD and a seeded 95 % confidence interval of the client mean.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

import numpy as np

#: Resamples of the percentile bootstrap.
BOOTSTRAP_RESAMPLES = 2000
#: Above this many clients the bootstrap (clients x resamples draws) costs seconds while the
#: sampling distribution of a mean is normal to within rounding, so the normal interval is used.
BOOTSTRAP_MAX_CLIENTS = 20_000
#: Normal quantile of a two-sided 95 % interval.
_Z95 = 1.959963984540054


def _as_2d(a: Any) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError("trajectories must be a 2-D array (clients, phases)")
    return arr


def _constant(a: np.ndarray) -> np.ndarray:
    """Rows whose values are all equal (``max == min``), a few times faster than ``np.ptp``; a row
    of infinities is not constant there (``inf - inf`` is NaN), and is not here either."""
    return (a == a[:, :1]).all(axis=1) & np.isfinite(a[:, 0])


def pearson(model: Any, reference: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-client Pearson correlation between ``model`` and ``reference`` rows.

    Returns ``(r, undefined)``: ``undefined`` marks clients where either trajectory is constant;
    their ``r`` is 0. Constancy is tested exactly (max == min) rather than through a variance that
    rounding could leave a hair above zero.
    """
    m = _as_2d(model)
    c = _as_2d(reference)
    if m.shape != c.shape:
        raise ValueError("model and reference must have the same shape")
    dm = m - m.mean(axis=1, keepdims=True)
    dc = c - c.mean(axis=1, keepdims=True)
    num = np.einsum("ij,ij->i", dm, dc)
    den = np.sqrt(np.einsum("ij,ij->i", dm, dm) * np.einsum("ij,ij->i", dc, dc))
    undefined = _constant(m) | _constant(c) | (den == 0)
    r = np.zeros(m.shape[0])
    ok = ~undefined
    r[ok] = num[ok] / den[ok]
    # Rounding can push a perfect correlation a few ulps past 1.
    np.clip(r, -1.0, 1.0, out=r)
    return r, undefined


def dtw(model: Any, reference: Any) -> np.ndarray:
    """Per-client DTW distance (full window, squared local cost, square root of the path sum).

    The recursion runs over the ``n x n`` cells of the cost matrix (36 for a trajectory), each
    step vectorised across all clients, keeping only the previous row.
    """
    m = _as_2d(model)
    c = _as_2d(reference)
    if m.shape != c.shape:
        raise ValueError("model and reference must have the same shape")
    n_clients, n = m.shape
    # Phase-major copies make every column a contiguous vector.
    mt = np.ascontiguousarray(m.T)
    ct = np.ascontiguousarray(c.T)
    inf = np.full(n_clients, np.inf)
    prev = [np.zeros(n_clients)] + [inf] * n  # D[0][0] = 0: the path starts before both series
    tmp = np.empty(n_clients)
    for i in range(n):
        cur = [inf]
        for j in range(n):
            cell = np.subtract(mt[i], ct[j])
            np.multiply(cell, cell, out=cell)
            np.minimum(prev[j], prev[j + 1], out=tmp)
            np.minimum(tmp, cur[j], out=tmp)
            cell += tmp
            cur.append(cell)
        prev = cur
    return np.sqrt(prev[n])


def rmse(model: Any, reference: Any) -> np.ndarray:
    """Per-client root mean squared error over the phases."""
    m = _as_2d(model)
    c = _as_2d(reference)
    if m.shape != c.shape:
        raise ValueError("model and reference must have the same shape")
    d = m - c
    return np.sqrt(np.einsum("ij,ij->i", d, d) / m.shape[1])


def s_abs(p: float, d: float, r: float) -> float:
    """The paper's composite score from the mean Pearson ``p``, DTW ``d`` and RMSE ``r``.

    ``S_abs = (clip(P,0,1) + (1 - clip(D/5,0,1)) + (1 - clip(R/9,0,1))) / 3``.
    """

    def clip01(x: float) -> float:
        return min(max(x, 0.0), 1.0)

    return (clip01(p) + (1.0 - clip01(d / 5.0)) + (1.0 - clip01(r / 9.0))) / 3.0


def ratios(model: dict[str, float], baseline: dict[str, float]) -> dict[str, float | None]:
    """Ratios against a baseline B, each > 1 when the model is better than B.

    ``R_corr = P_model / P_B``, ``R_dtw = D_B / D_model``, ``R_rmse = R_B / R_model``; ``None``
    where the denominator is zero.
    """

    def div(a: float, b: float) -> float | None:
        return None if b == 0 else a / b

    return {
        "r_corr": div(model["pearson"], baseline["pearson"]),
        "r_dtw": div(baseline["dtw"], model["dtw"]),
        "r_rmse": div(baseline["rmse"], model["rmse"]),
    }


def bootstrap_means(
    values: np.ndarray, *, seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES
) -> np.ndarray:
    """Means of ``resamples`` bootstrap resamples of the rows of ``values`` (clients x metrics).

    The same resampled clients serve every metric column, so the intervals are paired. Drawn in
    chunks to keep memory bounded.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    n = values.shape[0]
    rng = np.random.default_rng(seed)
    out = np.empty((resamples, values.shape[1]))
    chunk = max(1, 4_000_000 // max(n, 1))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = values[idx].mean(axis=1)
    return out


class _CIMethodBase(TypedDict):
    method: str  # "percentile bootstrap", "normal" or "none"


class CIMethod(_CIMethodBase, total=False):
    """How a report's confidence intervals were computed (a score report's ``ci``)."""

    resamples: int
    seed: int
    reason: str


class MetricStats(TypedDict):
    """Mean, sample SD and 95 % CI of the client mean of one metric (``None`` where undefined)."""

    mean: float | None
    sd: float | None
    ci95: list[float] | None


def defined(mean: float | None) -> float:
    """A summary's mean where at least one value was summarised (so it is defined)."""
    assert mean is not None, "a mean of no values"
    return mean


def summarise(
    columns: dict[str, np.ndarray], *, seed: int = 0
) -> tuple[dict[str, MetricStats], CIMethod, np.ndarray | None]:
    """Mean, sample SD and 95 % CI of the client mean for each named column of per-client values.

    Up to :data:`BOOTSTRAP_MAX_CLIENTS` clients the CI is a seeded percentile bootstrap
    (:data:`BOOTSTRAP_RESAMPLES` resamples, clients resampled jointly for all columns); above it,
    the normal interval ``mean +- 1.96 SD / sqrt(N)``.

    Returns the summaries (plain floats, ``None`` where undefined, so JSON-serialisable), a
    description of the interval method, and draws of the vector of means (bootstrap means, or
    seeded draws from the normal approximation with the sample covariance / N) from which the
    interval of any function of the means -- such as S_abs -- can be read; ``None`` below 2
    clients.
    """
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    data = np.column_stack([np.asarray(columns[k], dtype=np.float64) for k in names])
    draws: np.ndarray | None
    if 2 <= n <= BOOTSTRAP_MAX_CLIENTS:
        method: CIMethod = {
            "method": "percentile bootstrap",
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": seed,
        }
        draws = bootstrap_means(data, seed=seed)
    elif n > BOOTSTRAP_MAX_CLIENTS:
        method = {
            "method": "normal",
            "reason": f"more than {BOOTSTRAP_MAX_CLIENTS} clients",
            "seed": seed,
        }
        cov = np.atleast_2d(np.cov(data, rowvar=False)) / n
        rng = np.random.default_rng(seed)
        draws = rng.multivariate_normal(data.mean(axis=0), cov, size=BOOTSTRAP_RESAMPLES)
    else:
        method = {"method": "none", "reason": "fewer than 2 clients"}
        draws = None
    stats: dict[str, MetricStats] = {}
    for k, name in enumerate(names):
        v = data[:, k]
        mean = float(v.mean()) if n else None
        sd = float(v.std(ddof=1)) if n >= 2 else None
        if method["method"] == "percentile bootstrap" and draws is not None:
            lo, hi = np.percentile(draws[:, k], [2.5, 97.5])
            ci: list[float] | None = [float(lo), float(hi)]
        elif method["method"] == "normal" and mean is not None and sd is not None:
            half = _Z95 * sd / math.sqrt(n)
            ci = [mean - half, mean + half]
        else:
            ci = None
        stats[name] = {"mean": mean, "sd": sd, "ci95": ci}
    return stats, method, draws
