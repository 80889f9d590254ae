"""The byte scan of the score reader: whole blocks of canonical lines read without a decoder.

The lines of a file written by a program have one shape: the same keys in the same order with the
same spacing and the same label, only the numbers change. The scan takes the first line of a block
as a *template*, decodes it with the typed decoder of :mod:`tvt.scoring.reader`, and finds which
runs of digits in it are the numbers that matter: the client id and the six phase values (each
digit run is replaced in turn by another number and the line decoded again; a run is a number slot
if exactly that field then changes, to exactly that integer). Every other digit run (in a key such
as ``"P10"``, in a label, in a field the reader ignores) is *literal*: it must be the same in every
line.

A block is then accepted, with numpy and no Python object per line, only if every line is the
template with other digits in the number slots:

* the block with its digits deleted is the template with its digits deleted, once per line (one
  pass of ``bytes.translate``: every line has the template's other bytes, in order);
* walking the template's runs of digits through all lines at once (one numpy gather per digit
  place, never a pass over every byte), each line has a whole run of digits (a non-digit before
  and after it) at the place of each of the template's runs, counted in non-digit bytes from the
  line's start; the literal runs hold the template's digits; and these runs hold all the line's
  digits, so there is no other;
* a number has no leading zero (so it is a JSON integer), the client id at most 18 digits (below
  2**63), and a phase value is 1 to 9 or 10: every such line is one the typed decoder accepts,
  with the values read here.

Anything else -- a blank line, another shape or label, a float, a value out of range, a malformed
line -- leaves the whole block to the decoder, line by line, whose result and error messages are
therefore those of the reader without the scan. The scan only ever takes blocks whose answer it
knows to be the decoder's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tvt.scoring.lines import N_PHASES, PHASES

_DIGITS = b"0123456789"
_RUN = re.compile(rb"[0-9]+")
#: The longest client id the scan reads: 18 digits stay below 2**63 (the reader's limit).
_ID_DIGITS = 18
#: A line with more runs of digits than this (numbers in fields the reader ignores) is no
#: template: finding the number slots decodes the line once per run.
_MAX_RUNS = 64


@dataclass(frozen=True)
class Template:
    """Where the numbers are in a canonical line, and what the rest of it is."""

    skeleton: bytes  #: the line (with its newline) without its digits
    #: The runs of digits in line order: (non-digit bytes before it in the line, what it is: -1
    #: the client id, 0 to 5 a phase value, or the digits of a literal run).
    runs: tuple[tuple[int, int | bytes], ...]
    label: str | None  #: the line's label (``model`` or ``source``), if it has one


def _fields(rec: Any, label: str) -> tuple[Any, ...]:
    traj = rec.trajectory
    return (rec.client_id, *(getattr(traj, p) for p in PHASES), getattr(rec, label))


def template(line: bytes, decode: Callable[[bytes], Any], label: str) -> Template | None:
    """The template of ``line`` (ending in a newline), or None if the scan cannot use it."""
    try:
        rec = decode(line)
    except Exception:  # any line the typed decoder refuses: not a template
        return None
    base = _fields(rec, label)
    if not all(type(v) is int for v in base[: 1 + N_PHASES]):
        return None  # a float value: such lines are left to the decoder
    spans = [(m.start(), m.end()) for m in _RUN.finditer(line)]
    if not spans or spans[0][0] == 0 or len(spans) > _MAX_RUNS:
        return None
    field_of: dict[int, int] = {}  # run -> field (0: client id, 1 to 6: phases)
    for k, (start, end) in enumerate(spans):
        sentinel = b"999999" if line[start:end] != b"999999" else b"999998"
        try:
            changed = _fields(decode(line[:start] + sentinel + line[end:]), label)
        except Exception:
            continue  # e.g. a digit of a key: literal
        diff = [i for i, (a, b) in enumerate(zip(base, changed, strict=True)) if a != b]
        if (
            len(diff) == 1
            and diff[0] <= N_PHASES
            and type(changed[diff[0]]) is int
            and changed[diff[0]] == int(sentinel)
            and diff[0] not in field_of.values()
        ):
            field_of[k] = diff[0]
    if len(field_of) != 1 + N_PHASES:
        return None
    runs: list[tuple[int, int | bytes]] = []
    digits_before = 0
    for k, (start, end) in enumerate(spans):
        what = field_of[k] - 1 if k in field_of else line[start:end]
        runs.append((start - digits_before, what))
        digits_before += end - start
    lab = base[-1]
    return Template(
        skeleton=line.translate(None, _DIGITS),
        runs=tuple(runs),
        label=lab if isinstance(lab, str) else None,
    )


def _value_table() -> tuple[np.ndarray, np.ndarray]:
    """A phase value and its width from the two bytes at its start (little-endian: the first
    byte low): ``1`` to ``9`` then a non-digit, or ``10``; value 0 for anything else."""
    value = np.zeros(1 << 16, dtype=np.uint8)
    width = np.zeros(1 << 16, dtype=np.int64)
    for second in range(256):
        if not 48 <= second <= 57:
            for d in range(1, 10):
                value[(second << 8) | (48 + d)] = d
                width[(second << 8) | (48 + d)] = 1
    value[(48 << 8) | 49] = 10
    width[(48 << 8) | 49] = 2
    return value, width


_VALUE, _WIDTH = _value_table()


def scan(block: bytes, tpl: Template) -> tuple[np.ndarray, np.ndarray] | None:
    """Client ids and values (``(lines, 6)``) of ``block`` if every line fits ``tpl``, else None.

    ``block`` is whole lines, each ending in a newline.
    """
    # The skeleton holds one newline, at its end: n copies of it are n lines.
    stripped = block.translate(None, _DIGITS)
    n, rest = divmod(len(stripped), len(tpl.skeleton))
    if n == 0 or rest or stripped != tpl.skeleton * n:
        return None
    buf = np.frombuffer(block, dtype=np.uint8)
    # The two bytes from each position, as one little-endian number (an unaligned view).
    pairs = np.ndarray((buf.size - 1,), dtype="<u2", buffer=block, strides=(1,))
    ends = np.flatnonzero(buf == 10)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    # Walk the template's runs through all lines at once. ``cum``: the digits of the line before
    # the current run, so that the run starts at ``starts + offset + cum``. Each run is checked to
    # be digits (the literal ones the template's); below, the runs are checked to hold every digit
    # of the line. Then they are the line's runs of digits (they are apart: a template's runs have
    # a non-digit between them, so each is whole) at the template's places.
    cum = np.zeros(n, dtype=np.int64)
    ok = np.ones(n, dtype=bool)
    ids = np.zeros(n, dtype=np.int64)
    values = np.empty((n, N_PHASES))
    try:  # a bad line can send a position past the block's end
        for offset, what in tpl.runs:
            at = starts + offset
            at += cum
            if isinstance(what, bytes):  # literal: the template's digits
                for j in range(0, len(what) - 1, 2):
                    ok &= pairs[at + j] == what[j] | what[j + 1] << 8
                if len(what) % 2:
                    ok &= buf[at + len(what) - 1] == what[-1]
                cum += len(what)
            elif what >= 0:  # a phase value: 1 to 9 (then a non-digit), or 10
                code = pairs[at]
                v = _VALUE[code]
                ok &= v != 0
                values[:, what] = v
                cum += _WIDTH[code]
            else:  # the client id: no leading zero, at most 18 digits
                d = buf[at] - np.uint8(49)
                ok &= d < 9
                alive = ok.copy()
                for j in range(_ID_DIGITS):
                    d = buf[at + j] - np.uint8(48)
                    alive &= d < 10
                    if not alive.any():
                        break
                    np.multiply(ids, 10, out=ids, where=alive)
                    np.add(ids, d, out=ids, where=alive)
                    cum += alive
    except IndexError:
        return None
    # The runs hold all the digits of every line: there is no other run (a 19th digit of an id,
    # a third of a value, a digit anywhere else).
    if not (ok.all() and (cum == ends + 1 - starts - len(tpl.skeleton)).all()):
        return None
    return ids, values
