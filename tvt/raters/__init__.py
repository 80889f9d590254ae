"""Raters: turn each phase conversation of a dataset into an emotional-intensity rating (1-10).

* :mod:`tvt.raters.lexical` -- offline baseline from stated SUDS and client language.
* :mod:`tvt.raters.llm` -- zero-shot rating through any OpenAI-compatible endpoint.
* :mod:`tvt.raters.registry` -- the :class:`Rater` protocol and the registry ``--rater`` reads,
  which third-party packages extend through the ``tvt.raters`` entry point group.

Every rater writes one trajectory line per client: model outputs for ``tvt score``, or a
reference. Names are re-exported on first use, so importing one rater does not load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "rate_conversation": "tvt.raters.lexical",
    "rate_conversations_lexical": "tvt.raters.lexical",
    "rate_dataset_lexical": "tvt.raters.lexical",
    "RATERS": "tvt.raters.registry",
    "ConversationRater": "tvt.raters.registry",
    "Rater": "tvt.raters.registry",
    "Ratings": "tvt.raters.registry",
    "RatingRun": "tvt.raters.registry",
    "get_rater": "tvt.raters.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'tvt.raters' has no attribute {name!r}")
