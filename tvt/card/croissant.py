"""Croissant 1.0 metadata (``croissant.json``) of a dataset folder.

The file lists every data file with its sha256 and describes the fields of cases, conversations
and reference as record sets. A field is only described when every record of the file has it, so
a loader never meets a described field that is missing: :class:`FieldScan` finds out which, one
record at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict, cast

from tvt.card.about import LICENSE_URL, PAPER_BIBTEX, dataset_name, summary
from tvt.fields import CLIENT_FIELDS
from tvt.jsonio import sha256_file
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES
from tvt.records import Manifest

# -- the shape of croissant.json (Croissant 1.0; JSON-LD keys need the functional syntax) ----------
#: A JSON-LD context: term -> IRI, or term -> {"@id": IRI, "@type": ...}.
JsonLdContext = dict[str, str | dict[str, str]]
FileObject = TypedDict(
    "FileObject",
    {
        "@type": str,
        "@id": str,
        "name": str,
        "description": str,
        "contentUrl": str,
        "contentSize": str,
        "encodingFormat": str,
        "sha256": str,
    },
)


class _FieldSourceBase(TypedDict):
    fileObject: dict[str, str]
    extract: dict[str, str]


class FieldSource(_FieldSourceBase, total=False):
    transform: dict[str, str]  # {"jsonPath": ...}


_FieldBase = TypedDict(
    "_FieldBase",
    {"@type": str, "@id": str, "name": str, "description": str, "dataType": str},
)


class CroissantField(_FieldBase, total=False):
    repeated: bool
    source: FieldSource


RecordSet = TypedDict(
    "RecordSet",
    {"@type": str, "@id": str, "name": str, "description": str, "field": list[CroissantField]},
)
CroissantDoc = TypedDict(
    "CroissantDoc",
    {
        "@context": JsonLdContext,
        "@type": str,
        "name": str,
        "description": str,
        "conformsTo": str,
        "license": str,
        "version": str,
        "citeAs": str,
        "keywords": list[str],
        "isLiveDataset": bool,
        "distribution": list[FileObject],
        "recordSet": list[RecordSet],
    },
)
"""``croissant.json``: the Croissant 1.0 description of a dataset folder."""

CROISSANT_CONTEXT: JsonLdContext = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

#: Croissant data type of each client field; ``exhibited_behaviors`` is a repeated text field.
_CLIENT_TYPES = {"age": "sc:Integer"}

#: A candidate field: (name, top-level key, JSONPath inside that key or None, Croissant data
#: type, repeated?). Croissant reads JSON Lines as a table of top-level columns; nested values
#: are reached with a jsonPath transform, which applies to each element when the column is a list.
FieldSpec = tuple[str, str, "str | None", str, bool]

_CASE_FIELDS: list[FieldSpec] = [
    ("client_id", "client_id", None, "sc:Integer", False),
    ("client_name", "client_profile", "name", "sc:Text", False),
    *[
        (f"client_{k}", "client_profile", k, _CLIENT_TYPES.get(k, "sc:Text"), False)
        for k in CLIENT_FIELDS
        if k != "exhibited_behaviors"
    ],
    ("client_exhibited_behaviors", "client_profile", "exhibited_behaviors", "sc:Text", True),
    ("therapist_name", "therapist_profile", "name", "sc:Text", False),
    ("therapist_age", "therapist_profile", "age", "sc:Integer", False),
    ("therapist_gender", "therapist_profile", "gender", "sc:Text", False),
    ("trauma_type", "trauma_info", "type", "sc:Text", False),
    ("session_topic", "trauma_info", "session_topic", "sc:Text", False),
    *[
        (f"plan_intensity_{p}", "plan", f"intensity.{p}", "sc:Integer", False)
        for p in BENCHMARK_ORDER
    ],
    *[
        (f"plan_suds_{p}_{k}", "plan", f"suds.{p}.{k}", "sc:Integer", False)
        for p in EXPOSURE_PHASES
        for k in ("start", "peak", "end")
    ],
]
_CONVERSATION_FIELDS: list[FieldSpec] = [
    ("client_id", "client_id", None, "sc:Integer", False),
    ("phase", "phase", None, "sc:Text", False),
    ("turn_speaker", "turns", "speaker", "sc:Text", True),
    ("turn_text", "turns", "text", "sc:Text", True),
    ("turn_suds", "turns", "suds", "sc:Integer", True),
    ("turn_act", "turns", "act", "sc:Text", True),
    ("source", "source", None, "sc:Text", False),
]
_REFERENCE_FIELDS: list[FieldSpec] = [
    ("client_id", "client_id", None, "sc:Integer", False),
    *[(f"trajectory_{p}", "trajectory", p, "sc:Float", False) for p in BENCHMARK_ORDER],
    ("source", "source", None, "sc:Text", False),
]
_FIELD_DESCRIPTIONS = {
    "client_id": "client number (1..N); joins the three files",
    "phase": "PE phase code (P5, P10, P6, P7, P8, P11)",
    "turn_speaker": "speaker of each turn: therapist or client",
    "turn_text": "text of each turn",
    "turn_suds": "SUDS rating (0-100) the client stated in the turn, or null",
    "turn_act": "dialogue act of the turn",
    "source": "what produced the record",
}

#: (record set, file, candidate fields, description).
RECORD_SETS: list[tuple[str, str, list[FieldSpec], str]] = [
    ("cases", "cases.jsonl", _CASE_FIELDS, "One client: profile, therapist, trauma, plan."),
    (
        "conversations",
        "conversations.jsonl",
        _CONVERSATION_FIELDS,
        "One phase conversation of one client.",
    ),
    (
        "reference",
        "reference.jsonl",
        _REFERENCE_FIELDS,
        "Reference emotional-intensity trajectory (1-10 per phase) of one client.",
    ),
]

_FILE_DESCRIPTIONS = {
    "cases.jsonl": "one client per line: profiles, trauma, planned trajectory",
    "conversations.jsonl": "one phase conversation per line",
    "reference.jsonl": "reference emotional-intensity trajectory per client",
    "failures.jsonl": "what could not be produced, and why",
    "manifest.json": "how the folder was made: versions, seed, config, per-file sha256",
}

_MISSING = object()


def field_values(record: Any, column: str, path: str | None) -> list[Any] | object:
    """The values a described field takes in one record, or a sentinel when it is missing.

    ``path`` is a dotted key path inside ``record[column]``; when that column is a list the path
    applies to each element (a repeated field), as Croissant's jsonPath transform does.
    """
    if not isinstance(record, dict) or column not in record:
        return _MISSING
    value = record[column]
    if path is None:
        return [value]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        for key in path.split("."):
            if not isinstance(item, dict) or key not in item:
                return _MISSING
            item = item[key]
        out.append(item)
    return out


def is_missing(value: object) -> bool:
    return value is _MISSING


_Groups = list[tuple[tuple[str, ...], frozenset[str]]]


class FieldScan:
    """Counts the records of one file and learns which candidate fields every record has."""

    def __init__(self, candidates: list[FieldSpec]) -> None:
        self.records = 0
        self.present = {name: True for name, *_ in candidates}
        self._pending = {
            name: (column, tuple(jpath.split(".")) if jpath else None)
            for name, column, jpath, _, _ in candidates
        }
        self._groups = _group_fields(self._pending)

    def add(self, record: Any) -> None:
        self.records += 1
        # One set comparison per parent object covers all its described fields; only when it
        # fails are the fields looked at one by one to find which are missing.
        if self._pending and not _all_present(record, self._groups):
            for name in [n for n, (c, k) in self._pending.items() if not _has_field(record, c, k)]:
                self.present[name] = False
                del self._pending[name]
            self._groups = _group_fields(self._pending)

    def merge(self, other: FieldScan) -> None:
        """Add what ``other`` learnt from another part of the same file."""
        self.records += other.records
        for name, ok in other.present.items():
            if not ok and self.present[name]:
                self.present[name] = False
                del self._pending[name]
        self._groups = _group_fields(self._pending)


def _group_fields(pending: dict[str, tuple[str, tuple[str, ...] | None]]) -> _Groups:
    """Described fields grouped by the object holding them: ``[(parent path, leaf keys)]``."""
    groups: dict[tuple[str, ...], set[str]] = {}
    for column, keys in pending.values():
        path = (column, *keys) if keys else (column,)
        groups.setdefault(path[:-1], set()).add(path[-1])
    return [(parent, frozenset(leaves)) for parent, leaves in groups.items()]


def _all_present(record: Any, groups: _Groups) -> bool:
    if not isinstance(record, dict):
        return False
    for parent, leaves in groups:
        if not parent:
            if not leaves <= record.keys():
                return False
            continue
        if parent[0] not in record:
            return False
        value = record[parent[0]]
        for item in value if isinstance(value, list) else (value,):
            for key in parent[1:]:
                if not isinstance(item, dict) or key not in item:
                    return False
                item = item[key]
            if not isinstance(item, dict) or not leaves <= item.keys():
                return False
    return True


def _has_field(record: Any, column: str, keys: tuple[str, ...] | None) -> bool:
    """Whether ``record`` has the described field (the fast form of :func:`field_values`)."""
    if not isinstance(record, dict) or column not in record:
        return False
    if keys is None:
        return True
    value = record[column]
    for item in value if isinstance(value, list) else (value,):
        for key in keys:
            if not isinstance(item, dict) or key not in item:
                return False
            item = item[key]
    return True


def _field(
    rs: str, fname: str, name: str, column: str, jpath: str | None, dtype: str, repeated: bool
) -> CroissantField:
    """One field of a record set: where it comes from in the file, and its type."""
    field: CroissantField = {
        "@type": "cr:Field",
        "@id": f"{rs}/{name}",
        "name": name,
        "description": _FIELD_DESCRIPTIONS.get(name, f"{column}.{jpath}" if jpath else column),
        "dataType": dtype,
    }
    if repeated:
        field["repeated"] = True
    source: FieldSource = {"fileObject": {"@id": fname}, "extract": {"column": column}}
    if jpath:
        source["transform"] = {"jsonPath": jpath}
    field["source"] = source
    return field


def croissant(folder: Path, manifest: Manifest, scans: dict[str, FieldScan]) -> CroissantDoc:
    """The Croissant 1.0 description of a dataset folder (files must be final).

    ``scans``: record set name -> what :class:`FieldScan` learnt from its file.
    """
    distribution: list[FileObject] = []
    known = manifest.get("files", {})  # the data files' sha256 as the manifest records them
    for name in sorted(known) + ["manifest.json"]:
        path = folder / name
        if not path.exists():
            continue
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": name,
                "name": name,
                "description": _FILE_DESCRIPTIONS.get(name, name),
                "contentUrl": name,
                "contentSize": f"{path.stat().st_size} B",
                "encodingFormat": "application/json"
                if name.endswith(".json")
                else "application/jsonlines",
                "sha256": (known[name]["sha256"] if name in known else None) or sha256_file(path),
            }
        )
    record_sets: list[RecordSet] = []
    for rs, fname, fields, description in RECORD_SETS:
        scan = scans[rs]
        if not (folder / fname).exists() or scan.records == 0:
            continue
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": rs,
                "name": rs,
                "description": description,
                "field": [
                    _field(rs, fname, name, column, jpath, dtype, repeated)
                    for name, column, jpath, dtype, repeated in fields
                    if scan.present[name]
                ],
            }
        )
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": dataset_name(manifest),
        "description": summary(manifest),
        "conformsTo": CROISSANT_CONFORMS_TO,
        "license": LICENSE_URL,
        "version": str(manifest.get("format_version", "1.0")),
        "citeAs": PAPER_BIBTEX,
        "keywords": [
            "synthetic data",
            "prolonged exposure therapy",
            "PTSD",
            "emotional trajectory",
            "benchmark",
        ],
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
    }


def load_croissant(folder: str | Path) -> CroissantDoc:
    """Read a folder's croissant.json (written by :func:`croissant`)."""
    with open(Path(folder) / "croissant.json", encoding="utf-8") as fh:
        return cast(CroissantDoc, json.load(fh))
