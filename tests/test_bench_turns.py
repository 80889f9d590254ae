"""Turn-track scoring: vectorised per-conversation metrics against scipy, formats, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tests.hyp import examples
from tvt.bench.turns import per_conversation, s_turn, score_turns
from tvt.cli import main
from tvt.errors import InputError


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.slow
@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.floats(1, 10, allow_nan=False), st.floats(1, 10, allow_nan=False)),
            min_size=2,
            max_size=12,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_per_conversation_matches_scipy(convs):
    model = np.array([m for c in convs for m, _ in c])
    ref = np.array([r for c in convs for _, r in c])
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in convs])])
    n, pearson, rmse, undefined = per_conversation(model, ref, offsets)
    for k, c in enumerate(convs):
        m = np.array([x for x, _ in c])
        r = np.array([y for _, y in c])
        assert n[k] == len(c)
        assert rmse[k] == pytest.approx(math.sqrt(np.mean((m - r) ** 2)), abs=1e-9)
        if np.ptp(m) < 1e-9 or np.ptp(r) < 1e-9:
            assert pearson[k] == 0.0 and undefined[k]
        else:
            expected = stats.pearsonr(m, r).statistic
            if not math.isnan(expected):
                assert pearson[k] == pytest.approx(expected, abs=1e-6)


def test_nan_turns_are_left_out():
    model = np.array([1.0, np.nan, 3.0, 5.0])
    ref = np.array([2.0, 9.0, 4.0, 7.0])
    n, pearson, rmse, _ = per_conversation(model, ref, np.array([0, 4]))
    assert n[0] == 3
    assert pearson[0] == pytest.approx(stats.pearsonr([1, 3, 5], [2, 4, 7]).statistic)
    assert rmse[0] == pytest.approx(math.sqrt((1 + 1 + 4) / 3))


@pytest.fixture
def reference(tmp_path):
    recs = [
        {"client_id": 1, "phase": "P10", "turns": [1, 3, 5, 7], "intensities": [5, 6, 8, 7]},
        {"client_id": 1, "phase": "P6", "turns": [1, 3, 5], "intensities": [6, 7, 5.5]},
        {"client_id": 2, "phase": "P10", "turns": [1, 3, 5], "intensities": [3, 4, 9]},
    ]
    return _write(tmp_path / "reference.jsonl", [{**r, "source": "composer"} for r in recs])


def test_per_turn_and_per_conversation_lines_score_the_same(tmp_path, reference):
    conv = [
        {"client_id": 1, "phase": "P10", "turns": [1, 3, 5, 7], "intensities": [4, 6, 9, 7]},
        {"client_id": 1, "phase": "P6", "turns": [5, 1, 3], "intensities": [5, 6, 8]},
        {"client_id": 2, "phase": "P10", "turns": [1, 3, 5], "intensities": [5, 5, 5]},
    ]
    per_turn = [
        {"client_id": r["client_id"], "phase": r["phase"], "turn": t, "intensity": v}
        for r in reversed(conv)
        for t, v in zip(r["turns"], r["intensities"], strict=True)
    ]
    a = score_turns(_write(tmp_path / "a.jsonl", conv), reference)
    b = score_turns(_write(tmp_path / "b.jsonl", per_turn), reference)
    for key in ("pearson", "rmse", "s_abs", "n_scored", "undefined_pearson"):
        assert a[key] == b[key]
    assert a["undefined_pearson"] == 1  # client 2 rated a constant 5
    p = [
        stats.pearsonr([4, 6, 9, 7], [5, 6, 8, 7]).statistic,
        stats.pearsonr([6, 8, 5], [6, 7, 5.5]).statistic,
        0.0,
    ]
    assert a["pearson"]["mean"] == pytest.approx(np.mean(p))
    assert a["s_abs"] == pytest.approx(s_turn(a["pearson"]["mean"], a["rmse"]["mean"]))


def test_missing_and_excluded_are_listed(tmp_path, reference):
    out = [
        {"client_id": 1, "phase": "P10", "turns": [1, 3, 5], "intensities": [4, 6, 9]},
        {"client_id": 1, "phase": "P6", "turn": 1, "intensity": 6},
    ]
    report = score_turns(_write(tmp_path / "o.jsonl", out), reference)
    assert report["missing"] == [[2, "P10"]]
    assert report["excluded"] == [[1, "P6"]]
    assert report["incomplete"] == [[1, "P10"]]
    assert report["n_scored"] == 1
    with pytest.raises(InputError, match="require-complete"):
        score_turns(tmp_path / "o.jsonl", reference, require_complete=True)


@pytest.mark.parametrize(
    "record, match",
    [
        ({"client_id": 1, "phase": "P10", "turn": 1, "intensity": 11}, "finite number"),
        ({"client_id": 1, "phase": "P10", "turn": 1, "intensity": True}, "finite number"),
        ({"client_id": 9, "phase": "P10", "turn": 1, "intensity": 5}, "unknown conversation"),
        ({"client_id": 1, "phase": "P10", "turn": 2, "intensity": 5}, "not a rated turn"),
        ({"client_id": 1, "phase": "P5", "turn": 1, "intensity": 5}, "not an exposure phase"),
        ({"client_id": 1, "phase": "P10", "turns": [1, 3], "intensities": [5]}, "one intensity"),
        ({"client_id": 1, "phase": "P10", "turns": [1, 1], "intensities": [5, 5]}, "twice"),
        ({"client_id": 1, "phase": "P10"}, "needs 'turn'"),
    ],
)
def test_bad_outputs_name_file_and_line(tmp_path, reference, record, match):
    path = tmp_path / "o.jsonl"
    path.write_text(
        json.dumps({"client_id": 2, "phase": "P10", "turn": 1, "intensity": 4})
        + "\n"
        + json.dumps(record)
        + "\n"
    )
    with pytest.raises(InputError, match=match) as err:
        score_turns(path, reference)
    assert err.value.line == 2 and str(path) in str(err.value)


def test_conflicting_duplicate_is_an_error_identical_is_fine(tmp_path, reference):
    line = {"client_id": 2, "phase": "P10", "turn": 3, "intensity": 4}
    ok = [line, line, {"client_id": 2, "phase": "P10", "turns": [1, 5], "intensities": [2, 8]}]
    assert score_turns(_write(tmp_path / "ok.jsonl", ok), reference)["n_scored"] == 1
    bad = [line, {**line, "intensity": 5}]
    with pytest.raises(InputError, match="two different") as err:
        score_turns(_write(tmp_path / "bad.jsonl", bad), reference)
    assert err.value.line == 2


def test_nan_and_truncated_lines(tmp_path, reference):
    path = tmp_path / "o.jsonl"
    path.write_text('{"client_id": 2, "phase": "P10", "turn": 1, "intensity": NaN}\n')
    with pytest.raises(InputError):
        score_turns(path, reference)
    path.write_text('{"client_id": 2, "phase": "P10", "turn": 1, "inten')
    with pytest.raises(InputError, match="truncated"):
        score_turns(path, reference)


def test_s_turn_formula():
    assert s_turn(1.0, 0.0) == 1.0
    assert s_turn(-0.5, 20.0) == 0.0
    assert s_turn(0.5, 4.5) == pytest.approx(0.5)


def test_cli_score_uses_turn_scorer(tmp_path, reference):
    out = _write(
        tmp_path / "o.jsonl",
        [
            {"client_id": 1, "phase": "P10", "turns": [1, 3, 5, 7], "intensities": [4, 6, 9, 7]},
            {"client_id": 2, "phase": "P10", "turns": [1, 3, 5], "intensities": [2, 5, 8]},
        ],
    )
    res = CliRunner().invoke(main, ["score", str(out), "--reference", str(reference), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["format"] == "tvt-turn-score-report" and report["n_scored"] == 2
    res = CliRunner().invoke(
        main, ["score", str(out), "--reference", str(reference), "--plot", "x.png"]
    )
    assert res.exit_code == 2 and "--plot" in res.output
