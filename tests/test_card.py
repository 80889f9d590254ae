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
from tvt.generate import iter_cases
from tvt.phases import BENCHMARK_ORDER
from tvt.plan import reference_record

CLIENTS = 40


def write_dataset(out: Path, seed: int = 3, clients: int = CLIENTS, force: bool = False) -> dict:
    """A dataset folder written through DatasetWriter (real sampler and plan, simple turns)."""
    config = load_config("default")
    manifest = base_manifest(
        seed=seed,
        clients=clients,
        config=config,
        backend={"name": "offline", "composer_version": "test"},
        phases=list(BENCHMARK_ORDER),
    )
    with DatasetWriter(out, manifest, finalize=write_card) as writer:
        for case in iter_cases(config, seed, clients):
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


def test_readme_counts_without_tvt_stats(tmp_path, monkeypatch):
    """Data that `tvt stats` refuses still gets a card, with counts computed by the card."""
    import tvt.card

    monkeypatch.setattr(tvt.card, "_tvt_stats", lambda folder: None)
    write_dataset(tmp_path / "d")
    readme = (tmp_path / "d" / "README.md").read_text(encoding="utf-8")
    assert "design target" not in readme
    check_readme(tmp_path / "d", readme)


def test_readme_counts_come_from_the_data(dataset):
    readme = (dataset / "README.md").read_text(encoding="utf-8")
    assert "design target" in readme and "Chi-square" in readme
    check_readme(dataset, readme)


def check_readme(dataset: Path, readme: str) -> None:
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    cases = _records(dataset / "cases.jsonl")
    assert f"| seed | {manifest['seed']} |" in readme
    for lib, version in manifest["versions"].items():
        assert f"| {lib} version | {version} |" in readme
    assert manifest["fingerprint"] in readme
    assert "tvt generate --seed 3 --clients 40 --preset default --backend offline" in readme
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
    # Behaviours: `tvt stats` counts clients showing each; the fallback counts mentions. Both
    # are the same number, since a client lists a behaviour at most once.
    behaviours = Counter(b for c in cases for b in set(c["client_profile"]["exhibited_behaviors"]))
    titles = re.findall(r"^### (.+)$", readme, flags=re.M)
    title = next(t for t in titles if "share of clients" in t or t.startswith("Exhibited"))
    for value, n in section(title).items():
        assert behaviours[value] == n
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
    from tvt.card import RECORD_SETS, _scan, field_values, is_missing

    name, fname, fields, _ = next(rs for rs in RECORD_SETS if rs[0] == "cases")
    good = {
        "client_id": 1,
        "client_profile": {"name": "A B", "age": 30, "age_group": "18-30", "gender": "female"},
        "plan": {"intensity": {"P5": 4}},
    }
    no_plan = {k: v for k, v in good.items() if k != "plan"}
    partial = {**good, "client_profile": {"age": 41}}
    path = tmp_path / fname
    path.write_text("\n".join(json.dumps(r) for r in (good, no_plan, partial, good)) + "\n")
    scan = _scan(path, fields)
    expected = {
        n: all(not is_missing(field_values(r, c, j)) for r in (good, no_plan, partial, good))
        for n, c, j, _, _ in fields
    }
    assert scan.present == expected and scan.records == 4
    assert not all(expected.values()) and any(expected.values())


def test_card_is_the_same_when_stats_run_in_a_second_process(dataset, monkeypatch, tmp_path):
    """Large folders compute `tvt stats` in a forked process; the card must not change."""
    import tvt.card

    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in dataset.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(tvt.card, "_PARALLEL_STATS_BYTES", 10**12)
    tvt.card.write_card(copy, manifest)
    serial = {n: (copy / n).read_bytes() for n in ("README.md", "croissant.json")}
    monkeypatch.setattr(tvt.card, "_PARALLEL_STATS_BYTES", 0)
    pool, future = tvt.card._start_stats(copy)
    assert pool is not None  # the parallel path really runs
    pool.shutdown()
    tvt.card.write_card(copy, manifest)
    assert {n: (copy / n).read_bytes() for n in ("README.md", "croissant.json")} == serial
