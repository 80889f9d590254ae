"""The offline lexical rater: a transparent baseline, not a measure of truth.

For each phase conversation it combines two signals into one intensity from 1 to 10:

1. **Stated SUDS** (:mod:`~tvt.raters.lexical.suds`): the ``suds`` field of turns when present
   (always 0-100 in tvt's format); otherwise the SUDS the client states in words, read by
   :mod:`tvt.suds_text` (the same reader the importer uses), normalised to 0-100 and averaged.
2. **Language distress** of the client's turns (:mod:`~tvt.raters.lexical.lexicon`, with a
   streamlined VADER in :mod:`~tvt.raters.lexical.vader`), averaged weighted by
   ``min(tokens, 40)``.

The rule (:mod:`~tvt.raters.lexical.rule`): ``language = 1 + 9 * clip((L - 0.3) / 0.45, 0, 1)``;
``suds = 1 + 9 * SUDS / 100``; the rating is ``0.6 * suds + 0.4 * language`` when SUDS was
stated, else ``language``. A conversation with neither client words nor SUDS gets no rating and
is reported. :mod:`~tvt.raters.lexical.rater` rates conversations and dataset folders;
``benchmark/lexical_validity.py`` measures how well it recovers a dataset's plan.
"""

from __future__ import annotations

from tvt.raters.lexical.lexicon import (
    Lexicon,
    client_turn_scores,
    language_score,
    lexicon_balance,
    load_lexicon,
    tokenize,
)
from tvt.raters.lexical.rater import (
    RATER_NAME,
    RATER_VERSION,
    SIGNALS,
    ConversationRating,
    parse_signals,
    rate_conversation,
    rate_conversations_lexical,
    rate_dataset_lexical,
    rater_label,
)
from tvt.raters.lexical.rule import (
    LANGUAGE_LOW,
    LANGUAGE_SPAN,
    SUDS_WEIGHT,
    TOKEN_CAP,
    combine,
    language_to_intensity,
    rounded,
    suds_to_intensity,
    weighted_language,
)
from tvt.raters.lexical.suds import SudsReading, stated_suds
from tvt.raters.lexical.vader import vader_compound

__all__ = [
    "LANGUAGE_LOW",
    "LANGUAGE_SPAN",
    "RATER_NAME",
    "RATER_VERSION",
    "SIGNALS",
    "SUDS_WEIGHT",
    "TOKEN_CAP",
    "ConversationRating",
    "Lexicon",
    "SudsReading",
    "client_turn_scores",
    "combine",
    "language_score",
    "language_to_intensity",
    "lexicon_balance",
    "load_lexicon",
    "parse_signals",
    "rate_conversation",
    "rate_conversations_lexical",
    "rate_dataset_lexical",
    "rater_label",
    "rounded",
    "stated_suds",
    "suds_to_intensity",
    "tokenize",
    "vader_compound",
    "weighted_language",
]
