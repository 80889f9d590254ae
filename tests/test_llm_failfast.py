"""A run that cannot succeed stops in seconds: an endpoint nobody answers at, and one that
answers every request with the same fault (the fault-injecting fake server)."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from click.testing import CliRunner

from tests.fake_openai_server import FakeServer
from tvt.cli import main
from tvt.llm.client import EndpointDead, EndpointError, LLMClient, RetryPolicy, resolve_endpoint
from tvt.llm.generation import LLMOptions
from tvt.llm.per_item import Asked, ask_parsed, run_items

FAST = RetryPolicy(base=0.01, cap=0.05)
MESSAGES = [
    {"role": "system", "content": 'Rate the intensity. Answer {"intensity": n}.'},
    {"role": "user", "content": "Client: I can hear the door."},
]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = FakeServer().start()
    yield server
    server.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.parametrize(
    "base_url", [f"http://127.0.0.1:{_free_port()}/v1", "http://no-such-host.invalid/v1"]
)
def test_unreachable_endpoint_stops_at_the_first_request(monkeypatch, base_url):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    # max_retries=8 would mean minutes of backoff: the run stops after one try instead.
    client = LLMClient(resolve_endpoint("m", base_url), policy=RetryPolicy(), timeout=10)

    async def go() -> None:
        try:
            await client.complete(MESSAGES, params={}, seed=1, prompt_version="t")
        finally:
            await client.aclose()

    with pytest.raises(EndpointError, match=f"cannot connect to --base-url {base_url}"):
        asyncio.run(go())
    assert client.usage.requests == 1 and client.usage.retries == 0


async def _ask(client, item: int, params) -> Asked[int]:
    return await ask_parsed(
        Asked(),
        client,
        MESSAGES,
        parse=lambda text: 5 if "5" in text else 5,
        retry_message={"role": "user", "content": "A number."},
        wanted="a number",
        params=params,
        seed=7,
        client_id=item,
        purpose="t",
        prompt_version="t",
        max_attempts=3,
    )


@pytest.mark.parametrize("fault", ["500", "503", "badjson", "drop"])
@pytest.mark.parametrize("concurrency", [1, 4])
def test_an_endpoint_failing_every_request_stops_after_five(fake, fault, concurrency):
    fake.add_faults(*[fault] * 1000)
    options = LLMOptions(
        model="m",
        base_url=fake.base_url,
        concurrency=concurrency,
        use_cache=False,
        progress=False,
        policy=FAST,
    )
    with pytest.raises(EndpointDead) as info:
        run_items(list(range(30)), _ask, options=options, desc="t")
    # 30 items x 9 tries each would be 270 requests; five in a row stop it (the workers already
    # in flight finish their request).
    served = fake.state.stats()["requests"]
    assert 5 <= served < 5 + concurrency
    message = str(info.value)
    assert "5 requests in a row" in message and fake.base_url in message
    assert "--max-attempts" not in message


def test_a_fault_between_answers_does_not_stop_the_run(fake):
    # Four 500s, an answer, four 500s ...: never five in a row, so every item is answered.
    fake.add_faults(*(["500"] * 4 + ["none"]) * 6)
    options = LLMOptions(
        model="m", base_url=fake.base_url, concurrency=1, use_cache=False, progress=False,
        policy=FAST,
    )  # fmt: skip
    run = run_items(list(range(6)), _ask, options=options, desc="t")
    assert len(run.results) == 6 and not run.failed


def test_rate_limiting_does_not_count_as_a_dead_endpoint(fake):
    fake.add_faults(*["429:0"] * 7)
    options = LLMOptions(
        model="m", base_url=fake.base_url, concurrency=1, use_cache=False, progress=False,
        policy=RetryPolicy(base=0.01, cap=0.05, retry_after_cap=0.01),
    )  # fmt: skip
    run = run_items([1], _ask, options=options, desc="t")
    assert not run.failed


@pytest.mark.slow  # the command line's own backoff (about a second a retry)
def test_generate_stops_keeps_its_work_and_resumes(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "llm"
    args = [
        "generate", "--seed", "3", "--clients", "3", "--phases", "P5", "--backend", "openai",
        "--model", "m", "--base-url", fake.base_url, "--concurrency", "1", "--no-cache",
        "--out", str(out),
    ]  # fmt: skip
    fake.add_faults("none", *["500"] * 50)  # the first conversation comes back, then nothing
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "in a row" in res.output and "--max-attempts" not in res.output
    assert fake.state.stats()["requests"] == 6
    journal = [json.loads(x) for x in (out / ".tvt-journal.jsonl").read_text().splitlines()]
    assert len(journal) == 2  # the run's header and the one finished conversation
    fake.state.faults.clear()
    res = CliRunner().invoke(main, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert "(1 from the resume journal)" in res.output


def test_stop_after_zero_keeps_retrying(fake):
    fake.add_faults(*["500"] * 7)
    options = LLMOptions(
        model="m", base_url=fake.base_url, concurrency=1, use_cache=False, progress=False,
        policy=RetryPolicy(base=0.01, cap=0.05, give_up_after=0),
    )  # fmt: skip
    run = run_items([1], _ask, options=options, desc="t")
    assert not run.failed and fake.state.stats()["requests"] == 8
