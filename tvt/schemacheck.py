"""JSON Schema checks that end in one readable sentence: the one wrapper around ``jsonschema``.

Every schema in ``schemas/`` is draft 2020-12. A failed check is reported as the most relevant
error (``jsonschema.exceptions.best_match``), with the dotted path of the field at fault.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from tvt.errors import InputError
from tvt.resources import load_schema

#: Longer messages (a whole object echoed back by jsonschema) are cut to this many characters.
MAX_MESSAGE = 200


def _is_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


# JSON Schema counts 1.0 as an integer; tvt's readers index and compare client ids, SUDS and turn
# counts as Python ints, so an integer field written with a fraction is refused by the schema too
# (the quick checks of records.py already refuse it, and the two must agree).
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@cache
def validator(name: str) -> Any:
    """The validator of ``schemas/<name>`` (``name`` with or without ``.schema.json``)."""
    if not name.endswith(".schema.json"):
        name = f"{name}.schema.json"
    return _Validator(load_schema(name))


def field_path(error: jsonschema.ValidationError) -> str | None:
    """Dotted path of the field an error is about (``None`` for the whole object)."""
    return ".".join(str(p) for p in error.absolute_path) or None


def message(error: jsonschema.ValidationError) -> str:
    msg = error.message
    return msg if len(msg) <= MAX_MESSAGE else msg[: MAX_MESSAGE - 1] + "…"


def first_error(schema: str, obj: Any) -> jsonschema.ValidationError | None:
    """The most relevant error of ``obj`` against ``schema``, or ``None`` when it is valid."""
    return best_match(validator(schema).iter_errors(obj))


def check(
    schema: str,
    obj: Any,
    *,
    path: str | Path | None = None,
    line: int | None = None,
    what: str | None = None,
    top_level: str | None = None,
) -> None:
    """Raise ``InputError`` (file, line, field, reason) unless ``obj`` is valid against ``schema``.

    ``what`` prefixes the reason ("not a valid leaderboard entry: ..."); ``top_level`` names the
    field of an error about the whole object (none by default).
    """
    error = first_error(schema, obj)
    if error is not None:
        reason = message(error) if what is None else f"{what}: {message(error)}"
        field = field_path(error) or top_level
        raise InputError(reason, path=path, line=line, field=field)
