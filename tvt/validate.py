"""Check a dataset folder, or one JSON Lines file, against the schemas in ``schemas/``.

Every line of every file is checked against its JSON Schema (draft 2020-12), through the same
entry point as tvt's readers of dataset records (:func:`tvt.records.problem`, in full); a dataset
folder is
also checked across files: the manifest's per-file sha256, byte and record counts and fingerprint
match the files, client ids are sorted and unique, conversations and references belong to known
clients, conversation phases are ones the manifest lists, and (client, phase) pairs are unique and
in benchmark order. Problems are collected (not raised one at a time) so a user sees the first few
with file, line and field, plus how many there are in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from tvt.dataset import DATA_FILES, fingerprint
from tvt.errors import InputError
from tvt.jsonio import iter_jsonl, read_json, sha256_file
from tvt.phases import PHASE_INDEX
from tvt.records import Manifest, problem
from tvt.resources import schemas_path

#: Data file of a dataset folder -> schema name (``schemas/<name>.schema.json``).
FILE_SCHEMAS: dict[str, str] = {
    "cases.jsonl": "case",
    "conversations.jsonl": "conversation",
    "reference.jsonl": "reference",
    "failures.jsonl": "failure",
}

#: How many problems are kept for display; the total is always counted.
DEFAULT_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as possible."""

    path: str
    reason: str
    line: int | None = None
    field: str | None = None

    def render(self) -> str:
        return InputError(self.reason, path=self.path, line=self.line, field=self.field).render()


@dataclass
class Result:
    """Outcome of a validation: the first problems, their total, and what was checked."""

    max_problems: int = DEFAULT_MAX_PROBLEMS
    problems: list[Problem] = field(default_factory=list)
    total: int = 0
    records: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.total == 0

    def add(
        self, path: str | Path, reason: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.total += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(str(path), reason, line, field))


def available_schemas() -> list[str]:
    """Schema names that ``--schema`` accepts (the files in ``schemas/``)."""
    return sorted(p.name.removesuffix(".schema.json") for p in schemas_path().glob("*.schema.json"))


def schema_for_file(path: Path) -> str | None:
    """Guess the schema of a file from its name (``cases.jsonl`` -> ``case``), or None."""
    name = path.name.lower()
    if name == "manifest.json":
        return "manifest"
    stem = name.split(".", 1)[0]
    known = set(available_schemas())
    for candidate in (stem, stem.rstrip("s"), stem.removesuffix("es")):
        if candidate in known:
            return candidate
    for prefix, schema in (
        ("case", "case"),
        ("conversation", "conversation"),
        ("reference", "reference"),
        ("failure", "failure"),
    ):
        if stem.startswith(prefix):
            return schema
    return None


def check_object(result: Result, schema: str, obj: Any, path: Path, line: int | None) -> bool:
    """Check one object against a whole schema; record the most relevant error. True if valid."""
    found = problem(schema, obj, full=True)
    if found is None:
        return True
    result.add(path, found[0], line, found[1])
    return False


def _lines(result: Result, path: Path) -> Iterator[tuple[int, Any]]:
    """``iter_jsonl`` that records a malformed or unreadable file as a problem and stops."""
    try:
        yield from iter_jsonl(path)
    except InputError as exc:
        result.add(exc.path or path, exc.reason + " (stopped reading this file)", exc.line)


@dataclass
class _Seen:
    """What the line checks of one file learnt, for the cross-file checks."""

    lines: int = 0
    client_ids: set[int] = field(default_factory=set)


def _check_jsonl(
    result: Result,
    path: Path,
    schema: str,
    *,
    known_clients: set[int] | None = None,
    phases: set[str] | None = None,
) -> _Seen:
    """Schema, order and uniqueness checks of one JSON Lines file."""
    seen = _Seen()
    last_key: tuple[int, ...] | None = None
    for lineno, obj in _lines(result, path):
        seen.lines += 1
        if not check_object(result, schema, obj, path, lineno):
            # Still remember the client, so one bad case line does not flag all its
            # conversations as belonging to an unknown client.
            cid = obj.get("client_id") if isinstance(obj, dict) else None
            if isinstance(cid, int) and not isinstance(cid, bool):
                seen.client_ids.add(cid)
            continue
        if schema not in ("case", "conversation", "reference"):
            continue
        cid = obj["client_id"]
        seen.client_ids.add(cid)
        if known_clients is not None and cid not in known_clients:
            result.add(path, f"client {cid} is not in cases.jsonl", lineno, "client_id")
        if schema == "conversation":
            phase = obj["phase"]
            if phases is not None and phase not in phases:
                result.add(
                    path,
                    f"phase {phase} is not one of the manifest's phases "
                    f"({', '.join(sorted(phases, key=lambda p: PHASE_INDEX[p]))})",
                    lineno,
                    "phase",
                )
            key: tuple[int, ...] = (cid, PHASE_INDEX[phase])
            what = f"client {cid} phase {phase}"
        else:
            key = (cid,)
            what = f"client {cid}"
        if last_key is not None:
            if key == last_key:
                result.add(path, f"duplicate record for {what}", lineno, "client_id")
            elif key < last_key:
                result.add(
                    path,
                    f"{what} is out of order (records must be sorted by client_id"
                    + (", then phase in benchmark order)" if schema == "conversation" else ")"),
                    lineno,
                    "client_id",
                )
        # Compare with the previous line only: one misplaced record then gives one or two
        # problems, not one for every line after it.
        last_key = key
    return seen


