"""Prompts of tvt-bench-v2: the verbal SUDS generation style and the turn-rating prompt."""

from __future__ import annotations

import json
import re

import pytest

from tvt.llm.prompts import (
    EXAMPLE_CASE,
    EXAMPLE_FACTS,
    format_marked_conversation,
    generation_messages,
    generation_prompt_id,
    load_prompts,
    turn_rating_messages,
)
from tvt.phases import BENCHMARK_ORDER

NUMERIC_ASKS = re.compile(
    r"number from 0 to 100|Always use the 0-100 scale|checks \(0-100\)|"
    r"What number would you give|a SUDS of about"
)


@pytest.mark.parametrize("phase", BENCHMARK_ORDER)
def test_verbal_style_never_asks_for_numbers(phase):
    numeric = generation_messages(EXAMPLE_CASE, phase, EXAMPLE_FACTS)
    verbal = generation_messages(EXAMPLE_CASE, phase, EXAMPLE_FACTS, suds_style="verbal")
    assert numeric == generation_messages(EXAMPLE_CASE, phase, EXAMPLE_FACTS, suds_style="numeric")
    text = "\n".join(m["content"] for m in verbal)
    assert not NUMERIC_ASKS.search(text), NUMERIC_ASKS.search(text)
    assert "in words" in text
    if phase in ("P10", "P6", "P7"):
        assert NUMERIC_ASKS.search("\n".join(m["content"] for m in numeric))
        # the targets are still there, for the model to track
        target = EXAMPLE_CASE["plan"]["suds"][phase]["peak"]
        assert str(target) in text


def test_unknown_style_and_prompt_ids():
    with pytest.raises(ValueError, match="SUDS style"):
        generation_messages(EXAMPLE_CASE, "P5", EXAMPLE_FACTS, suds_style="loud")
    gen = load_prompts("generation")
    assert generation_prompt_id(gen) == gen.id
    assert generation_prompt_id(gen, "verbal") == f"{gen.id}+suds-verbal-v1"


def test_turn_rating_labels_marked_turns_in_order():
    turns = [
        {"speaker": "therapist", "text": "Go on."},
        {"speaker": "client", "text": "I see the car.", "rate": True},
        {"speaker": "therapist", "text": "And now?"},
        {"speaker": "client", "text": "It's the worst it's been.", "rate": True},
    ]
    text, marked = format_marked_conversation(turns)
    assert marked == [1, 3]
    assert "[T1] Client: I see the car." in text and "[T2] Client: It's the worst" in text
    messages, marked2 = turn_rating_messages(turns)
    assert marked2 == marked
    assert "There are 2 labelled turns" in messages[1]["content"]
    assert '{"ratings"' in messages[1]["content"]


def test_generate_llm_records_the_verbal_style(tmp_path, monkeypatch):
    from tests.fake_openai_server import FakeServer
    from tvt.config import load_config
    from tvt.llm.generation import LLMOptions, generate_llm

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    server = FakeServer().start()
    server.state.keep_bodies = True
    try:
        result = generate_llm(
            tmp_path / "d",
            seed=1,
            clients=1,
            config=load_config("default"),
            options=LLMOptions(
                model="fake-model", base_url=server.base_url, use_cache=False, progress=False
            ),
            phases=["P10"],
            suds_style="verbal",
        )
    finally:
        server.stop()
    backend = result.manifest["backend"]
    assert backend["prompt_version"] == "generation-v1+suds-verbal-v1"
    assert backend["suds_style"] == "verbal"
    sent = json.dumps(server.state.bodies[0]["messages"])
    assert "never with a number" in sent
