"""The measures the statistics are made of: exact moments of integer streams and the chi-square
goodness-of-fit test."""

from __future__ import annotations

import math
from collections.abc import Mapping

from tvt.stats.types import ChiSquare, MomentsSummary

#: Below this expected count in a category the chi-square p-value is only approximate.
MIN_EXPECTED = 5.0


def preload_chi_square() -> None:
    """Import what :func:`chi_square` needs now rather than at its first call (scipy takes a few
    tenths of a second to import; generation does it while its worker processes compose)."""
    import scipy.special  # noqa: F401


def chi_square(
    counts: Mapping[str, int], target: Mapping[str, float]
) -> tuple[ChiSquare | None, str | None]:
    """Chi-square goodness of fit of ``counts`` against the probabilities ``target``.

    Returns ``(result, note)``; result is None when the test does not apply (no data, a single
    category, or observed values the targets give no chance at all, which already rejects).
    """
    # scipy.special.chdtrc is the chi-square survival function that scipy.stats.chisquare uses
    # for its p-value; importing scipy.stats as well would add a second to every dataset card.
    # Imported here, not at the top, because scipy is slow to import and only this needs it.
    from scipy.special import chdtrc

    n = sum(counts.values())
    if n == 0:
        return None, "no data"
    outside = sorted(v for v, k in counts.items() if k > 0 and target.get(v, 0) <= 0)
    if outside:
        return None, "values the targets do not allow: " + ", ".join(map(repr, outside[:5]))
    cats = [v for v, p in target.items() if p > 0]
    if len(cats) < 2:
        return None, "a single category"
    total = sum(target[v] for v in cats)
    f_obs = [counts.get(v, 0) for v in cats]
    f_exp = [n * target[v] / total for v in cats]
    stat = sum((o - e) ** 2 / e for o, e in zip(f_obs, f_exp, strict=True))
    p = chdtrc(len(cats) - 1, stat)
    result: ChiSquare = {
        "statistic": float(stat),
        "p_value": float(p),
        "dof": len(cats) - 1,
        "min_expected": float(min(f_exp)),
    }
    note = None
    if result["min_expected"] < MIN_EXPECTED:
        note = f"some expected counts are below {MIN_EXPECTED:g}; the p-value is approximate"
    return result, note


class Moments:
    """Count, sum, sum of squares, least and largest of a stream of integers.

    Integer sums are exact, so the mean and SD do not depend on the order the values came in or
    on how the stream was split and merged; each is rounded once, at the end.
    """

    __slots__ = ("n", "total", "squares", "low", "high")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0
        self.squares = 0
        self.low: int | None = None
        self.high: int | None = None

    def add(self, x: int) -> None:
        self.n += 1
        self.total += x
        self.squares += x * x
        if self.low is None or x < self.low:
            self.low = x
        if self.high is None or x > self.high:
            self.high = x

    def merge(self, other: Moments) -> None:
        self.n += other.n
        self.total += other.total
        self.squares += other.squares
        for x in (other.low, other.high):
            if x is not None:
                self.low = x if self.low is None else min(self.low, x)
                self.high = x if self.high is None else max(self.high, x)

    def summary(self) -> MomentsSummary:
        n = self.n
        # n * squares - total**2 is n (n - 1) times the sample variance, exactly.
        sd = math.sqrt((n * self.squares - self.total**2) / (n * (n - 1))) if n > 1 else None
        return {"n": n, "mean": self.total / n if n else None, "sd": sd}
