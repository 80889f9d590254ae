"""Raters: turn each phase conversation of a dataset into an emotional-intensity rating (1-10).

* :mod:`tvt.rate.lexical` -- offline baseline from stated SUDS and client language.
* :mod:`tvt.rate.llm` -- zero-shot rating through any OpenAI-compatible endpoint.

Both write one trajectory line per client: model outputs for ``tvt score``, or a reference.
Submodules are imported on use, so ``python -m tvt.rate.lexical`` runs cleanly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rate_conversation", "rate_dataset_lexical"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tvt.rate import lexical

        return getattr(lexical, name)
    raise AttributeError(f"module 'tvt.rate' has no attribute {name!r}")
