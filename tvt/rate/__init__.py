"""Raters: turn each phase conversation of a dataset into an emotional-intensity rating (1-10).

* :mod:`tvt.rate.lexical` -- offline baseline from stated SUDS and client language.
* :mod:`tvt.rate.llm` -- zero-shot rating through any OpenAI-compatible endpoint.
* :mod:`tvt.rate.registry` -- the :class:`Rater` protocol and the registry ``--rater`` reads,
  which third-party packages extend through the ``tvt.raters`` entry point group.

Every rater writes one trajectory line per client: model outputs for ``tvt score``, or a
reference. Names are re-exported on first use, so importing one rater does not load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "rate_conversation": "tvt.rate.lexical",
    "rate_dataset_lexical": "tvt.rate.lexical",
    "RATERS": "tvt.rate.registry",
    "ConversationRater": "tvt.rate.registry",
    "Rater": "tvt.rate.registry",
    "RatingRun": "tvt.rate.registry",
    "get_rater": "tvt.rate.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'tvt.rate' has no attribute {name!r}")
