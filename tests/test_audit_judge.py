"""The LLM judge of `tvt audit` against the fault-injecting fake OpenAI server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer
from tests.fixtures.audit.fixture import build
from tvt.audit.judge import parse_verdict
from tvt.cli import main


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    server = FakeServer().start()
    server.state.keep_bodies = True
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("judge-ds")
    build(folder)
    return folder


def judge(fake: FakeServer, dataset: Path, cache: Path, *extra: str):
    args = ["audit", str(dataset), "--judge", "openai", "--model", "fake-model"]
    args += ["--base-url", fake.base_url, "--cache", str(cache), *extra]
    return CliRunner().invoke(main, args)


def _expected_items(dataset: Path) -> int:
    convs = [json.loads(line) for line in open(dataset / "conversations.jsonl")]
    # P8 and P11, plus the exposure conversations with a rule risk statement (clients 2 and 9)
    return sum(1 for c in convs if c["phase"] in ("P8", "P11")) + 2


@pytest.mark.slow
def test_judge_results_sit_beside_the_rule_results(fake, dataset, tmp_path):
    flags = tmp_path / "flags.jsonl"
    res = judge(fake, dataset, tmp_path / "cache", "--json", "--per-conversation", flags)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    j = doc["judge"]
    assert j["model"] == "fake-model" and j["prompt_version"] == "audit-judge-v1"
    assert j["items"] == _expected_items(dataset) == fake.state.stats()["completions"]
    assert j["judged"] == j["items"] and j["format_failures"] == 0
    risk = j["questions"]["risk_not_assessed"]
    # the fake judge: "ending it all" without "a plan" -> not assessed (client 2, P10 only)
    assert (risk["flagged"], risk["rule_check"]) == (1, "safety.unassessed_risk")
    assert risk["compared"] >= 2 and risk["agreement"] == 1.0
    stuck = j["questions"]["stuck_point_not_processed"]
    assert stuck["flagged"] == 1 and stuck["examples"][0]["client_id"] == 7
    # the rule figures are unchanged by the judge (never merged)
    assert doc["checks"]["safety.unassessed_risk"]["flagged"] == 2
    recs = {(r["client_id"], r["phase"]): r for r in map(json.loads, open(flags))}
    assert recs[(2, "P10")]["judge"]["risk"] == "not_assessed"
    assert recs[(1, "P5")]["judge"] is None  # not asked
    body = fake.state.bodies[0]
    assert body["response_format"] == {"type": "json_object"} and body["temperature"] == 0.0
    assert "[0] Therapist:" in body["messages"][1]["content"]


@pytest.mark.slow  # a judged audit with its HTML report: about 1.5 s of CPU
def test_text_and_html_show_both_columns(fake, dataset, tmp_path):
    html = tmp_path / "r.html"
    res = judge(fake, dataset, tmp_path / "cache", "--html", html)
    assert res.exit_code == 0, res.output
    assert "LLM judge fake-model" in res.stdout and "judge" in res.stdout.splitlines()[3 + 1]
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith("safety.unassessed_risk"))
    assert row.count("%") == 2  # rule rate and judge rate on one row
    page = html.read_text(encoding="utf-8")
    assert "agreement with the rule" in page and "Stuck point stated but not processed" in page


@pytest.mark.slow  # two judged audits, with retries: about 1.1 s of CPU, 2 s of wall
def test_format_failures_are_retried_counted_and_cached_answers_reused(fake, dataset, tmp_path):
    cache = tmp_path / "cache"
    fake.add_faults("garbage", "garbage", "garbage")  # three unreadable answers for one item
    res = judge(fake, dataset, cache, "--json", "--concurrency", "1", "--max-attempts", "3")
    assert res.exit_code == 0, res.output
    j = json.loads(res.stdout)["judge"]
    assert j["format_failures"] == 1 and j["first_answer_unreadable"] == 1
    assert j["judged"] == j["items"] - 1
    second = fake.state.bodies[1]["messages"]
    assert second[-1]["role"] == "user" and "could not be read" in second[-1]["content"]
    n = fake.state.stats()["requests"]
    again = judge(fake, dataset, cache, "--json")
    assert again.exit_code == 0
    # every answer comes from the cache, the unreadable ones too (as in `tvt rate`): the same
    # figures, no new request; a higher --max-attempts asks with new seeds
    assert fake.state.stats()["requests"] == n
    j2 = json.loads(again.stdout)["judge"]
    assert j2["usage"]["cache_hits"] == j["judged"] + 3 and j2["format_failures"] == 1
    third = judge(fake, dataset, cache, "--json", "--max-attempts", "4")
    assert json.loads(third.stdout)["judge"]["format_failures"] == 0
    assert fake.state.stats()["requests"] == n + 1


@pytest.mark.slow  # a judged audit: about 1.2 s of CPU
def test_fail_on_a_judge_figure(fake, dataset, tmp_path):
    res = judge(fake, dataset, tmp_path / "c", "--fail-on", "judge.risk_not_assessed.count>0")
    assert res.exit_code == 1 and "judge.risk_not_assessed.count>0" in res.output


@pytest.mark.slow  # a judged audit with retries: about 1.1 s of CPU, 2 s of wall
def test_a_judge_that_answers_nothing_readable_fails_the_run(fake, dataset, tmp_path):
    fake.add_faults(*["garbage"] * 200)
    res = judge(fake, dataset, tmp_path / "c", "--max-attempts", "1", "--no-cache")
    assert res.exit_code == 1 and "could not judge any" in res.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"stuck_point": "processed", "risk": "none", "turn": 3}', ("processed", "none", 3)),
        (
            'Sure.\n```json\n{"stuck_point": "Not processed", "risk": "N/A"}\n```',
            ("not_processed", "none", None),
        ),
        (
            '{"Stuck_Point": "none", "risk": "not-assessed", "turn": "x"}',
            ("none", "not_assessed", None),
        ),
        ('{"stuck_point": "maybe", "risk": "none"}', None),
        ('{"risk": "none"}', None),
        ("no json here", None),
        ("", None),
    ],
)
def test_parse_verdict(text, expected):
    got = parse_verdict(text)
    if expected is None:
        assert got is None
    else:
        assert (got["stuck_point"], got["risk"], got["turn"]) == expected
