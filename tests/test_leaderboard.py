"""``tvt submit``: verification, rejection rules, atomic and locked writes, concurrent submits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.needs import require_module
from tvt.cli import main
from tvt.config import load_config
from tvt.jsonio import sha256_file, write_json, write_jsonl
from tvt.leaderboard import MIN_COVERAGE, load_entries, slugify, validate_entry
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.plan import reference_record

CLIENTS = 80


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A reference.jsonl from the real sampler and planner (no conversations needed)."""
    path = tmp_path_factory.mktemp("ref") / "reference.jsonl"
    write_jsonl(
        path, [reference_record(c) for c in planned_cases(load_config("default"), 11, CLIENTS)]
    )
    return path


def ref_matrix(reference: Path) -> np.ndarray:
    rows = [json.loads(x) for x in reference.read_text().splitlines()]
    return np.array([[r["trajectory"][p] for p in BENCHMARK_ORDER] for r in rows], dtype=float)


def make_outputs(
    path: Path, reference: Path, *, seed: int = 0, clients: int = CLIENTS, drop_phase=None
) -> np.ndarray:
    """Noisy ratings of the reference, clipped to 1-10, as per-phase lines."""
    ref = ref_matrix(reference)[:clients]
    rng = np.random.default_rng(seed)
    model = np.clip(np.round(ref + rng.normal(0, 1.2, ref.shape)), 1, 10)
    lines = []
    for i, row in enumerate(model, start=1):
        for j, phase in enumerate(BENCHMARK_ORDER):
            if phase != drop_phase:
                lines.append({"client_id": i, "phase": phase, "intensity": int(row[j])})
    write_jsonl(path, lines)
    return model


def make_meta(path: Path, **extra) -> Path:
    meta = {
        "model": "Test Model 1",
        "organization": "Test Lab",
        "description": "noisy copy of the reference",
        "rater_prompt_version": "v1",
        **extra,
    }
    write_json(path, meta)
    return path


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def submit_args(outputs, meta, reference, board):
    return [
        "submit", outputs, "--meta", meta, "--reference", reference, "--leaderboard", board, "--custom",
    ]  # fmt: skip


def test_accepted_entry_has_recomputed_metrics(tmp_path, reference):
    out = tmp_path / "outputs.jsonl"
    model = make_outputs(out, reference)
    meta = make_meta(tmp_path / "meta.json", url="https://example.org/m")
    board = tmp_path / "new" / "board"  # created if missing
    res = run(*submit_args(out, meta, reference, board))
    assert res.exit_code == 0, res.output
    assert "accepted" in res.output

    sha = sha256_file(out)
    entry_path = board / "entries" / f"test-model-1-{sha[:8]}.json"
    entry = json.loads(entry_path.read_text())
    validate_entry(entry)
    assert entry["status"] == "custom" and entry["split"] is None
    assert entry["benchmark"].startswith("custom:")
    assert entry["verification"]["outputs_sha256"] == sha
    assert entry["verification"]["reference_sha256"] == sha256_file(reference)
    copy = board / entry["verification"]["outputs_file"]
    assert sha256_file(copy) == sha

    # Independent recomputation of the metrics (numpy; DTW via dtaidistance when present).
    ref = ref_matrix(reference)
    m = entry["metrics"]
    rmse = np.sqrt(((model - ref) ** 2).mean(axis=1))
    assert m["rmse"]["mean"] == pytest.approx(rmse.mean(), abs=1e-12)
    pear = []
    for a, b in zip(model, ref, strict=True):
        pear.append(0.0 if a.std() == 0 or b.std() == 0 else np.corrcoef(a, b)[0, 1])
    assert m["pearson"]["mean"] == pytest.approx(np.mean(pear), abs=1e-12)
    # A constant trajectory on either side makes Pearson undefined (scored 0, counted).
    assert m["undefined_pearson"] == sum(
        1 for a, b in zip(model, ref, strict=True) if a.std() == 0 or b.std() == 0
    )
    dtai = require_module("dtaidistance.dtw")
    dtw = [dtai.distance(a.astype(float), b.astype(float)) for a, b in zip(model, ref, strict=True)]
    assert m["dtw"]["mean"] == pytest.approx(np.mean(dtw), abs=1e-9)
    p, d, r = m["pearson"]["mean"], m["dtw"]["mean"], m["rmse"]["mean"]
    s_abs = (min(max(p, 0), 1) + 1 - min(max(d / 5, 0), 1) + 1 - min(max(r / 9, 0), 1)) / 3
    assert m["s_abs"] == pytest.approx(s_abs, abs=1e-12)
    lo, hi = m["s_abs_ci95"]
    assert lo <= m["s_abs"] <= hi
    assert m["n_scored"] == CLIENTS and m["missing"] == 0
    assert entry["trajectory"]["model"]["P10"] == pytest.approx(model[:, 1].mean(), abs=1e-6)
    assert entry["trajectory"]["reference"]["P5"] == pytest.approx(ref[:, 0].mean(), abs=1e-6)

    # The same outputs again: a duplicate, exit 2, nothing added.
    res = run(*submit_args(out, make_meta(tmp_path / "m2.json", model="Other"), reference, board))
    assert res.exit_code == 2
    assert "already submitted" in res.output
    assert len(list((board / "entries").glob("*.json"))) == 1

    # And the board shows it.
    res = run("leaderboard", "--leaderboard", board, "--format", "json")
    assert res.exit_code == 0
    assert [e["model"] for e in json.loads(res.output)["custom"]] == ["Test Model 1"]


