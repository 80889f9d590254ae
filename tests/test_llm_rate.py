"""The openai rater: robust intensity parsing, format failures, reference output, cache."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fake_openai_server import FakeServer
from tvt.errors import InputError, WorkFailed
from tvt.llm.client import RetryPolicy
from tvt.raters.llm import parse_intensity, rate_dataset_llm
from tvt.resources import load_schema

FAST = RetryPolicy(base=0.01, cap=0.05)


@pytest.mark.parametrize(
    "text, value",
    [
        ('{"intensity": 7}', 7),
        ('{"Intensity": "8"}', 8),
        ("I'd rate it a 7/10.", 7),
        ("Intensity: 8", 8),
        ("**Intensity:** 9", 9),
        ("Emotional intensity: 6.5", 6.5),
        ('Sure! Here you go:\n```json\n{"intensity": 6}\n```\nHope this helps.', 6),
        ("On a scale of 1 to 10, I would rate this a 6.", 6),
        ("Between 1 (calm) and 10 (extreme distress), this is a 4.", 4),
        ("The intensity is high, around 8 (on a 1-10 scale).", 8),
        ("Rating: 7 out of 10", 7),
        ("5", 5),
        ("The client shows clear distress. **9**", 9),
        ('{"intensity": 12}', None),
        ('{"intensity": true}', None),
        ("I cannot rate this conversation.", None),
        ("3 or 4", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_intensity(text, value):
    assert parse_intensity(text) == value


@given(
    n=st.integers(1, 10),
    form=st.sampled_from(
        [
            '{{"intensity": {n}}}',
            "I'd rate it a {n}/10.",
            "Intensity: {n}",
            "After reading it carefully, I would give it a {n}.",
            'Answer:\n{{ "intensity" : {n} }}\nThe client is distressed.',
            "{n} out of 10",
        ]
    ),
)
def test_property_chatter_forms(n, form):
    assert parse_intensity(form.format(n=n)) == n


def write_dataset(folder, conversations):
    folder.mkdir()
    with open(folder / "conversations.jsonl", "w") as fh:
        for c in conversations:
            fh.write(json.dumps(c) + "\n")


def conv(cid, phase, text="I can hear the door."):
    return {
        "client_id": cid,
        "phase": phase,
        "turns": [
            {"speaker": "therapist", "text": "What's happening?", "suds": None, "act": "question"},
            {"speaker": "client", "text": text, "suds": None, "act": "response"},
        ],
    }


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = FakeServer().start()
    server.state.keep_bodies = True
    yield server
    server.stop()


def rate(server, folder, out, **kw):
    kw.setdefault("policy", FAST)
    kw.setdefault("progress", False)
    return rate_dataset_llm(folder, out, model="fake-model", base_url=server.base_url, **kw)


def test_rates_every_conversation(fake, tmp_path, capsys):
    ds = tmp_path / "ds"
    write_dataset(ds, [conv(2, "P10"), conv(1, "P5"), conv(1, "P10", "It's everywhere.")])
    report: list[str] = []
    summary = rate(fake, ds, tmp_path / "outputs.jsonl", report=report.append)
    lines = [json.loads(x) for x in (tmp_path / "outputs.jsonl").read_text().splitlines()]
    assert [(r["client_id"], r["phase"]) for r in lines] == [(1, "P5"), (1, "P10"), (2, "P10")]
    schema = load_schema("outputs.schema.json")
    for r in lines:
        jsonschema.validate(r, schema)
        assert r["model"] == "fake-model" and 1 <= r["intensity"] <= 10
    assert summary["rated"] == 3 and summary["format_failures"] == 0
    assert summary["prompt_version"] == "rating-v1"
    # zero-shot prompt with the conversation and JSON mode
    body = fake.state.bodies[0]
    assert body["response_format"] == {"type": "json_object"} and body["temperature"] == 0.0
    assert any(
        "Client: I can hear the door." in b["messages"][1]["content"] for b in fake.state.bodies
    )
    # The summary goes to the caller's report, not to stderr: library code never prints.
    assert len(report) == 2 and "format failures 0" in report[0] and "3 done" in report[1]
    assert capsys.readouterr().err == ""
    # identical re-run: all from the cache
    n = fake.state.stats()["requests"]
    again = rate(fake, ds, tmp_path / "again.jsonl")
    assert fake.state.stats()["requests"] == n and again["usage"]["cache_hits"] == 3
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "outputs.jsonl").read_bytes()


def test_format_failures_are_retried_counted_and_reported(fake, tmp_path):
    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, "P5"), conv(1, "P10")])
    # first conversation: three unreadable answers; second: one, then a readable one
    fake.add_faults("garbage", "garbage", "garbage", "garbage")
    out = tmp_path / "outputs.jsonl"
    with pytest.raises(WorkFailed, match="1 of 2 conversation"):
        rate(fake, ds, out, concurrency=1, max_attempts=3)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["client_id"], r["phase"]) for r in lines] == [(1, "P10")]
    failures = [json.loads(x) for x in (tmp_path / "outputs.jsonl.failures.jsonl").open()]
    assert failures[0]["phase"] == "P5" and failures[0]["attempts"] == 3
    assert failures[0]["reason"].startswith("format failure")
    # the retry showed the model its answer and asked again, with a new seed
    second = fake.state.bodies[1]
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert '{"intensity": n}' in second["messages"][3]["content"]
    assert second["seed"] != fake.state.bodies[0]["seed"]
    summary = rate(fake, ds, tmp_path / "o2.jsonl", raise_on_failure=False, no_cache=True)
    assert summary["format_failures"] == 0 and summary["first_answer_unreadable"] == 0


def test_summary_counts_first_answer_failures(fake, tmp_path):
    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, "P5"), conv(1, "P10")])
    fake.add_faults("garbage")
    summary = rate(fake, ds, tmp_path / "o.jsonl", concurrency=1)
    assert summary["rated"] == 2 and summary["first_answer_unreadable"] == 1
    assert summary["format_failures"] == 0


def test_as_reference(fake, tmp_path):
    ds = tmp_path / "ds"
    write_dataset(
        ds, [conv(1, p) for p in ("P5", "P10", "P6", "P7", "P8", "P11")] + [conv(3, "P8")]
    )
    out = tmp_path / "reference.jsonl"
    rate(fake, ds, out, as_reference=True)
    refs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["client_id"] for r in refs] == [1, 3]
    schema = load_schema("reference.schema.json")
    for r in refs:
        jsonschema.validate(r, schema)
        assert r["source"] == "rater:fake-model"
    assert list(refs[0]["trajectory"]) == ["P5", "P10", "P6", "P7", "P8", "P11"]


def test_json_mode_is_dropped_when_the_server_rejects_it(fake, tmp_path):
    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, "P5"), conv(1, "P10")])
    fake.add_faults("400")
    summary = rate(fake, ds, tmp_path / "o.jsonl", concurrency=1)
    assert summary["rated"] == 2 and summary["json_mode"] is False
    assert "response_format" not in fake.state.bodies[-1]


def test_bad_input(fake, tmp_path):
    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, "P5"), conv(1, "P9")])
    with pytest.raises(InputError, match="line 2.*phase.*unknown phase 'P9'"):
        rate(fake, ds, tmp_path / "o.jsonl")
    with pytest.raises(InputError, match="not found"):
        rate(fake, tmp_path / "missing", tmp_path / "o.jsonl")
    with pytest.raises(InputError, match="unknown rater option"):
        rate(fake, ds, tmp_path / "o.jsonl", temprature=0.2)
    assert not (tmp_path / "o.jsonl").exists()


def test_rate_command_reports_failures_and_exits_1(fake, tmp_path):
    """The command, not the library, prints the run's summary; unrated conversations exit 1."""
    from click.testing import CliRunner

    from tvt.cli import main

    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, "P5"), conv(1, "P10")])
    fake.add_faults("garbage", "garbage", "garbage")
    out = tmp_path / "outputs.jsonl"
    args = ["rate", str(ds), "--rater", "openai", "--model", "fake-model", "--base-url"]
    args += [fake.base_url, "--concurrency", "1", "--max-attempts", "3", "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "format failures 1 (50.0 %)" in res.stderr and "1 done; 1 failed" in res.stderr
    assert "1 of 2 conversation(s) could not be rated (1 format failures)" in res.stderr
    assert f"wrote {out}" in res.stdout and len(out.read_text().splitlines()) == 1


def test_rate_command_passes_llm_flags(fake, tmp_path):
    """`tvt rate --rater openai` goes through the same flags as generation (cache, sampling)."""
    from click.testing import CliRunner

    from tvt.cli import main

    ds = tmp_path / "ds"
    write_dataset(ds, [conv(1, p) for p in ("P5", "P10", "P6", "P7", "P8", "P11")])
    out = tmp_path / "outputs.jsonl"
    args = [
        "rate",
        str(ds),
        "--rater",
        "openai",
        "--model",
        "fake-model",
        "--base-url",
        fake.base_url,
        "--temperature",
        "0.3",
        "--max-tokens",
        "64",
        "--cache",
        str(tmp_path / "own-cache"),
        "-o",
        str(out),
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert len(out.read_text().splitlines()) == 6
    body = fake.state.bodies[0]
    assert body["temperature"] == 0.3 and body["max_tokens"] == 64
    assert (tmp_path / "own-cache").exists()
    n = fake.state.stats()["requests"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert fake.state.stats()["requests"] == n  # served from the --cache given
    res = CliRunner().invoke(main, ["rate", str(ds), "--rater", "lexical", "--model", "m"])
    assert res.exit_code == 2 and "--model" in res.output
