"""Within-session SUDS courses: the plan varies them, the composer lays levels, stated SUDS and
the peak wording on them, and the verbal band words follow the level, not the position."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tvt.bench.baselines import _band_patterns, decode_level
from tvt.compose import compose_client
from tvt.compose.bank import verbal_bank
from tvt.compose.suds import COURSES, course_level, course_values
from tvt.config import load_config
from tvt.pipeline import planned_cases
from tvt.plan import draw_course
from tvt.rng import Stream

CASES = list(planned_cases(load_config("default"), 7, 40))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    start=st.integers(0, 100),
    rise=st.integers(0, 60),
    drop=st.integers(0, 60),
    n=st.integers(3, 9),
)
def test_course_values_keep_start_peak_end(seed, start, rise, drop, n):
    peak = min(100, start + rise)
    s = {"start": start, "peak": peak, "end": max(0, peak - drop)}
    course = draw_course(s, Stream(seed, 1, "course"))
    assert course["kind"] in COURSES
    assert 0 <= s["start"] <= s["peak"] and 0 <= s["end"] <= s["peak"]
    positions = sorted({round(i / (n - 1), 3) for i in range(n)})
    if course["kind"] == "hotspot":
        return
    values, peak_at = course_values(positions, course, s, Stream(seed, 2, "x"))
    assert values[peak_at] == s["peak"] == max(values)
    assert values[-1] == s["end"] or peak_at == len(values) - 1
    assert all(0 <= v <= 100 for v in values)
    for p in positions:
        assert -1e-9 <= course_level(p, course, 0.5, s["start"], s["peak"], s["end"]) <= 100 + 1e-9


def test_the_plan_draws_every_course():
    kinds = Counter(
        c["plan"]["suds"][p]["course"]["kind"] for c in CASES for p in ("P10", "P6", "P7")
    )
    assert set(kinds) == set(COURSES)
    assert max(kinds.values()) < 0.35 * sum(kinds.values())  # no course dominates


def _exposures(style: str = "verbal") -> list[dict]:
    out = []
    for case in CASES[:25]:
        out += compose_client(case, 7, ("P10", "P6", "P7"), suds_style=style)
    return out


def test_the_peak_is_not_always_in_the_middle():
    """Where the session's highest turn falls (relative position): spread over the session."""
    where = []
    for conv in _exposures():
        levels = [t["intensity"] for t in conv["turns"] if t["speaker"] == "client"]
        where.append(int(np.argmax(levels)) / max(1, len(levels) - 1))
    where = np.asarray(where)
    assert (where < 0.35).mean() > 0.1 and (where > 0.65).mean() > 0.1


def test_peak_wording_marks_the_highest_stated_suds():
    """ "The worst it's been" goes with the session's highest stated SUDS, wherever it falls."""
    for conv in _exposures(style="numeric"):
        stated = [
            t for t in conv["turns"] if t.get("suds") is not None and t["speaker"] == "client"
        ]
        if not stated:
            continue
        top = max(t["suds"] for t in stated)
        for t in stated:
            if "worst it's been" in t["text"] or "top of it" in t["text"]:
                assert t["suds"] == top, t["text"]


def test_band_words_follow_the_level():
    """In masked (verbal) exposures, the band words of a SUDS answer are words the bank lists for
    the stated SUDS's band, whatever its position in the session, and they still tell the level
    (decoded levels follow the stated SUDS), though not exactly: adjacent levels share words."""
    from tvt.realize.verify import band_of, read_bands

    patterns = _band_patterns()
    got, want = [], []
    listed = answers = 0
    for conv in _exposures():
        for t in conv["turns"]:
            if t["speaker"] != "client" or t.get("suds") is None:
                continue
            said = {w.lower() for _b, w in read_bands(t["text"])}
            if said:
                answers += 1
                own = {
                    w.lower() for w in verbal_bank()["client"]["level"][band_of(t["suds"])]["words"]
                }
                listed += bool(said & own)
            level = decode_level(t["text"], patterns)
            if level is not None:
                got.append(level)
                want.append(t["suds"] / 10)
    assert answers > 50 and listed == answers
    got_a, want_a = np.asarray(got), np.asarray(want)
    assert np.corrcoef(got_a, want_a)[0, 1] > 0.7  # the words carry the level ...
    assert np.mean(np.abs(got_a - want_a) <= 1.6) > 0.7  # ... within about one band


def test_adjacent_levels_share_their_words():
    """No band of the verbal bank has words of its own only: a lookup of the band words cannot
    give the level exactly (each phrase is said at its level and the levels beside it)."""
    bands = [{w.lower() for w in b["words"]} for b in verbal_bank()["client"]["level"]]
    for k, words in enumerate(bands):
        neighbours = set().union(*(bands[j] for j in (k - 1, k + 1) if 0 <= j < len(bands)))
        assert len(words & neighbours) >= len(words) / 2, k
    # and the lookup's best guess of a phrase's level is off by a band or more for many phrases
    spans = {}
    for k, words in enumerate(bands):
        for w in words:
            spans.setdefault(w, []).append(k)
    assert sum(len(v) >= 3 for v in spans.values()) >= len(spans) / 2


def test_course_peaks_land_on_the_story_hot_spots():
    """A course's peak moves onto the retelling's nearest hot spot (within SNAP), not onto a
    fixed turn index; a peak at the first or last check stays there."""
    from tvt.compose.suds import SNAP, course_knots

    late = {"kind": "late", "at": 0.8}
    assert (0.72, 80) in course_knots(late, 0.5, 20, 80, 60, hots=[0.3, 0.72])
    assert (0.8, 80) in course_knots(late, 0.5, 20, 80, 60, hots=[0.8 - SNAP - 0.05])
    two = {"kind": "two-peaks", "at": 0.3, "first": 60.0, "dip": 30.0}
    knots = course_knots(two, 0.5, 40, 80, 50, hots=[0.25, 0.5, 0.8])
    assert (0.25, 80) in knots and (0.8, 60.0) in knots
    dread = {"kind": "early", "at": 0.0}
    assert course_knots(dread, 0.5, 80, 80, 40, hots=[0.1])[1] == (0.0, 80)
    values, at = course_values([0.0, 0.3, 0.6, 1.0], dread, {"start": 80, "peak": 80, "end": 40},
                               Stream(1, 1, "x"), [0.1])  # fmt: skip
    assert at == 0 and values[0] == 80 == max(values)
    stays = {"kind": "no-come-down", "at": 1.0}
    values, at = course_values([0.0, 0.3, 0.6, 1.0], stays, {"start": 30, "peak": 75, "end": 75},
                               Stream(1, 1, "x"), [0.9])  # fmt: skip
    assert at == 3 and values[-1] == 75 == max(values)
