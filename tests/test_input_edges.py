"""Options and records validated the same way everywhere: non-finite floats, empty phase lists,
duplicate clients, every schema error of a record, short numbers, bounded record sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tvt import jsonio
from tvt.cli import main
from tvt.errors import InputError
from tvt.numbers import short


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edges") / "data"
    res = run("generate", "--seed", "5", "--clients", "3", "--out", out)
    assert res.exit_code == 0, res.output
    return out


def _copy(data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    folder.mkdir()
    for p in data.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


LLM = ("--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
@pytest.mark.parametrize("option", ["--timeout", "--temperature", "--price-in", "--price-out"])
def test_non_finite_float_options_are_usage_errors(tmp_path, option, value):
    res = run("generate", "--seed", "1", *LLM, option, value, "--out", tmp_path / "x")
    assert res.exit_code == 2, res.output
    assert option in res.output
    assert not (tmp_path / "x").exists()


def test_non_finite_float_is_refused_by_batch_too(tmp_path):
    res = run("batch", "prepare", "--seed", "1", "--model", "m", "--temperature", "nan",
              "--out", tmp_path / "b")  # fmt: skip
    assert res.exit_code == 2 and "finite" in res.output, res.output


@pytest.mark.parametrize("phases", ["", ",", " , "])
def test_empty_phase_list_is_refused(tmp_path, phases):
    res = run("generate", "--seed", "1", "--clients", "1", "--phases", phases, "--out", tmp_path)
    assert res.exit_code == 2, res.output
    assert "--phases" in res.output and "no phase given" in res.output


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("cases.jsonl", ("stats", "{d}")),
        ("cases.jsonl", ("export", "{d}", "--format", "hf", "--out", "{t}/hf")),
        ("cases.jsonl", ("export", "{d}", "--format", "tvt-release", "--out", "{t}/rel")),
        ("cases.jsonl", ("audit", "{d}")),
        ("reference.jsonl", ("export", "{d}", "--format", "hf", "--out", "{t}/hf")),
        ("conversations.jsonl", ("stats", "{d}")),
        ("conversations.jsonl", ("rate", "{d}", "-o", "{t}/o.jsonl")),
        ("conversations.jsonl", ("audit", "{d}")),
    ],
)
def test_a_client_twice_is_refused(data, tmp_path, name, command):
    folder = _copy(data, tmp_path)
    lines = (folder / name).read_text().splitlines()
    with open(folder / name, "a") as fh:
        fh.write(lines[0] + "\n")
    res = run(*(a.format(d=folder, t=tmp_path) for a in command))
    assert res.exit_code == 2, res.output
    assert name in res.output and ("twice" in res.output or "duplicate" in res.output)
    assert f"line {len(lines) + 1}" in res.output


def test_every_schema_error_of_a_record_is_listed(tmp_path):
    path = tmp_path / "reference.jsonl"
    path.write_text(json.dumps({"client_id": 0, "trajectory": {"P5": 11, "P10": 0}}) + "\n")
    res = run("validate", path)
    assert res.exit_code == 2
    line = next(x for x in res.output.splitlines() if "line 1" in x)
    for part in ("client_id", "trajectory.P5", "trajectory.P10"):
        assert part in line, line


def test_huge_numbers_are_printed_short(data, tmp_path):
    ref = [json.loads(x) for x in (data / "reference.jsonl").read_text().splitlines()]
    outputs = tmp_path / "outputs.jsonl"
    ref[0]["trajectory"]["P5"] = 1e308
    outputs.write_text("\n".join(json.dumps(r) for r in ref) + "\n")
    res = run("score", outputs, "--reference", data)
    assert res.exit_code == 2
    assert "1e+308" in res.output and len(res.output) < 200, res.output
    outputs.write_text(outputs.read_text().replace("1e+308", "1" + "0" * 400))
    res = run("validate", outputs, "--schema", "outputs")
    assert "401 digits" in res.output and "0" * 20 not in res.output, res.output


@pytest.mark.parametrize(
    ("value", "text"),
    [(7, "7"), (7.0, "7"), (7.25, "7.25"), (1e308, "1e+308"), (10**20, "1e+20"), (True, "True")],
)
def test_short(value, text):
    assert short(value) == text


@pytest.mark.parametrize("command", [("stats", "{d}"), ("audit", "{d}"), ("rate", "{d}")])
def test_an_oversized_turn_is_refused_with_its_field(data, tmp_path, command):
    folder = _copy(data, tmp_path)
    convs = [json.loads(x) for x in (folder / "conversations.jsonl").read_text().splitlines()]
    convs[1]["turns"][2]["text"] = "word " * 25_000
    (folder / "conversations.jsonl").write_text("\n".join(json.dumps(c) for c in convs) + "\n")
    res = run(*(a.format(d=folder) for a in command), "-o" if command[0] == "rate" else "--json",
              *([tmp_path / "o.jsonl"] if command[0] == "rate" else []))  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "line 2, field 'turns.2.text'" in res.output and "100,000" in res.output


def test_an_oversized_line_is_refused_before_it_is_held(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonio, "MAX_LINE_BYTES", 100)
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n' + json.dumps({"a": "x" * 500}) + "\n")
    with pytest.raises(InputError, match="line 2: line is longer than"):
        list(jsonio.iter_jsonl(path))
