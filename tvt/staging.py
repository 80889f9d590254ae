"""Staging folders: build a set of output files next to their destination, then swap them in.

Files are written into a hidden ``.tvt-staging-*`` folder inside the output folder (same file
system, so the final ``os.replace`` is atomic per entry). Only :meth:`Staging.promote` moves them
into place; leaving the ``with`` block any other way removes the staging folder, so an
interrupted command never leaves a half-written dataset or release behind. This is the one
implementation of that pattern in tvt.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

PREFIX = ".tvt-staging-"
#: Errors of a write that name no file (a full disk, a quota, a read-only file system).
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}


class Staging:
    """A staging folder inside ``out``. Use as a context manager.

    ``remove_empty_out``: when ``out`` did not exist before and the work fails, remove it again.
    """

    def __init__(self, out: Path, *, remove_empty_out: bool = True) -> None:
        self.out = Path(out)
        self._created_out = not self.out.exists()
        self._remove_empty_out = remove_empty_out
        self.path: Path = self.out  # set in __enter__

    def __enter__(self) -> Staging:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=self.out))
        except OSError as exc:
            raise self._named(exc) from None
        return self

    def _named(self, exc: OSError) -> OSError:
        """``exc`` reworded to name the output folder the user gave, not a staging file."""
        reason = f"could not write the output ({exc.strerror or exc}); nothing was changed"
        return OSError(exc.errno, reason, str(self.out))

    def promote(self, names: Iterable[str], *, remove_missing: Iterable[str] = ()) -> None:
        """Move the entries ``names`` (files or folders) from staging over those of ``out``.

        Entries in ``remove_missing`` that staging does not hold are deleted from ``out`` (stale
        files of an earlier run replaced with ``--force``).
        """
        for name in remove_missing:
            if not (self.path / name).exists():
                _remove(self.out / name)
        for name in names:
            source = self.path / name
            if not source.exists():
                continue
            target = self.out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(source, target)

    def __exit__(self, exc_type: object, exc: object = None, *_: object) -> None:
        if self.path != self.out:
            shutil.rmtree(self.path, ignore_errors=True)
        if exc_type is not None and self._created_out and self._remove_empty_out:
            with contextlib.suppress(OSError):
                self.out.rmdir()
        if isinstance(exc, OSError) and (
            str(exc.filename or "").startswith(str(self.path))
            or exc.filename is None
            and exc.errno in WRITE_ERRORS
        ):
            # A write into staging failed (a full disk): name the user's folder, not staging.
            raise self._named(exc) from exc


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
