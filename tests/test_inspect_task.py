"""The inspect_ai task reports the same numbers as tvt score on the same answers.

Runs inspect's OpenAI-compatible provider against the loopback fake server (no network).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.needs import require

# Looked up, not imported: importing inspect_ai takes about a second, paid by every test run at
# collection even when these tests are deselected.
HAVE_INSPECT = importlib.util.find_spec("inspect_ai") is not None

ROOT = Path(__file__).resolve().parent.parent


def test_entry_point_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    section = text.split("[project.entry-points.inspect_ai]", 1)[1].split("[", 1)[0]
    assert 'tvt = "tvt.inspect_task"' in section
    assert 'inspect = ["inspect-ai' in text


@pytest.mark.slow
def test_inspect_metrics_equal_tvt_score(tmp_path, monkeypatch):
    require(HAVE_INSPECT, "inspect-ai is not installed (pip install 'tvt[inspect]')")
    from inspect_ai import eval as inspect_eval

    from tests.fake_openai_server import FakeServer
    from tvt.bench.recipe import split_dir
    from tvt.inspect_task import outputs_from_scores, trajectory
    from tvt.scoring import score_files

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "logs"))
    server = FakeServer().start()
    try:
        server.add_faults("garbage")  # one unreadable answer: a format failure in both
        (log,) = inspect_eval(
            trajectory(track="full", split="dev", clients=4),
            model="openai/fake-model",
            model_base_url=server.base_url,
            model_args={"responses_api": False},
            log_dir=str(tmp_path / "logs"),
            display="none",
        )
    finally:
        server.stop()
    assert log.status == "success", log.error
    metrics = {k: v.value for k, v in log.results.scores[0].metrics.items()}
    assert len(log.samples) == 24
    assert metrics["mean"] == pytest.approx(23 / 24)  # readable-answer rate

    # the same answers through tvt score
    outputs = outputs_from_scores([s.scores["intensity_reader"] for s in log.samples])
    assert len(outputs) == 23
    out = tmp_path / "outputs.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in outputs))
    ref_lines = (split_dir("full", "dev") / "reference.jsonl").read_text().splitlines()
    ref = tmp_path / "reference.jsonl"
    ref.write_text("\n".join(ln for ln in ref_lines if json.loads(ln)["client_id"] <= 4) + "\n")
    report = score_files(out, ref)
    assert metrics["s_abs"] == pytest.approx(report["s_abs"], abs=1e-12)
    for key in ("pearson", "dtw", "rmse"):
        assert metrics[key] == pytest.approx(report[key]["mean"], abs=1e-12)
