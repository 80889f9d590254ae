"""tvt: synthetic Prolonged Exposure therapy conversations and the emotional-trajectory benchmark.

Public API (stable names re-exported here)::

    from tvt import PHASES, BENCHMARK_ORDER, sample_case, plan_trajectory
"""

from tvt.errors import InputError, TvtError, WorkFailed
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES, PHASES

__version__ = "0.1.0"

__all__ = [
    "BENCHMARK_ORDER",
    "PHASES",
    "PHASE_NAMES",
    "InputError",
    "TvtError",
    "WorkFailed",
    "__version__",
]