def test_claims_must_match(tmp_path, reference):
    out = tmp_path / "o.jsonl"
    make_outputs(out, reference, seed=1)
    board = tmp_path / "board"
    from tvt.scoring import score_files

    report = score_files(out, reference)
    true_p = report["pearson"]["mean"]
    bad = make_meta(tmp_path / "bad.json", claimed={"pearson": true_p + 2e-6})
    res = run(*submit_args(out, bad, reference, board))
    assert res.exit_code == 2
    assert "claimed.pearson" in res.output and "differs from the recomputed" in res.output
    bad_n = make_meta(tmp_path / "badn.json", claimed={"n_scored": CLIENTS + 1})
    assert run(*submit_args(out, bad_n, reference, board)).exit_code == 2
    assert not list((board / "entries").glob("*.json"))

    good = make_meta(
        tmp_path / "good.json",
        claimed={
            "pearson": true_p + 5e-7,
            "dtw": report["dtw"]["mean"],
            "rmse": report["rmse"]["mean"] - 5e-7,
            "s_abs": report["s_abs"],
            "n_scored": CLIENTS,
        },
    )
    res = run(*submit_args(out, good, reference, board))
    assert res.exit_code == 0, res.output


def test_coverage_threshold(tmp_path, reference):
    board = tmp_path / "board"
    meta = make_meta(tmp_path / "meta.json")
    # 75 of 80 clients = 93.75 % < 95 %: rejected.
    few = tmp_path / "few.jsonl"
    make_outputs(few, reference, clients=75)
    res = run(*submit_args(few, meta, reference, board))
    assert res.exit_code == 2 and f"at least {MIN_COVERAGE:.0%}" in res.output
    # Every client but one phase each (5/6 of the ratings): rejected although all are "scored".
    holes = tmp_path / "holes.jsonl"
    make_outputs(holes, reference, drop_phase="P10")
    res = run(*submit_args(holes, meta, reference, board))
    assert res.exit_code == 2 and "83.3%" in res.output
    # 77 of 80 = 96.25 %: accepted, and the missing clients are counted.
    most = tmp_path / "most.jsonl"
    make_outputs(most, reference, clients=77)
    res = run(*submit_args(most, meta, reference, board))
    assert res.exit_code == 0, res.output
    (entry,) = load_entries(board)
    assert entry["metrics"]["missing"] == 3
    assert entry["verification"]["coverage"] == pytest.approx(77 / 80)


@pytest.mark.parametrize(
    ("meta", "needle"),
    [
        ({"organization": "o", "description": "", "rater_prompt_version": "v"}, "'model'"),
        (
            {
                "model": "m",
                "organization": "o",
                "description": "",
                "rater_prompt_version": "v",
                "x": 1,
            },
            "Additional properties",
        ),
        (
            {
                "model": "m",
                "organization": "o",
                "description": "",
                "rater_prompt_version": "v",
                "url": "javascript:alert(1)",
            },
            "field 'url'",
        ),
        (
            {
                "model": "a\x1b[2Jb",
                "organization": "o",
                "description": "",
                "rater_prompt_version": "v",
            },
            "field 'model'",
        ),
        (
            {
                "model": "m",
                "organization": "o",
                "description": "",
                "rater_prompt_version": "v",
                "claimed": {"pearson": "0.9"},
            },
            "field 'claimed.pearson'",
        ),
    ],
)
def test_bad_meta_is_exit_2(tmp_path, reference, meta, needle):
    out = tmp_path / "o.jsonl"
    make_outputs(out, reference)
    write_json(tmp_path / "meta.json", meta)
    res = run(*submit_args(out, tmp_path / "meta.json", reference, tmp_path / "b"))
    assert res.exit_code == 2
    assert needle in res.output and "meta.json" in res.output
    assert "Traceback" not in res.output


