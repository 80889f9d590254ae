"""The dataset card (README.md) and Croissant 1.0 metadata (croissant.json) of a dataset folder.

``about``: name, summary, licence, citation; ``survey``: one pass over the records gathering what
the card reports; ``readme``: the card; ``croissant``: the metadata. :func:`write_card` is the
finalize step the dataset writer runs once the data files and manifest are final.
"""

from __future__ import annotations

from pathlib import Path

from tvt.card.about import LICENSE_NAME, LICENSE_URL, PAPER_BIBTEX, dataset_name, tvt_bibtex
from tvt.card.croissant import (
    CROISSANT_CONFORMS_TO,
    CROISSANT_CONTEXT,
    RECORD_SETS,
    FieldScan,
    croissant,
    field_values,
    is_missing,
    load_croissant,
)
from tvt.card.readme import dataset_card
from tvt.card.survey import Survey, survey_folder
from tvt.jsonio import atomic_writer, write_json
from tvt.records import Manifest
from tvt.stats import preload_chi_square, resolve_targets

#: The files :func:`write_card` writes.
CARD_FILES = ("README.md", "croissant.json")


def preload_card() -> None:
    """Import the libraries :func:`write_card` needs (scipy for the chi-square p-values) ahead of
    time, e.g. while other processes are still producing the records."""
    preload_chi_square()


def write_card(
    folder: str | Path, manifest: Manifest, survey: Survey | None = None
) -> tuple[str, ...]:
    """Write README.md and croissant.json into ``folder``; return their names.

    ``manifest`` must describe the final data files. ``survey`` is what a pass over the records
    learnt, when the caller gathered it while writing them; otherwise the files are read (and
    checked: a bad record raises ``InputError``).
    """
    folder = Path(folder)
    if survey is None:
        survey = survey_folder(folder)
    config, note = resolve_targets(manifest)
    stats = survey.stats.report(manifest, config=config, targets_note=note)
    with atomic_writer(folder / "README.md") as fh:
        fh.write(dataset_card(manifest, stats, survey))
    write_json(folder / "croissant.json", croissant(folder, manifest, survey.scans))
    return CARD_FILES


__all__ = [
    "CARD_FILES",
    "CROISSANT_CONFORMS_TO",
    "CROISSANT_CONTEXT",
    "LICENSE_NAME",
    "LICENSE_URL",
    "PAPER_BIBTEX",
    "RECORD_SETS",
    "FieldScan",
    "Survey",
    "croissant",
    "dataset_card",
    "dataset_name",
    "field_values",
    "is_missing",
    "load_croissant",
    "preload_card",
    "survey_folder",
    "tvt_bibtex",
    "write_card",
]
