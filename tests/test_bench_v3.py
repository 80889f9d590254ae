"""tvt-bench-v3 is consistent with this tvt: recipe <-> files, release, priors (not hard-coded
text: the merger regenerates v3 with benchmark/make_bench_v3.py after the composer changes)."""

from __future__ import annotations

import pytest

from tvt import __version__
from tvt.bench import BENCHMARK_NAME
from tvt.bench.prior import Prior, fit_track_prior
from tvt.bench.recipe import data_versions, load_recipe, split_dir
from tvt.jsonio import sha256_file


def test_the_current_benchmark_is_v3_and_records_its_release():
    recipe = load_recipe()
    assert BENCHMARK_NAME == recipe["name"] == "tvt-bench-v3"
    release = recipe["release"]
    assert release["tag"] == "tvt-bench-v3" and release["tvt"] == recipe["versions"]["tvt"]
    assert "pip install" in release["install"]


def test_v3_was_made_by_this_tvt():
    """If this fails, rerun `python benchmark/make_bench_v3.py` (the composer or plan changed)."""
    recipe = load_recipe()
    assert recipe["versions"] == data_versions(), "rerun benchmark/make_bench_v3.py"
    assert recipe["release"]["tvt"] == __version__


@pytest.mark.parametrize("track", ["full", "masked", "turn"])
def test_every_shipped_file_matches_the_recipe(track):
    recipe = load_recipe()
    for split, spec in recipe["tracks"][track]["splits"].items():
        for name, sha in spec["files"].items():
            assert sha256_file(split_dir(track, split) / name) == sha, (track, split, name)
        assert spec["files"]["inputs.jsonl"] == spec["inputs_sha256"]
        assert spec["recipe" if split == "test" else "seed"] is not None


@pytest.mark.slow
@pytest.mark.parametrize("track", ["masked", "turn"])
def test_the_shipped_prior_is_the_train_splits(track):
    recipe = load_recipe()
    shipped = Prior.from_json(recipe["tracks"][track]["prior"])
    again = fit_track_prior(track, recipe)
    assert shipped.means.keys() == again.means.keys()
    for phase, row in shipped.means.items():
        assert row == pytest.approx(again.means[phase], abs=1e-6)
