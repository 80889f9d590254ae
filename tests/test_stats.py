"""``tvt stats``: distributions, chi-square against the design weights, conversation figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from release_fixture import build_native, build_release

from tests.hyp import examples
from tvt.cli import main
from tvt.config import load_config
from tvt.pipeline import planned_cases
from tvt.release import import_release
from tvt.stats import ATTRIBUTES, chi_square, compute_stats, design_targets


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return build_native(tmp_path / "ds", clients=30, preset="default")


def test_stats_json_has_every_part(small):
    res = run("stats", small, "--json")
    assert res.exit_code == 0, res.output
    stats = json.loads(res.output)
    assert set(stats) >= {
        "dataset",
        "targets",
        "attributes",
        "behaviours",
        "age",
        "type_topic_pairs",
        "conversations",
    }
    assert stats["targets"]["available"] is True
    assert set(stats["attributes"]) == {a.key for a in ATTRIBUTES}
    for key, entry in stats["attributes"].items():
        assert sum(v["count"] for v in entry["values"].values()) == 30, key
        assert abs(sum(v["percent"] for v in entry["values"].values()) - 100) < 1e-6, key
        assert abs(sum(v["target_percent"] for v in entry["values"].values()) - 100) < 1e-6, key
        chi = entry["chi_square"]
        assert chi is not None and 0.0 <= chi["p_value"] <= 1.0, key
        assert chi["dof"] == sum(1 for v in entry["values"].values() if v["target_percent"]) - 1
    b = stats["behaviours"]
    assert 0.0 <= b["chi_square"]["p_value"] <= 1.0
    assert b["per_client"]["target_mean"] == pytest.approx(2.0)
    assert 1 <= b["per_client"]["mean"] <= 3
    assert stats["age"]["sd"] > 0 and 18 <= stats["age"]["mean"] <= 80
    # The default preset pairs every topic with a compatible type.
    assert stats["type_topic_pairs"]["coherent_share"] == 1.0
    conv = stats["conversations"]
    assert list(conv) == ["P5", "P10", "P6", "P7", "P8", "P11", "all"]
    assert conv["P10"]["suds_coverage"] == 1.0 and conv["P5"]["suds_coverage"] == 0.0
    assert conv["P6"]["suds_statements_per_conversation"]["mean"] == 1.0
    assert conv["P5"]["turns_per_conversation"] == {"n": 30, "mean": 2.0, "sd": 0.0}
    # "A bit shaky today." has four words; "How are you feeling?" four.
    assert conv["P5"]["by_speaker"]["client"]["words_per_turn"]["mean"] == 4.0
    assert conv["all"]["conversations"] == 180


def test_table_output_and_against_paper(small):
    res = run("stats", small, "--against", "paper")
    assert res.exit_code == 0, res.output
    assert "chi-square vs design weights: p =" in res.output
    assert "paper %" in res.output and "49.4" in res.output and "23.4" in res.output
    assert "paper turns" in res.output and "63.9" in res.output
    stats = json.loads(run("stats", small, "--against", "paper", "--json").output)
    assert stats["attributes"]["gender"]["values"]["non-binary"]["paper_percent"] == 6.2
    assert stats["behaviours"]["values"]["nightmares"]["paper_percent"] == 23.4
    assert stats["attributes"]["trauma_type"]["values"]["bullying"]["paper_percent"] == 10.2
    assert stats["age"]["paper_mean"] == 49.3


@pytest.mark.slow
def test_paper_preset_2000_clients_fits_the_design_weights(tmp_path):
    out = tmp_path / "paper"
    # The profiles do not depend on the phases produced; one phase keeps the test quick.
    res = run(
        "generate",
        "--seed",
        "11",
        "--clients",
        "2000",
        "--preset",
        "paper",
        "--phases",
        "P5",
        "--out",
        out,
    )
    assert res.exit_code == 0, res.output
    stats = compute_stats(out)
    assert stats["targets"]["available"]
    for key in ("gender", "co_occurring_condition", "ethnicity", "trauma_type", "behaviour_count"):
        chi = stats["attributes"][key]["chi_square"]
        assert chi["p_value"] >= 0.001, (key, chi)
    # The paper preset draws topics independently of the type: most pairs are incoherent.
    assert stats["type_topic_pairs"]["coherent_share"] < 0.5


def test_chi_square_rejects_a_skewed_dataset(small):
    path = small / "cases.jsonl"
    cases = [json.loads(x) for x in path.read_text().splitlines()]
    for c in cases:
        c["client_profile"]["gender"] = "male"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    chi = compute_stats(small)["attributes"]["gender"]["chi_square"]
    assert chi["p_value"] < 0.001


def test_marginal_targets_match_the_sampler():
    """The exact marginals (compatible topics, age-conditional fields) fit sampled data."""
    config = load_config("default")
    targets = design_targets(config)
    for key, dist in targets.items():
        if key != "behaviour_share":
            assert sum(dist.values()) == pytest.approx(1.0), key
    counts = {k: Counter() for k in ("session_topic", "living_situation", "occupation")}
    for case in planned_cases(config, 5, 3000):
        counts["session_topic"][case["trauma_info"]["session_topic"]] += 1
        counts["living_situation"][case["client_profile"]["living_situation"]] += 1
        counts["occupation"][case["client_profile"]["occupation"]] += 1
    for key, c in counts.items():
        result, _ = chi_square(c, targets[key])
        assert result["p_value"] >= 0.001, (key, result)
    # A uniform topic target would be rejected for the default preset: the test has power.
    uniform = {t: 1 / 20 for t in targets["session_topic"]}
    assert chi_square(counts["session_topic"], uniform)[0]["p_value"] < 0.001


def test_chi_square_edge_cases():
    assert chi_square({}, {"a": 0.5, "b": 0.5}) == (None, "no data")
    result, note = chi_square({"a": 3, "c": 1}, {"a": 0.5, "b": 0.5})
    assert result is None and "'c'" in note
    result, note = chi_square({"a": 3, "b": 1}, {"a": 0.5, "b": 0.5})
    assert result["dof"] == 1 and "approximate" in note


def test_targets_unavailable_when_the_config_changed(small):
    manifest = json.loads((small / "manifest.json").read_text())
    manifest["config"]["sha256"] = "0" * 64
    (small / "manifest.json").write_text(json.dumps(manifest))
    stats = compute_stats(small)
    assert stats["targets"]["available"] is False
    assert "not the config the dataset was made with" in stats["targets"]["reason"]
    assert all("chi_square" not in e for e in stats["attributes"].values())
    res = run("stats", small)
    assert res.exit_code == 0 and "targets unavailable" in res.output


def test_stats_of_imported_release(tmp_path):
    fx = build_release(tmp_path / "release")
    out = tmp_path / "imported"
    import_release(fx.root, out)
    stats = compute_stats(out, against="paper")
    assert stats["targets"]["available"] is False
    assert "no sampler config" in stats["targets"]["reason"]
    assert stats["attributes"]["ethnicity"]["values"]["Oceanian"]["count"] == 1
    assert stats["behaviours"]["values"]["anxiety"]["count"] == 1
    conv = stats["conversations"]
    assert conv["P10"]["suds_coverage"] == 1.0
    assert conv["P6"]["suds_statements_per_conversation"]["mean"] == 2.0
    # 3 of the 6 clients answer on 0-10, two statements each.
    assert conv["P10"]["suds_statements_converted_from_0_10"] == 6


def test_stats_bad_input(tmp_path, small):
    res = run("stats", tmp_path / "missing")
    assert res.exit_code == 2 and "not found" in res.output
    path = small / "cases.jsonl"
    lines = path.read_text().splitlines()
    case = json.loads(lines[4])
    del case["trauma_info"]["type"]
    lines[4] = json.dumps(case)
    path.write_text("\n".join(lines) + "\n")
    res = run("stats", small)
    assert res.exit_code == 2
    assert "cases.jsonl, line 5, field 'trauma_info.type': missing" in res.output
    assert "Traceback" not in res.output


@settings(max_examples=examples(60), deadline=None)
@given(
    counts=st.lists(st.integers(0, 500), min_size=2, max_size=12),
    weights=st.lists(st.floats(0.05, 5.0), min_size=12, max_size=12),
)
def test_chi_square_equals_scipy_stats_chisquare(counts, weights):
    from scipy.stats import chisquare

    if sum(counts) == 0:
        return
    keys = [f"v{i}" for i in range(len(counts))]
    target = {k: w for k, w in zip(keys, weights, strict=False)}
    result, _ = chi_square(dict(zip(keys, counts, strict=True)), target)
    total = sum(target.values())
    expected = [sum(counts) * target[k] / total for k in keys]
    stat, p = chisquare(counts, expected)
    assert result["statistic"] == pytest.approx(stat, rel=1e-9)
    assert result["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)


@settings(max_examples=examples(100), deadline=None)
@given(
    values=st.lists(st.integers(0, 400), min_size=0, max_size=60),
    cut=st.integers(0, 60),
)
def test_moments_match_statistics_and_merge_exactly(values, cut):
    """Mean and sample SD as the statistics module computes them; a stream split in two and
    merged gives exactly the figures of the whole stream."""
    import statistics

    from tvt.stats import Moments

    whole, left, right = Moments(), Moments(), Moments()
    for i, x in enumerate(values):
        whole.add(x)
        (left if i < cut else right).add(x)
    right.merge(left)  # merged out of order
    assert right.summary() == whole.summary()
    assert (right.low, right.high) == (min(values, default=None), max(values, default=None))
    summary = whole.summary()
    assert summary["n"] == len(values)
    if values:
        assert summary["mean"] == statistics.fmean(values)
    if len(values) > 1:
        assert summary["sd"] == pytest.approx(statistics.stdev(values), rel=1e-12, abs=1e-12)
