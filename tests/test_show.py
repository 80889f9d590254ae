"""``tvt show DIR CLIENT [PHASE]``: a readable transcript with SUDS and acts in the margin."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

import tvt
from tvt.cli import main
from tvt.show import load_transcript, render_rich


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("show") / "d"
    tvt.generate(seed=5, clients=4).write(out)
    return out


def conversation(folder, cid, phase):
    for line in (folder / "conversations.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec["client_id"] == cid and rec["phase"] == phase:
            return rec
    raise AssertionError("no such conversation")


def test_one_phase_plain_when_piped_with_suds_and_acts_in_the_margin(folder):
    res = run("show", folder, 2, "P10")
    assert res.exit_code == 0, res.output
    assert "\x1b[" not in res.output  # plain text: no colour codes when not a terminal
    conv = conversation(folder, 2, "P10")
    lines = res.output.splitlines()
    assert lines[0].startswith("client 2: ")
    assert re.match(r"== P10 Full Imaginal Exposure · \d+ turns · reference intensity", lines[2])
    numbered = [ln for ln in lines[3:] if re.match(r"\s+\d+ (Therapist|Client)", ln)]
    assert len(numbered) == len(conv["turns"])
    for line, turn in zip(numbered, conv["turns"], strict=True):
        assert line.rstrip().endswith(turn["act"])
        if turn["suds"] is not None:
            assert f"SUDS {turn['suds']}" in line
        assert turn["text"].split()[0] in line
    assert max(len(ln) for ln in lines) <= 100


def test_all_phases_in_benchmark_order(folder):
    res = run("show", folder, 1)
    assert res.exit_code == 0
    phases = re.findall(r"^== (P\d+) ", res.output, flags=re.MULTILINE)
    assert phases == list(tvt.BENCHMARK_ORDER)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((9,), "client 9 has no conversations in this dataset (clients 1-4)"),
        ((1, "P9"), "unknown phase 'P9'"),
        ((1, "p10"), None),  # phases are read case-insensitively
    ],
)
def test_bad_client_or_phase_is_one_line_and_exit_2(folder, args, words):
    res = run("show", folder, *args)
    if words is None:
        assert res.exit_code == 0
        return
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and words in res.output


def test_missing_phase_of_a_client(tmp_path):
    tvt.generate(seed=5, clients=2, phases=["P5"]).write(tmp_path / "d")
    res = run("show", tmp_path / "d", 1, "P10")
    assert res.exit_code == 2 and "client 1 has no P10 conversation" in res.output


def test_rich_on_a_terminal_colours_speakers_and_suds(folder):
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=110, color_system="truecolor")
    transcript = load_transcript(folder, 2, "P10")
    render_rich(transcript, console)
    out = buffer.getvalue()
    assert "\x1b[" in out and "Therapist" in out and "SUDS" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    stated = [t["suds"] for t in transcript.conversations[0]["turns"] if t["suds"] is not None]
    assert stated and all(f"SUDS {s}" in plain for s in stated)


def test_help_has_an_example():
    res = run("show", "--help")
    assert res.exit_code == 0 and "tvt show tvt-data 3 P10" in res.output


def test_an_in_memory_dataset_prints_the_same_transcript(folder):
    ds = tvt.load(folder)
    assert ds.transcript(2, "P10") == run("show", folder, 2, "P10").output
    assert ds.transcript(3) == run("show", folder, 3).output
    with pytest.raises(tvt.InputError, match="client 9 has no conversations"):
        ds.transcript(9)
    with pytest.raises(tvt.InputError, match="field 'phase'"):
        ds.transcript(1, "P9")
