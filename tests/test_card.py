"""Dataset card (README.md) and Croissant metadata (croissant.json) of a dataset folder."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tvt.card import write_card
from tvt.config import load_config
from tvt.dataset import DatasetWriter, base_manifest
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.plan import reference_record

CLIENTS = 40


def write_dataset(
    out: Path,
    seed: int = 3,
    clients: int = CLIENTS,
    force: bool = False,
    *,
    config_recorded: bool = True,
    corrupt: bool = False,
) -> dict:
    """A dataset folder written through DatasetWriter (real sampler and plan, simple turns)."""
    config = load_config("default")
    manifest = base_manifest(
        seed=seed,
        clients=clients,
        config=config if config_recorded else None,
        backend={"name": "offline", "composer_version": "test"},
        phases=list(BENCHMARK_ORDER),
    )
    with DatasetWriter(out, manifest, finalize=write_card) as writer:
        for case in planned_cases(config, seed, clients):
            if corrupt and case["client_id"] == 2:
                del case["trauma_info"]["type"]
            writer.write("cases.jsonl", case)
            writer.write("reference.jsonl", reference_record(case))
            for phase in BENCHMARK_ORDER:
                writer.write(
                    "conversations.jsonl",
                    {
                        "client_id": case["client_id"],
                        "phase": phase,
                        "turns": [
                            {
                                "speaker": "therapist",
                                "text": "How is it now?",
                                "suds": None,
                                "act": "ask",
                            },
                            {"speaker": "client", "text": "About 60.", "suds": 60, "act": "suds"},
                        ],
                    },
                )
        return writer.commit()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("card") / "data"
    write_dataset(out)
    return out


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _values(record: dict, column: str, path: str | None):
    """Independent reading of a Croissant field: column, then a jsonPath applied per element."""
    assert column in record, f"column {column} missing"
    value = record[column]
    if path is None:
        return [value]
    out = []
    for item in value if isinstance(value, list) else [value]:
        for key in path.split("."):
            assert isinstance(item, dict) and key in item, f"{column}.{path} missing"
            item = item[key]
        out.append(item)
    return out


TYPE_CHECKS = {
    "sc:Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "sc:Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "sc:Text": lambda v: isinstance(v, str),
}


def test_croissant_matches_the_files(dataset):
    meta = json.loads((dataset / "croissant.json").read_text(encoding="utf-8"))
    assert meta["@type"] == "sc:Dataset"
    assert meta["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    for key in ("name", "description", "license", "distribution", "recordSet", "citeAs"):
        assert meta[key], key
    ctx = meta["@context"]
    assert ctx["@vocab"] == "https://schema.org/" and ctx["cr"] == "http://mlcommons.org/croissant/"
    assert "not for clinical use" in meta["description"].lower()

    files = {d["@id"]: d for d in meta["distribution"]}
    assert set(files) == {"cases.jsonl", "conversations.jsonl", "reference.jsonl", "manifest.json"}
    for name, obj in files.items():
        assert obj["@type"] == "cr:FileObject"
        assert obj["contentUrl"] == name
        data = (dataset / name).read_bytes()
        assert obj["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert obj["contentSize"] == f"{len(data)} B"

    sets = {rs["@id"]: rs for rs in meta["recordSet"]}
    assert set(sets) == {"cases", "conversations", "reference"}
    for rs_id, rs in sets.items():
        assert rs["@type"] == "cr:RecordSet"
        fields = rs["field"]
        file_ids = {f["source"]["fileObject"]["@id"] for f in fields}
        assert file_ids == {f"{rs_id}.jsonl"}
        records = _records(dataset / f"{rs_id}.jsonl")
        described_columns = {f["source"]["extract"]["column"] for f in fields}
        for record in records:
            # Every top-level key of the data is described ...
            assert set(record) <= described_columns, set(record) - described_columns
            # ... and every described field exists in every record, with its declared type.
            for f in fields:
                path = f["source"].get("transform", {}).get("jsonPath")
                values = _values(record, f["source"]["extract"]["column"], path)
                if f.get("repeated") and len(values) == 1 and isinstance(values[0], list):
                    values = values[0]  # a list-valued leaf (exhibited_behaviors)
                check = TYPE_CHECKS[f["dataType"]]
                nullable = f["name"] == "turn_suds"
                assert all(check(v) or (nullable and v is None) for v in values), f["@id"]
                if not f.get("repeated"):
                    assert len(values) == 1
        ids = [f["@id"] for f in fields]
        assert len(ids) == len(set(ids))
    # The nested profile fields are there, not only the top-level columns.
    case_fields = {f["name"] for f in sets["cases"]["field"]}
    assert {"client_age", "client_exhibited_behaviors", "plan_intensity_P10"} <= case_fields


def test_readme_without_design_targets(tmp_path):
    """Data made without a known config (an import) gets the same tables, targets shown as -."""
    write_dataset(tmp_path / "d", config_recorded=False)
    readme = (tmp_path / "d" / "README.md").read_text(encoding="utf-8")
    assert "Design targets:" not in readme and "Chi-square" not in readme
    assert "| design target |" in readme and " | - |" in readme
    check_readme(tmp_path / "d", readme, command=False)


def test_a_bad_record_stops_the_card_and_the_write(tmp_path):
    """The card never papers over data it cannot read: the write fails and leaves nothing."""
    from tvt.errors import InputError

    out = tmp_path / "bad"
    with pytest.raises(InputError) as err:
        write_dataset(out, corrupt=True)
    assert "cases.jsonl, line 2, field 'trauma_info.type': missing" in err.value.render()
    assert not out.exists() or not any(out.iterdir())


def test_readme_counts_come_from_the_data(dataset):
    readme = (dataset / "README.md").read_text(encoding="utf-8")
    assert "design target" in readme and "Chi-square" in readme
    check_readme(dataset, readme)


def check_readme(dataset: Path, readme: str, command: bool = True) -> None:
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    cases = _records(dataset / "cases.jsonl")
    assert f"| seed | {manifest['seed']} |" in readme
    for lib, version in manifest["versions"].items():
        assert f"| {lib} version | {version} |" in readme
    assert manifest["fingerprint"] in readme
    generate = "tvt generate --seed 3 --clients 40 --preset default --backend offline"
    assert (generate in readme) is command
    assert "Not for clinical use, diagnosis" in readme
    assert "## License" in readme and "arXiv" in readme and "@software{tvt" in readme

    def section(title: str) -> dict[str, int]:
        block = readme.split(f"### {title}\n\n", 1)[1].split("\n\n", 1)[0]
        rows = re.findall(r"^\| (.+?) \| (\d+) \|", block, flags=re.M)
        return {value: int(n) for value, n in rows if int(n) > 0}  # targets may list zeros

    gender = Counter(c["client_profile"]["gender"] for c in cases)
    assert section("Client gender") == dict(gender)
    types = Counter(c["trauma_info"]["type"] for c in cases)
    assert section("Trauma type") == dict(types)
    # Behaviours: the share of clients showing each.
    behaviours = Counter(b for c in cases for b in set(c["client_profile"]["exhibited_behaviors"]))
    assert section("Behaviours (share of clients)") == dict(behaviours)
    topics = Counter(c["trauma_info"]["session_topic"] for c in cases)
    listed = {v: n for v, n in section("Session topic").items() if "more values" not in v}
    more = re.search(r"^\| \((\d+) more values\) \| (\d+) \| \| \|$", readme, flags=re.M)
    if len(topics) > 12:  # the rest of the values share one row
        assert more and int(more[2]) + sum(listed.values()) == len(cases)
    assert all(topics[v] == n for v, n in listed.items())
    ages = [c["client_profile"]["age"] for c in cases]
    assert f"Client age: mean {sum(ages) / len(ages):.1f}" in readme
    assert f"| P10 | Full Imaginal Exposure | {CLIENTS} | 2.0 |" in readme


def test_card_is_deterministic_and_replaced_with_the_data(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_dataset(a)
    write_dataset(b)
    for name in ("README.md", "croissant.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
        assert str(tmp_path) not in (a / name).read_text(encoding="utf-8")  # no absolute paths
    # A different dataset in the same folder gets a new card describing the new files.
    write_dataset(a, seed=4, clients=5, force=True)
    meta = json.loads((a / "croissant.json").read_text(encoding="utf-8"))
    sha = {d["@id"]: d["sha256"] for d in meta["distribution"]}
    assert sha["cases.jsonl"] == hashlib.sha256((a / "cases.jsonl").read_bytes()).hexdigest()
    assert "seed4-5-clients" in meta["name"]
    assert not list(a.glob(".tvt-staging-*"))


@pytest.mark.slow  # importing mlcroissant: about 1.3 s
def test_mlcroissant_reads_the_records(dataset):
    """The reference Croissant library loads the metadata and yields every record."""
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(dataset / "croissant.json"))
    cases = list(ds.records(record_set="cases"))
    assert len(cases) == CLIENTS
    first = _records(dataset / "cases.jsonl")[0]
    assert cases[0]["cases/client_age"] == first["client_profile"]["age"]
    convs = list(ds.records(record_set="conversations"))
    assert len(convs) == CLIENTS * len(BENCHMARK_ORDER)
    assert [s.decode() for s in convs[0]["conversations/turn_speaker"]] == ["therapist", "client"]
    refs = list(ds.records(record_set="reference"))
    assert (
        refs[0]["reference/trajectory_P10"]
        == _records(dataset / "reference.jsonl")[0]["trajectory"]["P10"]
    )


def test_field_scan_agrees_with_field_by_field_check(tmp_path):
    """The grouped presence check gives the same answer as looking at every field of every
    record, including records that lack nested fields or whole columns."""
    from tvt.card import RECORD_SETS, FieldScan, field_values, is_missing

    name, fname, fields, _ = next(rs for rs in RECORD_SETS if rs[0] == "cases")
    good = {
        "client_id": 1,
        "client_profile": {"name": "A B", "age": 30, "age_group": "18-30", "gender": "female"},
        "plan": {"intensity": {"P5": 4}},
    }
    no_plan = {k: v for k, v in good.items() if k != "plan"}
    partial = {**good, "client_profile": {"age": 41}}
    scan = FieldScan(fields)
    for record in (good, no_plan, partial, good):
        scan.add(record)
    expected = {
        n: all(not is_missing(field_values(r, c, j)) for r in (good, no_plan, partial, good))
        for n, c, j, _, _ in fields
    }
    assert scan.present == expected and scan.records == 4
    assert not all(expected.values()) and any(expected.values())


def test_card_from_surveys_of_parts_is_the_same(dataset, tmp_path):
    """Surveys of parts of the records, merged, give the card that one pass over them gives."""
    from tvt.card import Survey, write_card
    from tvt.records import read_cases, read_conversations, read_references

    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in dataset.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    whole = {n: (dataset / n).read_bytes() for n in ("README.md", "croissant.json")}
    parts = [Survey() for _ in range(3)]
    for read, add in (
        (read_cases, Survey.add_case),
        (read_conversations, Survey.add_conversation),
        (read_references, Survey.add_reference),
    ):
        for i, (_, record) in enumerate(read(dataset)):
            add(parts[i * 3 // (CLIENTS * 6)], record)  # three runs of consecutive records
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(part)
    assert write_card(copy, manifest, merged) == ("README.md", "croissant.json")
    assert {n: (copy / n).read_bytes() for n in whole} == whole
