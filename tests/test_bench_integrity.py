"""The attacks a leaderboard gamer tried on tvt-bench-v2, each a test: a seed-reading local
"model", a forged sealed entry, near-oracle and self-made references, best-of-N, unsigned entries.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer, Handler
from tvt.bench import BENCHMARK_NAME
from tvt.bench.recipe import split_dir
from tvt.bench.sealed import reveal, run_eval
from tvt.cli import main
from tvt.errors import InputError
from tvt.leaderboard import leaderboard_groups, render
from tvt.leaderboard.signing import generate_key, load_private_key, sign_entry

SEED = 8_123_456_789_012_345  # what a sealed run would draw; the tests need to know it


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("TVT_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))  # every temp file lands where we look
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def server():
    srv = FakeServer().start()
    yield srv
    srv.stop()


def _run(env, server, **kw):
    args = {
        "model": "fake-model",
        "track": "full",
        "clients": 2,
        "base_url": server.base_url,
        "leaderboard": env / "board",
    }
    args.update(kw)
    return run_eval(**args)


# -- the seed never touches the disk while the model is asked ---------------------------------------
class SnoopingHandler(Handler):
    """A local "model" that searches every file under the work folder for the secret seed."""

    root: Path = Path(".")
    found: list[str] = []
    searches = 0
    lock = threading.Lock()

    def _complete(self, body, fault):
        needle = str(SEED).encode()
        with SnoopingHandler.lock:
            SnoopingHandler.searches += 1
            for dirpath, _dirs, files in os.walk(SnoopingHandler.root):
                for name in files:
                    p = Path(dirpath) / name
                    try:
                        if needle in p.read_bytes():
                            SnoopingHandler.found.append(str(p))
                    except OSError:
                        pass
        super()._complete(body, fault)


def test_a_local_server_finds_no_seed_on_disk_during_the_run(env):
    SnoopingHandler.root, SnoopingHandler.found, SnoopingHandler.searches = env, [], 0
    srv = FakeServer()
    srv.RequestHandlerClass = SnoopingHandler
    srv.start()
    try:
        result = _run(env, srv, seed=SEED, clients=2)
    finally:
        srv.stop()
    assert SnoopingHandler.searches >= 12  # it looked on every request
    assert SnoopingHandler.found == []
    # once every answer is in, the seed is kept for reveal (privately)
    assert json.loads(result.secret_path.read_text())["seed"] == SEED


# -- reveal trusts nothing in the entry -------------------------------------------------------------
def test_an_honest_entry_reveals_and_stores_its_answers(env, server):
    result = _run(env, server, seed=SEED)
    entry = result.entry
    assert entry["split"] == "sealed" and entry["benchmark"] == BENCHMARK_NAME
    assert len(entry["answers"]) == 12 and all("model" not in a for a in entry["answers"])
    out = reveal(result.entry_path)
    assert out["sealed"]["seed"] == SEED and out["_signature"] == "unsigned"


def _rewrite(path: Path, change) -> None:
    entry = json.loads(path.read_text())
    change(entry)
    path.write_text(json.dumps(entry))


def test_forged_figures_are_refused(env, server):
    result = _run(env, server, seed=SEED)

    def inflate(e):
        e["metrics"]["n_scored"] = 300
        e["metrics"]["s_abs"] = 0.999

    _rewrite(result.entry_path, inflate)
    with pytest.raises(InputError, match="stored answers give"):
        reveal(result.entry_path)


def test_answers_changed_to_the_key_are_refused(env, server):
    result = _run(env, server, seed=SEED)
    _rewrite(result.entry_path, lambda e: e["answers"].pop())
    with pytest.raises(InputError, match="do not add up"):
        reveal(result.entry_path)


def test_an_entry_without_answers_is_refused(env, server):
    result = _run(env, server, seed=SEED)
    _rewrite(result.entry_path, lambda e: e.pop("answers"))
    with pytest.raises(InputError, match="stores no answers"):
        reveal(result.entry_path)


def test_the_entrys_own_recipe_is_not_trusted(env, server):
    result = _run(env, server, seed=SEED)

    def claim_300(e):
        e["sealed"]["clients"] = 300  # the recipe still says 2: reveal builds its own

    _rewrite(result.entry_path, claim_300)
    with pytest.raises(InputError, match="recipe differs"):
        reveal(result.entry_path)


def test_a_public_dev_seed_is_not_sealed(env, server):
    # The forger knows the dev answer key, so they can write a consistent entry from it.
    result = _run(env, server, seed=2026)
    with pytest.raises(InputError, match="published by a benchmark recipe"):
        reveal(result.entry_path)


# -- signatures: only maintainer-signed entries rank as sealed --------------------------------------
@pytest.mark.slow
def test_signed_unsigned_tampered_small(env, server, monkeypatch):
    board = env / "board"
    (board / "keys").mkdir(parents=True)
    generate_key(env / "maint.pem", board / "keys" / "maint.pub")
    generate_key(env / "other.pem", env / "other.pub")  # not a maintainer key
    monkeypatch.setattr("tvt.leaderboard.tiers.MIN_SEALED_CLIENTS", 2)
    signed = _run(env, server, model="signed-model", sign_key=env / "maint.pem")
    _run(env, server, model="unsigned-model")
    _run(env, server, model="stranger-model", sign_key=env / "other.pem")
    groups = leaderboard_groups(board)
    assert [e["model"] for e in groups["sealed"]] == ["signed-model"]
    assert sorted(e["model"] for e in groups["self-run"]) == ["stranger-model", "unsigned-model"]
    # reveal keeps the signature valid (the seed and date are outside what is signed)
    assert reveal(signed.entry_path)["_signature"] == "signed"
    assert [e["model"] for e in leaderboard_groups(board)["sealed"]] == ["signed-model"]

    # a changed signed entry is refused by both the leaderboard and reveal
    def bump(e):
        e["metrics"]["s_abs"] = 0.99

    _rewrite(signed.entry_path, bump)
    with pytest.raises(InputError, match="does not verify"):
        leaderboard_groups(board)
    with pytest.raises(InputError, match="does not verify"):
        reveal(signed.entry_path)


def test_a_signed_small_run_is_not_the_headline(env, server):
    board = env / "board"
    (board / "keys").mkdir(parents=True)
    generate_key(env / "maint.pem", board / "keys" / "maint.pub")
    _run(env, server, sign_key=env / "maint.pem")
    groups = leaderboard_groups(board)
    assert groups["sealed"] == [] and len(groups["self-run"]) == 1
    assert "< 100" in groups["self-run"][0]["description"]


def test_sign_entry_covers_everything_but_the_reveal_fields(tmp_path):
    generate_key(tmp_path / "k.pem", tmp_path / "k.pub")
    key = load_private_key(tmp_path / "k.pem")
    entry = {"model": "m", "sealed": {"seed": None, "revealed": None, "clients": 100}}
    from tvt.leaderboard.signing import load_public_keys, signature_status

    (tmp_path / "keys").mkdir()
    (tmp_path / "k.pub").rename(tmp_path / "keys" / "k.pub")
    keys = load_public_keys(tmp_path)
    signed = sign_entry(entry, key)
    signed["sealed"]["seed"] = 5
    assert signature_status(signed, keys) == "signed"
    signed["sealed"]["clients"] = 101
    with pytest.raises(InputError):
        signature_status(signed, keys)


def test_best_of_n_is_visible(env, server):
    for _ in range(3):
        _run(env, server, model="lucky")
    groups = leaderboard_groups(env / "board")
    rows = groups["self-run"]
    assert len(rows) == 3 and {e["attempts"] for e in rows} == {3}
    assert "lucky (3 attempts)" in render(groups, "table")


# -- dev and custom references ---------------------------------------------------------------------
def _meta(path: Path, model: str = "M") -> Path:
    path.write_text(
        json.dumps(
            {
                "model": model,
                "organization": "O",
                "description": "d",
                "rater_prompt_version": "none",
            }
        )
    )
    return path


def _submit(*args):
    return CliRunner().invoke(main, ["submit", *map(str, args)])


def test_near_oracle_on_a_public_key_is_dev_not_sealed(tmp_path):
    ref = split_dir("full", "dev") / "reference.jsonl"
    rows = [json.loads(x) for x in ref.read_text().splitlines()]
    rows[0]["trajectory"]["P5"] += 1e-6 if rows[0]["trajectory"]["P5"] < 10 else -1e-6
    out = tmp_path / "near.jsonl"
    out.write_text(
        "".join(json.dumps({k: r[k] for k in ("client_id", "trajectory")}) + "\n" for r in rows)
    )
    board = tmp_path / "board"
    res = _submit(
        out, "--meta", _meta(tmp_path / "m.json"), "--reference", ref, "--leaderboard", board
    )
    assert res.exit_code == 0, res.output
    (path,) = (board / "entries").glob("*.json")
    entry = json.loads(path.read_text())
    assert (entry["benchmark"], entry["track"], entry["split"]) == (BENCHMARK_NAME, "full", "dev")
    assert entry["verification"]["near_reference"] is True
    groups = leaderboard_groups(board)
    assert groups["sealed"] == [] and len(groups["verified"]) == 1
    table = render(groups, "table")
    assert "answer key public" in table and "near the public answer key" in table


def test_a_self_made_reference_needs_custom_and_is_never_ranked(tmp_path):
    ref = tmp_path / "reference.jsonl"
    traj = {"P5": 5, "P10": 8, "P6": 7, "P7": 6, "P8": 4, "P11": 2}
    ref.write_text(
        "".join(
            json.dumps({"client_id": c, "trajectory": traj, "source": "plan"}) + "\n"
            for c in (1, 2)
        )
    )
    out = tmp_path / "out.jsonl"
    out.write_text(
        "".join(
            json.dumps({"client_id": c, "trajectory": {**traj, "P5": 4.5}}) + "\n" for c in (1, 2)
        )
    )
    board = tmp_path / "board"
    meta = _meta(tmp_path / "m.json")
    res = _submit(out, "--meta", meta, "--reference", ref, "--leaderboard", board)
    assert res.exit_code == 2 and "--custom" in res.output
    res = _submit(out, "--meta", meta, "--reference", ref, "--leaderboard", board, "--custom")
    assert res.exit_code == 0, res.output
    groups = leaderboard_groups(board)
    assert groups["verified"] == [] and [e["rank"] for e in groups["custom"]] == ["-"]


def test_v1_entries_record_their_split(tmp_path):
    from tvt.leaderboard import load_entries
    from tvt.leaderboard.store import default_leaderboard_dir

    shipped = {e["model"]: e for e in load_entries(default_leaderboard_dir())}
    entry = shipped["Per-phase mean (tvt baseline)"]
    outputs = default_leaderboard_dir() / entry["verification"]["outputs_file"]
    res = _submit(outputs, "--meta", _meta(tmp_path / "m.json"), "--leaderboard", tmp_path / "b")
    assert res.exit_code == 0, res.output
    (path,) = (tmp_path / "b" / "entries").glob("*.json")
    e = json.loads(path.read_text())
    assert (e["benchmark"], e["track"], e["split"]) == ("tvt-bench-v1", None, "dev")


def test_the_turn_track_is_submittable(tmp_path):
    ref = split_dir("turn", "dev") / "reference.jsonl"
    rows = [json.loads(x) for x in ref.read_text().splitlines()]
    out = tmp_path / "turn.jsonl"
    out.write_text(
        "".join(
            json.dumps(
                {
                    "client_id": r["client_id"],
                    "phase": r["phase"],
                    "turns": r["turns"],
                    "intensities": [min(10, v + (i % 2)) for i, v in enumerate(r["intensities"])],
                }
            )
            + "\n"
            for r in rows
        )
    )
    board = tmp_path / "board"
    res = _submit(
        out, "--meta", _meta(tmp_path / "m.json"), "--reference", ref, "--leaderboard", board
    )
    assert res.exit_code == 0, res.output
    (path,) = (board / "entries").glob("*.json")
    entry = json.loads(path.read_text())
    assert (entry["track"], entry["split"]) == ("turn", "dev")
    assert "dtw" not in entry["metrics"] and entry["metrics"]["unit"] == "conversation"
    assert "turn" in render(leaderboard_groups(board), "html")
