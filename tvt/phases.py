"""The six Prolonged Exposure phases ("perspectives") of the paper, with their fidelity codes.

There is no P9: the codes follow the PE fidelity checklist items the paper used.
"""

from __future__ import annotations

#: Benchmark order of a trajectory (order matters for DTW) and the order of generation.
BENCHMARK_ORDER: tuple[str, ...] = ("P5", "P10", "P6", "P7", "P8", "P11")
PHASES = BENCHMARK_ORDER

PHASE_NAMES: dict[str, str] = {
    "P5": "Orientation to Imaginal Exposure",
    "P10": "Full Imaginal Exposure",
    "P6": "Monitoring SUDS Ratings",
    "P7": "Reinforcing During Exposure",
    "P8": "Eliciting Thoughts and Feelings",
    "P11": "Processing the Exposure",
}

#: Phases that take place during imaginal exposure and therefore carry SUDS targets.
EXPOSURE_PHASES: tuple[str, ...] = ("P10", "P6", "P7")

#: Index of each phase in benchmark order, for sorting records.
PHASE_INDEX: dict[str, int] = {p: i for i, p in enumerate(BENCHMARK_ORDER)}
