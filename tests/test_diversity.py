"""Corpus variety figures (tvt.diversity): the same corpus gives the same figures in any run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json
from tvt.diversity import measure
convs = [
    [{"speaker": "client", "text": f"Sentence number {w} is here. Another one for {w} now."}
     for w in ("alpha", "beta", "gamma", "delta", "epsilon")]
    + [{"speaker": "client", "text": "A line every conversation shares, word for word."}]
    for _ in range(12)
]
print(json.dumps(measure(convs, top=8).as_dict(), sort_keys=True))
"""


@pytest.mark.slow  # about 1 s of CPU
def test_most_frequent_sentences_do_not_depend_on_the_hash_seed() -> None:
    """Ties among the most frequent sentences come out in one order: ``tvt audit --json`` and
    the composer report must not change between two runs of the same data."""
    outputs = set()
    for hash_seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    top = json.loads(outputs.pop())["speakers"]["client"]["top_sentences"]
    assert len(top) == 8 and all(row["conversations"] == 12 for row in top)
