"""``tvt validate``: every kind of bad file is caught with file, line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from release_fixture import build_native

from tvt.cli import main
from tvt.validate import schema_for_file, validate_dataset, validate_file


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return build_native(tmp_path / "ds", clients=5)


def edit_line(path: Path, index: int, change) -> None:
    """Apply ``change`` to the JSON object on line ``index`` (0-based) of a JSONL file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[index])
    change(obj)
    lines[index] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rendered(result) -> list[str]:
    return [p.render() for p in result.problems]


def test_a_good_dataset_passes(dataset):
    res = run("validate", dataset)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("OK: dataset")
    assert "cases.jsonl 5 records" in res.output and "conversations.jsonl 30 records" in res.output
    assert "fingerprint" in res.output


def test_each_file_alone_passes(dataset):
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl", "manifest.json"):
        res = run("validate", dataset / name)
        assert res.exit_code == 0, (name, res.output)


def test_schema_violation_names_file_line_and_field(dataset):
    path = dataset / "conversations.jsonl"
    edit_line(path, 7, lambda o: o["turns"][1].update(suds=200))
    res = run("validate", path)
    assert res.exit_code == 2
    assert "conversations.jsonl, line 8, field 'turns.1.suds': 200 is greater than the maximum" in (
        res.output
    )


def test_malformed_json_line(dataset):
    path = dataset / "cases.jsonl"
    text = path.read_text().splitlines()
    text[2] = text[2][:40]
    path.write_text("\n".join(text) + "\n")
    result = validate_file(path)
    assert not result.ok
    assert "cases.jsonl, line 3: malformed JSON" in rendered(result)[0]


def test_truncated_last_line_and_empty_file(dataset, tmp_path):
    path = dataset / "reference.jsonl"
    path.write_text(path.read_text().rstrip("\n")[:-5])
    assert "looks truncated" in rendered(validate_file(path))[0]
    empty = tmp_path / "cases.jsonl"
    empty.write_text("")
    assert "file is empty" in rendered(validate_file(empty))[0]


def test_bom_and_crlf_are_accepted(dataset, tmp_path):
    src = (dataset / "cases.jsonl").read_text()
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + src.replace("\n", "\r\n").encode())
    assert validate_file(path).ok


def test_missing_field_and_wrong_type(dataset):
    path = dataset / "cases.jsonl"
    edit_line(path, 0, lambda o: o["client_profile"].pop("gender"))
    edit_line(path, 1, lambda o: o["client_profile"].update(age="forty"))
    out = rendered(validate_file(path))
    assert "cases.jsonl, line 1, field 'client_profile': 'gender' is a required property" in out[0]
    assert "line 2, field 'client_profile.age': 'forty' is not of type 'integer'" in out[1]


def test_unknown_phase_and_bad_speaker(dataset):
    path = dataset / "conversations.jsonl"
    edit_line(path, 0, lambda o: o.update(phase="P9"))
    edit_line(path, 1, lambda o: o["turns"][0].update(speaker="narrator"))
    out = rendered(validate_file(path))
    assert any("line 1, field 'phase'" in p and "'P9'" in p for p in out)
    assert any("line 2, field 'turns.0.speaker'" in p for p in out)


def test_order_and_duplicates(dataset):
    path = dataset / "conversations.jsonl"
    lines = path.read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]  # P6 before P10
    lines.append(lines[-1])  # a duplicate (client, phase)
    path.write_text("\n".join(lines) + "\n")
    out = rendered(validate_file(path))
    assert any("line 3" in p and "out of order" in p for p in out)
    assert any(
        f"line {len(lines)}" in p and "duplicate record for client 5 phase P11" in p for p in out
    )
    cases = dataset / "cases.jsonl"
    lines = cases.read_text().splitlines()
    cases.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n")
    assert any("line 2" in p and "out of order" in p for p in rendered(validate_file(cases)))


