"""The typed records of tvt/records.py agree with schemas/: same keys, same required keys, same
JSON types. A field added to a schema and not to its TypedDict (or the other way) fails here."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any, Union

import pytest

from tvt import records as r
from tvt.config import ConfigData, Constraint, LifeBand
from tvt.leaderboard import types as lt

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def _part(doc: dict, *path: str | int) -> dict:
    for step in path:
        doc = doc[step]
    return doc


_CONVERSATION = schema("conversation")
_CASE = schema("case")
_MANIFEST = schema("manifest")
_OUTPUTS = schema("outputs")
_REPORT = schema("report")

#: TypedDict -> the (sub)schema of the object it describes.
PAIRS: list[tuple[type, dict]] = [
    (r.Case, _CASE),
    (r.ClientProfile, _part(_CASE, "properties", "client_profile")),
    (r.TherapistProfile, _part(_CASE, "properties", "therapist_profile")),
    (r.TraumaInfo, _part(_CASE, "properties", "trauma_info")),
    (r.Plan, _part(_CASE, "properties", "plan")),
    (r.PhaseSuds, _part(_CASE, "properties", "plan", "properties", "suds", "properties", "P10")),
    (
        r.SudsCourse,
        _part(_CASE, "properties", "plan", "properties", "suds", "properties", "P10", "properties")[
            "course"
        ],
    ),
    (r.Conversation, _CONVERSATION),
    (r.Turn, _part(_CONVERSATION, "properties", "turns", "items")),
    (r.ReferenceRow, schema("reference")),
    (r.PhaseOutputRow, _part(_OUTPUTS, "oneOf", 0)),
    (r.OutputRow, _part(_OUTPUTS, "oneOf", 1)),
    (r.Failure, schema("failure")),
    (r.Manifest, _MANIFEST),
    (r.ConfigRef, _part(_MANIFEST, "properties", "config", "oneOf", 1)),
    (r.FileEntry, _part(_MANIFEST, "properties", "files", "additionalProperties")),
    (r.ImportRepairs, _part(_MANIFEST, "properties", "import")),
    (r.BackendInfo, _part(_MANIFEST, "properties", "backend")),
    (r.RealizeCounts, _part(_CONVERSATION, "properties", "realize")),
    (r.InputRecord, schema("inputs")),
    (r.InputTurn, _part(schema("inputs"), "properties", "turns", "items")),
    (r.TurnReference, schema("turn-reference")),
    (r.TurnOutputsRow, _part(schema("turn-outputs"), "oneOf", 0)),
    (r.TurnOutputRow, _part(schema("turn-outputs"), "oneOf", 1)),
    (r.ScoreReportDoc, _REPORT),
    (r.MetricDoc, _part(_REPORT, "properties", "pearson")),
    (r.PhaseDoc, _part(_REPORT, "properties", "per_phase", "properties", "P5")),
    (r.InputsDoc, _part(_REPORT, "properties", "inputs")),
    (r.OutputsDoc, _part(_REPORT, "properties", "inputs", "properties", "outputs")),
    (r.ReferenceDoc, _part(_REPORT, "properties", "inputs", "properties", "reference")),
    (r.BaselineDoc, _part(_REPORT, "properties", "baseline")),
]

_ENTRY = schema("leaderboard-entry")
_ENTRY_METRICS = _part(_ENTRY, "properties", "metrics")
PAIRS += [
    (lt.LeaderboardEntry, _ENTRY),
    (lt.EntryMetrics, _ENTRY_METRICS),
    (lt.SkillEntry, _part(_ENTRY_METRICS, "properties", "skill")),
    (lt.MetricEntry, _part(_ENTRY, "$defs", "metric")),
    (lt.Verification, _part(_ENTRY, "properties", "verification")),
    (lt.Trajectories, _part(_ENTRY, "properties", "trajectory")),
    (lt.Source, _part(_ENTRY, "properties", "source")),
    (lt.SubmissionMeta, schema("submission")),
    (lt.Claimed, _part(schema("submission"), "properties", "claimed")),
    (ConfigData, schema("config")),
    (Constraint, _part(schema("config"), "properties", "constraints", "items")),
    (LifeBand, _part(schema("config"), "properties", "life_by_age", "items")),
]

#: Keys a type has that its schema does not, and why.
EXTRA_IN_TYPE: dict[type, set[str]] = {
    # the manifest's backend is open: the schema names the keys every LLM backend shares, the
    # type also has the settings tvt's own backends record
    r.BackendInfo: set(r.BackendInfo.__optional_keys__)
    - {"model", "base_url_host", "prompt_version"},
    # the board shows sealed entries (tvt eval) with their format failures and interval method;
    # a submitted entry has neither
    lt.EntryMetrics: {"format_failures", "ci"},
}

#: Keys a schema requires that the type leaves optional, and why.
OPTIONAL_IN_TYPE: dict[type, set[str]] = {
    # a report of trajectories scored in memory names no input files
    r.ScoreReportDoc: {"inputs"},
}

_JSON_OF = {int: {"integer"}, float: {"number"}, str: {"string"}, bool: {"boolean"}}


def _json_types(hint: Any) -> set[str] | None:
    """The JSON types a Python annotation allows, or None when it allows anything."""
    if hint is Any:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        out: set[str] = set()
        for arg in typing.get_args(hint):
            got = _json_types(arg)
            if got is None:
                return None
            out |= got
        return out
    if hint is type(None):
        return {"null"}
    if origin is list:
        return {"array"}
    if origin is dict or typing.is_typeddict(hint):
        return {"object"}
    return set(_JSON_OF[hint])


def _schema_types(prop: dict) -> set[str] | None:
    if "enum" in prop:
        return {
            "null" if v is None else "string" if isinstance(v, str) else "integer"
            for v in prop["enum"]
        }
    if "const" in prop:
        value = prop["const"]
        if isinstance(value, bool):
            return {"boolean"}
        return {"integer"} if isinstance(value, int) else {"string"}
    if "oneOf" in prop:
        out: set[str] = set()
        for alt in prop["oneOf"]:
            got = _schema_types(alt)
            if got is None:
                return None
            out |= got
        return out
    if "type" not in prop:
        return None
    kind = prop["type"]
    return set(kind) if isinstance(kind, list) else {kind}


@pytest.mark.parametrize(("typed", "sub"), PAIRS, ids=[t.__name__ for t, _ in PAIRS])
def test_typed_record_matches_its_schema(typed, sub):
    props = sub.get("properties", {})
    required = set(sub.get("required", [])) - OPTIONAL_IN_TYPE.get(typed, set())
    assert set(typed.__required_keys__) == required, "required keys"
    keys = set(typed.__required_keys__ | typed.__optional_keys__) - EXTRA_IN_TYPE.get(typed, set())
    assert keys == set(props), "keys"
    hints = typing.get_type_hints(typed)
    for key, prop in props.items():
        allowed, declared = _schema_types(prop), _json_types(hints[key])
        if allowed is None or declared is None:
            continue  # free-form in the schema or in the type
        if allowed == {"integer"} and declared == {"number"}:
            continue  # an int is a float to Python's type checker; the schema is stricter
        assert declared == allowed, (key, declared, allowed)


def test_every_record_typeddict_is_checked():
    checked = {t for t, _ in PAIRS}
    typed = {
        obj
        for name, obj in vars(r).items()
        if typing.is_typeddict(obj) and not name.startswith("_") and obj.__module__ == r.__name__
    }
    # ClientScore is the per-client record of a score report, which has no schema file;
    # ManifestHead is checked against the manifest's schema below; the blocks of tvt's own
    # backends inside the manifest's (open) backend have no schema of their own.
    backend_blocks = {
        r.Cost,
        r.RunTotals,
        r.SudsLabelStats,
        r.RealizeShares,
        r.RealizeTotals,
        r.RealizeSummary,
        r.RealizeBatch,
        r.BackendSampling,
        r.ResponseFormat,
    }
    assert typed - checked == {r.ClientScore, r.ManifestHead} | backend_blocks


def test_manifest_head_is_the_manifest_before_its_files_are_hashed():
    head = set(r.ManifestHead.__required_keys__)
    assert head == r.Manifest.__required_keys__ - {"files", "fingerprint"}
    assert set(_MANIFEST["required"]) == head | {"files", "fingerprint"}


def test_a_mismatch_would_be_caught():
    class Wrong(r.Turn, total=False):
        extra: str

    with pytest.raises(AssertionError):
        test_typed_record_matches_its_schema(Wrong, PAIRS[7][1])


@pytest.mark.parametrize("config", ["cases", "conversations", "reference"])
def test_hf_row_types_are_the_arrow_columns(config):
    """The TypedDict of each Hugging Face config's rows has the Arrow schema's columns, in order."""
    from tvt import export_hf as hf

    typed = {"cases": hf.HFCaseRow, "conversations": hf.HFConversationRow}.get(
        config, hf.HFReferenceRow
    )
    assert set(typing.get_type_hints(typed)) == set(hf.arrow_schema(config).names)


def test_a_generated_manifest_has_only_the_typed_keys(tmp_path):
    import tvt

    ds = tvt.generate(3, clients=2, out=tmp_path / "d", suds_style="verbal")
    manifest = ds.manifest
    typed = r.Manifest.__required_keys__ | r.Manifest.__optional_keys__
    assert set(manifest) <= typed
    backend = r.BackendInfo.__required_keys__ | r.BackendInfo.__optional_keys__
    assert set(manifest["backend"]) <= backend
    assert manifest["backend"]["suds_style"] == "verbal"
