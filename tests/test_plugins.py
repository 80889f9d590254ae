"""Plugin points: a third-party distribution adds a rater and a backend through entry points.

The distribution is a real one as far as ``importlib.metadata`` is concerned: a package and its
``.dist-info`` folder (METADATA, entry_points.txt) on ``sys.path``, which is what ``pip install``
leaves behind. Every check runs the ``tvt`` command in a fresh interpreter, end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tvt.errors import InputError, WorkFailed
from tvt.plugins import Registry

ROOT = Path(__file__).resolve().parent.parent

PLUGIN = '''
from tvt import ConversationBackend, ConversationRater


class ShoutyRater(ConversationRater):
    """Rates a conversation by the SUDS its client states (a stand-in for a real model)."""

    name = "shouty"
    description = "reads the stated SUDS, louder"
    options = ("model",)

    def rate_conversation(self, conversation, options):
        stated = [t["suds"] for t in conversation["turns"] if t.get("suds") is not None]
        if not stated:
            return None
        bonus = 0.5 if options.get("model") == "loud" else 0.0
        return min(10.0, 1 + 9 * stated[-1] / 100 + bonus)


class EchoBackend(ConversationBackend):
    """Two turns per phase: the therapist asks, the client states the planned SUDS."""

    name = "echo"
    description = "states the planned SUDS and nothing else"
    version = "0.1"

    def conversations(self, case, seed, phases, options):
        out = []
        for phase in phases:
            suds = int(round(10 * case["plan"]["intensity"][phase]))
            out.append(
                {
                    "client_id": case["client_id"],
                    "phase": phase,
                    "turns": [
                        {"speaker": "therapist", "text": "How high is it now?", "suds": None,
                         "act": "suds_check"},
                        {"speaker": "client", "text": f"About {suds}.", "suds": suds,
                         "act": "suds_report"},
                    ],
                }
            )
        return out
'''

ENTRY_POINTS = """
[tvt.raters]
shouty = tvt_shouty:ShoutyRater
broken = tvt_shouty_missing:Nothing
lexical = tvt_shouty:ShoutyRater

[tvt.backends]
echo = tvt_shouty:EchoBackend
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder holding the installed plugin distribution ``tvt-shouty`` 0.1."""
    site = tmp_path_factory.mktemp("site")
    (site / "tvt_shouty").mkdir()
    (site / "tvt_shouty" / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "tvt_shouty-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tvt-shouty\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    (info / "top_level.txt").write_text("tvt_shouty\n")
    return site


def tvt(site: Path, *args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
    return subprocess.run(
        [sys.executable, "-m", "tvt", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_plugins_are_listed_with_their_distribution(site, tmp_path):
    res = tvt(site, "rate", "--list-raters", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()[1:]
    rows = {line.split()[0]: line for line in reversed(lines)}  # the first row of each name
    assert "built-in" in rows["lexical"] and "built-in" in rows["openai"]
    assert "tvt-shouty 0.1" in rows["shouty"] and "reads the stated SUDS" in rows["shouty"]
    assert "could not be loaded" in rows["broken"] and "tvt_shouty_missing" in rows["broken"]
    clash = [line for line in lines if "already taken" in line]
    assert len(clash) == 1 and clash[0].startswith("lexical") and "tvt-shouty 0.1" in clash[0]
    res = tvt(site, "generate", "--list-backends", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "echo" in res.stdout and "offline" in res.stdout and "openai" in res.stdout


@pytest.mark.slow
def test_plugin_backend_and_rater_end_to_end(site, tmp_path):
    res = tvt(site, "generate", "--seed", 4, "--clients", 5, "--backend", "echo", "--out", "ds",
              cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    ds = tmp_path / "ds"
    manifest = json.loads((ds / "manifest.json").read_text())
    assert manifest["backend"] == {"name": "echo", "version": "0.1"}
    convs = [json.loads(x) for x in (ds / "conversations.jsonl").read_text().splitlines()]
    assert len(convs) == 30 and convs[0]["turns"][1]["text"].startswith("About ")
    # The clients and plans are tvt's, the same as with the built-in backend.
    res = tvt(site, "generate", "--seed", 4, "--clients", 5, "--out", "off", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for name in ("cases.jsonl", "reference.jsonl"):
        assert (ds / name).read_bytes() == (tmp_path / "off" / name).read_bytes()
    res = tvt(site, "validate", "ds", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr

    res = tvt(site, "rate", "ds", "--rater", "shouty", "--model", "loud", "-o", "o.jsonl",
              cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["client_id"] for r in lines] == [1, 2, 3, 4, 5]
    assert all(r["model"] == "shouty" and len(r["trajectory"]) == 6 for r in lines)
    res = tvt(site, "score", "o.jsonl", "--reference", "ds", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    # The rater reads back the planned SUDS (plus the constant 0.5 of --model loud).
    assert report["n_scored"] == 5 and report["pearson"]["mean"] > 0.99

    # A flag the chosen rater does not read names every rater that does, plugins included.
    res = tvt(site, "rate", "ds", "--rater", "lexical", "--model", "m", cwd=tmp_path)
    assert res.returncode == 2 and "--model applies to --rater openai or shouty only" in res.stderr


@pytest.mark.slow
def test_plugins_from_python(site, tmp_path):
    script = (
        "import tvt\n"
        "ds = tvt.generate(seed=4, clients=3, backend='echo')\n"
        "preds = tvt.rate(ds, rater='shouty')\n"
        "print(tvt.score(preds, ds.reference).n_scored, sorted(tvt.RATERS.names()))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
    res = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split(" ", 1) == ["3", "['broken', 'lexical', 'openai', 'shouty']\n"]


@pytest.mark.slow
def test_broken_or_unknown_plugins_fail_in_one_sentence(site, tmp_path):
    res = tvt(site, "rate", tmp_path, "--rater", "broken", cwd=tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "the rater 'broken' from tvt-shouty 0.1 could not be loaded" in res.stderr
    res = tvt(site, "rate", tmp_path, "--rater", "nope", cwd=tmp_path)
    assert res.returncode == 2 and "unknown rater 'nope'" in res.stderr and "shouty" in res.stderr
    res = tvt(site, "generate", "--seed", 1, "--backend", "nope", cwd=tmp_path)
    assert res.returncode == 2 and "field '--backend'" in res.stderr


def test_registry_rules():
    class Thing:
        name = "thing"
        description = "a thing"

    reg: Registry[Thing] = Registry("widget", "tvt.test-no-such-group", ("name", "description"))
    reg.register("thing", Thing)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("thing", Thing)
    reg.register("bare", object)
    assert reg.names() == ["thing", "bare"]
    assert isinstance(reg.get("thing"), Thing)
    with pytest.raises(WorkFailed, match="not a tvt widget .*no name, description"):
        reg.get("bare")
    with pytest.raises(InputError, match="unknown widget 'x' .*known: thing, bare"):
        reg.get("x", field="--widget")
    assert reg.describe()[1][2].startswith("unusable: ")
