"""Raters: turn each phase conversation of a dataset into an emotional-intensity rating (1-10).

* :mod:`tvt.rate.lexical` -- offline baseline from stated SUDS and client language.
* :mod:`tvt.rate.llm` -- zero-shot rating through any OpenAI-compatible endpoint.

Both write one trajectory line per client: model outputs for ``tvt score``, or a reference.
"""

from __future__ import annotations

from tvt.rate.lexical import rate_conversation, rate_dataset_lexical

__all__ = ["rate_conversation", "rate_dataset_lexical"]
