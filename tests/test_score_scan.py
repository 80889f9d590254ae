"""The byte scan of the score reader (tvt/scoring/scan.py) takes a block only when its answer is the
typed decoder's: the same ids and values, line by line; and the reader's result (rows, labels,
line numbers, or the error) is the same with the scan as without it."""

from __future__ import annotations

import json
import re

import msgspec
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt.errors import InputError
from tvt.scoring import load_outputs, load_reference, reader, scan
from tvt.scoring.lines import PHASES

SIX = {"P5": 5, "P10": 8, "P6": 7, "P7": 6, "P8": 5, "P11": 4}


def _decoded(block: bytes) -> tuple[list[int], list[list[float]]] | None:
    """Ids and values by the typed decoder, line by line; None if it refuses one or a value is
    out of range (the cases the scan must leave to it)."""
    ids, values = [], []
    for line in block.split(b"\n")[:-1]:
        try:
            rec = reader._decode_line(line)
        except Exception:
            return None
        row = [float(getattr(rec.trajectory, p)) for p in PHASES]
        if not all(1 <= v <= 10 for v in row):
            return None
        ids.append(rec.client_id)
        values.append(row)
    return ids, values


def _template_line(order: list[str], sep: tuple[str, str], label: str | None, extra: bool) -> str:
    rec: dict[str, object] = {"client_id": 12, "trajectory": {p: SIX[p] for p in order}}
    if label is not None:
        rec["model"] = label
    if extra:
        rec["note"] = "run 7: 2024"
    return json.dumps(rec, separators=sep, ensure_ascii=False)


_NUMBERS = ["0", "00", "05", "1", "7", "9", "10", "11", "99", "100", "123456789012345678",
            "1234567890123456789", "99999999999999999999", "", "7.5", "7e0", "-3", "1.0"]  # fmt: skip

_EDIT = st.one_of(
    st.tuples(st.just("number"), st.integers(0, 63), st.sampled_from(_NUMBERS)),
    st.tuples(st.just("insert"), st.integers(0, 199), st.sampled_from(list('0159 {}":,.-eP\\'))),
    st.tuples(st.just("delete"), st.integers(0, 199), st.just("")),
    st.tuples(st.just("in a word"), st.integers(0, 63), st.sampled_from(list("0159"))),
)


def _edit(line: str, edit: tuple[str, int, str]) -> str:
    kind, where, what = edit
    if kind == "number":
        runs = list(re.finditer(r"[0-9]+", line))
        m = runs[where % len(runs)]
        return line[: m.start()] + what + line[m.end() :]
    if kind == "in a word":  # a digit after a letter: in a key or a label
        letters = [m.end() for m in re.finditer(r"[a-zA-Z]", line)]
        where = letters[where % len(letters)]
        return line[:where] + what + line[where:]
    where %= len(line) + 1
    if kind == "insert":
        return line[:where] + what + line[where:]
    return line[:where] + line[where + 1 :]


_TWO = [(1, [1, 2, 3, 4, 5, 6]), (2, [10, 9, 8, 7, 6, 5])]


def _edited(*edit: object) -> dict[str, object]:
    return dict(
        order=list(PHASES), sep=(",", ":"), label="m", extra=False, lines=_TWO, edits=[(1, edit)],
        edited=True,
    )  # fmt: skip


@pytest.mark.slow
@settings(max_examples=examples(400), deadline=None)
@example(**_edited("in a word", 29, "5"))  # a digit in the label: "m5"
@example(**_edited("in a word", 24, "1"))  # a digit in a key: "m1odel", a field the reader ignores
@example(**_edited("in a word", 15, "1"))  # "P51": an unknown phase
@example(**_edited("number", 0, "0"))  # client id 0
@example(**_edited("number", 0, "1234567890123456789"))  # 19 digits
@example(**_edited("number", 2, "05"))  # a leading zero
@example(**_edited("number", 2, "11"))  # out of range
@example(**_edited("number", 1, "7"))  # "P7" for "P5": P7 twice, no P5
@given(
    order=st.permutations(list(PHASES)),
    sep=st.sampled_from([(",", ":"), (", ", ": ")]),
    label=st.none() | st.sampled_from(["m", "gpt-4o", "x:1", "run 20"]),
    extra=st.booleans(),
    lines=st.lists(
        st.tuples(st.integers(1, 10**12), st.lists(st.integers(1, 10), min_size=6, max_size=6)),
        min_size=1,
        max_size=30,
    ),
    edits=st.lists(st.tuples(st.integers(0, 29), _EDIT), min_size=1, max_size=3),
    edited=st.booleans(),
)
def test_the_scan_reads_what_the_decoder_reads(order, sep, label, extra, lines, edits, edited):
    tpl_line = _template_line(order, sep, label, extra)
    tpl = scan.template(tpl_line.encode() + b"\n", reader._decode_line, "model")
    assert tpl is not None
    assert tpl.label == label
    text = []
    for cid, vals in lines:
        rec = json.loads(tpl_line)
        rec["client_id"] = cid
        rec["trajectory"] = {p: vals[PHASES.index(p)] for p in order}
        text.append(json.dumps(rec, separators=sep, ensure_ascii=False))
    if not edited:
        edits = []
    for i, edit in edits:
        text[i % len(text)] = _edit(text[i % len(text)], edit)
    block = ("\n".join(text) + "\n").encode()
    got = scan.scan(block, tpl)
    want = _decoded(block)
    if got is not None:
        assert want is not None
        assert got[0].tolist() == want[0]
        assert got[1].tolist() == want[1]
        # All lines are the template's: the label is the template's.
        unset = msgspec.UNSET
        for line in block.split(b"\n")[:-1]:
            assert reader._decode_line(line).model == (unset if label is None else label)
    elif not edits:
        pytest.fail("a block of unedited lines must be scanned")


