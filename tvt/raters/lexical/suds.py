"""SUDS stated in a conversation, as the lexical rater reads it: the ``suds`` field, else the text.

The text is read by :func:`tvt.suds_text.read_suds`, the same reader the importer uses, so a
sentence gives the same SUDS whether the rater reads it or an imported dataset stores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tvt.suds_text import read_suds


@dataclass
class SudsReading:
    """SUDS stated in one conversation, normalised to 0-100."""

    values: list[float]
    #: 10 or 100 when read from text (the scale all statements were read on), None when taken
    #: from the suds field or when the statements mix both scales
    scale: int | None
    source: str  # "field", "text" or "none"

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


def stated_suds(
    turns: Sequence[Mapping[str, Any]], *, use_field: bool = True, use_text: bool = True
) -> SudsReading:
    """The SUDS ratings stated in a conversation.

    The ``suds`` field of the turns (0-100) when any turn has one; otherwise the client's words,
    read by :func:`tvt.suds_text.read_suds`. ``use_field=False`` ignores the field and reads the
    text, as for a release whose turns carry no field; ``use_text=False`` reads the field only.
    """
    if use_field:
        fields = [
            float(t["suds"])
            for t in turns
            if isinstance(t.get("suds"), (int, float)) and not isinstance(t.get("suds"), bool)
        ]
        fields = [v for v in fields if 0 <= v <= 100]
        if fields:
            return SudsReading(fields, None, "field")
    if not use_text:
        return SudsReading([], None, "none")
    statements = read_suds(turns)
    if not statements:
        return SudsReading([], None, "none")
    scales = {st.scale for st in statements}
    scale = scales.pop() if len(scales) == 1 else None
    return SudsReading([float(st.value) for st in statements], scale, "text")
