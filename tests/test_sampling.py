"""Sampler invariants, consistency rules, determinism and prefix stability."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from tests.hyp import examples
from tvt.config import load_config
from tvt.pipeline import planned_cases
from tvt.sampling import Sampler, violations

DEFAULT = load_config("default")
PAPER = load_config("paper")
PHASES = ["P5", "P10", "P6", "P7", "P8", "P11"]


def _cases(config, seed, n):
    return list(planned_cases(config, seed, n))


@settings(max_examples=examples(40), deadline=None)
@given(
    seed=st.integers(0, 2**32),
    client_id=st.integers(1, 10**6),
    preset=st.sampled_from(["default", "paper"]),
)
def test_every_sampled_case_is_valid_and_consistent(seed, client_id, preset):
    config = DEFAULT if preset == "default" else PAPER
    d = config.data
    case = Sampler(config, seed).sample(client_id)
    p = case["client_profile"]
    assert case["client_id"] == client_id
    assert d["client"]["age"]["min"] <= p["age"] <= d["client"]["age"]["max"]
    lo, hi = map(int, p["age_group"].split("-"))
    assert lo <= p["age"] <= hi
    assert p["gender"] in d["client"]["gender"]
    assert p["ethnicity"] in d["client"]["ethnicity"]
    assert p["co_occurring_condition"] in d["client"]["co_occurring_condition"]
    behaviours = p["exhibited_behaviors"]
    assert 1 <= len(behaviours) <= 3 and len(set(behaviours)) == len(behaviours)
    assert set(behaviours) <= set(d["client"]["exhibited_behaviors"]["values"])
    assert violations(p, d["constraints"]) == []
    t = case["therapist_profile"]
    assert 25 <= t["age"] <= 65 and t["gender"] in d["therapist"]["gender"]
    assert p["name"] and t["name"] and p["name"] != t["name"]
    info = case["trauma_info"]
    assert info["type"] in d["trauma_type"] and info["session_topic"] in d["session_topic"]
    if config.data["topic_pairing"] == "compatible":
        assert info["session_topic"] in d["compatible_topics"][info["type"]]


@pytest.mark.slow
def test_spec_consistency_rules_hold_on_many_clients():
    for case in _cases(DEFAULT, 3, 3000):
        p = case["client_profile"]
        age = p["age"]
        if p["occupation"] == "Retired":
            assert age >= 45
        if p["living_situation"] == "Assisted living":
            assert age >= 65
        if p["living_situation"] == "With parents":
            assert age <= 40
        if p["relationship_status"] == "Widowed":
            assert age >= 21
        if p["living_situation"] == "With partner":
            assert p["relationship_status"] in ("Married", "In a relationship")


@pytest.mark.slow
def test_students_are_rare_after_forty():
    cases = _cases(DEFAULT, 5, 4000)
    older = [c for c in cases if c["client_profile"]["age"] > 40]
    share = sum(c["client_profile"]["occupation"] == "Student" for c in older) / len(older)
    assert share < 0.03


def test_violations_reports_inconsistent_profiles():
    rules = DEFAULT.data["constraints"]
    bad = {
        "age": 30,
        "relationship_status": "Single",
        "occupation": "Retired",
        "living_situation": "With partner",
    }
    found = violations(bad, rules)
    assert any("Retired" in v for v in found) and any("With partner" in v for v in found)


def test_prefix_stability_client_does_not_depend_on_total():
    small = _cases(DEFAULT, 42, 20)
    large = _cases(DEFAULT, 42, 400)
    assert small == large[:20]
    # and a client can be drawn on its own
    assert Sampler(DEFAULT, 42).sample(7) == {k: v for k, v in small[6].items() if k != "plan"}


def test_seed_changes_everything_and_is_reproducible():
    a = _cases(DEFAULT, 1, 50)
    assert a == _cases(DEFAULT, 1, 50)
    assert a != _cases(DEFAULT, 2, 50)


@pytest.mark.slow
def test_paper_preset_pairs_type_and_topic_independently():
    cases = _cases(PAPER, 11, 3000)
    pairs = {(c["trauma_info"]["type"], c["trauma_info"]["session_topic"]) for c in cases}
    compat = DEFAULT.data["compatible_topics"]
    incoherent = [p for p in pairs if p[1] not in compat[p[0]]]
    # Independent draws over 12 x 20 cells reach almost every pair, most of them incoherent.
    assert len(pairs) > 200 and len(incoherent) > 100
    default_pairs = {
        (c["trauma_info"]["type"], c["trauma_info"]["session_topic"])
        for c in _cases(DEFAULT, 11, 3000)
    }
    assert all(t in compat[ty] for ty, t in default_pairs)


@pytest.mark.parametrize("field", ["gender", "co_occurring_condition", "ethnicity"])
def test_paper_preset_matches_design_weights(field):
    """With the paper preset the chi-square against the design weights must not reject at
    p < 0.001 (2,000 clients)."""
    cases = _cases(PAPER, 42, 2000)
    weights = PAPER.data["client"][field]
    counts = Counter(c["client_profile"][field] for c in cases)
    keys = list(weights)
    total = sum(weights.values())
    expected = [weights[k] / total * len(cases) for k in keys]
    assert chisquare([counts.get(k, 0) for k in keys], expected).pvalue >= 0.001


def test_paper_preset_trauma_type_and_behaviour_count_match_design():
    cases = _cases(PAPER, 42, 2000)
    types = Counter(c["trauma_info"]["type"] for c in cases)
    keys = list(PAPER.data["trauma_type"])
    assert chisquare([types.get(k, 0) for k in keys]).pvalue >= 0.001
    n_beh = Counter(len(c["client_profile"]["exhibited_behaviors"]) for c in cases)
    assert chisquare([n_beh.get(k, 0) for k in (1, 2, 3)]).pvalue >= 0.001


def test_names_fit_gender_and_region_locale():
    from tvt.sampling import name_tables

    for case in _cases(DEFAULT, 9, 300):
        p = case["client_profile"]
        locales = DEFAULT.data["name_locales"][p["ethnicity"]]
        pool = {"male": "male", "female": "female"}.get(p["gender"], "any")
        name = p["name"]
        # First names may contain spaces ("José María"), so match first + " " + last exactly.
        assert any(
            name.startswith(first + " ") and name[len(first) + 1 :] in set(t.last.values)
            for t in map(name_tables, locales)
            for first in getattr(t, pool).values
        ), p


def test_case_lines_serialise_identically(tmp_path):
    a = [json.dumps(c, sort_keys=False) for c in _cases(DEFAULT, 8, 30)]
    b = [json.dumps(c, sort_keys=False) for c in _cases(DEFAULT, 8, 30)]
    assert a == b
