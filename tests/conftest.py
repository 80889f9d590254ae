"""Shared pytest set-up. Helpers for tests that need an optional component are in tests/needs.py.

Hypothesis profiles (``HYPOTHESIS_PROFILE``; see tests/hyp.py for the per-test budgets):

- ``ci`` (the default, and what ``.ci/run`` uses): derandomised — every run draws the same
  examples, so ``pytest`` passes or fails the same way on every machine and every run; no example
  database is written, and no per-example deadline (a busy machine is not a failure).
- ``explore``: a fresh random search with twenty times each test's number of examples, to look
  for new counterexamples before a release (``HYPOTHESIS_PROFILE=explore pytest
  tests/test_compose_props.py``). A counterexample it finds is fixed at its cause and added to the
  test as an ``@example``, so the default profile checks it from then on.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# No deadline: a test's speed depends on the machine's load, and a timing failure cannot be
# reproduced (tests never assert wall-clock time).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile(
    "explore",
    derandomize=False,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
