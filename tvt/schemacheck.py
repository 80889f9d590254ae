"""JSON Schema checks that end in one readable sentence: the one wrapper around ``jsonschema``.

Every schema in ``schemas/`` is draft 2020-12. A failed check is reported as the most relevant
error (``jsonschema.exceptions.best_match``), with the dotted path of the field at fault, followed
by the record's other errors (up to :data:`MAX_ERRORS` in all), so that a record with two mistakes
is fixed in one go rather than one run per mistake.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from tvt.errors import InputError
from tvt.numbers import short
from tvt.resources import load_schema

#: Longer messages (a whole object echoed back by jsonschema) are cut to this many characters.
MAX_MESSAGE = 200
#: How many errors of one record are listed.
MAX_ERRORS = 10


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


#: An integer or decimal long enough to swamp a message (``1e308`` written out has 309 digits).
_LONG_NUMBER = re.compile(r"-?\d{16,}(?:\.\d+)?")


def _short_number(match: re.Match[str]) -> str:
    text = match.group(0)
    return short(int(text)) if "." not in text else short(float(text))


def message(error: jsonschema.ValidationError) -> str:
    msg = _LONG_NUMBER.sub(_short_number, error.message)
    return msg if len(msg) <= MAX_MESSAGE else msg[: MAX_MESSAGE - 1] + "…"


def first_error(schema: str, obj: Any) -> jsonschema.ValidationError | None:
    """The most relevant error of ``obj`` against ``schema``, or ``None`` when it is valid."""
    return best_match(validator(schema).iter_errors(obj))


def _within(error: jsonschema.ValidationError, best: jsonschema.ValidationError) -> bool:
    """Whether ``best`` is ``error`` or one of the errors inside it (an ``anyOf`` branch)."""
    if error is best:
        return True
    return any(_within(sub, best) for sub in error.context or ())


def errors(
    schema: str, obj: Any, limit: int = MAX_ERRORS
) -> tuple[list[jsonschema.ValidationError], int]:
    """The errors of ``obj`` against ``schema``: the most relevant first (as :func:`first_error`),
    then the others in field order, at most ``limit``; and how many there are in all."""
    found = list(validator(schema).iter_errors(obj))
    if not found:
        return [], 0
    best = best_match(iter(found))
    assert best is not None
    rest = sorted(
        (e for e in found if not _within(e, best)),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    listed = [best, *rest]
    return listed[:limit], len(listed)


def describe(listed: list[jsonschema.ValidationError], total: int) -> tuple[str, str | None]:
    """One sentence for :class:`InputError`: the first error's reason (its field apart), then
    ``; also <field>: <reason>`` for each other, and how many more were not listed."""
    first, *others = listed
    parts = [message(first)]
    for error in others:
        where = field_path(error)
        parts.append(f"also {where}: {message(error)}" if where else f"also {message(error)}")
    if total > len(listed):
        parts.append(f"and {total - len(listed)} more")
    return "; ".join(parts), field_path(first)


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
    listed, total = errors(schema, obj)
    if listed:
        text, where = describe(listed, total)
        reason = text if what is None else f"{what}: {text}"
        raise InputError(reason, path=path, line=line, field=where or top_level)
