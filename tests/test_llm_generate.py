"""LLM generation against a local fake OpenAI server: faults, retries, cache, resume, usage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer
from tvt.cli import main
from tvt.config import load_config
from tvt.llm.cache import cache_key
from tvt.llm.client import RetryPolicy
from tvt.llm.generation import LLMOptions, generate_llm
from tvt.llm.journal import JOURNAL_NAME
from tvt.resources import load_schema
from tvt.rng import client_int_seed

ROOT = Path(__file__).resolve().parents[1]
SECRET = "sk-test-SECRET-never-written-0123456789"
FACTS = {"when": "a wet night in March", "hotspot": "the van door slamming"}
# Narrative facts come from the offline composer; these tests pin them so they exercise the LLM
# path alone (test_llm_prompts checks the real facts reach the prompt).
STUB = (
    "import sys, tvt.compose as c; "
    f"c.narrative_facts = lambda case, seed: {FACTS!r}; "
    "from tvt.cli import main; main(sys.argv[1:])"
)


class RecordingPolicy(RetryPolicy):
    """Fast backoff that records the delays it chose."""

    def __init__(self, **kw):
        super().__init__(**{"base": 0.01, "cap": 0.05, **kw})
        object.__setattr__(self, "delays", [])

    def delay(self, retry, retry_after=None):
        d = super().delay(retry, retry_after)
        self.delays.append((retry_after, d))
        return d


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    import tvt.compose

    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setattr(tvt.compose, "narrative_facts", lambda case, seed: FACTS, raising=False)


@pytest.fixture
def fake():
    server = FakeServer().start()
    server.state.keep_bodies = True
    yield server
    server.stop()


def stats(server):
    return server.state.stats()


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def gen_args(server, out, *extra, clients=2):
    return (
        "generate",
        "--seed",
        11,
        "--clients",
        clients,
        "--backend",
        "openai",
        "--model",
        "fake-model",
        "--base-url",
        server.base_url,
        "--out",
        out,
        *extra,
    )


def generate(server, out, *, clients=2, phases=("P5", "P10"), **kw):
    kw.setdefault("policy", RecordingPolicy())
    kw.setdefault("progress", False)
    resume = kw.pop("resume", False)
    options = LLMOptions(model="fake-model", base_url=server.base_url, **kw)
    return generate_llm(
        out,
        seed=11,
        clients=clients,
        config=load_config("default"),
        options=options,
        phases=list(phases),
        resume=resume,
    )


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_cli_end_to_end_writes_valid_dataset(fake, tmp_path):
    out = tmp_path / "ds"
    res = run_cli(*gen_args(fake, out))
    assert res.exit_code == 0, res.output + res.stderr
    assert stats(fake)["completions"] == 12
    conv_schema = load_schema("conversation.schema.json")
    convs = lines(out / "conversations.jsonl")
    assert [(c["client_id"], c["phase"]) for c in convs] == [
        (cid, p) for cid in (1, 2) for p in ("P5", "P10", "P6", "P7", "P8", "P11")
    ]
    for conv in convs:
        jsonschema.validate(conv, conv_schema)
        assert conv["source"] == "openai:fake-model"
    # SUDS the fake client stated in the exposure phases were read
    assert any(t["suds"] is not None for c in convs if c["phase"] == "P10" for t in c["turns"])
    assert not (out / "failures.jsonl").exists()
    assert not (out / JOURNAL_NAME).exists()
    assert run_cli("validate", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    backend = manifest["backend"]
    assert backend["name"] == "openai" and backend["model"] == "fake-model"
    assert backend["base_url_host"] == f"127.0.0.1:{fake.port}"
    assert backend["prompt_version"] == "generation-v1" and len(backend["prompt_sha256"]) == 64
    assert backend["sampling"]["temperature"] == 0.8
    assert backend["usage"]["responses"] == 12
    # every rating question of the fake therapist was answered with a rating that was read
    labels = backend["suds_labels"]
    asked = sum(
        1 for c in convs for t in c["turns"] if t["speaker"] == "therapist" and "SUDS" in t["text"]
    )
    assert labels["rating_questions"] == asked > 0
    assert labels["answered_with_rating"] == asked
    assert labels["labelled_turns"] == sum(1 for c in convs for t in c["turns"] if t["suds"])
    assert "requests" in res.stderr and "cache hits" in res.stderr
    # the facts and the plan reach every prompt
    for body in fake.state.bodies:
        user = body["messages"][1]["content"]
        assert FACTS["hotspot"] in user and "intensity" in user


def test_identical_rerun_makes_zero_requests_and_same_files(fake, tmp_path):
    first = generate(fake, tmp_path / "a")
    n = stats(fake)["requests"]
    assert n == 4 and first.usage.cache_hits == 0
    second = generate(fake, tmp_path / "b")
    assert stats(fake)["requests"] == n  # nothing asked again
    assert second.usage.cache_hits == 4 and second.usage.requests == 0
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    a = json.loads((tmp_path / "a" / "manifest.json").read_text())
    b = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert a["fingerprint"] == b["fingerprint"] and a["backend"] == b["backend"]
    # --no-cache bypasses it
    third = generate(fake, tmp_path / "c", use_cache=False)
    assert third.usage.requests == 4 and stats(fake)["requests"] == n + 4


def test_cache_key_covers_what_determines_the_answer():
    base = dict(
        host="h:1",
        model="m",
        messages=[{"role": "user", "content": "x"}],
        params={"temperature": 0.8, "max_tokens": 10},
        seed=1,
        prompt_version="generation-v1",
    )
    k = cache_key(**base)
    assert k == cache_key(**dict(base))
    for field, value in (
        ("host", "h:2"),
        ("model", "m2"),
        ("messages", [{"role": "user", "content": "y"}]),
        ("params", {"temperature": 0.7, "max_tokens": 10}),
        ("seed", 2),
        ("prompt_version", "generation-v2"),
    ):
        assert cache_key(**{**base, field: value}) != k, field


def test_transport_faults_are_retried_and_change_nothing(fake, tmp_path):
    clean = generate(fake, tmp_path / "clean", use_cache=False)
    assert not clean.failures
    fake.add_faults("429:0", "500", "503", "drop", "badjson", "timeout:2")
    policy = RecordingPolicy()
    faulty = generate(fake, tmp_path / "faulty", use_cache=False, policy=policy, timeout=0.5)
    assert not faulty.failures
    assert faulty.usage.retries == 6
    assert faulty.usage.faults == {
        "429 rate limited": 1,
        "HTTP 500": 1,
        "HTTP 503": 1,
        "connection error": 1,
        "malformed body": 1,
        "timeout": 1,
    }
    assert len(policy.delays) == 6
    assert (tmp_path / "clean" / "conversations.jsonl").read_bytes() == (
        tmp_path / "faulty" / "conversations.jsonl"
    ).read_bytes()


def test_retry_after_is_honoured(fake, tmp_path):
    fake.add_faults("429:0.3")
    policy = RecordingPolicy()
    result = generate(fake, tmp_path / "a", clients=1, phases=("P5",), policy=policy)
    assert not result.failures
    assert len(policy.delays) == 1
    retry_after, delay = policy.delays[0]
    assert retry_after == pytest.approx(0.3)
    assert 0.3 <= delay <= 0.3 + policy.base  # the server's wait plus a little jitter


def test_invalid_answer_is_retried_with_a_new_seed(fake, tmp_path):
    fake.add_faults("refusal")
    result = generate(fake, tmp_path / "a", clients=1, phases=("P5",))
    assert not result.failures
    seeds = [b["seed"] for b in fake.state.bodies]
    assert seeds == [client_int_seed(11, 1, "llm:P5:1"), client_int_seed(11, 1, "llm:P5:2")]
    assert result.manifest["backend"]["usage"]["responses"] == 2


def test_exhausted_attempts_are_recorded_and_exit_1(fake, tmp_path):
    out = tmp_path / "ds"
    fake.add_faults("refusal", "garbage", "short")
    res = run_cli(*gen_args(fake, out, "--phases", "P5", "--concurrency", 1, clients=2))
    assert res.exit_code == 1, res.output + res.stderr
    assert "could not be produced" in res.stderr
    failures = lines(out / "failures.jsonl")
    assert len(failures) == 1
    f = failures[0]
    assert (f["client_id"], f["phase"], f["attempts"]) == (1, "P5", 3)
    assert "refusal" in f["reason"] and "no Therapist:/Client: lines" in f["reason"]
    assert "outside the bounds" in f["reason"]
    jsonschema.validate(f, load_schema("failure.schema.json"))
    # the other client's work is kept
    convs = lines(out / "conversations.jsonl")
    assert [(c["client_id"], c["phase"]) for c in convs] == [(2, "P5")]
    assert len(lines(out / "cases.jsonl")) == 2


def test_request_giving_up_is_recorded_and_the_run_goes_on(fake, tmp_path):
    fake.add_faults("500", "500")
    policy = RecordingPolicy(max_retries=1)
    result = generate(fake, tmp_path / "a", clients=2, phases=("P5",), policy=policy, concurrency=1)
    assert [(f["client_id"], f["reason"]) for f in result.failures] == [
        (1, "request failed: HTTP 500 (gave up after 2 tries)")
    ]
    assert result.produced == 1


def test_bad_request_fails_that_item_only(fake, tmp_path):
    fake.add_faults("400")
    result = generate(fake, tmp_path / "a", clients=2, phases=("P5",), concurrency=1)
    assert len(result.failures) == 1 and "HTTP 400" in result.failures[0]["reason"]
    assert result.usage.retries == 0


@pytest.mark.parametrize("fault, words", [("401", "refused the API key"), ("404", "404")])
def test_endpoint_errors_stop_the_run_with_exit_2(fake, tmp_path, fault, words):
    fake.add_faults(fault)
    res = run_cli(*gen_args(fake, tmp_path / "ds", "--concurrency", 1, clients=1))
    assert res.exit_code == 2
    assert words in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "ds" / "manifest.json").exists()


def test_concurrency_is_bounded(fake, tmp_path):
    fake.state.latency = 0.05
    generate(fake, tmp_path / "a", clients=4, phases=("P5", "P10", "P6"), concurrency=3)
    assert stats(fake)["max_in_flight"] == 3


def test_api_key_rules_and_key_never_written(fake, tmp_path, monkeypatch):
    out = tmp_path / "ds"
    assert run_cli(*gen_args(fake, out, "--phases", "P5")).exit_code == 0
    cache_dir = Path(os.environ["TVT_CACHE_DIR"])
    for folder in (out, cache_dir):
        for path in folder.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path
    assert all(SECRET not in json.dumps(b) for b in fake.state.bodies)

    monkeypatch.delenv("OPENAI_API_KEY")
    res = run_cli(
        "generate", "--seed", 1, "--clients", 1, "--backend", "openai", "--model", "m",
        "--out", tmp_path / "x",
    )  # fmt: skip
    assert res.exit_code == 2 and "OPENAI_API_KEY is not set" in res.stderr
    # a local server needs no key
    assert run_cli(*gen_args(fake, tmp_path / "y", "--phases", "P5")).exit_code == 0
    res = run_cli("generate", "--seed", 1, "--backend", "openai", "--out", tmp_path / "z")
    assert res.exit_code == 2 and "--model" in res.stderr


def test_usage_and_cost_estimate(fake, tmp_path):
    out = tmp_path / "ds"
    res = run_cli(*gen_args(fake, out, "--phases", "P5,P8", "--price-in", 2, "--price-out", 8))
    assert res.exit_code == 0, res.stderr
    backend = json.loads((out / "manifest.json").read_text())["backend"]
    usage = backend["usage"]
    # the fake server counts a token per 4 characters of the prompt
    expected_in = sum(
        max(1, len("\n".join(m["content"] for m in b["messages"])) // 4) for b in fake.state.bodies
    )
    assert usage["prompt_tokens"] == expected_in and usage["responses"] == 4
    cost = backend["cost_estimate"]
    assert cost["usd"] == pytest.approx(
        (usage["prompt_tokens"] * 2 + usage["completion_tokens"] * 8) / 1e6, abs=1e-6
    )
    assert f"tokens in {expected_in:,}" in res.stderr


def _journal_entries(out):
    path = out / JOURNAL_NAME
    if not path.exists():
        return 0
    return max(0, len(path.read_text().splitlines()) - 1)


@pytest.mark.slow
def test_resume_after_kill_requests_nothing_completed(tmp_path):
    server = FakeServer(latency=0.15).start()
    try:
        out = tmp_path / "ds"
        args = [
            "generate", "--seed", "11", "--clients", "3", "--backend", "openai",
            "--model", "fake-model", "--base-url", server.base_url, "--out", str(out),
            "--concurrency", "2", "--no-cache",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-c", STUB, *args], env=env, cwd=tmp_path)
        deadline = time.monotonic() + 60
        while _journal_entries(out) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = _journal_entries(out)
        assert 5 <= done < 18, done
        assert not (out / "manifest.json").exists()
        while server.state.in_flight and time.monotonic() < deadline:
            time.sleep(0.02)  # requests of the killed process still being served
        before = server.state.stats()["requests"]

        server.state.latency = 0.0
        res = run_cli(*args[:-1], "--resume", "--no-cache")
        assert res.exit_code == 0, res.stderr
        assert server.state.stats()["requests"] - before == 18 - done
        assert f"({done} from the resume journal)" in res.stdout

        # the result is the same as an uninterrupted run
        ref = tmp_path / "ref"
        assert run_cli(*[a if a != str(out) else ref for a in args]).exit_code == 0
        for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
            assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    finally:
        server.stop()


def test_resume_refuses_a_journal_of_another_run(fake, tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / JOURNAL_NAME).write_text('{"journal":"tvt-llm","run":"something-else"}\n')
    res = run_cli(*gen_args(fake, out, "--resume"))
    assert res.exit_code == 2 and "different run" in res.stderr


def test_cache_location_rules(fake, tmp_path, monkeypatch):
    from tvt.llm.cache import CACHE_FILE, default_cache_dir, resolve_cache_path

    monkeypatch.delenv("TVT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "tvt"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "tvt"
    assert resolve_cache_path(tmp_path / "c") == tmp_path / "c" / CACHE_FILE
    assert resolve_cache_path(tmp_path / "my.sqlite3") == tmp_path / "my.sqlite3"

    res = run_cli(*gen_args(fake, tmp_path / "a", "--phases", "P5", "--cache", tmp_path / "c"))
    assert res.exit_code == 0 and (tmp_path / "c" / CACHE_FILE).exists()
    res = run_cli(*gen_args(fake, tmp_path / "b", "--phases", "P5", "--no-cache"))
    assert res.exit_code == 0 and not (tmp_path / "home").exists()
    assert "0 cache hits" in res.stderr and "2 requests" in res.stderr


def test_journal_survives_a_torn_last_line(tmp_path):
    from tvt.llm.journal import Journal

    j = Journal(tmp_path, {"run": 1}, resume=False)
    j.append({"client_id": 1, "phase": "P5", "conversation": {}})
    j.append({"client_id": 1, "phase": "P10", "conversation": {}})
    j.close()
    with open(tmp_path / JOURNAL_NAME, "a") as fh:
        fh.write('{"client_id": 2, "pha')  # killed mid-write
    j = Journal(tmp_path, {"run": 1}, resume=True)
    assert set(j.entries) == {(1, "P5"), (1, "P10")}
    j.append({"client_id": 2, "phase": "P5", "conversation": {}})
    j.close()
    assert set(Journal(tmp_path, {"run": 1}, resume=True).entries) == {
        (1, "P5"),
        (1, "P10"),
        (2, "P5"),
    }
    # without --resume the journal starts afresh
    assert Journal(tmp_path, {"run": 1}, resume=False).entries == {}
