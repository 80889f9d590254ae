"""tvt eval / tvt reveal end to end against the loopback fake OpenAI server; the turn rater."""

from __future__ import annotations

import inspect
import json
import os
import stat

import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer, Handler
from tvt.bench.inputs import inputs_text
from tvt.bench.llm_rate import parse_turn_ratings, rate_inputs_llm
from tvt.bench.sealed import regenerate_inputs, reveal, run_eval
from tvt.bench.splits import build_split
from tvt.bench.tracks import TRACKS
from tvt.cli import main
from tvt.compose import compose_client
from tvt.errors import InputError
from tvt.llm.client import RetryPolicy
from tvt.llm.prompts import format_conversation

FAST = RetryPolicy(base=0.01, cap=0.05)
HAS_SUDS_STYLE = "suds_style" in inspect.signature(compose_client).parameters


@pytest.fixture
def server():
    srv = FakeServer().start()
    srv.state.keep_bodies = True
    yield srv
    srv.stop()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("TVT_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_eval_then_reveal_end_to_end(server, env):
    board = env / "board"
    res = CliRunner().invoke(
        main,
        [
            "eval",
            "--model",
            "fake-model",
            "--base-url",
            server.base_url,
            "--track",
            "full",
            "--clients",
            "4",
            "--leaderboard",
            str(board),
            "--not-trained-on-tvt",
        ],
    )
    assert res.exit_code == 0, res.output
    (entry_path,) = (board / "sealed").glob("*.json")
    entry = json.loads(entry_path.read_text())
    sealed = entry["sealed"]
    assert entry["status"] == "sealed" and entry["track"] == "full"
    assert entry["trained_on_tvt"] is False
    assert sealed["seed"] is None and "seed" not in json.dumps(entry["rater"])
    assert entry["rater"]["cache"] == "off" and entry["rater"]["prompt_version"] == "rating-v1"
    assert entry["usage"]["requests"] >= 24 and entry["format_failures"] == 0
    assert entry["metrics"]["n_scored"] == 4
    # the cache is off: nothing was written to it
    assert not (env / "cache").exists() or not any((env / "cache").iterdir())
    # the secret is private and names the commitment
    (secret,) = (env / "secrets").glob("*.json")
    assert secret.stem == sealed["commitment"]
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    seed = json.loads(secret.read_text())["seed"]

    # what the model saw is exactly the committed inputs
    seen = {b["messages"][1]["content"] for b in server.state.bodies}
    split = build_split(TRACKS["full"], seed, 4)
    assert split.inputs_sha256 == sealed["inputs_sha256"]
    assert all(any(format_conversation(r["turns"]) in s for s in seen) for r in split.inputs)

    # a wrong seed is refused; the right one is published and regenerates the inputs
    res = CliRunner().invoke(main, ["reveal", str(entry_path), "--seed", str(seed + 1)])
    assert res.exit_code == 2 and "commitment" in res.output
    out = env / "inputs.jsonl"
    res = CliRunner().invoke(main, ["reveal", str(entry_path), "--inputs-out", str(out)])
    assert res.exit_code == 0, res.output
    revealed = json.loads(entry_path.read_text())
    assert revealed["sealed"]["seed"] == seed and revealed["sealed"]["revealed"]
    import hashlib

    assert hashlib.sha256(out.read_bytes()).hexdigest() == sealed["inputs_sha256"]
    assert regenerate_inputs(revealed) == inputs_text(split.inputs)


def test_format_failures_are_counted_not_hidden(server, env):
    server.add_faults("garbage", "garbage", "garbage", "refusal")
    result = run_eval(
        model="fake-model",
        track="full",
        clients=2,
        base_url=server.base_url,
        leaderboard=env / "b",
        policy=FAST,
        max_attempts=3,
        concurrency=1,
    )
    e = result.entry
    assert e["format_failures"] == 1 and len(result.failures) == 1
    assert e["format_failure_rate"] == pytest.approx(1 / 12)
    assert e["first_answer_unreadable"] == 2
    assert len(result.outputs) == 11


def test_reveal_without_secret_names_the_way_out(server, env):
    result = run_eval(
        model="fake-model",
        track="full",
        clients=2,
        base_url=server.base_url,
        leaderboard=env / "b",
        policy=FAST,
    )
    with pytest.raises(InputError, match="give --seed"):
        reveal(result.entry_path, secrets_dir=env / "elsewhere")


@pytest.mark.xfail(
    not HAS_SUDS_STYLE,
    strict=True,
    reason="compose_client has no suds_style parameter yet (masked track needs verbal SUDS)",
)
def test_eval_masked_track(server, env):
    result = run_eval(
        model="fake-model",
        track="masked",
        clients=2,
        base_url=server.base_url,
        leaderboard=env / "b",
        policy=FAST,
    )
    assert result.entry["sealed"]["recipe"]["suds_style"] == "verbal"


# -- turn track rater ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, count, expected",
    [
        ('{"ratings": [3, 5, 7]}', 3, [3, 5, 7]),
        ('Sure:\n```json\n{"ratings": [3, 5.5, 7]}\n```', 3, [3, 5.5, 7]),
        ('{"T1": 2, "T2": 9}', 2, [2, 9]),
        ("[4, 4]", 2, [4, 4]),
        ('{"ratings": [3, 5]}', 3, None),
        ('{"ratings": [3, 11, 7]}', 3, None),
        ('{"ratings": [true, 5, 7]}', 3, None),
        ("I cannot rate this.", 1, None),
        ("", 1, None),
    ],
)
def test_parse_turn_ratings(text, count, expected):
    assert parse_turn_ratings(text, count) == expected


class TurnHandler(Handler):
    """Answers turn-rating prompts with one rating per labelled turn (first attempt: too few)."""

    def _complete(self, body, fault):
        prompt = body["messages"][-1]["content"]
        user = body["messages"][1]["content"]
        if "[T1]" not in user:
            return super()._complete(body, fault)
        n = user.count("] Client:")
        short = "could not be read" not in prompt and body.get("seed", 0) % 2 == 0
        ratings = [1 + (i * 3) % 10 for i in range(n - 1 if short else n)]
        self._json(
            200,
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {
                            "role": "assistant",
                            "content": json.dumps({"ratings": ratings}),
                        },
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        )


def test_turn_track_rated_through_the_llm_client(env):
    srv = FakeServer()
    srv.RequestHandlerClass = TurnHandler
    srv.start()
    try:
        split = build_split(TRACKS["turn"], 3, 2)
        outputs, failures, summary = rate_inputs_llm(
            split.inputs, unit="turn", model="fake-model", base_url=srv.base_url, policy=FAST
        )
    finally:
        srv.stop()
    assert not failures and len(outputs) == len(split.inputs) == 6
    assert summary["prompt_version"] == "turn-rating-v1"
    for out, ref in zip(outputs, split.reference, strict=True):
        assert out["turns"] == ref["turns"]
        assert len(out["intensities"]) == len(ref["turns"])
    assert summary["first_answer_unreadable"] >= 1  # the short answers were re-asked
    from tvt.bench.scoring import score_records

    report = score_records(outputs, split.reference)
    assert report["n_scored"] == 6
