"""Import of the release layout (every quirk), export to it and to Hugging Face JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from release_fixture import build_native, build_release

from tvt.cli import main
from tvt.release import (
    CLIENT_FIELDS,
    assign_suds,
    import_release,
    parse_turn,
    render_turn,
)
from tvt.validate import validate_dataset


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def release(tmp_path: Path):
    return build_release(tmp_path / "release")


@pytest.fixture
def imported(release, tmp_path: Path):
    out = tmp_path / "imported"
    report = import_release(release.root, out)
    return release, out, report


# -- import ----------------------------------------------------------------------------------------
def test_import_report_counts_every_planted_quirk(imported):
    fx, _, report = imported
    assert fx.expected, "the fixture plants quirks"
    for key, count in fx.expected.items():
        assert report.count(key) == count, key
    # Nothing else is reported beyond what the fixture planted.
    assert {k for k, e in report.entries.items() if e.count} == set(fx.expected)
    assert report.totals["clients"] == 6
    assert report.totals["conversations"] == 36
    assert report.totals["conversation_files"] == 38  # 36 + the two "(1)" copies


def test_import_repairs_metadata(imported):
    _, out, _ = imported
    cases = {c["client_id"]: c for c in read_jsonl(out / "cases.jsonl")}
    assert cases[2]["client_profile"]["exhibited_behaviors"] == [
        "hypervigilance",
        "withdrawal",
        "self-blame",
    ]
    assert cases[3]["client_profile"]["age_group"] == "61-70"
    assert cases[4]["client_profile"]["age_group"] == "18-30"
    assert cases[4]["client_profile"]["ethnicity"] == "Oceanian"
    assert cases[5]["client_profile"]["living_situation"] == "With partner"
    assert "anxiety" in cases[5]["client_profile"]["exhibited_behaviors"]  # kept as given
    assert cases[6]["trauma_info"]["type"] == "imprisonment"  # kept as given
    assert cases[6]["client_profile"]["age"] == 71  # P5's value, not P8's 72
    assert cases[1]["client_profile"]["gender"] == "female"
    assert all("name" not in c["client_profile"] for c in cases.values())


def test_import_reads_suds_on_both_scales(imported):
    fx, out, _ = imported
    convs = {(c["client_id"], c["phase"]): c for c in read_jsonl(out / "conversations.jsonl")}
    assert set(convs) == set(fx.suds)
    for key, expected in fx.suds.items():
        turns = convs[key]["turns"]
        stated = [t["suds"] for t in turns if t["suds"] is not None]
        assert stated == expected, key
        assert all(t["speaker"] == "client" for t in turns if t["suds"] is not None)
        scaled = [t for t in turns if t.get("suds_scale") == 10]
        # Even clients answer on 0-10 (and client 4's unscaled "5" is read as 0-10).
        assert len(scaled) == (len(expected) if key[0] % 2 == 0 else 0), key
    # "I was 12 years old" after a question is not a rating.
    p10 = convs[(1, "P10")]["turns"]
    assert p10[5]["suds"] is None
    assert all(t["act"] == "unknown" for c in convs.values() for t in c["turns"])


def test_imported_dataset_validates_and_records_the_import(imported):
    _, out, report = imported
    result = validate_dataset(out)
    assert result.ok, [p.render() for p in result.problems]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["backend"] == {"name": "import"}
    assert manifest["seed"] is None
    assert manifest["clients"] == 6
    assert manifest["import"]["repairs"]["alias:ethnicity:Oceania"] == 6
    assert not (out / "failures.jsonl").exists()


def test_import_cli_prints_the_report(release, tmp_path):
    res = run("import", release.root, "--out", tmp_path / "o", "--report", tmp_path / "r.json")
    assert res.exit_code == 0, res.output
    assert "'Oceania' -> 'Oceanian'" in res.output
    assert "duplicate conversation file identical to the main file" in res.output
    assert "exhibited_behaviors stored as a JSON string" in res.output
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["entries"]["age_group:60-70"]["count"] == 6
    assert saved["entries"]["age_group:60-70"]["examples"]


# -- round trip ------------------------------------------------------------------------------------
def test_import_then_export_reproduces_the_release(imported, tmp_path):
    fx, out, _ = imported
    dest = tmp_path / "exported"
    res = run("export", out, "--format", "tvt-release", "--out", dest)
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (dest / "conversations").iterdir())
    assert names == sorted(f"{c}_{p}_conversation.json" for c, p in fx.conversations)
    for (cid, phase), original in fx.conversations.items():
        doc = json.loads((dest / "conversations" / f"{cid}_{phase}_conversation.json").read_text())
        assert list(doc) == ["full_conversation", "three_turn_sequences"]
        assert doc["full_conversation"] == original["full_conversation"]
        assert doc["three_turn_sequences"] == original["three_turn_sequences"]
        meta = json.loads((dest / "metadata" / f"{cid}_{phase}_metadata.json").read_text())
        assert list(meta) == ["client_profile", "therapist_profile", "trauma_info"]
        assert list(meta["client_profile"]) == list(CLIENT_FIELDS)
        assert list(meta["therapist_profile"]) == ["age", "gender"]
        assert list(meta["trauma_info"]) == ["type", "session_topic"]


def test_export_release_of_generated_data_round_trips(tmp_path):
    native = build_native(tmp_path / "native", clients=3)
    dest = tmp_path / "release"
    assert run("export", native, "--format", "tvt-release", "--out", dest).exit_code == 0
    doc = json.loads((dest / "conversations" / "2_P10_conversation.json").read_text())
    full = doc["full_conversation"]
    assert full[0] == "Therapist: How are you feeling?"
    assert doc["three_turn_sequences"] == [full[i : i + 3] for i in range(len(full) - 2)]
    meta = json.loads((dest / "metadata" / "2_P10_metadata.json").read_text())
    assert "name" not in meta["client_profile"] and "name" not in meta["therapist_profile"]
    back = tmp_path / "back"
    report = import_release(dest, back)
    assert report.totals["conversations"] == 18
    original = read_jsonl(native / "conversations.jsonl")
    again = read_jsonl(back / "conversations.jsonl")
    for a, b in zip(original, again, strict=True):
        assert [(t["speaker"], t["text"], t["suds"]) for t in a["turns"]] == [
            (t["speaker"], t["text"], t["suds"]) for t in b["turns"]
        ]


# -- parsing properties ------------------------------------------------------------------------------
@given(st.text(max_size=80))
def test_any_release_string_is_reproduced(raw):
    turn, _ = parse_turn(raw, None)
    assert render_turn(turn) == raw
    assert turn["text"] and turn["speaker"] in ("therapist", "client")


@given(
    st.sampled_from(["therapist", "client"]),
    st.text(min_size=1, max_size=80).map(str.strip).filter(bool),
)
def test_native_turns_render_without_raw(speaker, text):
    rendered = render_turn({"speaker": speaker, "text": text})
    turn, problem = parse_turn(rendered, None)
    assert problem is None
    assert (turn["speaker"], turn["text"]) == (speaker, text)
    assert "raw" not in turn


@pytest.mark.parametrize(
    ("question", "scale"),
    [
        ("Stay in it. What's the number?", None),
        ("Give me a number, nought to a hundred.", 100),
        ("What's your distress at, right now?", None),
        ("Where are you on the scale now?", None),
        ("On a scale from 0 to 10, how distressed are you?", 10),
        ("What is your SUDS, zero to 100?", 100),
    ],
)
def test_suds_questions_are_recognised(question, scale):
    turns = [
        {"speaker": "therapist", "text": question, "suds": None, "act": "unknown"},
        {"speaker": "client", "text": "About 8. It's hard.", "suds": None, "act": "unknown"},
        {"speaker": "therapist", "text": "Tell me what you see.", "suds": None, "act": "unknown"},
        {"speaker": "client", "text": "The 3 men at the door.", "suds": None, "act": "unknown"},
    ]
    assign_suds(turns)
    assert turns[1]["suds"] == (8 if scale == 100 else 80)
    assert turns[3]["suds"] is None  # not after a SUDS question


# The statement rules themselves (ranges, units, scales) are tested in test_suds_text.py.


# -- malformed or partial release folders ------------------------------------------------------------
def test_no_conversations_folder_is_a_clear_error(tmp_path):
    src = tmp_path / "src"
    (src / "metadata").mkdir(parents=True)
    res = run("import", src, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "no conversations/ folder" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_missing_release_folder(tmp_path):
    res = run("import", tmp_path / "nope", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "release folder not found" in res.output


def test_unreadable_file_is_a_reported_skip(release, tmp_path):
    (release.root / "conversations" / "3_P7_conversation.json").write_text('{"full_conv')
    out = tmp_path / "o"
    res = run("import", release.root, "--out", out)
    assert res.exit_code == 0, res.output
    assert "conversation file that is not valid JSON or cannot be read; skipped" in res.output
    assert "3_P7_conversation.json" in res.output
    failures = read_jsonl(out / "failures.jsonl")
    assert failures == [
        {
            "client_id": 3,
            "phase": "P7",
            "reason": "conversation file is not valid JSON",
            "attempts": 1,
        }
    ]
    assert len(read_jsonl(out / "conversations.jsonl")) == 35
    assert validate_dataset(out).ok


def test_conversation_without_metadata_is_skipped_and_reported(release, tmp_path):
    for path in (release.root / "metadata").glob("5_*"):
        path.unlink()
    (release.root / "metadata" / "2_P8_metadata.json").unlink()  # one phase only: profile reused
    out = tmp_path / "o"
    report = import_release(release.root, out)
    assert report.count("skipped:no-metadata") == 6
    assert report.count("missing:metadata") == 1
    assert report.totals["clients"] == 5
    failures = read_jsonl(out / "failures.jsonl")
    assert [(f["client_id"], f["phase"]) for f in failures] == [
        (5, p) for p in ("P5", "P10", "P6", "P7", "P8", "P11")
    ]
    assert validate_dataset(out).ok


def test_nothing_usable_exits_2_and_writes_nothing(tmp_path):
    src = tmp_path / "src"
    (src / "conversations").mkdir(parents=True)
    (src / "metadata").mkdir()
    (src / "conversations" / "1_P5_conversation.json").write_text("not json")
    (src / "metadata" / "1_P5_metadata.json").write_text("{}")
    res = run("import", src, "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "nothing usable" in res.output
    assert "conversation file that is not valid JSON" in res.output  # the report explains
    assert "metadata file that cannot be used" in res.output
    assert not (tmp_path / "o").exists()


def test_empty_release_folders(tmp_path):
    src = tmp_path / "src"
    (src / "conversations").mkdir(parents=True)
    (src / "metadata").mkdir()
    res = run("import", src, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "no release files found" in res.output


def test_import_refuses_a_non_empty_output(release, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    res = run("import", release.root, "--out", out)
    assert res.exit_code == 2 and "not empty" in res.output
    assert run("import", release.root, "--out", out, "--force").exit_code == 0


def test_malformed_metadata_values_are_skipped_not_fatal(release, tmp_path):
    meta = release.root / "metadata" / "1_P5_metadata.json"
    doc = json.loads(meta.read_text())
    doc["client_profile"]["age"] = "unknown"
    meta.write_text(json.dumps(doc))
    report = import_release(release.root, tmp_path / "o")
    assert report.count("unusable:metadata") == 1
    assert report.count("metadata:no-P5") == 1  # client 1's profile came from another phase
    assert report.totals["clients"] == 6


# -- export: errors and the HF layout ----------------------------------------------------------------
def test_export_refuses_non_empty_output_and_needs_conversations(tmp_path):
    native = build_native(tmp_path / "native", clients=2)
    out = tmp_path / "out"
    assert run("export", native, "--format", "tvt-release", "--out", out).exit_code == 0
    res = run("export", native, "--format", "tvt-release", "--out", out)
    assert res.exit_code == 2 and "not empty" in res.output
    assert run("export", native, "--format", "tvt-release", "--out", out, "--force").exit_code == 0
    bare = build_native(tmp_path / "bare", clients=2, conversations=False)
    res = run("export", bare, "--format", "tvt-release", "--out", tmp_path / "x")
    assert res.exit_code == 2 and "no conversations.jsonl" in res.output
    assert not (tmp_path / "x").exists()


def test_export_names_the_line_of_a_bad_conversation(tmp_path):
    native = build_native(tmp_path / "native", clients=2)
    path = native / "conversations.jsonl"
    lines = path.read_text().splitlines()
    bad = json.loads(lines[3])
    bad["client_id"] = 99
    lines[3] = json.dumps(bad)
    path.write_text("\n".join(lines) + "\n")
    res = run("export", native, "--format", "tvt-release", "--out", tmp_path / "x")
    assert res.exit_code == 2
    assert "conversations.jsonl, line 4" in res.output and "99" in res.output
    assert not (tmp_path / "x").exists()
