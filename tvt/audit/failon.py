"""``--fail-on``: thresholds that make the audit exit 1, for use in pipelines.

Syntax: comma-separated conditions ``NAME OP VALUE``, where NAME is a check (its rate, the share
of eligible units flagged), ``<check>.count`` (the number of flagged units), a measure, or a judge
figure (``judge.risk_not_assessed``); OP is one of ``>``, ``>=``, ``<``, ``<=``; VALUE is a
number, or a percentage such as ``5%``. Example::

    safety.unassessed_risk>0,exposure.relaxation>5%,rationale.coverage<0.8

A condition on a figure that could not be computed (no eligible unit) does not fail.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from tvt.errors import InputError

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_COND_RE = re.compile(r"^\s*([a-z_0-9.]+)\s*(>=|<=|>|<)\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Condition:
    name: str
    op: str
    threshold: float
    text: str

    def failed(self, value: float | None) -> bool:
        return value is not None and _OPS[self.op](value, self.threshold)


def parse_fail_on(spec: str, known: set[str] | None = None) -> list[Condition]:
    """Parse a ``--fail-on`` value; unknown names are refused when ``known`` is given."""
    out = []
    for part in spec.split(","):
        if not part.strip():
            continue
        m = _COND_RE.match(part)
        if not m:
            raise InputError(
                f"cannot read {part.strip()!r}: write NAME>VALUE, e.g. "
                "safety.unassessed_risk>0 or exposure.relaxation>5%",
                field="--fail-on",
            )
        name, op, number, pct = m.groups()
        value = float(number) / (100 if pct else 1)
        if not math.isfinite(value):
            raise InputError(f"not a finite number in {part.strip()!r}", field="--fail-on")
        if known is not None and name not in known and not name.startswith("judge."):
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(f"unknown check or measure {name!r}{hint}", field="--fail-on")
        out.append(Condition(name, op, value, f"{name}{op}{number}{pct}"))
    if not out:
        raise InputError("no condition given", field="--fail-on")
    return out


def evaluate(
    conditions: list[Condition], values: dict[str, float | None]
) -> list[tuple[Condition, float | None]]:
    """The conditions that failed, each with the value that failed it."""
    return [(c, values.get(c.name)) for c in conditions if c.failed(values.get(c.name))]
