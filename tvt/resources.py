"""Locate the data that ships with tvt (seeds/, schemas/, benchmark/).

In a source checkout or editable install the folders sit beside the package; in a wheel they are
copied into ``tvt/_data`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``seeds``, ``schemas`` or ``benchmark``)."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tvt data folder '{name}' is missing from this installation")


def seeds_path(*parts: str) -> Path:
    return data_dir("seeds").joinpath(*parts)


def schemas_path(*parts: str) -> Path:
    return data_dir("schemas").joinpath(*parts)


@cache
def load_seed_json(*parts: str) -> Any:
    """Load (and cache) a JSON file from seeds/. Callers must not mutate the result."""
    with open(seeds_path(*parts), encoding="utf-8") as fh:
        return json.load(fh)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load a JSON Schema from schemas/ by file name (e.g. ``case.schema.json``)."""
    with open(schemas_path(name), encoding="utf-8") as fh:
        return json.load(fh)
