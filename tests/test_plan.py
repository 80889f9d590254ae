"""The trajectory plan: ranges, agreement with SUDS, average shape, documented profile rules."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.compose.suds import COURSES
from tvt.config import load_config
from tvt.pipeline import planned_cases
from tvt.plan import plan_trajectory, reference_record, suds_intensity
from tvt.sampling import Sampler

CONFIG = load_config("default")
ORDER = ["P5", "P10", "P6", "P7", "P8", "P11"]
CASES = list(planned_cases(CONFIG, 42, 4000))


@settings(max_examples=examples(60), deadline=None)
@given(seed=st.integers(0, 2**31), client_id=st.integers(1, 10**6))
def test_plan_ranges_and_suds_agreement(seed, client_id):
    case = Sampler(CONFIG, seed).sample(client_id)
    plan = plan_trajectory(case, seed)
    assert list(plan["intensity"]) == ORDER
    assert all(isinstance(v, int) and 1 <= v <= 10 for v in plan["intensity"].values())
    assert set(plan["suds"]) == {"P10", "P6", "P7"}
    for phase, s in plan["suds"].items():
        assert 0 <= s["start"] <= s["peak"] <= 100 and 0 <= s["end"] <= s["peak"]
        mean = (s["start"] + s["peak"] + s["end"]) / 3
        assert abs(plan["intensity"][phase] - mean / 10) <= 0.5 + 1e-9
        assert plan["intensity"][phase] == suds_intensity(s["start"], s["peak"], s["end"])
        assert s["course"]["kind"] in COURSES
    i = plan["intensity"]
    assert i["P8"] <= i["P7"] + 1 and i["P11"] <= i["P8"]
    # P11 processes P7's exposure: never more than a point above where that session ended
    assert i["P11"] <= max(1, round(plan["suds"]["P7"]["end"] / 10) + 1)
    assert i["P5"] <= max(i["P10"], i["P6"])
    assert plan == plan_trajectory(case, seed)


def _mean(phase, cases=CASES):
    return statistics.fmean(c["plan"]["intensity"][phase] for c in cases)


def test_average_shape_follows_pe():
    means = {p: _mean(p) for p in ORDER}
    assert 4.0 <= means["P5"] <= 6.5  # orientation moderate
    top = max(means.values())
    assert top in (means["P10"], means["P6"])  # peak at exposure / SUDS monitoring
    assert means["P5"] < means["P10"] and means["P5"] < means["P6"]
    assert means["P7"] > means["P8"] > means["P11"]  # tapering


def _suds_peak(cases):
    return statistics.fmean(c["plan"]["suds"]["P10"]["peak"] for c in cases)


def test_anxiety_raises_orientation_and_starting_suds():
    anx = [c for c in CASES if c["client_profile"]["co_occurring_condition"] == "Anxiety"]
    none = [c for c in CASES if c["client_profile"]["co_occurring_condition"] == "None"]
    assert _mean("P5", anx) > _mean("P5", none) + 0.4
    start = lambda cs: statistics.fmean(c["plan"]["suds"]["P10"]["start"] for c in cs)  # noqa: E731
    assert start(anx) > start(none) + 3


def test_dissociation_blunts_the_peak():
    dis = [c for c in CASES if "dissociation" in c["client_profile"]["exhibited_behaviors"]]
    other = [c for c in CASES if "dissociation" not in c["client_profile"]["exhibited_behaviors"]]
    assert _suds_peak(dis) < _suds_peak(other) - 6


def test_individual_variation_exists():
    trajectories = {tuple(c["plan"]["intensity"].values()) for c in CASES}
    assert len(trajectories) > 200
    assert statistics.pstdev(c["plan"]["intensity"]["P10"] for c in CASES) > 0.5


def test_habituation_varies_between_clients():
    """The post-exposure taper differs between clients, so the average shape alone cannot
    predict every trajectory (the per-phase mean baseline must not be near perfect)."""
    drops = [c["plan"]["intensity"]["P7"] - c["plan"]["intensity"]["P11"] for c in CASES]
    assert min(drops) <= 0 and max(drops) >= 5
    assert statistics.pstdev(drops) > 1.2


def test_reference_record_is_the_plan():
    case = CASES[0]
    ref = reference_record(case)
    assert ref == {"client_id": 1, "trajectory": case["plan"]["intensity"], "source": "plan"}
