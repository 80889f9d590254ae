"""`tvt score`: both line shapes, every bad-input rule of the formats, coverage rules, report fields."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from tvt import jsonio, metrics
from tvt.cli import main
from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER as PHASES
from tvt.resources import load_schema
from tvt.scoring import load_outputs, score, score_files

N = 40


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_reference(folder: Path, n: int = N, seed: int = 0) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for cid in range(1, n + 1):
        base = [5, 8, 8, 7, 5, 4]
        traj = {
            p: min(10, max(1, b + rng.choice([-1, 0, 1])))
            for p, b in zip(PHASES, base, strict=True)
        }
        lines.append(json.dumps({"client_id": cid, "trajectory": traj, "source": "plan"}))
    (folder / "reference.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def reference_rows(folder: Path) -> dict[int, dict[str, float]]:
    out = {}
    for line in (folder / "reference.jsonl").read_text().splitlines():
        rec = json.loads(line)
        out[rec["client_id"]] = rec["trajectory"]
    return out


def noisy(ref: dict[int, dict[str, float]], seed: int = 1) -> dict[int, dict[str, float]]:
    rng = random.Random(seed)
    return {
        cid: {p: min(10, max(1, v + rng.choice([-2, -1, 0, 1, 2]))) for p, v in t.items()}
        for cid, t in ref.items()
    }


def write_lines(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_text(end.join(lines) + end, encoding="utf-8", newline="")
    return path


def traj_lines(model: dict[int, dict[str, float]]) -> list[str]:
    return [json.dumps({"client_id": c, "trajectory": t, "model": "m"}) for c, t in model.items()]


def phase_lines(model: dict[int, dict[str, float]]) -> list[str]:
    return [
        json.dumps({"client_id": c, "phase": p, "intensity": v})
        for c, t in model.items()
        for p, v in t.items()
    ]


@pytest.fixture()
def ds(tmp_path):
    return make_reference(tmp_path / "ds")


@pytest.fixture()
def model(ds):
    return noisy(reference_rows(ds))


def expected_metrics(model, ref):
    ids = sorted(ref)
    m = np.array([[model[c][p] for p in PHASES] for c in ids], dtype=float)
    c = np.array([[ref[c][p] for p in PHASES] for c in ids], dtype=float)
    return metrics.pearson(m, c)[0].mean(), metrics.dtw(m, c).mean(), metrics.rmse(m, c).mean()


# -- happy paths ------------------------------------------------------------------------------
def test_both_shapes_mixed_and_shuffled_give_the_same_metrics(tmp_path, ds, model):
    ref = reference_rows(ds)
    a = write_lines(tmp_path / "a.jsonl", traj_lines(model))
    mixed = traj_lines({c: t for c, t in model.items() if c % 2}) + phase_lines(
        {c: t for c, t in model.items() if c % 2 == 0}
    )
    random.Random(4).shuffle(mixed)
    b = write_lines(tmp_path / "b.jsonl", mixed)
    ra = score_files(a, ds)
    rb = score_files(b, ds)
    p, d, r = expected_metrics(model, ref)
    for rep in (ra, rb):
        assert rep["pearson"]["mean"] == pytest.approx(p)
        assert rep["dtw"]["mean"] == pytest.approx(d)
        assert rep["rmse"]["mean"] == pytest.approx(r)
        assert rep["s_abs"] == pytest.approx(metrics.s_abs(p, d, r))
        assert rep["n_scored"] == rep["n_reference"] == N
        assert rep["missing"] == rep["incomplete"] == rep["excluded"] == []
    for key in ("pearson", "dtw", "rmse", "s_abs", "s_abs_ci95", "per_phase", "undefined_pearson"):
        assert ra[key] == rb[key], key


def test_report_matches_schema_and_identifies_inputs(tmp_path, ds, model):
    out = write_lines(tmp_path / "o.jsonl", traj_lines(model))
    rep = score_files(out, ds)
    jsonschema.validate(rep, load_schema("report.schema.json"))
    json.dumps(rep, allow_nan=False)  # plain JSON, no NaN
    assert rep["inputs"]["outputs"]["path"] == str(out)
    assert rep["inputs"]["outputs"]["sha256"] == jsonio.sha256_file(out)
    assert rep["inputs"]["reference"]["path"] == str(ds)
    assert rep["inputs"]["reference"]["sha256"] == jsonio.sha256_file(ds / "reference.jsonl")
    assert rep["inputs"]["reference"]["sources"] == ["plan"]
    assert rep["models"] == ["m"]
    for p in PHASES:
        st = rep["per_phase"][p]
        diffs = [model[c][p] - reference_rows(ds)[c][p] for c in model]
        assert st["mae"] == pytest.approx(np.mean(np.abs(diffs)))
        assert st["bias"] == pytest.approx(np.mean(diffs))
    lo, hi = rep["pearson"]["ci95"]
    assert lo <= rep["pearson"]["mean"] <= hi
    assert rep["ci"] == {"method": "percentile bootstrap", "resamples": 2000, "seed": 0}
    assert score_files(out, ds) == rep  # seeded: identical on a rerun
    assert score_files(out, ds, bootstrap_seed=3)["pearson"]["ci95"] != rep["pearson"]["ci95"]


def test_every_output_line_validates_against_the_outputs_schema(tmp_path, model):
    schema = load_schema("outputs.schema.json")
    for line in traj_lines(model)[:5] + phase_lines(model)[:12]:
        jsonschema.validate(json.loads(line), schema)
    bad = {"client_id": 1, "phase": "P10", "intensity": 11}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_reference_fingerprint_comes_from_the_manifest_when_it_vouches(tmp_path, ds, model):
    sha = jsonio.sha256_file(ds / "reference.jsonl")
    (ds / "manifest.json").write_text(
        json.dumps({"files": {"reference.jsonl": {"sha256": sha}}, "fingerprint": "f" * 64})
    )
    out = write_lines(tmp_path / "o.jsonl", traj_lines(model))
    assert score_files(out, ds)["inputs"]["reference"]["fingerprint"] == "f" * 64
    assert (
        score_files(out, ds / "reference.jsonl")["inputs"]["reference"]["fingerprint"] == "f" * 64
    )
    (ds / "reference.jsonl").write_text((ds / "reference.jsonl").read_text() + "\n")
    assert score_files(out, ds)["inputs"]["reference"]["fingerprint"] is None


def test_identical_duplicates_are_accepted(tmp_path, ds, model):
    lines = traj_lines(model) + phase_lines({1: model[1]}) + traj_lines({2: model[2]})
    a = score_files(write_lines(tmp_path / "a.jsonl", lines), ds)
    b = score_files(write_lines(tmp_path / "b.jsonl", traj_lines(model)), ds)
    assert a["pearson"] == b["pearson"] and a["n_scored"] == N


def test_bom_and_crlf_are_accepted(tmp_path, ds, model):
    plain = score_files(write_lines(tmp_path / "p.jsonl", traj_lines(model)), ds)
    crlf = tmp_path / "c.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(phase_lines(model)) + "\r\n").encode())
    rep = score_files(crlf, ds)
    assert rep["pearson"] == plain["pearson"] and rep["dtw"] == plain["dtw"]
    # A reference with a BOM and CRLF too.
    ref = ds / "reference.jsonl"
    ref.write_bytes(b"\xef\xbb\xbf" + ref.read_bytes().replace(b"\n", b"\r\n"))
    assert score_files(crlf, ds)["rmse"] == plain["rmse"]


def test_blank_lines_and_a_last_line_without_newline_are_fine(tmp_path, ds, model):
    lines = traj_lines(model)
    path = tmp_path / "o.jsonl"
    path.write_text("\n\n".join(lines[:10]) + "\n   \n" + "\n".join(lines[10:]))
    assert score_files(path, ds)["n_scored"] == N


def test_missing_clients_are_scored_on_what_is_present_and_listed(tmp_path, ds, model):
    present = {c: t for c, t in model.items() if c not in (3, 17)}
    out = write_lines(tmp_path / "o.jsonl", traj_lines(present))
    rep = score_files(out, ds)
    assert rep["missing"] == [3, 17]
    assert rep["n_scored"] == N - 2 and rep["n_reference"] == N
    ref = reference_rows(ds)
    p, d, r = expected_metrics(present, {c: ref[c] for c in present})
    assert rep["pearson"]["mean"] == pytest.approx(p)
    assert rep["dtw"]["mean"] == pytest.approx(d)
    res = run("score", out, "--reference", ds, "--require-complete")
    assert res.exit_code == 2
    assert "missing" in res.output and "3, 17" in res.output


def test_incomplete_clients_scored_on_present_phases_or_excluded(tmp_path, ds, model):
    ref = reference_rows(ds)
    lines = phase_lines({c: t for c, t in model.items() if c > 2})
    # client 1: four phases; client 2: two phases (too few to score)
    lines += [
        json.dumps({"client_id": 1, "phase": p, "intensity": model[1][p]}) for p in PHASES[:4]
    ]
    lines += [json.dumps({"client_id": 2, "trajectory": {p: model[2][p] for p in PHASES[:2]}})]
    res = score(write_lines(tmp_path / "o.jsonl", lines), ds)
    rep = res.report
    assert rep.incomplete == (1, 2)
    assert rep.excluded == (2,)
    assert rep.n_scored == N - 1
    row = {int(c): i for i, c in enumerate(res.client_ids)}[1]
    m = np.array([[model[1][p] for p in PHASES[:4]]], dtype=float)
    c = np.array([[ref[1][p] for p in PHASES[:4]]], dtype=float)
    assert res.dtw[row] == pytest.approx(metrics.dtw(m, c)[0])
    assert res.rmse[row] == pytest.approx(metrics.rmse(m, c)[0])
    assert res.pearson[row] == pytest.approx(metrics.pearson(m, c)[0][0])
    assert rep.per_phase["P8"].n == N - 2  # clients 1 and 2 gave no P8
    assert rep.to_dict()["per_phase"]["P8"]["n"] == N - 2
    with pytest.raises(InputError, match="incomplete"):
        score_files(tmp_path / "o.jsonl", ds, require_complete=True)


def test_outputs_for_phases_the_reference_lacks_are_listed(tmp_path, model):
    ds = tmp_path / "partial"
    ds.mkdir()
    ref_lines = [
        json.dumps(
            {
                "client_id": c,
                "trajectory": {p: 5 + (i % 3) for i, p in enumerate(PHASES[:5])},
                "source": "rater:x",
            }
        )
        for c in range(1, 6)
    ]
    write_lines(ds / "reference.jsonl", ref_lines)
    out = write_lines(tmp_path / "o.jsonl", traj_lines({c: model[c] for c in range(1, 6)}))
    rep = score_files(out, ds)
    assert rep["unreferenced"] == [[c, "P11"] for c in range(1, 6)]
    assert rep["n_scored"] == 5 and rep["incomplete"] == []
    assert rep["per_phase"]["P11"]["n"] == 0 and rep["per_phase"]["P11"]["mae"] is None


def test_constant_predictor_is_counted(tmp_path, ds, model):
    flat = {c: {p: 6 for p in PHASES} for c in model}
    flat[1] = model[1]
    rep = score_files(write_lines(tmp_path / "o.jsonl", traj_lines(flat)), ds)
    assert rep["undefined_pearson"] == N - 1
    assert rep["pearson"]["mean"] == pytest.approx(
        metrics.pearson(
            np.array([[model[1][p] for p in PHASES]], dtype=float),
            np.array([[reference_rows(ds)[1][p] for p in PHASES]], dtype=float),
        )[0][0]
        / N
    )


def test_baseline_ratios(tmp_path, ds, model):
    base_out = write_lines(tmp_path / "base.jsonl", traj_lines(noisy(reference_rows(ds), seed=9)))
    res = run("score", base_out, "--reference", ds, "--out", tmp_path / "base.json")
    assert res.exit_code == 0, res.output
    base = json.loads((tmp_path / "base.json").read_text())
    out = write_lines(tmp_path / "o.jsonl", traj_lines(model))
    rep = score_files(out, ds, baseline=tmp_path / "base.json")
    b = rep["baseline"]
    assert b["r_corr"] == pytest.approx(rep["pearson"]["mean"] / base["pearson"]["mean"])
    assert b["r_dtw"] == pytest.approx(base["dtw"]["mean"] / rep["dtw"]["mean"])
    assert b["r_rmse"] == pytest.approx(base["rmse"]["mean"] / rep["rmse"]["mean"])
    res = run("score", out, "--reference", ds, "--baseline", tmp_path / "base.json")
    assert res.exit_code == 0 and "R_corr" in res.output
    (tmp_path / "bad.json").write_text('{"pearson": {}}')
    res = run("score", out, "--reference", ds, "--baseline", tmp_path / "bad.json")
    assert res.exit_code == 2 and "bad.json" in res.output and "pearson.mean" in res.output


def test_cli_table_json_out_and_per_client(tmp_path, ds, model):
    out = write_lines(tmp_path / "o.jsonl", traj_lines({c: t for c, t in model.items() if c != 5}))
    res = run("score", out, "--reference", ds)
    assert res.exit_code == 0, res.output
    for word in ("Pearson", "DTW", "RMSE", "S_abs", "P10", "missing clients: 5"):
        assert word in res.output
    res = run(
        "score",
        out,
        "--reference",
        ds,
        "--json",
        "--out",
        tmp_path / "r.json",
        "--per-client",
        tmp_path / "pc.jsonl",
    )
    assert res.exit_code == 0, res.output
    printed = json.loads(res.output)
    assert printed == json.loads((tmp_path / "r.json").read_text())
    per = [json.loads(x) for x in (tmp_path / "pc.jsonl").read_text().splitlines()]
    assert [p["client_id"] for p in per] == list(range(1, N + 1))
    assert per[4]["status"] == "missing" and per[4]["pearson"] is None
    assert np.mean([p["dtw"] for p in per if p["status"] == "scored"]) == pytest.approx(
        printed["dtw"]["mean"]
    )
    res = run("score", out, "--reference", ds, "--per-client", tmp_path / "pc.csv")
    assert res.exit_code == 0
    header = (tmp_path / "pc.csv").read_text().splitlines()[0]
    assert header == "client_id,status,phases,pearson,pearson_undefined,dtw,rmse"


def test_default_reference_is_tvt_data_in_the_working_directory(tmp_path, model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = write_lines(tmp_path / "o.jsonl", traj_lines(model))
    res = run("score", "o.jsonl")
    assert res.exit_code == 2 and "tvt-data" in res.output and "tvt generate" in res.output
    make_reference(tmp_path / "tvt-data")
    res = run("score", "o.jsonl", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["inputs"]["reference"]["file"] == str(
        Path("tvt-data") / "reference.jsonl"
    )
    assert out.exists()


# -- bad input: file, line, reason, exit 2 ---------------------------------------------------
def _bad(tmp_path, ds, lines, *, raw: bytes | None = None):
    path = tmp_path / "bad.jsonl"
    if raw is not None:
        path.write_bytes(raw)
    else:
        write_lines(path, lines)
    res = run("score", path, "--reference", ds, "--out", tmp_path / "report.json")
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert str(path) in res.output
    assert not (tmp_path / "report.json").exists()  # nothing half-written
    return res.output


GOOD = '{"client_id": 1, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 5, "P11": 4}}'


@pytest.mark.parametrize(
    "line,expected",
    [
        ('{"client_id": 2, "phase": "P10", "intensity": 8', "malformed JSON"),
        ('{"phase": "P10", "intensity": 8}', "field 'client_id'"),
        ('{"client_id": 2, "phase": "P10"}', "field 'intensity'"),
        ('{"client_id": 2, "intensity": 8}', "field 'phase'"),
        ('{"client_id": 2}', "missing field"),
        ('{"client_id": "2", "phase": "P10", "intensity": 8}', "client_id must be an integer"),
        ('{"client_id": 2.0, "phase": "P10", "intensity": 8}', "client_id must be an integer"),
        ('{"client_id": 0, "phase": "P10", "intensity": 8}', "client_id must be >= 1"),
        ('{"client_id": 2, "phase": "P10", "intensity": 11}', "outside [1, 10]"),
        ('{"client_id": 2, "phase": "P10", "intensity": 0.5}', "outside [1, 10]"),
        ('{"client_id": 2, "phase": "P10", "intensity": "8"}', "must be a number"),
        ('{"client_id": 2, "phase": "P10", "intensity": true}', "must be a number"),
        ('{"client_id": 2, "phase": "P10", "intensity": null}', "must be a number"),
        ('{"client_id": 2, "phase": "P10", "intensity": NaN}', "NaN is not allowed"),
        ('{"client_id": 2, "phase": "P10", "intensity": Infinity}', "Infinity is not allowed"),
        ('{"client_id": 2, "phase": "P10", "intensity": 1e400}', "finite"),
        ('{"client_id": 2, "phase": "P10", "intensity": 1' + "0" * 400 + "}", "outside [1, 10]"),
        ('{"client_id": 2, "phase": "P9", "intensity": 8}', "unknown phase"),
        ('{"client_id": 2, "trajectory": {"P5": 5, "P9": 8}}', "unknown phase 'P9'"),
        (
            '{"client_id": 2, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 5, "P11": 44}}',
            "trajectory.P11",
        ),
        (
            '{"client_id": 2, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 5, "P11": "4"}}',
            "must be a number",
        ),
        (
            '{"client_id": 2, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 5, "P11": false}}',
            "must be a number",
        ),
        (
            '{"client_id": 2, "trajectory": {"P5": 5, "P10": 8, "P6": 8, "P7": 7, "P8": 5, "P11": -Infinity}}',
            "not allowed",
        ),
        ('{"client_id": 2, "trajectory": []}', "trajectory must be an object"),
        ('{"client_id": 2, "trajectory": {}}', "trajectory is empty"),
        ('{"client_id": 2, "trajectory": {"P5": 5}, "phase": "P10", "intensity": 3}', "not both"),
        ('{"client_id": 2, "trajectory": {"P5": 5}, "model": 7}', "model must be a string"),
        ("[1, 2, 3]", "each line must be a JSON object"),
        ('"just a string"', "each line must be a JSON object"),
        ('{"client_id": 999, "phase": "P10", "intensity": 8}', "unknown client 999"),
    ],
)
def test_bad_lines_name_file_line_and_reason(tmp_path, ds, line, expected):
    msg = _bad(tmp_path, ds, [GOOD, line, GOOD.replace('"client_id": 1', '"client_id": 3')])
    assert "line 2" in msg
    assert expected in msg


def test_conflicting_duplicate_names_both_lines(tmp_path, ds):
    msg = _bad(
        tmp_path,
        ds,
        [
            GOOD,
            '{"client_id": 3, "phase": "P5", "intensity": 2}',
            '{"client_id": 1, "phase": "P10", "intensity": 3}',
        ],
    )
    assert "line 3" in msg and "client 1 phase P10" in msg and "conflicts with 8 on line 1" in msg


def test_conflicting_duplicate_trajectory_lines(tmp_path, ds):
    msg = _bad(tmp_path, ds, [GOOD, GOOD.replace('"P11": 4', '"P11": 5')])
    assert "line 2" in msg and "phase P11" in msg


def test_truncated_last_line(tmp_path, ds):
    msg = _bad(tmp_path, ds, [], raw=(GOOD + "\n" + GOOD[:40]).encode())
    assert "line 2" in msg and "truncated" in msg


def test_empty_and_blank_files(tmp_path, ds):
    assert "file is empty" in _bad(tmp_path, ds, [], raw=b"")
    assert "file is empty" in _bad(tmp_path, ds, [], raw=b"\n  \r\n\n")
    assert "file is empty" in _bad(tmp_path, ds, [], raw=b"\xef\xbb\xbf")


def test_not_utf8(tmp_path, ds):
    msg = _bad(tmp_path, ds, [], raw=GOOD.encode() + b'\n{"client_id": 2, "model": "\xff"}\n')
    assert "line 2" in msg and "UTF-8" in msg


def test_huge_file_refused_before_reading(tmp_path, ds, monkeypatch):
    monkeypatch.setattr(jsonio, "MAX_INPUT_BYTES", 100)
    path = write_lines(tmp_path / "big.jsonl", [GOOD] * 5)
    with pytest.raises(InputError, match="larger than"):
        load_outputs(path)
    res = run("score", path, "--reference", ds)
    assert res.exit_code == 2 and "big.jsonl" in res.output and "GB" in res.output


def test_output_file_missing_or_a_folder(tmp_path, ds):
    res = run("score", tmp_path / "nope.jsonl", "--reference", ds)
    assert res.exit_code == 2 and "file not found" in res.output
    res = run("score", tmp_path, "--reference", ds)
    assert res.exit_code == 2 and "folder" in res.output


def test_bad_reference(tmp_path, ds, model):
    out = write_lines(tmp_path / "o.jsonl", traj_lines(model))
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("score", out, "--reference", empty)
    assert res.exit_code == 2 and "no reference.jsonl" in res.output
    ref = tmp_path / "ref.jsonl"
    write_lines(ref, [json.dumps({"client_id": 1, "phase": "P5", "intensity": 5})])
    res = run("score", out, "--reference", ref)
    assert res.exit_code == 2 and "ref.jsonl, line 1, field 'trajectory'" in res.output
    write_lines(ref, [json.dumps({"client_id": 1, "trajectory": {"P5": 12}, "source": "plan"})])
    res = run("score", out, "--reference", ref)
    assert res.exit_code == 2 and "trajectory.P5" in res.output


def test_nothing_scorable_is_an_error(tmp_path, ds):
    path = write_lines(tmp_path / "o.jsonl", ['{"client_id": 1, "phase": "P5", "intensity": 3}'])
    res = run("score", path, "--reference", ds)
    assert res.exit_code == 2 and "no client could be scored" in res.output


def test_model_name_containing_true_takes_the_careful_path(tmp_path, ds, model):
    lines = [
        json.dumps({"client_id": c, "trajectory": t, "model": "true-false", "raw": [True, None]})
        for c, t in model.items()
    ]
    rep = score_files(write_lines(tmp_path / "o.jsonl", lines), ds)
    assert rep["n_scored"] == N and rep["models"] == ["true-false"]
