"""Leaderboard tiers of tvt-bench-v2: tiers, sealed entries, reference copies, trained_on_tvt."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tvt.bench.tiers import (
    is_reference_copy,
    load_sealed_entries,
    rank_sealed,
    refuse_reference_copy,
    sealed_row,
    tier_of,
    trained_label,
)
from tvt.errors import InputError


def test_tiers_and_trained_label():
    assert tier_of({"status": "sealed"}) == "sealed"
    assert tier_of({"status": "verified"}) == "dev"
    assert tier_of({"status": "reported"}) == "reported"
    assert trained_label({"trained_on_tvt": True}) == "yes"
    assert trained_label({"trained_on_tvt": False}) == "no"
    assert trained_label({}) == "unknown"


def test_reference_copy_detection():
    ref = np.array([[5.0, 7.0, np.nan], [3.0, 4.0, 6.0]])
    assert is_reference_copy(ref.copy(), ref)
    assert is_reference_copy(ref + 1e-12, ref)
    near = ref.copy()
    near[1, 2] = 6.5
    assert not is_reference_copy(near, ref)
    partial = ref.copy()
    partial[0, 0] = np.nan
    assert not is_reference_copy(partial, ref)  # a copy missing ratings is not "identical"
    with pytest.raises(InputError, match="identical to the public reference"):
        refuse_reference_copy(ref, ref, "outputs.jsonl")


def _entry(model, s, track="masked", seed=None):
    return {
        "status": "sealed",
        "model": model,
        "track": track,
        "date": "2026-12-01",
        "trained_on_tvt": None,
        "format_failure_rate": 0.05,
        "metrics": {
            "s_abs": s,
            "s_abs_ci95": [s - 0.1, s + 0.1],
            "pearson": {"mean": s},
            "rmse": {"mean": 1.0},
            "n_scored": 9,
            "n_reference": 10,
        },
        "sealed": {"commitment": "ab" * 32, "seed": seed},
    }


def test_sealed_entries_are_ranked_per_track(tmp_path):
    folder = tmp_path / "sealed"
    folder.mkdir()
    for i, (m, s, t) in enumerate([("a", 0.5, "masked"), ("b", 0.7, "masked"), ("c", 0.6, "turn")]):
        (folder / f"{i}.json").write_text(json.dumps(_entry(m, s, t, seed=7 if m == "a" else None)))
    ranked = rank_sealed(load_sealed_entries(tmp_path))
    assert [e["model"] for e in ranked["masked"]] == ["b", "a"]
    assert [e["rank"] for e in ranked["masked"]] == [1, 2]
    row = sealed_row(ranked["masked"][1])
    assert row["seed"] == "revealed" and row["trained_on_tvt"] == "unknown"
    assert row["format_failures"] == "5.0 %"
    (folder / "bad.json").write_text(json.dumps({**_entry("d", 0.1), "status": "dev"}))
    with pytest.raises(InputError, match="not a sealed entry"):
        load_sealed_entries(tmp_path)
