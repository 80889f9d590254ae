"""The typed fast path of the score reader accepts exactly what the strict check accepts, and
every error message is the strict check's (tvt/scoring/reader.py)."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.errors import InputError
from tvt.scoring import load_outputs, load_reference, reader

SIX = {"P5": 5, "P10": 8, "P6": 7, "P7": 6, "P8": 5, "P11": 4}
LINES = [
    {"client_id": 1, "trajectory": SIX, "model": "m"},
    {"client_id": 2, "trajectory": {**SIX, "P5": 7.5}, "model": None, "extra": [1, 2]},
    {"client_id": 3, "trajectory": {**SIX, "P5": True}},
    {"client_id": True, "trajectory": SIX},
    {"client_id": 0, "trajectory": SIX},
    {"client_id": 4, "trajectory": SIX, "phase": None},
    {"client_id": 4, "trajectory": SIX, "intensity": 3},
    {"client_id": 5, "trajectory": {**SIX, "P5": 11}},
    {"client_id": 5, "trajectory": {**SIX, "P5": 10**400}},
    {"client_id": 5, "trajectory": {**SIX, "P5": "5"}},
    {"client_id": 6, "trajectory": {**SIX, "P9": 5}},
    {"client_id": 6, "trajectory": {k: v for k, v in SIX.items() if k != "P8"}},
    {"client_id": 7, "trajectory": SIX, "model": 5},
    {"client_id": 7, "trajectory": SIX, "source": 5},
    {"client_id": 8, "phase": "P5", "intensity": 4},
    {"client_id": 2**70, "trajectory": SIX},
]


def _slow(_raw: bytes) -> None:
    raise msgspec.ValidationError("forced")


def _outcome(load, path):
    try:
        t = load(path)
    except InputError as exc:
        return ("error", str(exc))
    return ("ok", t.ids.tolist(), np.nan_to_num(t.values, nan=-1).tolist(), t.labels)


@pytest.mark.parametrize("kind", ["outputs", "reference"])
@pytest.mark.parametrize("line", LINES, ids=range(len(LINES)))
def test_fast_and_strict_paths_agree(tmp_path, monkeypatch, kind, line):
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(
        json.dumps({"client_id": 99, "trajectory": SIX}) + "\n" + json.dumps(line) + "\n"
    )
    load = load_outputs if kind == "outputs" else load_reference
    fast = _outcome(load, path)
    monkeypatch.setattr(reader, "_decode_line", _slow)
    assert _outcome(load, path) == fast


def _line(cid: int, **traj: object) -> str:
    return json.dumps({"client_id": cid, "trajectory": {**SIX, **traj}})


@pytest.mark.parametrize(
    "text",
    [
        # a value out of range on line 4, after a blank line / a strict-path line / neither
        "\n".join([_line(1), "", _line(2), _line(3, P5=0)]) + "\n",
        "\n".join(
            [
                _line(1),
                json.dumps({"client_id": 2, "trajectory": {"P5": 3}}),
                _line(3),
                _line(4, P8=12),
            ]
        )
        + "\n",  # fmt: skip
        "\n".join([_line(1), _line(2), _line(3), _line(4, P11=-1)]) + "\n",
        "\n".join([_line(1), _line(2), "", "", _line(1, P5=6)]) + "\n",  # conflicting duplicate
        "\n".join([_line(2), _line(1), "", _line(3)]) + "\n",  # fine: first lines 1, 2, 4
    ],
)
def test_line_numbers_survive_blank_and_strict_lines(tmp_path, monkeypatch, text):
    path = tmp_path / "outputs.jsonl"
    path.write_text(text)
    fast = _outcome(load_outputs, path)
    if fast[0] == "ok":
        fast = (*fast, load_outputs(path).first_line.tolist())
    monkeypatch.setattr(reader, "_decode_line", _slow)
    slow = _outcome(load_outputs, path)
    if slow[0] == "ok":
        slow = (*slow, load_outputs(path).first_line.tolist())
    assert fast == slow
    assert fast[0] == "ok" or "line 4" in fast[1] or "line 5" in fast[1]


_PIECES = [
    _line(1),
    _line(2, P5=7.5),
    json.dumps({"client_id": 3, "trajectory": SIX, "model": "m"}),
    json.dumps({"client_id": 4, "trajectory": SIX, "model": "n"}),
    json.dumps({"client_id": 5, "phase": "P5", "intensity": 4}),
    json.dumps({"client_id": 1, "phase": "P5", "intensity": 5}),  # identical duplicate
    json.dumps({"client_id": 6, "trajectory": {"P5": 3, "P10": 4, "P6": 5}}),
    "",
    "   ",
    _line(2, P5=6),  # conflicts with client 2's 7.5 when that line is there
]
#: At most one of these per file: ranges are checked once the file is read, so with two bad lines
#: the strict check (which checks ranges as it goes) may name the other one first.
_BAD = [
    _line(7, P8=12),
    _line(9, P5=10**400),  # an integer no float holds
    "{not json",
    json.dumps({"client_id": 8, "phase": "P9", "intensity": 3}),
]


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(
    picks=st.lists(st.sampled_from(range(len(_PIECES))), min_size=1, max_size=14),
    bad=st.none() | st.tuples(st.sampled_from(_BAD), st.integers(0, 14)),
    block=st.integers(1, 400),
    bom=st.booleans(),
    newline_at_end=st.booleans(),
    crlf=st.booleans(),
)
def test_blocks_read_as_lines(tmp_path_factory, picks, bad, block, bom, newline_at_end, crlf):
    """Whatever the block size, the block reader gives what reading line by line gives: the same
    rows, labels and line numbers, or the same error (file, line, field, reason)."""
    sep = "\r\n" if crlf else "\n"
    pieces = [_PIECES[i] for i in picks]
    if bad is not None:
        pieces.insert(bad[1], bad[0])
    text = sep.join(pieces) + (sep if newline_at_end else "")
    path = tmp_path_factory.mktemp("blocks") / "outputs.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())

    def outcome():
        out = _outcome(load_outputs, path)
        if out[0] == "ok":
            t = load_outputs(path)
            out = (*out, t.first_line.tolist(), t.records)
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, "_BLOCK", block)
        blocks = outcome()
        mp.setattr(reader, "_decode_line", _slow)
        strict = outcome()
    assert blocks == strict


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("newline_at_end", [False, True])
def test_the_hash_taken_while_reading_is_the_files(
    tmp_path, monkeypatch, bom, crlf, newline_at_end
):
    """score_files hashes each file from the blocks it reads: the digest of every byte, once."""
    import hashlib

    sep = "\r\n" if crlf else "\n"
    lines = [_line(i) for i in range(1, 40)]
    data = (b"\xef\xbb\xbf" if bom else b"") + (
        sep.join(lines) + (sep if newline_at_end else "")
    ).encode()
    path = tmp_path / "outputs.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(reader, "_BLOCK", 100)
    traj, sha = reader.load_hashed(path, "outputs")
    assert sha == hashlib.sha256(data).hexdigest()
    assert traj.ids.tolist() == list(range(1, 40))
