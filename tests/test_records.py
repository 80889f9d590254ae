"""The typed dataset records, their one checked reader, and the paper's figures (seeds/paper.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_fixture import build_release

from tests.hyp import examples
from tvt.errors import InputError
from tvt.fields import CASE_SECTIONS, CLIENT_FIELDS
from tvt.paper import paper
from tvt.records import (
    iter_records,
    problem,
    read_cases,
    read_conversations,
    read_references,
)
from tvt.release import import_release
from tvt.resources import load_schema


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from tvt.config import load_config
    from tvt.pipeline import generate_offline

    out = tmp_path_factory.mktemp("records") / "ds"
    generate_offline(out, seed=4, clients=6, config=load_config("default"))
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("release")
    fx = build_release(root / "release")
    import_release(fx.root, root / "imported")
    return root / "imported"


def test_field_list_is_the_schema_s(generated):
    schema = load_schema("case.schema.json")["properties"]
    for section, keys in CASE_SECTIONS.items():
        assert list(keys) == schema[section]["required"], section
    first = json.loads((generated / "cases.jsonl").read_text().splitlines()[0])
    assert set(CLIENT_FIELDS) <= set(first["client_profile"])


def test_the_reader_accepts_generated_and_imported_data(generated, imported):
    for folder in (generated, imported):
        for read, name in (
            (read_cases, "cases.jsonl"),
            (read_conversations, "conversations.jsonl"),
            (read_references, "reference.jsonl"),
        ):
            lines = [line for line, _ in read(folder)]
            if (folder / name).exists():
                assert lines == list(range(1, len(lines) + 1)) and lines, (folder, name)
            else:
                assert lines == []


def test_the_reader_names_file_line_and_field(generated, tmp_path):
    lines = (generated / "conversations.jsonl").read_text().splitlines()
    conv = json.loads(lines[2])
    conv["turns"][1]["suds"] = 140
    lines[2] = json.dumps(conv)
    (tmp_path / "conversations.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        list(read_conversations(tmp_path))
    assert "conversations.jsonl, line 3, field 'turns.1.suds'" in err.value.render()
    with pytest.raises(InputError, match="has no cases.jsonl"):
        list(read_cases(tmp_path, required=True))
    (tmp_path / "cases.jsonl").write_text("[1, 2]\n")
    with pytest.raises(InputError, match="must be a JSON object"):
        list(iter_records(tmp_path, "cases.jsonl"))


def test_the_reader_refuses_a_second_conversation_of_a_client_and_phase(generated, tmp_path):
    lines = (generated / "conversations.jsonl").read_text().splitlines()
    second = json.loads(lines[0])
    second["turns"] = []  # the duplicate is named before its turns are checked
    (tmp_path / "conversations.jsonl").write_text("\n".join([*lines[:3], json.dumps(second)]))
    with pytest.raises(InputError) as err:
        list(read_conversations(tmp_path))
    assert "conversations.jsonl, line 4" in err.value.render()
    assert f"client 1 phase {second['phase']} appears twice (first on line 1)" in err.value.render()
    with pytest.raises(InputError, match="dataset folder not found"):
        list(read_conversations(tmp_path / "missing", required=True))


# -- the quick check never accepts what the schema refuses ----------------------------------------
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(-5, 200) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(obj: Any, path: tuple, value: Any, delete: bool) -> Any:
    obj = copy.deepcopy(obj)
    if not path:
        return value
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return obj


@pytest.mark.slow
@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_quick_check_rejects_only_what_the_schema_rejects(generated, data):
    kind, name = data.draw(
        st.sampled_from(
            [
                ("case", "cases.jsonl"),
                ("conversation", "conversations.jsonl"),
                ("reference", "reference.jsonl"),
            ]
        )
    )
    records = [json.loads(x) for x in (generated / name).read_text().splitlines()]
    record = data.draw(st.sampled_from(records))
    assert problem(kind, record) is None and problem(kind, record, full=True) is None
    path = data.draw(st.sampled_from(_paths(record)))
    mutated = _mutate(record, path, data.draw(_JSON), data.draw(st.booleans()))
    if problem(kind, mutated) is not None:
        assert problem(kind, mutated, full=True) is not None, (path, mutated)


def test_an_integer_field_written_with_a_fraction_is_refused_by_both_checks(generated):
    """Found by the property above: JSON Schema counts 1.0 as an integer, the quick check did not."""
    record = json.loads((generated / "cases.jsonl").read_text().splitlines()[0])
    record["client_id"] = 1.0
    assert problem("case", record) is not None
    assert problem("case", record, full=True) is not None


# -- the paper's figures ----------------------------------------------------------------------------
def test_paper_figures_load_and_agree_with_themselves():
    figures = paper()
    assert figures.clients == 500 and len(figures.table_1) == 8
    # Each row's S_abs agrees with its means: tests/test_metrics.py (one test per model).
    for row in figures.table_1:
        assert row.n in (489, 500)
    for key, dist in figures.distributions.items():
        if key != "behaviours":  # a client shows several behaviours
            assert sum(dist.values()) == pytest.approx(100, abs=0.5), key
    # about 1.96 behaviours per client: the behaviour shares add up to it.
    assert sum(figures.distributions["behaviours"].values()) / 100 == pytest.approx(
        figures.behaviours_per_client, abs=0.01
    )
    assert list(figures.turns_per_conversation) == ["P5", "P10", "P6", "P7", "P8", "P11"]


def test_paper_figures_are_checked_against_their_schema(monkeypatch):
    import tvt.paper

    bad = json.loads(json.dumps(tvt.paper.load_seed_json("paper.json")))
    bad["table_1"]["rows"][0]["s_abs"] = 1.7
    monkeypatch.setattr(tvt.paper, "load_seed_json", lambda name: bad)
    tvt.paper.paper.cache_clear()
    try:
        with pytest.raises(InputError) as err:
            tvt.paper.paper()
        assert "paper.json" in err.value.render() and "table_1.rows.0.s_abs" in err.value.render()
    finally:
        tvt.paper.paper.cache_clear()
