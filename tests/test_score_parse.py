"""The fast output reader agrees with a plain, obviously-correct reader on any valid file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.phases import BENCHMARK_ORDER as PHASES
from tvt.scoring import load_outputs, trajectories_from_rows

value = st.one_of(st.integers(1, 10), st.floats(1.0, 10.0, allow_nan=False))
extra = st.dictionaries(
    st.sampled_from(["model", "raw", "note"]),
    st.one_of(st.text(max_size=8), st.booleans(), st.none(), st.lists(st.integers(), max_size=3)),
    max_size=2,
).map(lambda d: {k: (v if k != "model" or isinstance(v, str) else "m") for k, v in d.items()})


@st.composite
def output_files(draw):
    """Random valid outputs: both shapes, any order, identical duplicates, varied formatting."""
    n = draw(st.integers(1, 8))
    truth = {cid: {p: draw(value) for p in PHASES} for cid in range(1, n + 1)}
    records = []
    for cid, traj in truth.items():
        shape = draw(st.sampled_from(["trajectory", "phases", "split"]))
        if shape == "trajectory":
            keys = draw(st.permutations(PHASES))
            records.append({"client_id": cid, "trajectory": {p: traj[p] for p in keys}})
        elif shape == "phases":
            records += [{"client_id": cid, "phase": p, "intensity": traj[p]} for p in PHASES]
        else:
            k = draw(st.integers(1, 5))
            records.append({"client_id": cid, "trajectory": {p: traj[p] for p in PHASES[:k]}})
            records += [{"client_id": cid, "phase": p, "intensity": traj[p]} for p in PHASES[k:]]
    for rec in records:
        rec.update(draw(extra))
    if records and draw(st.booleans()):
        records.append(dict(draw(st.sampled_from(records))))  # identical duplicate
    records = draw(st.permutations(records))
    style = draw(st.sampled_from(["compact", "spaced", "sorted"]))
    lines = []
    for rec in records:
        if style == "compact":
            lines.append(json.dumps(rec, separators=(",", ":")))
        elif style == "spaced":
            lines.append(json.dumps(rec, indent=None))
        else:
            lines.append(json.dumps(rec, sort_keys=True))
    return truth, lines


def plain_reader(text: str) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if "trajectory" in rec:
            for p, v in rec["trajectory"].items():
                out.setdefault(rec["client_id"], {})[p] = float(v)
        else:
            out.setdefault(rec["client_id"], {})[rec["phase"]] = float(rec["intensity"])
    return out


@pytest.mark.slow
@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(output_files(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fast_reader_equals_plain_reader(tmp_path, case, newline, bom):
    truth, lines = case
    text = newline.join(lines) + newline
    path = tmp_path / "o.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    got = load_outputs(path)
    expected = plain_reader(text)
    assert got.ids.tolist() == sorted(expected)
    for row, cid in enumerate(got.ids.tolist()):
        for j, p in enumerate(PHASES):
            assert math.isclose(got.values[row, j], expected[cid][p])
            assert math.isclose(got.values[row, j], float(truth[cid][p]))
    assert not np.isnan(got.values).any()
    assert got.records == len(lines)


@pytest.mark.slow
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(output_files())
def test_rows_in_memory_read_exactly_like_the_file(tmp_path, case):
    _, lines = case
    path = tmp_path / "o.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    disk = load_outputs(path)
    mem = trajectories_from_rows(json.loads(line) for line in lines)
    assert mem.ids.tolist() == disk.ids.tolist()
    assert np.array_equal(mem.values, disk.values, equal_nan=True)
    assert mem.first_line.tolist() == disk.first_line.tolist()
    assert (mem.records, mem.labels) == (disk.records, disk.labels)
