"""Prompt templates: structure, plan and facts in every phase prompt, versioning, docs page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tvt.config import load_config
from tvt.llm.prompts import (
    PromptSet,
    generation_messages,
    load_prompts,
    rating_messages,
    render_docs,
    turn_bounds,
)
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES, PHASE_NAMES
from tvt.pipeline import planned_cases

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cases():
    return list(planned_cases(load_config("default"), 42, 6))


@pytest.mark.parametrize("phase", BENCHMARK_ORDER)
def test_every_phase_prompt_carries_profile_plan_and_length(cases, phase):
    facts = {"hotspot": "the van door slamming", "when": "a wet night in March"}
    for case in cases:
        system, user = generation_messages(case, phase, facts)
        assert system["role"] == "system" and user["role"] == "user"
        text = user["content"]
        assert "$" not in text  # every placeholder was filled
        assert f"Phase: {phase} ({PHASE_NAMES[phase]})" in text
        profile = case["client_profile"]
        assert profile["name"] in text and profile["name"].split()[0] in text
        assert case["therapist_profile"]["name"] in text
        for behaviour in profile["exhibited_behaviors"]:
            assert behaviour in text
        assert case["trauma_info"]["session_topic"] in text
        assert "the van door slamming" in text and "a wet night in March" in text
        assert f"intensity: {case['plan']['intensity'][phase]} on a scale" in text
        if phase in EXPOSURE_PHASES:
            s = case["plan"]["suds"][phase]
            assert f"starts near {s['start']}, rises to about {s['peak']}" in text
            assert f"ends near {s['end']}" in text
        lo, _hi = turn_bounds(load_prompts("generation"), phase)
        assert f"never fewer than {lo}" in text and "about " in text
        # the preamble: format, roles, and the fixes the paper's clinicians asked for
        assert 'starts with "Therapist:" or "Client:"' in system["content"]
        assert "Never repeat a therapist line" in system["content"]
        assert "0-100" in system["content"]


def test_real_narrative_facts_reach_every_phase(cases):
    from tvt.compose import narrative_facts

    case = cases[0]
    facts = narrative_facts(case, 42)
    assert facts
    for phase in BENCHMARK_ORDER:
        text = generation_messages(case, phase, facts)[1]["content"]
        for value in facts.values():
            assert value in text


def test_versions_and_hash():
    gen = load_prompts("generation")
    assert gen.id == "generation-v1" and len(gen.sha256) == 64
    assert {"preamble.md", "frame.md", "phases.json"} <= set(gen.files)
    assert {f"{p}.md" for p in BENCHMARK_ORDER} <= set(gen.files)
    changed = PromptSet(gen.kind, gen.version, {**gen.files, "P5.md": gen.files["P5.md"] + "x"})
    assert changed.sha256 != gen.sha256
    assert load_prompts("rating").id == "rating-v1"


def test_rating_prompt_asks_for_json():
    turns = [
        {"speaker": "therapist", "text": "How was that?"},
        {"speaker": "client", "text": "Hard."},
    ]
    system, user = rating_messages(turns)
    assert "Therapist: How was that?\nClient: Hard." in user["content"]
    assert '{"intensity": n}' in user["content"] and "1 (calm) to 10" in user["content"]


def test_docs_page_is_generated_from_the_templates():
    page = (ROOT / "docs" / "prompts.md").read_text(encoding="utf-8")
    assert page == render_docs(), "run: python -m tvt.llm.prompts > docs/prompts.md"
