"""Example budgets of the hypothesis tests, scaled by the profile (see tests/conftest.py).

A test's own ``@settings(max_examples=...)`` wins over the loaded profile, so the budgets go
through :func:`examples`, which gives twenty times as many under ``HYPOTHESIS_PROFILE=explore``.
"""

from __future__ import annotations

import os

#: How many times each test's budget the ``explore`` profile runs.
EXPLORE_FACTOR = 20


def examples(n: int) -> int:
    """``n`` examples, or ``EXPLORE_FACTOR`` times as many under the ``explore`` profile."""
    return n * EXPLORE_FACTOR if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else n
