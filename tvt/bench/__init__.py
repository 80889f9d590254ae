"""tvt-bench-v2: a benchmark that measures reading emotion from text, and that resists gaming.

One concept per module:

- :mod:`tvt.bench.tracks` - the three tracks (``full``, ``masked``, ``turn``) and what each measures;
- :mod:`tvt.bench.inputs` - the text-only ``inputs.jsonl`` a rater sees, and reading it back;
- :mod:`tvt.bench.splits` - building a split (inputs + reference) in memory from a seed;
- :mod:`tvt.bench.recipe` - ``benchmark/tvt-bench-v2.json``, seed commitments, dev-split checks;
- :mod:`tvt.bench.turns` - turn-track outputs, reference and scoring;
- :mod:`tvt.bench.scoring` - one entry point that scores any track (files or records);
- :mod:`tvt.bench.raters` - the lexical rater on inputs (conversation and turn units);
- :mod:`tvt.bench.llm_rate` - rating inputs through the shared LLM client (both units);
- :mod:`tvt.bench.rate_inputs` - ``tvt rate INPUTS.jsonl``;
- :mod:`tvt.bench.baselines` - the offline baselines (random, means, lexical, TF-IDF + ridge);
- :mod:`tvt.bench.sealed` - ``tvt eval`` (sealed, model in the loop) and ``tvt reveal``;
- :mod:`tvt.bench.cli_hooks` - the one-call hooks ``tvt generate`` and ``tvt score`` use.

The leaderboard's tiers (sealed / dev / reported) live with the leaderboard, in
:mod:`tvt.leaderboard.tiers`.

docs/benchmark.md explains why the benchmark is built this way.
"""

from __future__ import annotations

BENCHMARK_NAME = "tvt-bench-v3"
