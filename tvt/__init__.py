"""tvt: synthetic Prolonged Exposure therapy conversations and the emotional-trajectory benchmark.

The Python API (see the README)::

    import tvt
    ds = tvt.generate(seed=42, clients=50)            # in memory; ds.write("tvt-data") to save
    preds = tvt.rate(ds, rater="lexical")
    report = tvt.score(preds, ds.reference)            # report.s_abs, report.pearson.mean, ...

``tvt.load(folder)`` reads a dataset folder; ``tvt.RATERS`` and ``tvt.BACKENDS`` list the raters
and generation backends (built in, or added by installed plugins through the ``tvt.raters`` and
``tvt.backends`` entry points).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tvt.errors import InputError, TvtError, WorkFailed
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES, PHASES

__version__ = "0.2.0"

#: Names re-exported from the modules that define them. They are imported on first use
#: (PEP 562), so ``import tvt`` -- and every ``tvt`` command -- does not load numpy, the
#: composer or the LLM client until a script asks for them.
_LAZY = {
    "Dataset": "tvt.api",
    "Predictions": "tvt.api",
    "ScoreReport": "tvt.api",
    "generate": "tvt.api",
    "load": "tvt.api",
    "rate": "tvt.api",
    "score": "tvt.api",
    "Backend": "tvt.backends",
    "BACKENDS": "tvt.backends",
    "ConversationBackend": "tvt.backends",
    "GenerationRequest": "tvt.backends",
    "GenerationRun": "tvt.backends",
    "Rater": "tvt.raters.registry",
    "RATERS": "tvt.raters.registry",
    "ConversationRater": "tvt.raters.registry",
    "RatingRun": "tvt.raters.registry",
}

if TYPE_CHECKING:
    from tvt.api import Dataset, Predictions, ScoreReport, generate, load, rate, score
    from tvt.backends import (
        BACKENDS,
        Backend,
        ConversationBackend,
        GenerationRequest,
        GenerationRun,
    )
    from tvt.raters.registry import RATERS, ConversationRater, Rater, RatingRun


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tvt' has no attribute {name!r}")


__all__ = [
    "BACKENDS",
    "BENCHMARK_ORDER",
    "PHASES",
    "PHASE_NAMES",
    "RATERS",
    "Backend",
    "ConversationBackend",
    "ConversationRater",
    "Dataset",
    "GenerationRequest",
    "GenerationRun",
    "InputError",
    "Predictions",
    "Rater",
    "RatingRun",
    "ScoreReport",
    "TvtError",
    "WorkFailed",
    "__version__",
    "generate",
    "load",
    "rate",
    "score",
]
