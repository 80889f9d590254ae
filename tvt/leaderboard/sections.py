"""The sections of the leaderboard: which entry statuses exist, in which order they are shown,
and how each is titled and drawn.

Every renderer and the ranking iterate over :data:`SECTIONS`, so a new kind of entry (a new
``status`` in ``schemas/leaderboard-entry.schema.json``) is one more :class:`Section` here plus
its note in ``assets/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Section:
    """One group of entries, ranked on its own and never mixed with the others.

    On the page, the paragraph under the heading is the asset ``assets/note-<status>.html``.
    """

    status: str
    #: Heading in every format.
    title: str
    #: What the page's last column shows: the entry's mean trajectory, or where it comes from.
    last_column: Literal["trajectory", "source", "commitment"]
    #: Decimals of S_abs: published numbers have two, recomputed ones three.
    s_abs_digits: int
    #: Whether the text and Markdown tables end with the paper's citation.
    cite: bool = False
    #: Whether entries get a rank (custom references never do).
    ranked: bool = True


SECTIONS: tuple[Section, ...] = (
    # Tiers, most trusted first; no entry is ever ranked against one of another section.
    Section(
        status="sealed",
        title="Sealed: tvt eval on a fresh secret split, the model in the loop, signed by a "
        "maintainer key (headline)",
        last_column="commitment",
        s_abs_digits=3,
    ),
    Section(
        status="self-run",
        title="Self-run: tvt eval entries not signed by a maintainer key, or under 100 clients",
        last_column="commitment",
        s_abs_digits=3,
    ),
    Section(
        status="verified",
        title="Dev (answer key public): recomputed by tvt from submitted outputs on a published "
        "split",
        last_column="trajectory",
        s_abs_digits=3,
    ),
    Section(
        status="custom",
        title="Custom references (not ranked): scored against a reference that is no published "
        "benchmark split",
        last_column="trajectory",
        s_abs_digits=3,
        ranked=False,
    ),
    Section(
        status="reported",
        title="Reported: published numbers on the paper's own data, not verifiable here",
        last_column="source",
        s_abs_digits=2,
        cite=True,
    ),
)
STATUSES = tuple(s.status for s in SECTIONS)
