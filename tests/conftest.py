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


# ``TVT_TEST_CPU=FILE pytest ...`` writes the CPU seconds of each test (set-up, call and
# tear-down, this process and the processes it waited for) to FILE as JSON, most expensive first:
# on a shared machine wall-clock durations (``--durations``) grow with the load, CPU time much
# less, so this is what decides which tests get ``@pytest.mark.slow`` (more than about 1 s).
_CPU_FILE = os.environ.get("TVT_TEST_CPU")
_cpu: dict[str, float] = {}


def _cpu_now() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if _CPU_FILE:
    import pytest

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):  # type: ignore[no-untyped-def]
        start = _cpu_now()
        yield
        _cpu[item.nodeid] = _cpu_now() - start

    def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
        import json

        ranked = dict(sorted(_cpu.items(), key=lambda kv: -kv[1]))
        with open(_CPU_FILE, "w", encoding="utf-8") as fh:
            json.dump({"total": sum(_cpu.values()), "tests": ranked}, fh, indent=1)
