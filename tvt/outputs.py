"""Where a command's output may go: checked before the work starts, then written safely.

The one place that decides how tvt treats an output path, so that no command can destroy data:

- ``-`` is standard output;
- a FIFO or a character device (``/dev/null``, a terminal, a pipe named on the command line) is
  opened and written into, never replaced by a regular file;
- a symbolic link is written through: its target is replaced atomically and the link is kept;
- anything else is written to a hidden temporary file beside the destination and renamed onto
  it only when complete, so an interrupted or failed write (a full disk) leaves the old file, or
  nothing, never half a file.

:func:`check_output` and :func:`check_output_folder` run before the work: they refuse (exit 2,
naming the user's path) an output that is one of the command's own inputs, a folder where a file
is expected, an existing file where the command asks for ``--force``, and a destination whose
folder cannot be written. Error messages name the path the user gave, never a temporary file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from tvt.errors import InputError, WorkFailed
from tvt.staging import WRITE_ERRORS

#: The path that means standard output.
STDOUT = "-"


def is_stdout(path: str | Path) -> bool:
    return str(path) == STDOUT


def is_stream(path: str | Path) -> bool:
    """Whether ``path`` (after symbolic links) is a FIFO or a character device."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def destination(path: str | Path) -> Path:
    """The file a write to ``path`` lands in: a symbolic link's target (followed to the end)."""
    return Path(os.path.realpath(path))


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return destination(a) == destination(b)


#: The files of a dataset folder (``tvt.dataset`` writes them): an input folder stands for these,
#: not for everything in it (an ``outputs.jsonl`` written into the folder earlier is no input).
DATASET_FILES = (
    "cases.jsonl",
    "conversations.jsonl",
    "reference.jsonl",
    "failures.jsonl",
    "manifest.json",
    "README.md",
    "croissant.json",
)


def _input_files(inputs: Iterable[str | Path | None]) -> list[Path]:
    """The input paths, with a dataset folder's own files added."""
    files: list[Path] = []
    for item in inputs:
        if item is None or is_stdout(item):
            continue
        path = Path(item)
        files.append(path)
        if path.is_dir():
            files.extend(path / name for name in DATASET_FILES if (path / name).is_file())
    return files


def _writable_folder(folder: Path) -> Path | None:
    """The nearest existing folder at or above ``folder`` if it cannot be written, else None."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        return probe
    return None


def _unwritable(option: str, blocked: Path) -> str:
    what = "is not writable" if blocked.is_dir() else "is not a folder"
    return f"{option} cannot be written there: {blocked} {what}"


def check_output(
    path: str | Path | None,
    *,
    option: str,
    inputs: Iterable[str | Path | None] = (),
    force: bool | None = None,
) -> None:
    """Refuse, before the work, an output file that cannot or must not be written.

    ``option`` names the flag in messages (``--out``); ``inputs`` are the command's input files
    and folders; ``force`` is the command's ``--force`` (``None`` for a command without one,
    which replaces an existing regular file as its help says).
    """
    if path is None or is_stdout(path):
        return
    path = Path(path)
    for item in _input_files(inputs):
        if path.exists() and _same(path, item) or destination(path) == destination(item):
            if item.is_dir():
                raise InputError(
                    f"{option} is the input folder {item}; choose a file elsewhere", path=path
                )
            raise InputError(
                f"{option} would overwrite the input file {item}; choose another path",
                path=path,
            )
    if is_stream(path):
        return
    if path.is_dir():
        raise InputError(f"{option} is a folder; give a file name", path=path)
    if force is False and path.exists():
        raise InputError(f"{option} already exists; pass --force to replace it", path=path)
    blocked = _writable_folder(destination(path).parent)
    if blocked is not None:
        raise InputError(_unwritable(option, blocked), path=path)


def check_outputs(
    outputs: Mapping[str, str | Path | None],
    *,
    inputs: Iterable[str | Path | None] = (),
    force: bool | None = None,
) -> None:
    """:func:`check_output` for each ``{option: path}``, and no two options on one file."""
    inputs = list(inputs)
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        check_output(path, option=option, inputs=inputs, force=force)
        if path is None or is_stdout(path) or is_stream(path):
            continue
        target = destination(path)
        if target in seen:
            raise InputError(f"{option} and {seen[target]} name the same file", path=path)
        seen[target] = option


def check_output_folder(
    out: str | Path, *, option: str = "--out", inputs: Iterable[str | Path | None] = ()
) -> None:
    """Refuse, before the work, an output folder that is (or holds) one of the inputs, or is
    not a folder, or cannot be written."""
    out = Path(out)
    if is_stdout(out):
        raise InputError(f"{option} must be a folder, not standard output", path=out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option} exists and is not a folder", path=out)
    target = destination(out)
    for item in inputs:
        if item is None or is_stdout(item):
            continue
        source = destination(item)
        if source == target or target in source.parents:
            raise InputError(
                f"{option} would write into the input {item}; choose another folder", path=out
            )
    blocked = _writable_folder(target)
    if blocked is not None:
        raise InputError(_unwritable(option, blocked), path=out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _ours(exc: OSError, *names: str) -> bool:
    """Whether ``exc`` is the failure of writing one of ``names``."""
    if exc.filename is None:
        return exc.errno in WRITE_ERRORS
    return str(exc.filename) in names


def _failed(path: Path, exc: OSError, *, stream: bool = False) -> WorkFailed:
    reason = exc.strerror or str(exc)
    kept = "" if stream else "; the file was left as it was"
    return WorkFailed(f"{path}: could not write ({reason}){kept}")


@contextlib.contextmanager
def open_output(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open ``path`` for writing as the module docstring describes; text is UTF-8 with ``\\n``.

    A regular file appears only if the block succeeds; a write error (a full disk, a folder made
    read-only meanwhile) raises ``WorkFailed`` naming ``path``.
    """
    binary = "b" in mode
    if is_stdout(path):
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    path = Path(path)
    if is_stream(path):
        try:
            with (
                open(path, mode)
                if binary
                else open(path, mode, encoding="utf-8", newline="\n") as fh
            ):
                yield fh
        except OSError as exc:
            if not _ours(exc, str(path)):
                raise
            raise _failed(path, exc, stream=True) from None
        return
    target = destination(path)  # through a symbolic link: the link stays, its target changes
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _failed(path, exc) from None
    try:
        opened = (
            os.fdopen(fd, mode) if binary else os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        )
        with opened as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if not _ours(exc, tmp, str(target)):
            raise  # not this write's error (an input the block was reading, say)
        raise _failed(path, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
