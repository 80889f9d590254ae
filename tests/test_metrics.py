"""Metrics: cross-checked against dtaidistance and scipy, the paper's Table 1, CIs and ratios."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as scipy_stats

from tests.hyp import examples
from tests.needs import require_module
from tvt import metrics
from tvt.paper import paper

dtai_dtw = require_module("dtaidistance.dtw")

# Ratings as models give them (integers) and as raters may (any float in [1, 10]).
ratings = st.one_of(
    st.integers(1, 10).map(float),
    st.floats(1.0, 10.0, allow_nan=False, allow_infinity=False),
)


def batch(length: int):
    return st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, (n, length), elements=ratings),
            arrays(np.float64, (n, length), elements=ratings),
        )
    )


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(st.integers(2, 6).flatmap(batch))
def test_dtw_matches_dtaidistance(pair):
    m, c = pair
    ours = metrics.dtw(m, c)
    for i in range(m.shape[0]):
        ref = dtai_dtw.distance(m[i], c[i])  # full window, squared cost, sqrt of the sum
        assert ours[i] == pytest.approx(ref, rel=1e-9, abs=1e-12)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(st.integers(3, 6).flatmap(batch))
def test_pearson_matches_scipy_and_constant_is_zero(pair):
    m, c = pair
    r, undefined = metrics.pearson(m, c)
    for i in range(m.shape[0]):
        constant = np.ptp(m[i]) == 0 or np.ptp(c[i]) == 0
        assert undefined[i] == constant
        if constant:
            assert r[i] == 0.0
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = scipy_stats.pearsonr(m[i], c[i])[0]
            assert r[i] == pytest.approx(expected, abs=1e-9)
        assert -1.0 <= r[i] <= 1.0


@pytest.mark.slow
@settings(max_examples=examples(100), deadline=None)
@given(batch(6))
def test_rmse_matches_numpy(pair):
    m, c = pair
    expected = [math.sqrt(np.mean((m[i] - c[i]) ** 2)) for i in range(m.shape[0])]
    assert metrics.rmse(m, c) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_known_values():
    m = np.array([[5, 8, 8, 7, 6, 4]], dtype=float)
    c = np.array([[5, 8, 8, 7, 6, 4]], dtype=float)
    assert metrics.dtw(m, c)[0] == 0.0
    assert metrics.rmse(m, c)[0] == 0.0
    assert metrics.pearson(m, c)[0][0] == pytest.approx(1.0)
    # A shifted copy: RMSE 1 everywhere; DTW can align the plateau but not the ends.
    shifted = c + 1
    assert metrics.rmse(shifted, c)[0] == pytest.approx(1.0)
    assert metrics.pearson(shifted, c)[0][0] == pytest.approx(1.0)
    assert metrics.dtw(shifted, c)[0] == pytest.approx(dtai_dtw.distance(shifted[0], c[0]))


def test_constant_predictor_is_scored_zero_and_flagged():
    c = np.array([[5, 8, 8, 7, 6, 4], [3, 3, 3, 3, 3, 3]], dtype=float)
    m = np.array([[6, 6, 6, 6, 6, 6], [1, 2, 3, 4, 5, 6]], dtype=float)
    r, undefined = metrics.pearson(m, c)
    assert r.tolist() == [0.0, 0.0]
    assert undefined.tolist() == [True, True]


def test_vectorised_over_many_clients_equals_row_by_row():
    rng = np.random.default_rng(3)
    m = rng.integers(1, 11, (2000, 6)).astype(float)
    c = rng.uniform(1, 10, (2000, 6))
    whole = metrics.dtw(m, c)
    parts = np.concatenate([metrics.dtw(m[i : i + 1], c[i : i + 1]) for i in range(0, 2000, 97)])
    assert np.array_equal(whole[::97], parts)


# The paper's Table 1 (seeds/paper.json): each reported S_abs from its Pearson, DTW, RMSE means.
TABLE_1 = paper().table_1


@pytest.mark.parametrize("row", TABLE_1, ids=[row.model for row in TABLE_1])
def test_s_abs_reproduces_paper_table_1(row):
    assert abs(metrics.s_abs(row.pearson.mean, row.dtw.mean, row.rmse.mean) - row.s_abs) <= 0.01


def test_s_abs_clips_each_term():
    assert metrics.s_abs(1.5, -1.0, -2.0) == 1.0
    assert metrics.s_abs(-0.5, 7.0, 12.0) == 0.0
    assert metrics.s_abs(0.5, 2.5, 4.5) == pytest.approx(0.5)


def test_ratios_direction_and_zero_guard():
    model = {"pearson": 0.8, "dtw": 2.0, "rmse": 1.0}
    base = {"pearson": 0.4, "dtw": 4.0, "rmse": 1.5}
    out = metrics.ratios(model, base)
    assert out == pytest.approx({"r_corr": 2.0, "r_dtw": 2.0, "r_rmse": 1.5})
    zero = metrics.ratios({"pearson": 0.8, "dtw": 0.0, "rmse": 0.0}, {**base, "pearson": 0.0})
    assert zero == {"r_corr": None, "r_dtw": None, "r_rmse": None}


def test_bootstrap_is_seeded_and_covers_the_mean():
    rng = np.random.default_rng(0)
    cols = {"a": rng.normal(0.7, 0.2, 500), "b": rng.normal(2.5, 0.7, 500)}
    s1, method, draws = metrics.summarise(cols, seed=1)
    s2, _, _ = metrics.summarise(cols, seed=1)
    s3, _, _ = metrics.summarise(cols, seed=2)
    assert s1 == s2
    assert s1["a"]["ci95"] != s3["a"]["ci95"]
    assert method["method"] == "percentile bootstrap"
    assert draws.shape == (metrics.BOOTSTRAP_RESAMPLES, 2)
    for name, v in cols.items():
        lo, hi = s1[name]["ci95"]
        assert lo < v.mean() < hi
        # The bootstrap interval of a mean is close to the normal one for 500 values.
        half = 1.96 * v.std(ddof=1) / math.sqrt(v.size)
        assert (hi - lo) == pytest.approx(2 * half, rel=0.15)
        assert s1[name]["sd"] == pytest.approx(v.std(ddof=1))


def test_large_samples_use_the_normal_interval():
    rng = np.random.default_rng(5)
    v = rng.normal(1.0, 0.3, metrics.BOOTSTRAP_MAX_CLIENTS + 1)
    stats, method, draws = metrics.summarise({"x": v}, seed=0)
    assert method["method"] == "normal"
    half = 1.959963984540054 * v.std(ddof=1) / math.sqrt(v.size)
    assert stats["x"]["ci95"] == pytest.approx([v.mean() - half, v.mean() + half])
    assert draws.shape == (metrics.BOOTSTRAP_RESAMPLES, 1)


def test_summary_of_one_client_has_no_sd_or_ci():
    stats, method, draws = metrics.summarise({"x": np.array([0.5])})
    assert stats["x"] == {"mean": 0.5, "sd": None, "ci95": None}
    assert method["method"] == "none" and draws is None


def test_constant_rows_are_those_np_ptp_finds():
    """pearson's test of a constant trajectory is ``np.ptp(row) == 0``, infinities and NaN too."""
    rng = np.random.default_rng(1)
    a = rng.choice([1.0, 2.0, np.inf, -np.inf, np.nan, 0.0, -0.0], size=(20_000, 4))
    a[::7] = a[::7, :1]  # constant rows of every value
    with np.errstate(invalid="ignore"):  # inf - inf
        expected = np.ptp(a, axis=1) == 0
    assert expected.any() and not expected.all()
    assert np.array_equal(metrics._constant(a), expected)
