"""Every command the README shows succeeds as written (the endpoint ones against the loopback
fake OpenAI server), and the README keeps exactly two set-up commands at the top."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_openai_server import FakeServer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def _commands(block: str) -> list[str]:
    out = []
    for line in block.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _sections() -> tuple[str, str]:
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    usage = text.split("## Usage", 1)[1].split("\n## ", 1)[0]
    return setup, usage


def test_exactly_two_setup_commands():
    setup, _ = _sections()
    commands = [c for b in _blocks(setup) for c in _commands(b)]
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install .") and "pytest" in commands[1]


def test_readme_usage_commands_are_tvt_commands():
    _, usage = _sections()
    commands = [c for b in _blocks(usage) for c in _commands(b)]
    assert len(commands) >= 15
    assert all(c.startswith("tvt ") for c in commands), commands


@pytest.mark.slow
def test_every_readme_command_succeeds(tmp_path):
    _, usage = _sections()
    commands = [c for b in _blocks(usage) for c in _commands(b)]
    for name in ("benchmark", "docs"):  # the README runs from the repository root
        (tmp_path / name).symlink_to(ROOT / name)
    server = FakeServer().start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.base_url,
        "TVT_SECRETS_DIR": str(tmp_path / "secrets"),
        "TVT_CACHE_DIR": str(tmp_path / "cache"),
    }
    try:
        for cmd in commands:
            run = f"{sys.executable} -m tvt {cmd[len('tvt ') :]}"
            res = subprocess.run(
                ["bash", "-c", run], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert res.returncode == 0, f"{cmd}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
    finally:
        server.stop()
