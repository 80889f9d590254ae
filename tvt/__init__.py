"""tvt: synthetic Prolonged Exposure therapy conversations and the emotional-trajectory benchmark.

The Python API (see the README)::

    import tvt
    ds = tvt.generate(seed=42, clients=50)            # in memory; ds.write("tvt-data") to save
    audit = tvt.audit(ds)                              # audit.to_pandas(): one row per check
    preds = tvt.rate(ds, rater="lexical")
    report = tvt.score(preds, ds.reference)            # report.s_abs, report.pearson.mean, ...

``tvt.load(folder)`` reads a dataset folder, ``tvt.import_release(path)`` the paper's release;
``tvt.stats``, ``tvt.export`` complete the workflow. ``tvt.RATERS`` and ``tvt.BACKENDS`` are the
registries of raters and generation backends (``list(tvt.RATERS)``; built in, or added by
installed plugins through the ``tvt.raters`` and ``tvt.backends`` entry points).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from tvt.errors import InputError, TvtError, WorkFailed
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES, PHASES

__version__ = "0.3.0"

#: Names re-exported from the modules that define them. They are imported on first use
#: (PEP 562), so ``import tvt`` -- and every ``tvt`` command -- does not load numpy, the
#: composer or the LLM client until a script asks for them.
_LAZY = {
    "AuditReport": "tvt.api",
    "ExportResult": "tvt.api",
    "ImportResult": "tvt.api",
    "StatsReport": "tvt.api",
    "audit": "tvt.api",
    "export": "tvt.api",
    "import_release": "tvt.api",
    "stats": "tvt.api",
    "Ratings": "tvt.raters.registry",
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
    from tvt.api import (
        AuditReport,
        Dataset,
        ExportResult,
        ImportResult,
        Predictions,
        ScoreReport,
        StatsReport,
        audit,
        export,
        generate,
        import_release,
        load,
        rate,
        score,
        stats,
    )
    from tvt.backends import (
        BACKENDS,
        Backend,
        ConversationBackend,
        GenerationRequest,
        GenerationRun,
    )
    from tvt.raters.registry import RATERS, ConversationRater, Rater, RatingRun, Ratings


#: API functions named like a subpackage of tvt (``tvt.audit`` the function, ``tvt/audit/`` the
#: package). Python binds a subpackage to its parent's attribute when it is imported, which
#: would turn ``tvt.audit`` into a module the moment any code imported ``tvt.audit.checks``;
#: :class:`_Package` refuses that binding, so the name stays the function users call. The
#: subpackages are still imported by their full names (``from tvt.audit.checks import ...``).
_FUNCTIONS_NAMED_LIKE_PACKAGES = frozenset({"audit", "stats"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_NAMED_LIKE_PACKAGES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tvt' has no attribute {name!r}")


__all__ = [
    "AuditReport",
    "ExportResult",
    "ImportResult",
    "Ratings",
    "StatsReport",
    "audit",
    "export",
    "import_release",
    "stats",
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
