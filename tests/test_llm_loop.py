"""The per-item LLM loop (tvt/llm/per_item.py) against the fault-injecting fake OpenAI server:
JSON mode dropped after a 400, re-asking after unreadable answers, format and request failures,
the cache, and the accounting the three callers (rater, benchmark rater, audit judge) report."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fake_openai_server import FakeServer
from tvt.llm.client import EndpointError, RetryPolicy
from tvt.llm.generation import LLMOptions
from tvt.llm.per_item import Asked, ask_parsed, json_in_text, run_items
from tvt.rng import client_int_seed

FAST = RetryPolicy(base=0.01, cap=0.05)
RETRY = {"role": "user", "content": "Answer with one number from 1 to 10."}
JSON_MODE = {"type": "json_object"}
#: What the fake server answers for a "garbage" fault (no number in it).
GARBAGE = "Here is a story about a therapy session. It went well and everyone smiled."


@dataclass
class Answer(Asked[int]):
    """A caller's record type: its own fields first, then the loop's (as the raters do)."""

    item: int


def parse_number(text: str) -> int | None:
    """A deliberately small parser: the first whole number 1-10 in the answer."""
    m = re.search(r"\b(\d{1,2})\b", text or "")
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 10 else None


def messages(item: int) -> list[dict[str, str]]:
    # The fake server answers a rating when the prompt mentions {"intensity"...}.
    return [
        {"role": "system", "content": 'Rate the intensity. Answer {"intensity": n}.'},
        {"role": "user", "content": f"Client {item}: I can hear the door."},
    ]


async def ask(client, item: int, params) -> Answer:
    return await ask_parsed(
        Answer(item),
        client,
        messages(item),
        parse=parse_number,
        retry_message=RETRY,
        wanted="number 1-10",
        params=params,
        seed=7,
        client_id=item,
        purpose="loop-test",
        prompt_version="loop-test-v1",
        max_attempts=3,
    )


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = FakeServer().start()
    server.state.keep_bodies = True
    yield server
    server.stop()


def options(server: FakeServer, **kw) -> LLMOptions:
    kw.setdefault("concurrency", 1)
    kw.setdefault("use_cache", False)
    return LLMOptions(
        model="fake-model",
        base_url=server.base_url,
        temperature=0.0,
        max_tokens=64,
        progress=False,
        policy=FAST,
        **kw,
    )


def test_json_mode_is_dropped_after_a_400_and_the_item_asked_again(fake):
    fake.add_faults("400")
    run = run_items([1, 2, 3], ask, options=options(fake), desc="test")
    assert run.json_mode is False
    assert sorted(r.value is not None for r in run.results) == [True] * 3
    assert run.counts() == {
        "format_failures": 0,
        "request_failures": 0,
        "first_answer_unreadable": 0,
    }
    bodies = fake.state.bodies
    # the refused request asked for JSON mode; its repeat and every later request did not
    assert len(bodies) == 4 and bodies[0]["response_format"] == JSON_MODE
    assert all("response_format" not in b for b in bodies[1:])
    assert bodies[0]["messages"] == bodies[1]["messages"] and bodies[0]["seed"] == bodies[1]["seed"]
    assert {b["temperature"] for b in bodies} == {0.0} and {b["max_tokens"] for b in bodies} == {64}


def test_json_mode_stays_on_when_the_server_takes_it(fake):
    run = run_items([1, 2], ask, options=options(fake), desc="test")
    assert run.json_mode is True
    assert [b["response_format"] for b in fake.state.bodies] == [JSON_MODE, JSON_MODE]


def test_an_unreadable_answer_is_asked_again_in_the_same_chat_with_a_new_seed(fake):
    fake.add_faults("garbage")
    run = run_items([4], ask, options=options(fake), desc="test")
    (out,) = run.results
    assert out.value is not None and 1 <= out.value <= 10
    assert (out.attempts, out.first_unreadable, out.reason) == (2, True, None)
    first, second = fake.state.bodies
    assert parse_number(GARBAGE) is None and out.answers == [GARBAGE]
    assert first["seed"] == client_int_seed(7, 4, "loop-test:1")
    assert second["seed"] == client_int_seed(7, 4, "loop-test:2")
    assert second["messages"] == [
        *messages(4),
        {"role": "assistant", "content": out.answers[0]},
        RETRY,
    ]
    assert run.counts()["first_answer_unreadable"] == 1 and not run.failed


def test_answers_never_readable_are_a_format_failure(fake):
    fake.add_faults("garbage", "garbage", "garbage")
    run = run_items([1, 2], ask, options=options(fake), desc="test")
    bad = [r for r in run.results if r.value is None]
    assert len(bad) == 1 and bad[0].format_failure
    assert bad[0].reason == "format failure: no number 1-10 in 3 answer(s)"
    assert bad[0].attempts == 3 and len(bad[0].answers) == 3
    assert run.counts() == {
        "format_failures": 1,
        "request_failures": 0,
        "first_answer_unreadable": 1,
    }
    assert run.summary_line(None).startswith("1 done; 1 failed; 4 requests")


def test_a_refused_request_is_a_request_failure_not_retried(fake):
    fake.add_faults("400")
    run = run_items([1, 2], ask, options=options(fake), desc="test", json_mode=False)
    bad = run.failed
    assert len(bad) == 1 and not bad[0].format_failure and bad[0].attempts == 1
    assert bad[0].reason.startswith("request failed: HTTP 400")
    assert run.counts()["request_failures"] == 1 and len(fake.state.bodies) == 2
    assert run.json_mode is False


def test_a_rejected_key_stops_the_run(fake):
    fake.add_faults("401")
    with pytest.raises(EndpointError, match="HTTP 401"):
        run_items([1, 2, 3], ask, options=options(fake), desc="test")


def test_a_second_run_is_answered_from_the_cache_with_the_same_values(fake, tmp_path):
    opts = options(fake, use_cache=True, cache_path=tmp_path / "cache", concurrency=3)
    first = run_items([1, 2, 3, 4], ask, options=opts, desc="test")
    sent = len(fake.state.bodies)
    again = run_items([1, 2, 3, 4], ask, options=opts, desc="test")
    assert len(fake.state.bodies) == sent and again.usage.cache_hits == 4
    assert {r.item: r.value for r in again.results} == {r.item: r.value for r in first.results}
    # tokens of cached answers count in the per-record totals (what the raters price)
    assert again.tokens() == first.tokens() and again.tokens()[0] > 0
    assert again.usage.prompt_tokens == 0


def test_concurrency_is_bounded_and_every_item_comes_back_once(fake):
    fake.state.latency = 0.02
    items = list(range(1, 13))
    run = run_items(items, ask, options=options(fake, concurrency=3), desc="test")
    assert sorted(r.item for r in run.results) == items and all(r.value for r in run.results)
    assert fake.state.stats()["max_in_flight"] <= 3
    assert sorted(b["seed"] for b in fake.state.bodies) == sorted(
        client_int_seed(7, i, "loop-test:1") for i in items
    )


def test_every_request_refused_for_json_mode_is_asked_again_without_it(fake):
    # Three requests in flight all ask for JSON mode and are all refused: each is asked again,
    # not only the one that happened to come back first.
    # (The latency keeps the first answer from coming back before the third request is sent.)
    fake.state.latency = 0.2
    fake.add_faults("400", "400", "400")
    run = run_items([1, 2, 3, 4, 5, 6], ask, options=options(fake, concurrency=3), desc="test")
    assert run.json_mode is False and not run.failed
    refused = [b for b in fake.state.bodies if "response_format" in b]
    assert len(refused) == 3 and len(fake.state.bodies) == 9


def test_json_in_text_skips_braces_that_are_not_json():
    text = 'Sure {not json} here:\n```json\n{"intensity": 7}\n```\nand {"b": [1, 2]} {"a": 1'
    assert list(json_in_text(text)) == [{"intensity": 7}, {"b": [1, 2]}]
    assert list(json_in_text("[1, 2] and [x]", re.compile(r"\[[^\[\]]*\]"))) == [[1, 2]]


@given(
    obj=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4),
    before=st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30),
    after=st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30),
)
def test_property_a_flat_object_in_prose_is_found(obj, before, after):
    body = json.dumps(obj)
    assume("{" not in body[1:-1] and "}" not in body[1:-1])  # a brace in a key ends a flat match
    assert list(json_in_text(before + body + after)) == [obj]
