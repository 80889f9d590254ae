"""``tvt export --format hf``: Parquet (or CSV) splits by client that ``datasets`` loads as is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from release_fixture import build_native, build_release

import tvt
from tvt.cli import main
from tvt.export_hf import COLUMNS, SPLITS, split_clients

datasets = pytest.importorskip("datasets")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def card_header(out: Path) -> dict:
    text = (out / "README.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.DOTALL)
    assert match, "the card has no YAML header"
    return yaml.safe_load(match.group(1))


def load(out: Path, config: str = "conversations"):
    # A cache of its own beside the export: the datasets cache is keyed by the folder's files,
    # and two exports of the same size could otherwise be served from one another's cache.
    return datasets.load_dataset(str(out), config, cache_dir=str(out.parent / f"cache-{out.name}"))


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("hf")
    folder = build_native(tmp / "native", clients=30)
    res = run("export", folder, "--format", "hf", "--out", tmp / "hf")
    assert res.exit_code == 0, res.output
    return folder, tmp / "hf"


def test_datasets_loads_every_config_with_the_row_counts_of_the_dataset(exported):
    folder, out = exported
    n_cases = len((folder / "cases.jsonl").read_text().splitlines())
    n_convs = len((folder / "conversations.jsonl").read_text().splitlines())
    convs = load(out)
    assert list(convs) == ["train", "validation", "test"]
    assert sum(convs[s].num_rows for s in convs) == n_convs
    for config in ("cases", "reference"):
        loaded = load(out, config)
        assert sum(loaded[s].num_rows for s in loaded) == n_cases
    # 80 / 10 / 10 by client: 30 clients -> 24 / 3 / 3
    cases = load(out, "cases")
    assert [cases[s].num_rows for s in ("train", "validation", "test")] == [24, 3, 3]


def test_no_client_straddles_splits_in_any_config(exported):
    _, out = exported
    owner: dict[int, str] = {}
    for config in ("conversations", "cases", "reference"):
        loaded = load(out, config)
        for split in loaded:
            for cid in loaded[split]["client_id"]:
                assert owner.setdefault(cid, split) == split, (config, cid)
    assert len(owner) == 30


def test_card_declares_license_configs_and_the_features_datasets_loads(exported):
    _, out = exported
    header = card_header(out)
    assert header["license"] == "mit"
    assert [c["config_name"] for c in header["configs"]] == ["conversations", "cases", "reference"]
    assert header["configs"][0]["default"] is True
    for info in header["dataset_info"]:
        declared = datasets.Features._from_yaml_list(info["features"])
        loaded = load(out, info["config_name"])["train"].features
        assert declared == loaded, info["config_name"]
        assert list(loaded) == [name for name, _ in COLUMNS[info["config_name"]]]
    turns = load(out)["train"].features["turns"]
    assert set(turns.feature) == {"speaker", "text", "suds", "act"}


def test_rows_keep_the_conversations(exported):
    folder, out = exported
    native = {
        (c["client_id"], c["phase"]): c
        for c in map(json.loads, (folder / "conversations.jsonl").read_text().splitlines())
    }
    convs = load(out)
    for split in convs:
        for row in convs[split]:
            src = native[(row["client_id"], row["phase"])]
            assert row["num_turns"] == len(src["turns"]) == len(row["turns"])
            assert [t["text"] for t in row["turns"]] == [t["text"] for t in src["turns"]]
            assert row["reference_intensity"] is not None


def test_same_dataset_gives_the_same_bytes(exported, tmp_path):
    folder, out = exported
    assert run("export", folder, "--format", "hf", "--out", tmp_path / "again").exit_code == 0
    for path in sorted(out.rglob("*")):
        if path.is_file():
            again = tmp_path / "again" / path.relative_to(out)
            assert again.read_bytes() == path.read_bytes(), path


def test_csv_option_loads_too(tmp_path):
    folder = build_native(tmp_path / "native", clients=10)
    res = run("export", folder, "--format", "hf", "--file-format", "csv", "--out", tmp_path / "c")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "c" / "data" / "cases").iterdir()) == [
        "test-00000-of-00001.csv",
        "train-00000-of-00001.csv",
        "validation-00000-of-00001.csv",
    ]
    loaded = load(tmp_path / "c")
    row = loaded["train"][0]
    assert json.loads(row["turns"])[0]["speaker"] in ("therapist", "client")
    assert sum(loaded[s].num_rows for s in loaded) == 60


def test_imported_release_data_carries_the_release_licence(tmp_path):
    fx = build_release(tmp_path / "release")
    imported = tvt.import_release(fx.root)
    done = tvt.export(imported.dataset, format="hf", out=tmp_path / "hf")
    assert card_header(tmp_path / "hf")["license"] == "cc-by-nc-4.0"
    cases = load(tmp_path / "hf", "cases")
    assert sum(cases[s].num_rows for s in cases) == done.counts["cases"]
    # imported data has no plan: the column is there, all null, with its declared type
    assert cases["train"].features["plan_intensity_P5"].dtype == "int64"
    assert set(cases["train"]["plan_intensity_P5"]) == {None}


def test_file_format_needs_format_hf(tmp_path):
    folder = build_native(tmp_path / "native", clients=3)
    res = run(
        "export", folder, "--format", "tvt-release", "--file-format", "csv", "--out", tmp_path / "x"
    )
    assert res.exit_code == 2 and "--file-format applies to --format hf only" in res.output
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
@given(st.sets(st.integers(min_value=1, max_value=10_000), max_size=300))
def test_splits_are_by_client_deterministic_and_sized(ids):
    split = split_clients(ids)
    assert split == split_clients(sorted(ids, reverse=True))
    assert set(split) == ids and set(split.values()) <= {name for name, _ in SPLITS}
    n = len(ids)
    held = sum(1 for s in split.values() if s == "test")
    assert held == sum(1 for s in split.values() if s == "validation")
    assert held == (0 if n < 3 else max(1, round(0.1 * n)))
