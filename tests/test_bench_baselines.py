"""Offline baselines on every track, and tvt rate on inputs.jsonl."""

from __future__ import annotations

import json
from functools import cache

import jsonschema
import pytest
from click.testing import CliRunner

from tvt.bench.baselines import all_baselines, random_outputs, tfidf_ridge_outputs
from tvt.bench.scoring import score_records
from tvt.bench.splits import Split, build_split
from tvt.bench.tracks import TRACKS
from tvt.cli import main
from tvt.resources import load_schema


class _Splits:
    """(dev, train) splits of a track, each built on first use and shared read-only: the quick
    tests read only the dev splits, and building the train splits costs more than they do."""

    @staticmethod
    @cache
    def dev(name: str) -> Split:
        return build_split(TRACKS[name], 21, 12)

    @staticmethod
    @cache
    def train(name: str) -> Split:
        return build_split(TRACKS[name], 99, 30)

    def __getitem__(self, name: str) -> tuple[Split, Split]:
        return self.dev(name), self.train(name)


@pytest.fixture(scope="module")
def data() -> _Splits:
    return _Splits()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["full", "turn"])
def test_every_baseline_scores_and_outputs_validate(data, name):
    dev, train = data[name]
    schema = load_schema("turn-outputs.schema.json" if name == "turn" else "outputs.schema.json")
    results = {}
    for key, outputs in all_baselines(dev, train).items():
        for rec in outputs:
            jsonschema.validate(rec, schema)
        results[key] = score_records(outputs, dev.reference)
        assert results[key]["n_scored"] == len(dev.reference), key
    # a constant predictor cannot correlate: Pearson scored 0 and counted
    assert results["constant-mean"]["pearson"]["mean"] == 0.0
    assert results["constant-mean"]["undefined_pearson"] == results["constant-mean"]["n_scored"]
    # reading beats noise on both units
    assert results["tfidf-ridge"]["s_abs"] > results["random"]["s_abs"]


def test_random_is_seeded(data):
    dev = data.dev("full")
    assert random_outputs(dev) == random_outputs(dev)


@pytest.mark.slow  # importing scikit-learn and two fits: about 1.6 s of CPU
def test_tfidf_ridge_learns_from_train_split_only(data):
    dev, train = data["turn"]
    a = tfidf_ridge_outputs(dev, train)
    b = tfidf_ridge_outputs(dev, build_split(TRACKS["turn"], 98, 30))
    assert a != b  # the fitted model depends on the train split, not on the dev reference
    assert all(1 <= v <= 10 for r in a for v in r["intensities"])


def test_ceiling_is_one(data):
    dev = data.dev("full")
    outputs = [{"client_id": r["client_id"], "trajectory": r["trajectory"]} for r in dev.reference]
    assert score_records(outputs, dev.reference)["s_abs"] == pytest.approx(1.0)


def test_cli_rate_reads_inputs(tmp_path, data):
    dev = data.dev("turn")
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text(dev.inputs_text())
    ref = tmp_path / "reference.jsonl"
    ref.write_text(dev.reference_text())
    out = tmp_path / "o.jsonl"
    runner = CliRunner()
    res = runner.invoke(main, ["rate", str(inputs), "-o", str(out), "--signals", "language"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == len(dev.inputs) and lines[0]["model"] == "lexical:language"
    res = runner.invoke(main, ["score", str(out), "--reference", str(ref), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["n_scored"] == len(dev.inputs)
    for args, flag in (
        (["--signals", "suds-field"], "--signals"),
        (["--as-reference"], "--as-reference"),
        (["--model", "m"], "--model"),
    ):
        res = runner.invoke(main, ["rate", str(inputs), "-o", str(out), *args])
        assert res.exit_code == 2 and flag in res.output, args
