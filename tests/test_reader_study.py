"""benchmark/reader_study.py: the subset it builds and the per-phase skill it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmark" / "reader_study.py"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _skills(table: str) -> dict[str, float]:
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| P")]
    return {cells[0].strip(): float(cells[-1]) for cells in rows}


def test_subset_and_skill(tmp_path: Path) -> None:
    study = tmp_path / "study"
    _run("subset", "--clients", "1-3", "--extra", "P11:4-5", "--out", str(study))
    inputs = [json.loads(line) for line in open(study / "inputs.jsonl")]
    assert len(inputs) == 3 * 6 + 2
    assert {(r["client_id"], r["phase"]) for r in inputs if r["client_id"] > 3} == {
        (4, "P11"),
        (5, "P11"),
    }
    ref = {
        r["client_id"]: r["trajectory"] for r in map(json.loads, open(study / "reference.jsonl"))
    }
    recipe = json.loads((ROOT / "benchmark" / "tvt-bench-v3.json").read_text())
    prior = recipe["tracks"]["masked"]["prior"]["means"]

    perfect = tmp_path / "perfect.jsonl"
    perfect.write_text(
        "".join(
            json.dumps(
                {
                    "client_id": r["client_id"],
                    "phase": r["phase"],
                    "intensity": ref[r["client_id"]][r["phase"]],
                }
            )
            + "\n"
            for r in inputs
        )
    )
    assert set(_skills(_run("score", str(perfect), "--subset", str(study))).values()) == {1.0}

    shape_only = tmp_path / "prior.jsonl"
    shape_only.write_text(
        "".join(
            json.dumps(
                {
                    "client_id": r["client_id"],
                    "phase": r["phase"],
                    "intensity": prior[r["phase"]][0],
                }
            )
            + "\n"
            for r in inputs
        )
    )
    skills = _skills(_run("score", str(shape_only), "--subset", str(study)))
    assert skills and all(abs(v) < 0.005 for v in skills.values())
