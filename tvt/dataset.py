"""The native dataset folder: writing (atomic, streamed), the manifest and fingerprint, reading.

Layout (SPEC §3)::

    manifest.json        format, versions, seed, config, backend, per-file sha256, fingerprint
    cases.jsonl          one client per line
    conversations.jsonl  one (client, phase) per line, when conversations were produced
    reference.jsonl      one reference trajectory per client
    failures.jsonl       only when something could not be produced

Data files are streamed to temporary files inside the output folder and renamed into place only
when everything succeeded, so an interrupted run never leaves a half-written dataset behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tvt import __version__
from tvt.errors import InputError
from tvt.jsonio import dumps, iter_jsonl, read_json, sha256_file, write_json

FORMAT_NAME = "tvt-dataset"
FORMAT_VERSION = "1.0"

#: Files whose content is the dataset (covered by the fingerprint), in manifest order.
DATA_FILES = ("cases.jsonl", "conversations.jsonl", "reference.jsonl", "failures.jsonl")
#: Files tvt writes into a dataset folder (replaced by ``--force``).
TVT_FILES = (*DATA_FILES, "manifest.json", "README.md", "croissant.json")


def dependency_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour shapes the data (recorded in the manifest)."""
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for dist in ("numpy", "faker", "orjson"):
        out[dist] = version(dist)
    return out


def fingerprint(file_hashes: dict[str, str]) -> str:
    """sha256 over the data files' names and sha256, in a fixed order."""
    h = hashlib.sha256()
    for name in DATA_FILES:
        if name in file_hashes:
            h.update(f"{name}:{file_hashes[name]}\n".encode())
    return h.hexdigest()


def prepare_output(out: Path, force: bool) -> None:
    """Check that ``out`` can receive a dataset; refuse a non-empty folder unless ``force``."""
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", path=out)
    if out.is_dir():
        entries = [p for p in out.iterdir() if not p.name.startswith(".tvt-")]
        if entries and not force:
            raise InputError(
                "output folder is not empty; choose another --out or pass --force to replace "
                "the tvt files in it",
                path=out,
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".tvt-probe-", delete=True)
        probe.close()
    except OSError as exc:
        raise InputError(f"output folder is not writable ({exc.strerror})", path=out) from None


@dataclass
class DatasetWriter:
    """Streams the dataset files into a staging folder, then commits them all at once.

    Use as a context manager; :meth:`commit` must be called inside it for the files to appear.
    On an exception the staging folder is removed and an existing dataset is left untouched.
    """

    out: Path
    manifest: dict[str, Any]
    staging: Path = field(init=False)
    _handles: dict[str, IO[str]] = field(default_factory=dict, init=False)
    _lines: dict[str, int] = field(default_factory=dict, init=False)
    committed: bool = field(default=False, init=False)

    def __enter__(self) -> DatasetWriter:
        self.out.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".tvt-staging-", dir=self.out))
        return self

    def _handle(self, name: str) -> IO[str]:
        fh = self._handles.get(name)
        if fh is None:
            if name not in DATA_FILES:
                raise ValueError(f"not a dataset file: {name}")
            fh = self._handles[name] = open(
                self.staging / name, "w", encoding="utf-8", newline="\n"
            )
            self._lines[name] = 0
        return fh

    def write(self, name: str, record: dict[str, Any]) -> None:
        """Append one record to data file ``name`` (e.g. ``cases.jsonl``)."""
        fh = self._handle(name)
        fh.write(dumps(record))
        fh.write("\n")
        self._lines[name] += 1

    def write_text(self, name: str, text: str, lines: int) -> None:
        """Append already rendered JSON Lines (``lines`` records, each ending in a newline)."""
        self._handle(name).write(text)
        self._lines[name] += lines

    def commit(self) -> dict[str, Any]:
        """Close the files, write the manifest, and move everything into the output folder."""
        for fh in self._handles.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        files = {}
        hashes = {}
        for name in DATA_FILES:
            path = self.staging / name
            if path.exists():
                hashes[name] = sha256_file(path)
                files[name] = {
                    "sha256": hashes[name],
                    "bytes": path.stat().st_size,
                    "records": self._lines.get(name, 0),
                }
        manifest = {**self.manifest, "files": files, "fingerprint": fingerprint(hashes)}
        write_json(self.staging / "manifest.json", manifest)
        # The dataset card and Croissant metadata describe the final files, so they come last.
        from tvt.card import write_card

        write_card(self.staging, manifest)
        # Remove stale data files of an earlier run that this run did not produce (--force).
        for name in DATA_FILES:
            if not (self.staging / name).exists():
                with contextlib.suppress(FileNotFoundError):
                    (self.out / name).unlink()
        for name in (*files, "manifest.json", "README.md", "croissant.json"):
            os.replace(self.staging / name, self.out / name)
        self.committed = True
        return manifest

    def __exit__(self, *exc: object) -> None:
        for fh in self._handles.values():
            if not fh.closed:
                fh.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def base_manifest(
    *,
    seed: int | None,
    clients: int,
    config: Any | None,
    backend: dict[str, Any],
    phases: list[str],
) -> dict[str, Any]:
    """The manifest fields that describe how a dataset was made (no clock time, no paths)."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "tvt_version": __version__,
        "seed": seed,
        "clients": clients,
        "phases": phases,
        "config": None
        if config is None
        else {"name": config.name, "source": config.source, "sha256": config.sha256},
        "backend": backend,
        "versions": dependency_versions(),
    }


# -- reading -------------------------------------------------------------------------------------
def resolve_dataset(path: str | Path) -> Path:
    """Return the dataset folder ``path`` after checking that it looks like one."""
    path = Path(path)
    if not path.exists():
        raise InputError("dataset folder not found", path=path)
    if not path.is_dir():
        raise InputError("expected a dataset folder", path=path)
    if not (path / "cases.jsonl").exists() and not (path / "conversations.jsonl").exists():
        raise InputError(
            "not a tvt dataset folder (no cases.jsonl or conversations.jsonl)", path=path
        )
    return path


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    path = Path(folder) / "manifest.json"
    return read_json(path) if path.exists() else None


def iter_records(folder: str | Path, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, record)`` of a dataset file; nothing if the file does not exist."""
    path = Path(folder) / name
    if not path.exists():
        return
    for lineno, obj in iter_jsonl(path):
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object", path=path, line=lineno)
        yield lineno, obj
