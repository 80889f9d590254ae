"""The native dataset folder: writing (atomic, streamed), the manifest and fingerprint, reading.

Layout::

    manifest.json        format, versions, seed, config, backend, per-file sha256, fingerprint
    cases.jsonl          one client per line
    conversations.jsonl  one (client, phase) per line, when conversations were produced
    reference.jsonl      one reference trajectory per client
    failures.jsonl       only when something could not be produced

Data files are streamed to temporary files inside the output folder and renamed into place only
when everything succeeded, so an interrupted run never leaves a half-written dataset behind.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any, cast

from tvt import __version__
from tvt.errors import InputError
from tvt.jsonio import dumps, read_json, write_json
from tvt.records import BackendInfo, FileEntry, Manifest, ManifestHead, iter_records
from tvt.staging import Staging

__all__ = [
    "DATA_FILES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "TVT_FILES",
    "DatasetWriter",
    "Finalize",
    "base_manifest",
    "dependency_versions",
    "fingerprint",
    "iter_records",
    "prepare_output",
    "load_manifest",
    "resolve_dataset",
]

FORMAT_NAME = "tvt-dataset"
FORMAT_VERSION = "1.0"

#: Files whose content is the dataset (covered by the fingerprint), in manifest order.
DATA_FILES = ("cases.jsonl", "conversations.jsonl", "reference.jsonl", "failures.jsonl")
#: Files tvt writes into a dataset folder (replaced by ``--force``).
TVT_FILES = (*DATA_FILES, "manifest.json", "README.md", "croissant.json")


def dependency_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour shapes the data (recorded in the manifest)."""
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


#: The finalize step of a :class:`DatasetWriter`: given the staging folder, holding the final data
#: files and ``manifest.json``, and the manifest, write what else belongs to the dataset (its card)
#: and return those files' names.
Finalize = Callable[[Path, Manifest], Sequence[str]]


class DatasetWriter:
    """Streams the dataset files into a staging folder, then commits them all at once.

    Use as a context manager; :meth:`commit` must be called inside it for the files to appear.
    On an exception the staging folder is removed and an existing dataset is left untouched.

    ``finalize`` runs at commit, after the data files and the manifest are final; the caller
    passes the step that describes them (``tvt.card.write_card``), or ``None`` to write the data
    and manifest only.
    """

    def __init__(self, out: Path, manifest: ManifestHead, *, finalize: Finalize | None) -> None:
        self.out = Path(out)
        self.manifest = manifest
        self.finalize = finalize
        self._staging = Staging(self.out, remove_empty_out=False)
        self._handles: dict[str, IO[bytes]] = {}
        # Each file's sha256 is taken from the bytes as they are written, not by reading the
        # file again at commit (20 MB for 500 clients).
        self._hashes: dict[str, hashlib._Hash] = {}
        self._lines: dict[str, int] = {}

    @property
    def staging(self) -> Path:
        return self._staging.path

    def __enter__(self) -> DatasetWriter:
        self._staging.__enter__()
        return self

    def write(self, name: str, record: Mapping[str, Any]) -> None:
        """Append one record to data file ``name`` (e.g. ``cases.jsonl``)."""
        self.write_lines(name, (dumps(record) + "\n").encode("utf-8"), 1)

    def write_text(self, name: str, text: str, lines: int) -> None:
        """Append already rendered JSON Lines (``lines`` records, each ending in a newline)."""
        self.write_lines(name, text.encode("utf-8"), lines)

    def write_lines(self, name: str, data: bytes, lines: int) -> None:
        """Append already rendered UTF-8 JSON Lines (``lines`` records, each ending in ``\\n``)."""
        fh = self._handles.get(name)
        if fh is None:
            if name not in DATA_FILES:
                raise ValueError(f"not a dataset file: {name}")
            fh = self._handles[name] = open(self.staging / name, "wb")
            self._hashes[name] = hashlib.sha256()
            self._lines[name] = 0
        fh.write(data)
        self._hashes[name].update(data)
        self._lines[name] += lines

    def commit(self) -> Manifest:
        """Close the files, write the manifest, finalize, and move everything into place."""
        for fh in self._handles.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        files: dict[str, FileEntry] = {}
        hashes = {}
        for name in DATA_FILES:
            path = self.staging / name
            if name in self._hashes:
                hashes[name] = self._hashes[name].hexdigest()
                files[name] = {
                    "sha256": hashes[name],
                    "bytes": path.stat().st_size,
                    "records": self._lines[name],
                }
        manifest: Manifest = {**self.manifest, "files": files, "fingerprint": fingerprint(hashes)}
        write_json(self.staging / "manifest.json", manifest)
        extra = tuple(self.finalize(self.staging, manifest)) if self.finalize else ()
        # Stale tvt files of an earlier run that this run did not produce go (--force).
        self._staging.promote([*files, "manifest.json", *extra], remove_missing=TVT_FILES)
        return manifest

    def __exit__(self, *exc: Any) -> None:
        for fh in self._handles.values():
            if not fh.closed:
                fh.close()
        self._staging.__exit__(*exc)


def base_manifest(
    *,
    seed: int | None,
    clients: int,
    config: Any | None,
    backend: BackendInfo,
    phases: list[str],
) -> ManifestHead:
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


def manifest_head(manifest: Manifest) -> ManifestHead:
    """The fields of ``manifest`` that describe how the dataset was made (without its files)."""
    head = {k: v for k, v in manifest.items() if k not in ("files", "fingerprint")}
    return cast(ManifestHead, head)  # Manifest is ManifestHead plus files and fingerprint


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


def load_manifest(folder: str | Path) -> Manifest | None:
    """A dataset's ``manifest.json`` (written by tvt; ``tvt validate`` checks it against its
    schema), or None when the folder has none."""
    path = Path(folder) / "manifest.json"
    return cast(Manifest, read_json(path)) if path.exists() else None
