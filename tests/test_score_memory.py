"""The typed score report and scoring trajectories held in memory (no file written)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tvt import metrics
from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER as PHASES
from tvt.resources import load_schema
from tvt.scoring import (
    ScoreReport,
    load_reference,
    score,
    score_files,
    score_trajectories,
    trajectories_from_rows,
)

N = 30


@pytest.fixture()
def ds(tmp_path) -> Path:
    rng = random.Random(3)
    folder = tmp_path / "ds"
    folder.mkdir()
    lines = []
    for cid in range(1, N + 1):
        traj = {p: rng.randint(1, 10) for p in PHASES}
        lines.append(json.dumps({"client_id": cid, "trajectory": traj, "source": "plan"}))
    (folder / "reference.jsonl").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture()
def rows(ds) -> list[dict]:
    """Model outputs in both line shapes: trajectories for odd clients, phase lines for even."""
    rng = random.Random(5)
    out: list[dict] = []
    for line in (ds / "reference.jsonl").read_text().splitlines():
        rec = json.loads(line)
        cid = rec["client_id"]
        traj = {
            p: min(10, max(1, v + rng.choice([-1, 0, 2]))) for p, v in rec["trajectory"].items()
        }
        if cid % 2:
            out.append({"client_id": cid, "trajectory": traj, "model": "m"})
        else:
            out += [{"client_id": cid, "phase": p, "intensity": v} for p, v in traj.items()]
    return out


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_typed_report_is_the_json_report(tmp_path, ds, rows):
    out = write_rows(tmp_path / "o.jsonl", rows)
    result = score(out, ds)
    rep = result.report
    doc = score_files(out, ds)
    assert isinstance(rep, ScoreReport)
    assert rep.to_dict() == doc
    # `tvt score --json` prints the keys in the order the schema lists them.
    schema = load_schema("report.schema.json")
    assert list(doc) == schema["required"]
    jsonschema.validate(doc, schema)
    assert rep.s_abs == doc["s_abs"]
    for key in ("pearson", "dtw", "rmse"):
        summary = getattr(rep, key)
        assert summary.mean == doc[key]["mean"] and summary.sd == doc[key]["sd"]
        assert list(summary.ci95) == doc[key]["ci95"]
    assert rep.per_phase["P10"].mae == doc["per_phase"]["P10"]["mae"]
    assert rep.models == ("m",) and rep.n_scored == N
    assert rep.inputs is not None and rep.inputs.reference.sources == ("plan",)
    # The per-client arrays behind the report give its means.
    assert np.mean(result.pearson[result.scored]) == pytest.approx(rep.pearson.mean)


def test_rows_in_memory_score_like_the_file(tmp_path, ds, rows):
    ref = load_reference(ds)
    in_memory = score_trajectories(trajectories_from_rows(rows), ref).report
    from_file = score(write_rows(tmp_path / "o.jsonl", rows), ds).report
    assert in_memory.inputs is None
    mem, disk = in_memory.to_dict(), from_file.to_dict()
    assert "inputs" not in mem
    del disk["inputs"]
    assert mem == disk


def test_in_memory_rows_follow_every_coverage_rule(ds, rows):
    ref = load_reference(ds)
    # client 1 dropped entirely (missing); client 2 keeps two phase rows (excluded)
    kept = [r for r in rows if r["client_id"] != 1]
    kept = [r for r in kept if r["client_id"] != 2 or r["phase"] in PHASES[:2]]
    rep = score_trajectories(trajectories_from_rows(kept), ref).report
    assert rep.missing == (1,) and rep.excluded == (2,) and rep.incomplete == (2,)
    assert rep.n_scored == N - 2
    with pytest.raises(InputError, match="require-complete"):
        score_trajectories(trajectories_from_rows(kept), ref, require_complete=True)


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ({"client_id": 0, "phase": "P5", "intensity": 3}, "client_id", ">= 1"),
        ({"client_id": 1, "phase": "P5", "intensity": True}, "intensity", "must be a number"),
        ({"client_id": 1, "phase": "P9", "intensity": 3}, "phase", "unknown phase"),
        ({"client_id": 1, "trajectory": {"P5": 11}}, "trajectory.P5", "outside [1, 10]"),
        ({"client_id": 1}, "trajectory", "missing field"),
        ("not an object", None, "JSON object"),
    ],
)
def test_bad_rows_in_memory_name_the_row_and_field(bad, field, reason):
    good = {"client_id": 1, "trajectory": {p: 5 for p in PHASES}}
    with pytest.raises(InputError) as err:
        trajectories_from_rows([good, bad], name="<predictions>")
    assert err.value.path == "<predictions>" and err.value.line == 2
    assert err.value.field == field and reason in err.value.reason


def test_conflicting_rows_in_memory_and_no_rows():
    rows = [
        {"client_id": 4, "phase": "P5", "intensity": 3},
        {"client_id": 4, "trajectory": {"P5": 4}},
    ]
    with pytest.raises(InputError, match="conflicts with 3 on line 1"):
        trajectories_from_rows(rows)
    with pytest.raises(InputError, match="no rows"):
        trajectories_from_rows([])


def test_s_abs_of_the_typed_report_is_the_paper_formula(ds, rows):
    rep = score_trajectories(trajectories_from_rows(rows), load_reference(ds)).report
    assert rep.s_abs == pytest.approx(metrics.s_abs(rep.pearson.mean, rep.dtw.mean, rep.rmse.mean))
    assert rep.s_abs_ci95 is not None and rep.s_abs_ci95[0] <= rep.s_abs <= rep.s_abs_ci95[1]
