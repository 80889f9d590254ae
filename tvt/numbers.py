"""Numbers at the edges of tvt: options that must be finite, and numbers printed short.

``float("nan")`` and ``float("inf")`` parse as floats, and a range check lets NaN through
(every comparison with NaN is false): ``--timeout nan`` would reach the HTTP client and
``--price-in nan`` the cost estimate after every request was paid for. Every float option uses
:class:`FiniteFloat`, which refuses them as a usage error (exit 2) before any work.
"""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloat(click.FloatRange):
    """:class:`click.FloatRange` that refuses NaN and infinities."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if isinstance(number, float) and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def short(value: Any, digits: int = 6) -> str:
    """``value`` as a person reads it in a message: ``1e+308``, not 309 digits; ``0.1``, not
    ``0.1000000000000000055...``; an integer as it is unless it is huge; anything else
    ``repr``-like but cut to 60 characters."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        if abs(value) < 10**15:
            return str(value)
        try:
            return f"{float(value):.{digits}g}"
        except OverflowError:  # beyond a float: say how long it is
            return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