def validate_file(
    path: str | Path, schema: str | None = None, *, max_problems: int = DEFAULT_MAX_PROBLEMS
) -> Result:
    """Validate one JSON Lines file (or ``manifest.json``) against ``schema`` or its guessed one."""
    path = Path(path)
    result = Result(max_problems=max_problems)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file (or pass a dataset folder)", path=path)
    schema = schema or schema_for_file(path)
    if schema is None:
        raise InputError(
            "cannot tell which schema applies from the file name; pass --schema "
            f"({', '.join(available_schemas())})",
            path=path,
        )
    if schema not in available_schemas():
        raise InputError(
            f"unknown schema '{schema}' (choose from {', '.join(available_schemas())})",
            field="--schema",
        )
    result.notes.append(f"schema {schema}")
    if path.suffix.lower() == ".json":
        try:
            doc = read_json(path)
        except InputError as exc:
            result.add(exc.path or path, exc.reason, exc.line)
            return result
        check_object(result, schema, doc, path, None)
        result.records[path.name] = 1
        return result
    seen = _check_jsonl(result, path, schema)
    result.records[path.name] = seen.lines
    return result


def validate_dataset(folder: str | Path, *, max_problems: int = DEFAULT_MAX_PROBLEMS) -> Result:
    """Validate a native dataset folder: every file against its schema, then across files."""
    folder = Path(folder)
    result = Result(max_problems=max_problems)
    if not folder.is_dir():
        raise InputError("dataset folder not found", path=folder)
    manifest_path = folder / "manifest.json"
    manifest: Manifest | None = None
    if not manifest_path.exists():
        result.add(manifest_path, "manifest.json is missing")
    else:
        try:
            doc = read_json(manifest_path)
        except InputError as exc:
            result.add(manifest_path, exc.reason, exc.line)
        else:
            if check_object(result, "manifest", doc, manifest_path, None):
                manifest = cast(Manifest, doc)  # the schema holds
    present = [name for name in DATA_FILES if (folder / name).exists()]
    if "cases.jsonl" not in present:
        result.add(folder / "cases.jsonl", "cases.jsonl is missing")
    phases = set(manifest["phases"]) if manifest else None

    # Per-file checks; cases first, since the other files refer to its client ids.
    seen: dict[str, _Seen] = {}
    if "cases.jsonl" in present:
        seen["cases.jsonl"] = _check_jsonl(result, folder / "cases.jsonl", "case")
    known = seen["cases.jsonl"].client_ids if "cases.jsonl" in seen else None
    for name in present:
        if name == "cases.jsonl":
            continue
        seen[name] = _check_jsonl(
            result,
            folder / name,
            FILE_SCHEMAS[name],
            known_clients=known if name != "failures.jsonl" else None,
            phases=phases if name == "conversations.jsonl" else None,
        )
    result.records = {name: s.lines for name, s in seen.items()}

    if manifest is not None:
        _check_manifest(result, folder, manifest, present, seen)
    return result


def _check_manifest(
    result: Result,
    folder: Path,
    manifest: Manifest,
    present: list[str],
    seen: dict[str, _Seen],
) -> None:
    """The manifest agrees with the files: hashes, sizes, record counts, fingerprint, clients."""
    mpath = folder / "manifest.json"
    listed = manifest["files"]
    hashes: dict[str, str] = {}
    for name in present:
        path = folder / name
        hashes[name] = sha256_file(path)
        entry = listed.get(name)
        if entry is None:
            result.add(
                mpath, f"{name} is in the folder but not listed in the manifest", None, "files"
            )
            continue
        if entry["sha256"] != hashes[name]:
            result.add(
                mpath,
                f"sha256 of {name} does not match the file (the file changed after it was written)",
                None,
                f"files.{name}.sha256",
            )
        if entry["bytes"] != path.stat().st_size:
            result.add(
                mpath,
                f"{name} has {path.stat().st_size} bytes, the manifest says {entry['bytes']}",
                None,
                f"files.{name}.bytes",
            )
        if name in seen and entry["records"] != seen[name].lines:
            result.add(
                mpath,
                f"{name} has {seen[name].lines} records, the manifest says {entry['records']}",
                None,
                f"files.{name}.records",
            )
    for name in listed:
        if name not in present:
            result.add(mpath, f"the manifest lists {name}, which is missing", None, "files")
    if fingerprint(hashes) != manifest["fingerprint"]:
        result.add(
            mpath, "fingerprint does not match the data files in the folder", None, "fingerprint"
        )
    else:
        result.notes.append(f"fingerprint {manifest['fingerprint'][:12]} matches")
    if "cases.jsonl" in seen and manifest["clients"] != seen["cases.jsonl"].lines:
        result.add(
            mpath,
            f"the manifest says {manifest['clients']} clients, cases.jsonl has "
            f"{seen['cases.jsonl'].lines}",
            None,
            "clients",
        )


def validate_path(
    path: str | Path, schema: str | None = None, *, max_problems: int = DEFAULT_MAX_PROBLEMS
) -> Result:
    """Validate a dataset folder or a single file (``schema`` applies to a file only)."""
    path = Path(path)
    if not path.exists():
        raise InputError("not found", path=path)
    if path.is_dir():
        if schema is not None:
            raise InputError("--schema applies to a single file, not a folder", field="--schema")
        return validate_dataset(path, max_problems=max_problems)
    return validate_file(path, schema, max_problems=max_problems)