def test_bad_inputs_are_exit_2(tmp_path, reference):
    meta = make_meta(tmp_path / "meta.json")
    board = tmp_path / "b"
    (tmp_path / "broken.json").write_text("{not json")
    out = tmp_path / "o.jsonl"
    make_outputs(out, reference)
    res = run(*submit_args(out, tmp_path / "broken.json", reference, board))
    assert res.exit_code == 2 and "malformed JSON" in res.output
    # An outputs rule of `tvt score`: intensity outside [1, 10], named by line and field.
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"client_id": 1, "phase": "P5", "intensity": 11}\n')
    res = run(*submit_args(bad, meta, reference, board))
    assert res.exit_code == 2 and "line 1" in res.output and "intensity" in res.output
    # An unknown client.
    unk = tmp_path / "unk.jsonl"
    unk.write_text('{"client_id": 999, "phase": "P5", "intensity": 3}\n')
    res = run(*submit_args(unk, meta, reference, board))
    assert res.exit_code == 2 and "unknown client" in res.output
    res = run(*submit_args(tmp_path / "nope.jsonl", meta, reference, board))
    assert res.exit_code == 2 and "not found" in res.output
    res = run(*submit_args(out, meta, tmp_path / "noref", board))
    assert res.exit_code == 2
    board.mkdir(exist_ok=True)
    (tmp_path / "afile").write_text("x")
    res = run(*submit_args(out, meta, reference, tmp_path / "afile"))
    assert res.exit_code == 2 and "not a folder" in res.output
    assert not list(board.rglob("*.json"))


def test_oversized_outputs_refused_before_reading(tmp_path, reference):
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:  # sparse: 3 GB on paper, no disk used
        fh.truncate(3 * 1024**3)
    res = run(*submit_args(big, make_meta(tmp_path / "m.json"), reference, tmp_path / "b"))
    assert res.exit_code == 2
    assert "3.0 GB" in res.output and "at most 256 MB" in res.output


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path\\x", "abs-path-x"),
        ("Ünïcödé 模型 v2.1", "unicode-v2-1"),
        ("...", "model"),
        ("GPT-4o (2024-08)", "gpt-4o-2024-08"),
    ],
)
def test_slug_cannot_escape(name, slug):
    assert slugify(name) == slug


def test_hostile_name_stays_in_the_folder(tmp_path, reference):
    out = tmp_path / "o.jsonl"
    make_outputs(out, reference)
    meta = make_meta(tmp_path / "m.json", model="../../../outside/<script>")
    board = tmp_path / "board"
    res = run(*submit_args(out, meta, reference, board))
    assert res.exit_code == 0, res.output
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    names = [str(f) for f in files]
    assert f"board/entries/outside-script-{sha256_file(out)[:8]}.json" in names
    assert not (tmp_path.parent / "outside").exists()
    assert not any("outside" in n and not n.startswith("board/") for n in names)


def _submit_proc(outputs: Path, meta: Path, reference: Path, board: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tvt", *map(str, submit_args(outputs, meta, reference, board))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_concurrent_submits_never_corrupt(tmp_path, reference):
    """Six processes at once: four distinct outputs, one of them submitted three times."""
    board = tmp_path / "board"
    jobs = []
    for k in range(4):
        out = tmp_path / f"o{k}.jsonl"
        make_outputs(out, reference, seed=100 + k)
        jobs.append((out, make_meta(tmp_path / f"m{k}.json", model=f"Model {k}")))
    jobs += [jobs[0], jobs[0]]
    procs = [_submit_proc(o, m, reference, board) for o, m in jobs]
    results = [(p.wait(timeout=240), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 0, 0, 0, 2, 2], results
    for code, _, err in results:
        if code == 2:
            assert "already submitted" in err and "Traceback" not in err
    entries = load_entries(board)  # every file parses and validates
    assert sorted(e["model"] for e in entries) == [f"Model {k}" for k in range(4)]
    for e in entries:
        copy = board / e["verification"]["outputs_file"]
        assert sha256_file(copy) == e["verification"]["outputs_sha256"]
    leftovers = [p.name for p in board.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert len(list((board / "outputs").iterdir())) == 4


def test_racing_threads_record_one_entry(tmp_path, reference):
    """Eight threads released together write the same verified entry: exactly one wins."""
    import threading

    from tvt.errors import InputError
    from tvt.leaderboard import build_entry, record_entry

    out = tmp_path / "o.jsonl"
    make_outputs(out, reference, seed=7)
    entry = build_entry(
        out, make_meta(tmp_path / "m.json"), reference=reference, date="2025-01-01", custom=True
    )
    board = tmp_path / "board"
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def worker() -> None:
        barrier.wait()
        try:
            record_entry(board, entry, out)
            outcomes.append("ok")
        except InputError as exc:
            outcomes.append("dup" if "already submitted" in str(exc) else str(exc))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["dup"] * 7 + ["ok"]
    assert len(load_entries(board)) == 1


def test_lock_held_too_long_is_a_clear_failure(tmp_path, reference, monkeypatch):
    from filelock import FileLock

    import tvt.leaderboard as lb
    import tvt.leaderboard.store
    from tvt.errors import WorkFailed

    out = tmp_path / "o.jsonl"
    make_outputs(out, reference, seed=9)
    entry = lb.build_entry(out, make_meta(tmp_path / "m.json"), reference=reference, custom=True)
    board = lb.prepare_leaderboard(tmp_path / "board")
    monkeypatch.setattr(tvt.leaderboard.store, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(board / ".lock")), pytest.raises(WorkFailed, match="held the leaderboard"):
        lb.record_entry(board, entry, out)
    assert load_entries(board) == []
