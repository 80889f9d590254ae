"""Progress on long work (on a terminal only) and what Ctrl-C says."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.release_fixture import build_release
from tvt.cli import main
from tvt.release import import_release
from tvt.stats import compute_stats

ROOT = Path(__file__).resolve().parents[1]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "data"
    assert run("generate", "--seed", "2", "--clients", "3", "--out", out).exit_code == 0
    return out


class Counter:
    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None

    def __call__(self, n: int = 1, total: int | None = None) -> None:
        self.done += n
        if total is not None:
            self.total = total


def test_stats_reports_every_record(data):
    seen = Counter()
    compute_stats(data, progress=seen)
    assert seen.total == seen.done == 3 + 18  # cases and conversations


def test_import_reports_every_client(tmp_path):
    release = build_release(tmp_path / "release")
    seen = Counter()
    report = import_release(release.root, tmp_path / "out", progress=seen)
    assert seen.total == seen.done >= report.totals["clients"] > 0


def _stderr_on_a_terminal(*args: object) -> str:
    """Run ``python -m tvt ARGS`` with stderr on a pseudo-terminal; what it drew there."""
    leader, follower = pty.openpty()
    # A terminal 100 columns wide (a fresh pseudo-terminal has none, and tqdm draws in them).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tvt", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_stats_draws_a_bar_on_a_terminal_only(data):
    assert "record" in _stderr_on_a_terminal("stats", data)
    piped = subprocess.run(
        [sys.executable, "-m", "tvt", "stats", data],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert b"record" not in piped.stderr


def test_ctrl_c_during_an_llm_generation_says_how_to_resume(tmp_path, monkeypatch):
    from tvt import backends

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(backends.OpenAIBackend, "generate", interrupted)
    res = run("generate", "--seed", "1", "--clients", "2", "--backend", "openai", "--model", "m",
              "--base-url", "http://127.0.0.1:9/v1", "--out", tmp_path / "x")  # fmt: skip
    assert res.exit_code == 130
    assert "interrupted; " in res.output and "--resume" in res.output


def test_ctrl_c_where_nothing_resumes_says_only_interrupted(tmp_path, monkeypatch):
    from tvt import backends

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(backends.OfflineBackend, "generate", interrupted)
    res = run("generate", "--seed", "1", "--clients", "2", "--out", tmp_path / "x")
    assert res.exit_code == 130 and res.output.strip().endswith("tvt: interrupted")