def test_cross_file_checks(dataset):
    edit_line(dataset / "conversations.jsonl", 4, lambda o: o.update(client_id=77))
    edit_line(dataset / "reference.jsonl", 0, lambda o: o.update(client_id=0))
    manifest = json.loads((dataset / "manifest.json").read_text())
    manifest["phases"] = ["P5", "P10", "P6", "P7", "P8"]
    (dataset / "manifest.json").write_text(json.dumps(manifest))
    out = rendered(validate_dataset(dataset))
    joined = "\n".join(out)
    assert (
        "conversations.jsonl, line 5, field 'client_id': client 77 is not in cases.jsonl" in joined
    )
    assert "reference.jsonl, line 1, field 'client_id': 0 is less than the minimum of 1" in joined
    assert "field 'phase': phase P11 is not one of the manifest's phases" in joined
    assert (
        "field 'files.conversations.jsonl.sha256': sha256 of conversations.jsonl does not" in joined
    )
    assert "manifest.json, field 'fingerprint'" in joined


def test_manifest_problems(dataset):
    manifest = json.loads((dataset / "manifest.json").read_text())
    manifest["files"]["cases.jsonl"]["records"] = 6
    manifest["clients"] = 9
    (dataset / "manifest.json").write_text(json.dumps(manifest))
    joined = "\n".join(rendered(validate_dataset(dataset)))
    assert "cases.jsonl has 5 records, the manifest says 6" in joined
    assert "the manifest says 9 clients" in joined
    (dataset / "reference.jsonl").unlink()
    joined = "\n".join(rendered(validate_dataset(dataset)))
    assert "the manifest lists reference.jsonl, which is missing" in joined
    manifest.pop("fingerprint")
    (dataset / "manifest.json").write_text(json.dumps(manifest))
    assert "'fingerprint' is a required property" in rendered(validate_dataset(dataset))[0]
    (dataset / "manifest.json").unlink()
    assert "manifest.json is missing" in rendered(validate_dataset(dataset))[0]


def test_failures_file_is_checked(dataset, tmp_path):
    path = tmp_path / "failures.jsonl"
    path.write_text(
        '{"client_id": 1, "phase": "P5", "reason": "timeout", "attempts": 3}\n'
        '{"client_id": 2, "phase": null, "reason": "no metadata", "attempts": 1}\n'
        '{"client_id": 3, "phase": "P5", "why": "x", "attempts": 1}\n'
    )
    out = rendered(validate_file(path))
    assert len(out) == 1 and "failures.jsonl, line 3" in out[0]


def test_only_the_first_problems_are_listed(dataset):
    path = dataset / "conversations.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    for obj in lines:
        obj["phase"] = "P0"
    path.write_text("".join(json.dumps(o) + "\n" for o in lines))
    res = run("validate", path, "--max-errors", "3")
    assert res.exit_code == 2
    assert res.output.count("field 'phase'") == 3
    assert "... and 27 more" in res.output
    assert "30 problems found" in res.output


def test_schema_detection_and_option(dataset, tmp_path):
    assert schema_for_file(Path("cases.jsonl")) == "case"
    assert schema_for_file(Path("my-conversations.jsonl")) is None
    assert schema_for_file(Path("conversations_small.jsonl")) == "conversation"
    assert schema_for_file(Path("failures.jsonl")) == "failure"
    assert schema_for_file(Path("manifest.json")) == "manifest"
    odd = tmp_path / "lines.jsonl"
    odd.write_text((dataset / "reference.jsonl").read_text())
    res = run("validate", odd)
    assert res.exit_code == 2 and "pass --schema" in res.output
    assert run("validate", odd, "--schema", "reference").exit_code == 0
    res = run("validate", odd, "--schema", "case")
    assert res.exit_code == 2 and "lines.jsonl, line 1" in res.output
    res = run("validate", odd, "--schema", "nonsense")
    assert res.exit_code == 2 and "unknown schema" in res.output


def test_missing_path(tmp_path):
    res = run("validate", tmp_path / "absent")
    assert res.exit_code == 2 and "not found" in res.output
    assert "Traceback" not in res.output
