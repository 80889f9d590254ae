"""Reading and writing JSON / JSON Lines safely.

Readers report the file and line of every problem (``InputError``, exit code 2) and accept a UTF-8
BOM and CRLF line ends. Writers never leave a half-written file: they write to a temporary file in
the target folder and rename it into place (``-``, FIFOs, devices and symbolic links are handled
by :mod:`tvt.outputs`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

# orjson encodes and decodes several times faster; the standard library stays the reference.
from orjson import JSONDecodeError as _FastError
from orjson import dumps as _fast_dumps
from orjson import loads as _fast_loads

from tvt.errors import InputError
from tvt.outputs import open_output

#: Inputs larger than this are refused before reading (a benchmark file is a few MB).
MAX_INPUT_BYTES = 2 * 1024**3
#: A JSON Lines record longer than this is refused as soon as it is read, so memory stays bounded
#: whatever a file holds (a conversation of tvt's or the public release is under 20 KB a line).
MAX_LINE_BYTES = 16 * 1024**2


def dumps(obj: Any) -> str:
    """Canonical one-line JSON used for every data file (stable across runs)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps_generated(obj: Any) -> str:
    """:func:`dumps` for the records tvt's generator builds, four to five times faster.

    orjson writes the same bytes as :func:`dumps` for these records (strings, integers,
    finite floats, lists and dicts with string keys; ``tests/test_cli_generate.py`` checks whole
    datasets byte for byte), but it would write a non-finite float as ``null`` instead of
    refusing it, so it is only for records whose numbers come from tvt's own bounded
    arithmetic. Anything orjson cannot encode goes through :func:`dumps`.
    """
    try:
        return _fast_dumps(obj).decode()
    except TypeError:
        return dumps(obj)


def check_size(path: Path, limit: int = MAX_INPUT_BYTES) -> None:
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"file is {size / 1024**3:.1f} GB, larger than the {limit / 1024**3:.1f} GB this "
            "command accepts",
            path=path,
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def iter_jsonl(path: str | Path, *, limit: int = MAX_INPUT_BYTES) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSON Lines file.

    Raises ``InputError`` naming the file and line on malformed JSON (including a truncated last
    line), a missing file, or an empty file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, found a folder", path=path)
    check_size(path, limit)
    seen = False
    with open(path, encoding="utf-8-sig", newline=None) as fh:
        try:
            for lineno, raw in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), ""), 1):
                if len(raw) > MAX_LINE_BYTES:
                    raise InputError(
                        f"line is longer than {MAX_LINE_BYTES // 1024**2} MB, the most a record "
                        "may hold (docs/formats.md)",
                        path=path,
                        line=lineno,
                    )
                line = raw.strip()
                if not line:
                    continue
                try:
                    obj = _fast_loads(line)
                except _FastError:
                    # The standard library decides and words the error; it also accepts what
                    # orjson refuses but JSON allows, such as integers beyond 64 bits.
                    try:
                        obj = json.loads(line, parse_constant=_reject_constant)
                    except (json.JSONDecodeError, ValueError) as exc:
                        truncated = not raw.endswith("\n")
                        hint = " (the last line looks truncated)" if truncated else ""
                        raise InputError(
                            f"malformed JSON{hint}: {exc}", path=path, line=lineno
                        ) from None
                seen = True
                yield lineno, obj
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    if not seen:
        raise InputError("file is empty", path=path)


def read_json(path: str | Path, *, limit: int = 256 * 1024**2) -> Any:
    """Read one JSON document with file-named errors."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    check_size(path, limit)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    if not text.strip():
        raise InputError("file is empty", path=path)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}", path=path) from None


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open ``path`` for writing: atomically for a regular file, streamed into ``-``, a FIFO or
    a device, through a symbolic link (see :mod:`tvt.outputs`)."""
    with open_output(path, mode) as fh:
        yield fh


def write_jsonl(path: str | Path, records: Iterable[Any]) -> None:
    """Write records as JSON Lines atomically."""
    with atomic_writer(path) as fh:
        for rec in records:
            fh.write(dumps(rec))
            fh.write("\n")


def write_json(path: str | Path, obj: Any, *, indent: int = 2) -> None:
    """Write one JSON document atomically (pretty-printed, trailing newline)."""
    with atomic_writer(path) as fh:
        fh.write(json.dumps(obj, ensure_ascii=False, indent=indent, allow_nan=False))
        fh.write("\n")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
