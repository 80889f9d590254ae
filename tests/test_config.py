"""Sampler configs: presets, user variants with 'extends', and clear errors for bad configs."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from tvt.cli import main
from tvt.config import load_config
from tvt.errors import InputError
from tvt.pipeline import planned_cases


def _write(tmp_path, obj, name="variant.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj) if not isinstance(obj, str) else obj, encoding="utf-8")
    return path


def test_presets_load_and_differ_only_in_pairing():
    d, p = load_config("default"), load_config("paper")
    assert d.data["topic_pairing"] == "compatible" and p.data["topic_pairing"] == "independent"
    assert d.sha256 != p.sha256
    assert {
        k: v for k, v in d.data.items() if k not in ("name", "description", "topic_pairing")
    } == {k: v for k, v in p.data.items() if k not in ("name", "description", "topic_pairing")}


def test_user_variant_extends_a_preset(tmp_path):
    path = _write(
        tmp_path,
        {
            "extends": "default",
            "name": "women-only",
            "client": {"gender": {"male": 0, "female": 1, "non-binary": 0}},
        },
    )
    cfg = load_config(path=path)
    assert cfg.name == "women-only" and cfg.source == "variant.json"
    genders = Counter(c["client_profile"]["gender"] for c in planned_cases(cfg, 1, 200))
    assert genders == {"female": 200}


@pytest.mark.parametrize(
    ("variant", "field"),
    [
        ({"extends": "default", "surprise": 1}, "(top level)"),
        ({"extends": "default", "client": {"gender": {"male": -1}}}, "client.gender.male"),
        ({"extends": "default", "topic_pairing": "sometimes"}, "topic_pairing"),
        ({"extends": "default", "name_locales": {"European": ["xx_XX"]}}, "name_locales.European"),
        (
            {"extends": "default", "compatible_topics": {"bullying": ["moon landing"]}},
            "compatible_topics.bullying",
        ),
        (
            {"extends": "default", "client": {"exhibited_behaviors": {"count": {"12": 1}}}},
            "client.exhibited_behaviors.count",
        ),
    ],
)
def test_bad_config_names_file_and_field(tmp_path, variant, field):
    path = _write(tmp_path, variant)
    with pytest.raises(InputError) as err:
        load_config(path=path)
    assert err.value.path == "variant.json"
    assert err.value.field == field


def test_age_band_gap_is_reported(tmp_path):
    base = load_config("default").data
    bands = [b for b in base["life_by_age"] if b["min_age"] != 31]
    path = _write(tmp_path, {"extends": "default", "life_by_age": bands})
    with pytest.raises(InputError, match="without gaps") as err:
        load_config(path=path)
    assert err.value.field.startswith("life_by_age")


def test_malformed_config_names_the_line(tmp_path):
    path = _write(tmp_path, '{\n  "extends": "default",\n  "name": \n}\n')
    with pytest.raises(InputError) as err:
        load_config(path=path)
    assert err.value.line == 4 and "malformed JSON" in str(err.value)


def test_cli_bad_config_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, {"extends": "default", "client": {"ethnicity": {"Atlantean": 1}}})
    res = CliRunner().invoke(
        main, ["generate", "--seed", "1", "--config", str(path), "--out", str(tmp_path / "out")]
    )
    assert res.exit_code == 2
    assert "variant.json" in res.output and "name_locales.Atlantean" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_cli_missing_config_file(tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "generate",
            "--seed",
            "1",
            "--config",
            str(tmp_path / "nope.json"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 2 and "not found" in res.output
