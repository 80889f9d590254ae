"""Leaderboard tiers of tvt-bench-v2: tiers, sealed entries, reference copies, trained_on_tvt."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tvt.bench import BENCHMARK_NAME
from tvt.errors import InputError
from tvt.leaderboard.tiers import (
    is_reference_copy,
    load_sealed_entries,
    rank_sealed,
    refuse_reference_copy,
    sealed_row,
    tier_of,
    trained_label,
)


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


# -- the tiers on the leaderboard --------------------------------------------------------------
def _cli(*args):
    from click.testing import CliRunner

    from tvt.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def _meta(path, **extra):
    meta = {
        "model": "Copycat",
        "organization": "o",
        "description": "d",
        "rater_prompt_version": "v1",
        **extra,
    }
    path.write_text(json.dumps(meta))
    return path


@pytest.mark.parametrize("reference", ["v2-full-dev", "v1"])
def test_submit_refuses_a_copy_of_the_public_reference(tmp_path, reference):
    from tvt.bench.recipe import split_dir
    from tvt.benchmark import benchmark_reference

    ref = (
        split_dir("full", "dev") / "reference.jsonl" if reference != "v1" else benchmark_reference()
    )
    copy = tmp_path / "outputs.jsonl"
    lines = [json.loads(x) for x in ref.read_text().splitlines()]
    copy.write_text(
        "".join(
            json.dumps({"client_id": r["client_id"], "trajectory": r["trajectory"]}) + "\n"
            for r in lines
        )
    )
    res = _cli(
        "submit",
        copy,
        "--meta",
        _meta(tmp_path / "m.json"),
        "--reference",
        ref,
        "--leaderboard",
        tmp_path / "board",
    )
    assert res.exit_code == 2, res.output
    assert "identical to the public reference" in res.output
    assert not (tmp_path / "board" / "entries").exists() or not any(
        (tmp_path / "board" / "entries").iterdir()
    )


def test_trained_on_tvt_and_sealed_entries_in_every_format(tmp_path, monkeypatch):
    from tests.fake_openai_server import FakeServer
    from tvt.bench.recipe import split_dir
    from tvt.bench.sealed import run_eval
    from tvt.leaderboard import leaderboard_groups, render

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("TVT_SECRETS_DIR", str(tmp_path / "secrets"))
    board = tmp_path / "board"
    # a dev submission that says it was tuned on tvt data
    ref = split_dir("full", "dev") / "reference.jsonl"
    noisy = tmp_path / "noisy.jsonl"
    rows = [json.loads(x) for x in ref.read_text().splitlines()]
    noisy.write_text(
        "".join(
            json.dumps(
                {
                    "client_id": r["client_id"],
                    "trajectory": {
                        p: min(10, v + (r["client_id"] % 2)) for p, v in r["trajectory"].items()
                    },
                }
            )
            + "\n"
            for r in rows
        )
    )
    res = _cli(
        "submit",
        noisy,
        "--meta",
        _meta(tmp_path / "m.json", model="Tuned", trained_on_tvt=True),
        "--reference",
        ref,
        "--leaderboard",
        board,
    )
    assert res.exit_code == 0, res.output
    # a sealed entry
    server = FakeServer().start()
    try:
        run_eval(
            model="fake-model",
            track="full",
            clients=3,
            base_url=server.base_url,
            leaderboard=board,
            trained_on_tvt=False,
        )
    finally:
        server.stop()
    groups = leaderboard_groups(board)
    # unsigned and 3 clients: self-run, never the sealed headline
    assert groups["sealed"] == []
    assert [e["model"] for e in groups["self-run"]] == ["fake-model"]
    assert groups["verified"][0]["trained_on_tvt"] is True
    for fmt in ("table", "md", "html", "json"):
        text = render(groups, fmt)
        name = "fake\\-model" if fmt == "md" else "fake-model"  # Markdown escapes "-"
        assert name in text and "Tuned" in text, fmt
        assert "public answer key can be copied" in text, fmt
    table = render(groups, "table")
    assert table.index("Sealed") < table.index("Self-run") < table.index("Dev")
    assert table.index("Dev") < table.index("Reported")
    assert f"{BENCHMARK_NAME} full" in table and " yes " in table and " no " in table
    doc = json.loads(render(groups, "json"))
    assert doc["tiers"] == {
        "sealed": "sealed",
        "self-run": "self-run",
        "dev": "verified",
        "custom": "custom",
        "reported": "reported",
    }
    assert doc["self-run"][0]["sealed"]["seed"] is None
    assert doc["self-run"][0]["attempts"] == 1


def test_turn_track_claims_are_checked(tmp_path):
    """A turn-track META's claimed figures must match the recomputed ones (a claimed DTW, which
    the turn track does not have, is not checked)."""
    from tvt.bench.recipe import split_dir

    ref = split_dir("turn", "dev") / "reference.jsonl"
    rows = [json.loads(x) for x in ref.read_text().splitlines()]
    outputs = tmp_path / "turn.jsonl"
    outputs.write_text(
        "".join(
            json.dumps(
                {
                    "client_id": r["client_id"],
                    "phase": r["phase"],
                    "turns": r["turns"],
                    "intensities": [
                        min(10.0, v + (k % 3) * 0.7) for k, v in enumerate(r["intensities"])
                    ],
                }
            )
            + "\n"
            for r in rows
        )
    )
    wrong = _meta(tmp_path / "wrong.json", claimed={"pearson": 0.123})
    res = _cli(
        "submit", outputs, "--meta", wrong, "--reference", ref, "--leaderboard", tmp_path / "b"
    )
    assert res.exit_code == 2, res.output
    assert "claimed.pearson" in res.output and "differs from the recomputed" in res.output
    dtw_only = _meta(tmp_path / "dtw.json", claimed={"dtw": 99.0})
    res = _cli(
        "submit", outputs, "--meta", dtw_only, "--reference", ref, "--leaderboard", tmp_path / "b"
    )
    assert res.exit_code == 0, res.output
