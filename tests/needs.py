"""What a test needs that ``pip install -e '.[test]'`` may not provide (a system package, a model).

Outside CI a missing component skips the tests that need it; in CI (``CI=true``, set by
``.ci/run``, which installs everything) it fails them, so a broken CI set-up cannot pass by
skipping. Every such test goes through :func:`require` or :func:`require_module`, never through
``pytest.skip`` or ``pytest.importorskip`` directly. (These helpers live here rather than in
``conftest.py``, which pytest imports itself and which must not be imported a second time.)
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip (fail in CI) unless ``condition``; ``reason`` says what is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required component missing in CI: {reason}")
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str) -> ModuleType:
    """Import ``name``; if it cannot be imported, skip (fail in CI) saying why."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        require(False, f"{name} cannot be imported ({exc})")
        raise  # unreachable: require() skipped or failed
