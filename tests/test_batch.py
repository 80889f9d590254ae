"""`tvt batch prepare` -> synthetic Batch API results -> `tvt batch collect`."""

from __future__ import annotations

import json
import random

import jsonschema
import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer, synthetic_transcript
from tvt.cli import main
from tvt.resources import load_schema
from tvt.rng import client_int_seed

FACTS = {"when": "a wet night in March", "hotspot": "the van door slamming"}
PHASES = ("P5", "P10", "P6", "P7", "P8", "P11")


@pytest.fixture(autouse=True)
def _facts(monkeypatch, tmp_path):
    import tvt.compose

    monkeypatch.setattr(tvt.compose, "narrative_facts", lambda case, seed: FACTS, raising=False)
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def read_lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def answer(body):
    """What the fake server would answer to this request body."""
    prompt = "\n".join(m["content"] for m in body["messages"])
    return synthetic_transcript(prompt, body["seed"], noisy=True)


def result_line(request, content=None, *, status=200, error=None):
    body = {
        "id": "chatcmpl-x",
        "object": "chat.completion",
        "model": request["body"]["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content or answer(request["body"])},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }
    if status != 200:
        body = {"error": {"message": "server overloaded"}}
    return {
        "id": f"batch_req_{request['custom_id']}",
        "custom_id": request["custom_id"],
        "response": None if error else {"status_code": status, "request_id": "r", "body": body},
        "error": error,
    }


def write_results(path, lines):
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


def test_prepare_writes_batch_api_input(tmp_path):
    out = tmp_path / "run"
    res = run("batch", "prepare", "--seed", 42, "--clients", 3, "--model", "gpt-x", "--out", out)
    assert res.exit_code == 0, res.output
    requests = read_lines(out / "batch_requests.jsonl")
    assert [r["custom_id"] for r in requests] == [f"c{c}-{p}" for c in (1, 2, 3) for p in PHASES]
    for r in requests:
        assert r["method"] == "POST" and r["url"] == "/v1/chat/completions"
        body = r["body"]
        cid, phase = int(r["custom_id"][1:].split("-")[0]), r["custom_id"].split("-")[1]
        assert body["model"] == "gpt-x" and body["seed"] == client_int_seed(
            42, cid, f"llm:{phase}:1"
        )
        assert body["temperature"] == 0.8 and body["max_tokens"] == 4096
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        assert f"Phase: {phase}" in body["messages"][1]["content"]
    plan = json.loads((out / "batch_plan.json").read_text())
    assert plan["seed"] == 42 and plan["clients"] == 3 and plan["requests"] == 18
    assert plan["prompt_version"] == "generation-v1"
    assert len(read_lines(out / "batch_cases.jsonl")) == 3
    # a non-empty folder is refused
    res = run("batch", "prepare", "--seed", 1, "--clients", 1, "--model", "m", "--out", out)
    assert res.exit_code == 2 and "not empty" in res.stderr


def test_collect_validates_records_failures_and_retries(tmp_path):
    out = tmp_path / "run"
    assert (
        run("batch", "prepare", "--seed", 5, "--clients", 2, "--model", "m", "--out", out).exit_code
        == 0
    )
    requests = read_lines(out / "batch_requests.jsonl")
    by_id = {r["custom_id"]: r for r in requests}
    lines = [
        result_line(r)
        for r in requests
        if r["custom_id"] not in ("c1-P10", "c1-P6", "c2-P5", "c2-P11")
    ]
    lines.append(result_line(by_id["c1-P10"], error={"code": "timeout", "message": "expired"}))
    lines.append(result_line(by_id["c1-P6"], status=500))
    lines.append(result_line(by_id["c2-P5"], "I'm sorry, but I can't help with that."))
    # c2-P11 has no result line at all
    random.Random(3).shuffle(lines)  # batch outputs come in any order
    results = tmp_path / "results.jsonl"
    write_results(results, lines)

    res = run("batch", "collect", out, "--results", results)
    assert res.exit_code == 1, res.output + res.stderr
    for cid in ("c1-P10", "c1-P6", "c2-P5", "c2-P11"):
        assert f"failed {cid}" in res.stderr
    failures = read_lines(out / "failures.jsonl")
    assert [f["custom_id"] for f in failures] == ["c1-P10", "c1-P6", "c2-P5", "c2-P11"]
    reasons = [f["reason"] for f in failures]
    assert "expired" in reasons[0] and "HTTP 500" in reasons[1]
    assert "refusal" in reasons[2] and reasons[3] == "no result line"
    schema = load_schema("failure.schema.json")
    for f in failures:
        jsonschema.validate(f, schema)
    convs = read_lines(out / "conversations.jsonl")
    assert len(convs) == 8
    assert convs == sorted(convs, key=lambda c: (c["client_id"], PHASES.index(c["phase"])))
    for c in convs:
        jsonschema.validate(c, load_schema("conversation.schema.json"))
    res = run("validate", out)
    assert res.exit_code == 0, res.output + res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["backend"]["mode"] == "batch" and manifest["backend"]["usage"]["responses"] == 9

    # the retry file asks again with the next attempt's seed
    retry = read_lines(out / "batch_retry_requests.jsonl")
    assert [r["custom_id"] for r in retry] == ["c1-P10", "c1-P6", "c2-P5", "c2-P11"]
    assert retry[0]["body"]["seed"] == client_int_seed(5, 1, "llm:P10:2")
    retry_results = tmp_path / "retry_results.jsonl"
    write_results(retry_results, [result_line(r) for r in retry])
    res = run("batch", "collect", out, "--results", results, "--results", retry_results)
    assert res.exit_code == 2 and "--force" in res.stderr
    res = run("batch", "collect", out, "--results", results, "--results", retry_results, "--force")
    assert res.exit_code == 0, res.stderr
    assert len(read_lines(out / "conversations.jsonl")) == 12
    assert not (out / "failures.jsonl").exists()
    assert not (out / "batch_retry_requests.jsonl").exists()


@pytest.mark.slow
def test_collect_matches_generate_for_the_same_answers(tmp_path):
    """Batch and online generation share prompts, seeds and parser: same answers, same data."""
    out = tmp_path / "run"
    assert (
        run(
            "batch", "prepare", "--seed", 9, "--clients", 2, "--model", "fake-model", "--out", out
        ).exit_code
        == 0
    )
    requests = read_lines(out / "batch_requests.jsonl")
    results = tmp_path / "results.jsonl"
    write_results(results, [result_line(r) for r in requests])
    assert run("batch", "collect", out, "--results", results).exit_code == 0

    server = FakeServer().start()
    try:
        online = tmp_path / "online"
        res = run(
            "generate", "--seed", 9, "--clients", 2, "--backend", "openai",
            "--model", "fake-model", "--base-url", server.base_url, "--out", online,
        )  # fmt: skip
        assert res.exit_code == 0, res.stderr
    finally:
        server.stop()
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        assert (out / name).read_bytes() == (online / name).read_bytes(), name


def test_collect_bad_input(tmp_path):
    out = tmp_path / "run"
    assert (
        run("batch", "prepare", "--seed", 5, "--clients", 1, "--model", "m", "--out", out).exit_code
        == 0
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"custom_id": "c1-P5", "response": {"status_code": 200, "body": {}}}\n{"custom_id": "c9-P5"}\n'
    )
    res = run("batch", "collect", out, "--results", bad)
    assert res.exit_code == 2
    assert "bad.jsonl, line 2, field 'custom_id'" in res.stderr
    bad.write_text('{"custom_id": "c1-P5"\n')
    res = run("batch", "collect", out, "--results", bad)
    assert res.exit_code == 2 and "line 1" in res.stderr and "malformed JSON" in res.stderr
    res = run("batch", "collect", tmp_path, "--results", bad)
    assert res.exit_code == 2 and "batch prepare" in res.stderr
    assert not (out / "manifest.json").exists()