@pytest.mark.parametrize(
    "line",
    [
        b'{"client_id":1,"trajectory":{"P5":5.5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}\n',
        b'{"client_id":1,"trajectory":{"P5":5e0,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}\n',
        b'{"client_id":1,"trajectory":{"P5":-5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}\n',
        b'{"client_id":1,"trajectory":{"P5":5,"P10":8,"P6":7,"P7":6,"P8":5}}\n',
        b'{"client_id":1,"phase":"P5","intensity":4}\n',
        b"\n",
        b"{not json\n",
    ],
)
def test_no_template_from_lines_the_scan_does_not_read(line):
    assert scan.template(line, reader._decode_line, "model") is None


def test_a_line_with_many_numbers_is_no_template():
    """Finding the number slots decodes the line once per run of digits: a line with hundreds
    (in a field the reader ignores) is left to the decoder rather than decoded hundreds of times."""
    rec = {"client_id": 1, "trajectory": SIX, "extra": list(range(100))}
    line = json.dumps(rec, separators=(",", ":")).encode() + b"\n"
    assert scan.template(line, reader._decode_line, "model") is None
    rec["extra"] = list(range(20))
    line = json.dumps(rec, separators=(",", ":")).encode() + b"\n"
    assert scan.template(line, reader._decode_line, "model") is not None


def test_a_shadowed_duplicate_key_is_literal():
    """With a key twice the decoder keeps the last value: the first one is not a number slot."""
    line = b'{"client_id":3,"client_id":4,"trajectory":{"P5":5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}\n'
    tpl = scan.template(line, reader._decode_line, "model")
    assert tpl is not None
    other = line.replace(b'"client_id":4', b'"client_id":9')
    got = scan.scan(line + other, tpl)
    assert got is not None and got[0].tolist() == [4, 9]
    assert scan.scan(line + other.replace(b'"client_id":3', b'"client_id":8'), tpl) is None


def _outcome(load, path):
    try:
        t = load(path)
    except InputError as exc:
        return ("error", str(exc))
    return (
        "ok",
        t.ids.tolist(),
        np.nan_to_num(t.values, nan=-1).tolist(),
        t.labels,
        t.first_line.tolist(),
        t.records,
    )


def _no_scan(_block, _tpl):
    return None


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(
    n=st.integers(1, 120),
    bad=st.lists(
        st.tuples(
            st.integers(0, 119),
            st.sampled_from(
                [
                    "",
                    '{"client_id": 5, "phase": "P5", "intensity": 4}',
                    '{"client_id":7,"trajectory":{"P5":0,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}',
                    '{"client_id":7,"trajectory":{"P5":7.5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}',
                    '{"client_id":7,"trajectory":{"P5":05,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}',
                    '{"client_id":0,"trajectory":{"P5":5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}',
                    '{"client_id":3,"trajectory":{"P5":6,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4}}',
                    '{"client_id":8,"trajectory":{"P5":5,"P10":8,"P6":7,"P7":6,"P8":5,"P11":4},'
                    '"model":"b"}',
                ]
            ),
        ),
        max_size=3,
    ),
    block=st.integers(60, 3000),
    kind=st.sampled_from(["outputs", "reference"]),
    unsorted=st.booleans(),
)
def test_the_reader_gives_the_same_with_and_without_the_scan(
    tmp_path_factory, n, bad, block, kind, unsorted
):
    """Rows, labels, line numbers and records, or the same error, whichever blocks were scanned."""
    label = "model" if kind == "outputs" else "source"
    ids = list(range(1, n + 1))
    if unsorted:
        ids.reverse()
    lines = [
        json.dumps({"client_id": i, "trajectory": {**SIX, "P5": i % 10 + 1}, label: "a"}).replace(
            " ", ""
        )
        for i in ids
    ]
    for at, line in bad:
        lines.insert(min(at, len(lines)), line.replace('"model"', f'"{label}"'))
    path = tmp_path_factory.mktemp("scan") / f"{kind}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    load = load_outputs if kind == "outputs" else load_reference
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, "_BLOCK", block)
        scanned = _outcome(load, path)
        mp.setattr(scan, "scan", _no_scan)
        decoded = _outcome(load, path)
    assert scanned == decoded
