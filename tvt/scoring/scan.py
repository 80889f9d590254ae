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
    if not spans or spans[0][0] == 0:
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


def _digit(b: np.ndarray) -> np.ndarray:
    return (b - np.uint8(48)) < 10


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
    last = buf.size - 1  # a newline: reading past a line's end reads a non-digit
    ends = np.flatnonzero(buf == 10)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    cum = np.zeros(n, dtype=np.int64)  # digits of the line before the current run
    ids = np.zeros(n, dtype=np.int64)
    values = np.empty((n, N_PHASES))
    for offset, what in tpl.runs:
        at = starts + offset
        at += cum
        # A whole run: a non-digit before it (the line's first byte is never a digit).
        if _digit(buf[at - 1]).any():
            return None
        if isinstance(what, bytes):  # literal: the template's digits, then a non-digit
            for j, d in enumerate(what):
                if not (buf[at + j] == d).all():
                    return None
            if _digit(buf[np.minimum(at + len(what), last)]).any():
                return None
            cum += len(what)
        elif what >= 0:  # a phase value: 1 to 9, or 10
            first = buf[at]
            second = buf[np.minimum(at + 1, last)]
            ten = (first == 49) & (second == 48)
            one = (first > 48) & (first <= 57) & ~_digit(second)
            if not (one | (ten & ~_digit(buf[np.minimum(at + 2, last)]))).all():
                return None
            values[:, what] = np.where(ten, 10, first - np.uint8(48))
            cum += 1
            cum += ten
        else:  # the client id: no leading zero, at most 18 digits
            first = buf[at]
            if not ((first > 48) & (first <= 57)).all():
                return None
            alive = np.ones(n, dtype=bool)
            for j in range(_ID_DIGITS + 1):
                d = buf[np.minimum(at + j, last)] - np.uint8(48)
                alive &= d < 10
                if not alive.any():
                    break
                if j == _ID_DIGITS:
                    return None  # 19 digits or more: left to the decoder
                np.multiply(ids, 10, out=ids, where=alive)
                np.add(ids, d, out=ids, where=alive)
                cum += alive
    # The runs found hold all the digits of every line: there is no other run.
    if not (cum == ends + 1 - starts - len(tpl.skeleton)).all():
        return None
    return ids, values
