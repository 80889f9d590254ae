"""The Python API (``import tvt``): the README example, same bytes as the CLI, in-memory scoring."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import tvt
from tvt.cli import main
from tvt.errors import InputError
from tvt.scoring import ScoreReport as TypedScoreReport
from tvt.scoring import score as score_files

ROOT = Path(__file__).resolve().parent.parent
TVT_FILES = (
    "cases.jsonl",
    "conversations.jsonl",
    "reference.jsonl",
    "manifest.json",
    "README.md",
    "croissant.json",
)


def cli(*args: object) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res.output


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.slow
def test_readme_example_runs(tmp_path, monkeypatch, capsys):
    blocks = readme_python_blocks()
    assert blocks, "the README has no python example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    report = namespace["report"]
    assert isinstance(report, tvt.ScoreReport)
    assert 0 < report.s_abs <= 1 and -1 <= report.pearson.mean <= 1
    assert report.dtw.mean >= 0 and report.rmse.mean >= 0


def test_names_are_the_api_functions_even_after_every_stage_module_loads():
    # The stage modules are named pipeline, raters and scoring, so importing them can never
    # rebind tvt.generate, tvt.rate or tvt.score (Python binds a submodule to its package).
    import tvt.pipeline  # noqa: F401
    import tvt.raters.lexical  # noqa: F401
    import tvt.scoring  # noqa: F401

    assert callable(tvt.generate) and tvt.generate.__module__ == "tvt.api"
    assert tvt.rate.__module__ == "tvt.api" and tvt.score.__module__ == "tvt.api"
    from tvt import generate, rate, score

    assert (generate, rate, score) == (tvt.generate, tvt.rate, tvt.score)


@pytest.mark.slow
def test_written_dataset_has_the_bytes_of_tvt_generate(tmp_path):
    ds = tvt.generate(seed=5, clients=12, preset="paper", phases=["P5", "P10", "P11"])
    written = ds.write(tmp_path / "api")
    cli(
        "generate", "--seed", 5, "--clients", 12, "--preset", "paper", "--phases", "P5,P10,P11",
        "--out", tmp_path / "cli",
    )  # fmt: skip
    for name in TVT_FILES:
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    on_disk = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    assert ds.manifest == written == on_disk
    assert len(ds.cases) == len(ds.reference) == 12 and len(ds.conversations) == 36


def test_in_memory_manifest_matches_before_writing(tmp_path):
    ds = tvt.generate(seed=9, clients=4)
    before = json.loads(json.dumps(ds.manifest))
    ds.write(str(tmp_path / "d"))
    assert before == ds.manifest
    assert "fingerprint" in before and set(before["files"]) == {
        "cases.jsonl",
        "conversations.jsonl",
        "reference.jsonl",
    }


def test_load_and_write_back_is_byte_identical(tmp_path):
    cli("generate", "--seed", 3, "--clients", 6, "--out", tmp_path / "a")
    ds = tvt.load(str(tmp_path / "a"))
    assert [c["client_id"] for c in ds.cases] == list(range(1, 7))
    ds.write(tmp_path / "b")
    for name in TVT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with pytest.raises(InputError, match="not empty"):
        ds.write(tmp_path / "b")
    ds.write(tmp_path / "b", force=True)


def test_generate_to_a_folder_returns_what_it_wrote(tmp_path):
    ds = tvt.generate(seed=2, clients=3, out=tmp_path / "d")
    assert (tmp_path / "d" / "manifest.json").exists()
    assert ds.manifest == json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert ds.cases == tvt.generate(seed=2, clients=3).cases


def test_rate_in_memory_equals_tvt_rate(tmp_path):
    ds = tvt.generate(seed=4, clients=8)
    ds.write(tmp_path / "d")
    cli("rate", tmp_path / "d", "-o", tmp_path / "o.jsonl")
    from_cli = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert tvt.rate(ds).records == from_cli
    assert tvt.rate(str(tmp_path / "d"), rater="lexical").records == from_cli
    ref = tvt.rate(ds, as_reference=True, signals="language")
    assert ref.records[0]["source"] == "rater:lexical:language"
    assert ref.summary["suds_from"]["field"] == 0


def test_score_in_memory_equals_scoring_files(tmp_path):
    ds = tvt.generate(seed=6, clients=20)
    ds.write(tmp_path / "d")
    preds = tvt.rate(ds)
    path = preds.write(tmp_path / "o.jsonl")
    from_files = score_files(path, tmp_path / "d").report.to_dict()
    for report in (
        tvt.score(preds, ds.reference),
        tvt.score(preds.records, ds),
        tvt.score(str(path), ds.reference),
        tvt.score(preds, tmp_path / "d"),
        tvt.score(path, str(tmp_path / "d")),
    ):
        assert isinstance(report, TypedScoreReport)  # the typed report, plus `clients`
        assert report.s_abs == from_files["s_abs"]
        for key in ("pearson", "dtw", "rmse"):
            metric = getattr(report, key)
            assert metric.mean == from_files[key]["mean"] and metric.sd == from_files[key]["sd"]
            assert list(metric.ci95) == from_files[key]["ci95"]
        assert len(report.clients) == 20 and report.clients[0]["status"] == "scored"
        assert report.to_dict()["per_phase"] == from_files["per_phase"]


def test_in_memory_bad_rows_name_the_row_and_field():
    ds = tvt.generate(seed=1, clients=3, phases=[])
    assert ds.conversations == [] and len(ds.reference) == 3
    rows = [{"client_id": 1, "trajectory": {"P5": 3, "P10": 11, "P6": 2}}]
    with pytest.raises(InputError, match=r"<predictions>, line 1, field 'trajectory.P10'"):
        tvt.score(rows, ds.reference)
    with pytest.raises(InputError, match="unknown client 9"):
        tvt.score([{"client_id": 9, "phase": "P5", "intensity": 3}], ds.reference)
    with pytest.raises(InputError, match="no rows"):
        tvt.score([], ds.reference)


def test_bad_arguments_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="unknown rater 'nope'"):
        tvt.rate(tmp_path, rater="nope")
    with pytest.raises(InputError, match=r"model= applies to rater=.openai. only"):
        tvt.rate(tmp_path, rater="lexical", model="m")
    with pytest.raises(InputError, match="unknown backend"):
        tvt.generate(seed=1, clients=1, backend="nope")
    with pytest.raises(InputError, match="seed"):
        tvt.generate(seed=-1, clients=1)
    with pytest.raises(InputError, match="unknown phase"):
        tvt.generate(seed=1, clients=1, phases=["P9"])
    with pytest.raises(InputError, match="not found"):
        tvt.load(tmp_path / "missing")


def test_library_functions_print_nothing(tmp_path, capsys):
    ds = tvt.generate(seed=8, clients=5)
    ds.write(tmp_path / "d")
    tvt.score(tvt.rate(ds), tvt.load(tmp_path / "d"))
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.slow
def test_llm_backend_and_rater_from_python(tmp_path, monkeypatch, capsys):
    from tests.fake_openai_server import FakeServer

    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    server = FakeServer().start()
    try:
        llm = {"model": "fake-model", "base_url": server.base_url}
        ds = tvt.generate(seed=11, clients=2, phases=["P5", "P10"], backend="openai", **llm)
        assert ds.manifest["backend"]["name"] == "openai"
        assert [(c["client_id"], c["phase"]) for c in ds.conversations] == [
            (1, "P5"), (1, "P10"), (2, "P5"), (2, "P10"),
        ]  # fmt: skip
        preds = tvt.rate(ds, rater="openai", **llm)
        assert preds.summary["rated"] == 4 and len(preds.records) == 4
        # rated in memory: no output or failures file is named, none is needed
        assert preds.failure is None and preds.summary["failures"] == []
        assert "output" not in preds.summary and "failures_file" not in preds.summary
        assert preds.to_pandas()["intensity"].between(1, 10).all()
        assert {r["model"] for r in preds.records} == {"fake-model"}
        with pytest.raises(InputError, match=r"signals= does not apply to backend=.openai."):
            tvt.generate(seed=1, clients=1, backend="openai", signals="language", **llm)
    finally:
        server.stop()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# -- the whole workflow in Python -------------------------------------------------------------------
def test_registries_are_iterable_and_print_their_names():
    assert list(tvt.RATERS)[:2] == ["lexical", "openai"]
    assert "offline" in tvt.BACKENDS and len(tvt.BACKENDS) >= 2
    assert str(tvt.RATERS) == "<rater registry: " + ", ".join(tvt.RATERS) + ">"
    assert tvt.RATERS["lexical"].name == "lexical"


def test_api_names_stay_functions_after_their_packages_load():
    import tvt.audit.checks  # noqa: F401
    import tvt.stats.compute  # noqa: F401

    assert callable(tvt.audit) and tvt.audit.__module__ == "tvt.api"
    assert callable(tvt.stats) and tvt.stats.__module__ == "tvt.api"
    from tvt.stats import compute_stats  # the package is still importable by its full name

    assert callable(compute_stats)


def test_rate_in_memory_uses_no_temporary_folder(monkeypatch):
    import tempfile

    ds = tvt.generate(seed=4, clients=5)

    def refuse(*_a, **_k):
        raise AssertionError("a temporary folder was made")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    preds = tvt.rate(ds)
    assert len(preds.records) == 5 and preds.summary["rated"] == 30
    # nothing was written, so nothing in the summary names a file
    assert "out" not in preds.summary
    assert not any(isinstance(v, str) and "/" in v for v in preds.summary.values())


def test_a_folder_only_plugin_rater_gets_a_summary_without_deleted_paths(tmp_path, monkeypatch):
    from tvt.raters.registry import RATERS, LexicalRater

    class FolderOnly:
        name, description, options = "folder-only", "rates folders only", ()

        def rate(self, dataset, out, *, as_reference, options, progress):
            return LexicalRater().rate(
                dataset, out, as_reference=as_reference, options={}, progress=progress
            )

    monkeypatch.setitem(RATERS._entries, "folder-only", type(RATERS._entries["lexical"])(
        "folder-only", "test", FolderOnly
    ))  # fmt: skip
    ds = tvt.generate(seed=4, clients=3)
    preds = tvt.rate(ds, rater="folder-only")
    assert preds.records == tvt.rate(ds).records
    assert "out" not in preds.summary and preds.summary["rated"] == 18


def test_errors_speak_the_api_words(tmp_path):
    ds = tvt.generate(seed=1, clients=2)
    with pytest.raises(InputError) as err:
        tvt.rate(ds, rater="nope")
    assert err.value.field == "rater" and "--" not in str(err.value)
    with pytest.raises(InputError, match=r"model= applies to rater=.openai. only") as err:
        tvt.rate(ds, model="m")
    assert "--" not in str(err.value)
    with pytest.raises(InputError, match="needs model=") as err:
        tvt.rate(ds, rater="openai")
    assert "--" not in str(err.value)
    with pytest.raises(InputError, match="field 'backend'"):
        tvt.generate(seed=1, clients=1, backend="nope")
    with pytest.raises(InputError, match="field 'format'"):
        tvt.export(ds, format="nope", out=tmp_path / "x")
    with pytest.raises(InputError, match="field 'file_format'"):
        tvt.export(ds, format="tvt-release", file_format="csv", out=tmp_path / "x")
    with pytest.raises(InputError, match="field 'against'"):
        tvt.stats(ds, against="nope")
    # errors raised by the stages below, worded for the command line, reach Python reworded
    with pytest.raises(InputError, match="unknown signal") as err:
        tvt.rate(ds, signals="bogus")
    assert err.value.field == "signals" and "--" not in str(err.value)
    with pytest.raises(InputError, match=r"backend='openai' needs a model name") as err:
        tvt.generate(seed=1, clients=1, backend="openai")
    assert err.value.field == "model"
    with pytest.raises(InputError, match="field 'suds_style'"):
        tvt.generate(seed=1, clients=1, suds_style="loud")
    with pytest.raises(InputError, match="no conversations to audit"):
        tvt.audit(tvt.generate(seed=1, clients=2, phases=[]))
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_audit_and_stats_in_memory_equal_the_command_line(tmp_path):
    ds = tvt.generate(seed=12, clients=10)
    ds.write(tmp_path / "d")
    report = tvt.audit(ds)
    from_cli = json.loads(cli("audit", tmp_path / "d", "--json"))
    assert report.to_dict()["checks"] == from_cli["checks"]
    assert report.to_dict()["dataset"]["folder"] == "<in memory>"
    assert tvt.audit(tmp_path / "d").to_dict()["measures"] == from_cli["measures"]
    frame = report.to_pandas()
    assert list(frame["check"]) == list(from_cli["checks"])
    assert frame["flagged"].sum() == sum(c["flagged"] for c in from_cli["checks"].values())

    stats = tvt.stats(ds)
    assert stats.to_dict() == json.loads(cli("stats", tmp_path / "d", "--json"))
    rows = stats.to_pandas()
    gender = rows[rows["attribute"] == "gender"]
    assert gender["count"].sum() == 10 and gender["target_percent"].notna().all()
    assert stats.render() == cli("stats", tmp_path / "d").rstrip("\n")


def test_frames_have_one_row_per_conversation_turn_and_client():
    ds = tvt.generate(seed=7, clients=6)
    convs = ds.to_pandas()
    assert len(convs) == 36 and convs["client_id"].nunique() == 6
    assert (convs["num_turns"] == convs["turns"].map(len)).all()
    assert "risk_moment" in convs and convs["risk_moment"].dtype == bool
    turns = ds.turns_to_pandas()
    assert len(turns) == sum(len(c["turns"]) for c in ds.conversations)
    assert list(turns.columns) == ["client_id", "phase", "turn", "speaker", "text", "suds", "act"]
    assert set(turns["speaker"]) == {"therapist", "client"}
    stated = turns["suds"].dropna()
    assert len(stated) and stated.between(0, 100).all()

    report = tvt.score(tvt.rate(ds), ds)
    frame = report.to_pandas()
    assert len(frame) == 6 and list(frame["client_id"]) == [1, 2, 3, 4, 5, 6]
    assert frame["pearson"].mean() == pytest.approx(report.pearson.mean)
    assert frame["dtw"].mean() == pytest.approx(report.dtw.mean)


def test_one_score_report_class():
    assert tvt.ScoreReport is TypedScoreReport


def test_export_and_import_release_round_trip(tmp_path):
    ds = tvt.generate(seed=3, clients=4)
    done = tvt.export(ds, format="tvt-release", out=tmp_path / "rel")
    assert done.counts == {"conversations": 24, "metadata": 24}
    back = tvt.import_release(tmp_path / "rel")
    assert [c["client_id"] for c in back.dataset.cases] == [1, 2, 3, 4]
    assert [(c["client_id"], c["phase"], [t["text"] for t in c["turns"]]) for c in
            back.dataset.conversations] == [
        (c["client_id"], c["phase"], [t["text"] for t in c["turns"]]) for c in ds.conversations
    ]  # fmt: skip
    assert back.report.to_dict()["totals"]["conversations"] == 24
    written = tvt.import_release(tmp_path / "rel", out=tmp_path / "imp")
    assert (tmp_path / "imp" / "manifest.json").exists()
    assert written.dataset.conversations == back.dataset.conversations
    with pytest.raises(InputError):
        tvt.import_release(tmp_path / "missing")


def test_export_hf_in_memory_equals_the_command_line(tmp_path):
    ds = tvt.generate(seed=2, clients=12)
    ds.write(tmp_path / "d")
    done = tvt.export(ds, format="hf", out=tmp_path / "api")
    cli("export", tmp_path / "d", "--format", "hf", "--out", tmp_path / "cli")
    assert done.splits["cases"] == {"train": 10, "validation": 1, "test": 1}
    for path in sorted((tmp_path / "cli").rglob("*")):
        if path.is_file():
            mine = tmp_path / "api" / path.relative_to(tmp_path / "cli")
            assert mine.read_bytes() == path.read_bytes(), path
