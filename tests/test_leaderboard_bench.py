"""tvt-bench-v1 (regeneration, fingerprint check) and the shipped leaderboard's integrity."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import tvt.benchmark as bench
import tvt.leaderboard as lb
from tvt.cli import main
from tvt.dataset import dependency_versions
from tvt.jsonio import sha256_file, write_json
from tvt.scoring import score_files

SHIPPED = lb.default_leaderboard_dir()
BASELINES = {
    "Lexical rater (tvt baseline)",
    "Constant mean (tvt baseline)",
    "Per-phase mean (tvt baseline)",
    "Random (tvt baseline)",
}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def recipe() -> dict:
    return bench.load_benchmark("tvt-bench-v1")


def test_recipe_names_everything(recipe):
    assert recipe["name"] == "tvt-bench-v1"
    assert recipe["clients"] == 500 and isinstance(recipe["seed"], int)
    assert recipe["preset"] in ("default", "paper")
    assert recipe["backend"]["name"] == "offline"
    assert {"numpy", "faker", "python", "tvt"} <= set(recipe["versions"])
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        assert len(recipe["files"][name]) == 64
    assert sha256_file(bench.benchmark_reference()) == recipe["files"]["reference.jsonl"]


@pytest.mark.slow
def test_v1_on_another_release_says_so_and_writes_nothing(tmp_path, recipe):
    """tvt-bench-v1 was written by tvt 0.1.0 with composer 1.2; this tvt (another composer and a
    plan with within-session courses) cannot write it again byte for byte. The command must say
    which release can, print its install command, and write nothing rather than data that is
    not the benchmark. The shipped reference.jsonl, the recorded hashes and the leaderboard's
    kept outputs keep v1 scorable meanwhile."""
    from tvt.compose import COMPOSER_VERSION

    assert recipe["versions"]["composer"] != COMPOSER_VERSION
    out = tmp_path / "bench"
    res = run("generate", "--benchmark", "tvt-bench-v1", "--out", out)
    assert res.exit_code == 1, res.output
    assert "git checkout tvt-bench-v1 && pip install ." in res.output
    # The commit that the tag names, for a clone without tags.
    assert "git checkout 5d8c5ad4760bd6f34d7aa918f69e626f620168da && pip install ." in res.output
    assert f"composer {COMPOSER_VERSION} here, 1.2 recorded" in res.output
    assert not out.exists() and "Traceback" not in res.output
    assert recipe["release"]["tag"] == "tvt-bench-v1" and len(recipe["release"]["commit"]) == 40


def _fake_bench(tmp_path: Path, monkeypatch, versions: dict) -> None:
    folder = tmp_path / "benchdir"
    folder.mkdir()
    write_json(
        folder / "tiny-bench.json",
        {
            "name": "tiny-bench",
            "preset": "default",
            "seed": 5,
            "clients": 4,
            "backend": {"name": "offline"},
            "versions": versions,
            "files": {"reference.jsonl": "0" * 64, "conversations.jsonl": "1" * 64},
            "fingerprint": "2" * 64,
        },
    )
    monkeypatch.setattr(bench, "benchmark_dir", lambda: folder)


def test_mismatch_names_the_differing_versions(tmp_path, monkeypatch):
    here = dependency_versions()
    _fake_bench(tmp_path, monkeypatch, {**here, "numpy": "0.0.1", "faker": "1.0"})
    res = run("generate", "--benchmark", "tiny-bench", "--out", tmp_path / "o")
    assert res.exit_code == 1, res.output
    msg = res.output
    # checked before anything is generated: nothing is written
    assert not (tmp_path / "o").exists()
    assert f"numpy {here['numpy']} here, 0.0.1 recorded" in msg
    assert f"faker {here['faker']} here, 1.0 recorded" in msg
    differing = msg.split("differs (")[1].split(")")[0]
    assert "python" not in differing and "tvt" not in differing  # equal or not recorded
    assert "no release is recorded" in msg and "Traceback" not in msg


def test_mismatch_with_same_versions_blames_the_generator(tmp_path, monkeypatch):
    from tvt import __version__
    from tvt.compose import COMPOSER_VERSION

    versions = {**dependency_versions(), "tvt": __version__, "composer": COMPOSER_VERSION}
    _fake_bench(tmp_path, monkeypatch, versions)
    res = run("generate", "--benchmark", "tiny-bench", "--out", tmp_path / "o")
    assert res.exit_code == 1
    assert "no recorded library version differs" in res.output
    assert "generator code itself changed" in res.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--benchmark", "tvt-bench-v1", "--seed", "3"], "drop --seed"),
        (["--benchmark", "tvt-bench-v1", "--clients", "3", "--preset", "paper"], "--clients"),
        (["--benchmark", "no-such-bench"], "unknown benchmark 'no-such-bench'"),
        (["--benchmark", "../etc/passwd"], "not a benchmark name"),
        ([], "--seed"),
    ],
)
def test_benchmark_usage_errors(tmp_path, args, needle):
    res = run("generate", *args, "--out", tmp_path / "o")
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert not (tmp_path / "o").exists()


def test_shipped_leaderboard_is_verified_and_current(recipe):
    groups = lb.leaderboard_groups(SHIPPED)
    assert len(groups["reported"]) == 8
    assert all(e["benchmark"] == "paper-table-1" for e in groups["reported"])
    by_model = {e["model"]: e for e in groups["verified"]}
    assert BASELINES <= set(by_model)
    ref = bench.benchmark_reference()
    for entry in groups["verified"]:
        ver = entry["verification"]
        outputs = SHIPPED / ver["outputs_file"]
        assert sha256_file(outputs) == ver["outputs_sha256"]
        assert ver["reference_sha256"] == recipe["files"]["reference.jsonl"]
        assert entry["benchmark"] == "tvt-bench-v1"
        # Scoring the kept outputs again gives the entry's metrics exactly.
        again = lb.metrics_from_report(score_files(outputs, ref))
        assert again == entry["metrics"], entry["model"]
    const = by_model["Constant mean (tvt baseline)"]["metrics"]
    assert const["undefined_pearson"] == const["n_scored"] == 500
    assert const["pearson"]["mean"] == 0.0
    s = {m: e["metrics"]["s_abs"] for m, e in by_model.items()}
    assert s["Random (tvt baseline)"] < s["Per-phase mean (tvt baseline)"]
    assert s["Random (tvt baseline)"] < s["Lexical rater (tvt baseline)"]
    # The shipped page is the rendering of the shipped entries.
    page = (SHIPPED / "index.html").read_text(encoding="utf-8")
    assert page == lb.render_html(groups)


def test_leaderboard_command_defaults_to_the_shipped_board():
    res = run("leaderboard")
    assert res.exit_code == 0
    assert "Mistral Large" in res.output and "Lexical rater (tvt baseline)" in res.output
    assert res.output.index("answer key public") < res.output.index("Reported")


def test_submit_defaults_to_the_benchmark_reference(tmp_path):
    board = tmp_path / "board"
    shipped = {e["model"]: e for e in lb.load_entries(SHIPPED)}
    entry = shipped["Per-phase mean (tvt baseline)"]
    outputs = SHIPPED / entry["verification"]["outputs_file"]
    write_json(
        tmp_path / "meta.json",
        {
            "model": "Shape prior",
            "organization": "Somebody",
            "description": "per-phase means",
            "rater_prompt_version": "none",
            "claimed": {"s_abs": entry["metrics"]["s_abs"]},
        },
    )
    res = run("submit", outputs, "--meta", tmp_path / "meta.json", "--leaderboard", board)
    assert res.exit_code == 0, res.output
    (mine,) = lb.load_entries(board)
    assert mine["benchmark"] == "tvt-bench-v1"
    assert mine["metrics"] == entry["metrics"]
