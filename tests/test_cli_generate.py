"""`tvt generate` end to end: files, manifest, determinism, refusal rules, atomicity, packaging."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tvt.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generate_writes_dataset_with_manifest(tmp_path):
    out = tmp_path / "ds"
    res = run("generate", "--seed", 5, "--clients", 12, "--out", out)
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"manifest.json", "cases.jsonl", "conversations.jsonl", "reference.jsonl"} <= names
    assert not [n for n in names if n.startswith(".tvt-")]  # no staging left behind
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["clients"] == 12
    assert manifest["config"]["name"] == "default"
    for name, meta in manifest["files"].items():
        assert meta["sha256"] == _sha(out / name)
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert [c["client_id"] for c in cases] == list(range(1, 13))
    refs = [json.loads(line) for line in (out / "reference.jsonl").read_text().splitlines()]
    assert all(r["source"] == "plan" for r in refs)
    assert [r["trajectory"] for r in refs] == [c["plan"]["intensity"] for c in cases]
    convs = [json.loads(line) for line in (out / "conversations.jsonl").read_text().splitlines()]
    order = ["P5", "P10", "P6", "P7", "P8", "P11"]
    assert [(c["client_id"], c["phase"]) for c in convs] == [
        (i, p) for i in range(1, 13) for p in order
    ]


def test_same_seed_gives_byte_identical_files(tmp_path):
    for name in ("a", "b"):
        assert (
            run("generate", "--seed", 9, "--clients", 25, "--out", tmp_path / name).exit_code == 0
        )
    for f in ("manifest.json", "cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


@pytest.mark.slow
def test_prefix_stability_in_files(tmp_path):
    run("generate", "--seed", 3, "--clients", 5, "--out", tmp_path / "small")
    run("generate", "--seed", 3, "--clients", 40, "--out", tmp_path / "big")
    for f in ("cases.jsonl", "reference.jsonl", "conversations.jsonl"):
        small = (tmp_path / "small" / f).read_text().splitlines()
        big = (tmp_path / "big" / f).read_text().splitlines()
        assert big[: len(small)] == small, f


def test_non_empty_output_is_refused_without_force(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    res = run("generate", "--seed", 1, "--clients", 3, "--out", out)
    assert res.exit_code == 2 and "--force" in res.output
    assert run("generate", "--seed", 1, "--clients", 3, "--out", out, "--force").exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"  # --force replaces only tvt's files


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--seed", "x"], "--seed"),
        (["--seed", "1", "--clients", "0"], "--clients"),
        (["--seed", "1", "--clients", "-4"], "--clients"),
        (["--seed", "1", "--preset", "fancy"], "--preset"),
        (["--seed", "1", "--phases", "P5,P9"], "P9"),
        (["--clients", "3"], "--seed"),
    ],
)
def test_bad_usage_exits_2(tmp_path, args, needle):
    res = run("generate", *args, "--out", tmp_path / "o")
    assert res.exit_code == 2, res.output
    assert needle in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run("generate", "--seed", 1, "--clients", 2, "--out", blocker / "sub")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "file" in res.output


def test_failure_mid_run_leaves_nothing_half_written(tmp_path, monkeypatch):
    import tvt.pipeline as generate_module

    out = tmp_path / "ds"
    assert run("generate", "--seed", 1, "--clients", 4, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = generate_module.compose_client

    def flaky(case, seed, phases, **style):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(case, seed, phases, **style)

    monkeypatch.setattr(generate_module, "compose_client", flaky)
    res = run("generate", "--seed", 2, "--clients", 4, "--out", out, "--force")
    assert res.exit_code == 1 and "disk on fire" in res.output
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # the earlier dataset is untouched, no staging folder remains


def test_python_dash_m_works():
    res = subprocess.run([sys.executable, "-m", "tvt", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "generate" in res.stdout


@pytest.mark.slow
def test_fast_encoder_writes_the_canonical_bytes(tmp_path):
    """Generated records are encoded with orjson for speed; every line must be exactly what the
    standard library's canonical encoder (which refuses NaN and Infinity) writes."""
    from tvt.jsonio import dumps

    out = tmp_path / "ds"
    assert run("generate", "--seed", 13, "--clients", 30, "--out", out).exit_code == 0
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            assert line == dumps(json.loads(line)), name


@pytest.mark.parametrize("workers", [1, 2])
def test_card_from_the_rendered_records_equals_the_card_from_the_files(
    tmp_path, monkeypatch, workers
):
    """Generation surveys the records as it renders them, chunk by chunk and process by process;
    the card must be exactly the one a pass over the written files gives."""
    import tvt.pipeline
    from tvt.card import write_card
    from tvt.config import load_config

    monkeypatch.setattr(tvt.pipeline, "CHUNK", 7)  # several chunks, merged in client order
    out = tmp_path / "ds"
    config = load_config("paper")
    manifest = tvt.pipeline.generate_offline(
        out, seed=21, clients=30, config=config, phases=["P5", "P6"], workers=workers
    )
    generated = {n: (out / n).read_bytes() for n in ("README.md", "croissant.json")}
    for name in generated:
        (out / name).unlink()
    write_card(out, manifest)  # reads and checks the files
    assert {n: (out / n).read_bytes() for n in generated} == generated
    assert b"Chi-square against the design target" in generated["README.md"]


@pytest.mark.slow
def test_any_number_of_processes_writes_the_same_bytes(tmp_path, monkeypatch):
    """Chunks rendered in one process or shared by two (taken as each finishes) give the same
    files, card included; the data files' sha256, taken as they are written, are the files'."""
    import tvt.pipeline
    from tvt.config import load_config

    monkeypatch.setattr(tvt.pipeline, "CHUNK", 4)  # uneven chunks, more of them than processes
    config = load_config("default")
    made = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        tvt.pipeline.generate_offline(out, seed=8, clients=23, config=config, workers=workers)
        made[workers] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert made[1] == made[2]
    assert {"README.md", "croissant.json", "manifest.json"} <= set(made[2])
    out = tmp_path / "w2"
    manifest = json.loads(made[2]["manifest.json"])
    described = json.loads(made[2]["croissant.json"])["distribution"]
    for entry in described:
        assert entry["sha256"] == _sha(out / entry["name"]), entry["name"]
    for name, meta in manifest["files"].items():
        assert meta["sha256"] == _sha(out / name) and meta["bytes"] == len(made[2][name])
