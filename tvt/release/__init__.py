"""Import and export of the public release layout of Thousand Voices of Trauma.

The release keeps one JSON file per (client, phase) in two folders::

    conversations/{client_id}_{phase}_conversation.json   full_conversation, three_turn_sequences
    metadata/{client_id}_{phase}_metadata.json            client_profile, therapist_profile,
                                                          trauma_info

:func:`import_release` reads it into a native dataset folder, repairing the release's known quirks
and recording every repair or skip in an :class:`ImportReport` (nothing is dropped silently).
The original turn strings survive the import (see :func:`parse_turn`), so :func:`export_release`
reproduces ``full_conversation`` and ``three_turn_sequences`` exactly. The formats and every
repair are documented in docs/formats.md; the Hugging Face export is :mod:`tvt.export_hf`.

One concept per module:

* :mod:`~tvt.release.report` -- the import report;
* :mod:`~tvt.release.spellings` -- canonical spellings of profile values;
* :mod:`~tvt.release.metadata` -- metadata repair (and the release's client field list);
* :mod:`~tvt.release.turns` -- the turn-string codec;
* :mod:`~tvt.release.conversations` -- conversation repair (SUDS via :mod:`tvt.suds_text`);
* :mod:`~tvt.release.scan` -- the folder scan;
* :mod:`~tvt.release.importer` and :mod:`~tvt.release.exporter`.
"""

from __future__ import annotations

from tvt.fields import CLIENT_FIELDS
from tvt.release.conversations import assign_suds, repair_conversation
from tvt.release.exporter import export_release, release_conversation, release_metadata
from tvt.release.importer import import_release
from tvt.release.metadata import Unusable, repair_metadata
from tvt.release.report import Entry, ImportReport, NothingUsable
from tvt.release.scan import ReleaseFiles, scan_release
from tvt.release.spellings import ALIASES, canonical, canonical_values
from tvt.release.turns import EMPTY_TURN_TEXT, parse_turn, render_turn, sliding_windows

__all__ = [
    "ALIASES",
    "CLIENT_FIELDS",
    "EMPTY_TURN_TEXT",
    "Entry",
    "ImportReport",
    "NothingUsable",
    "ReleaseFiles",
    "Unusable",
    "assign_suds",
    "canonical",
    "canonical_values",
    "export_release",
    "import_release",
    "parse_turn",
    "release_conversation",
    "release_metadata",
    "render_turn",
    "repair_conversation",
    "repair_metadata",
    "scan_release",
    "sliding_windows",
]
