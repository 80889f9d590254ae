"""No output can destroy data: inputs, FIFOs, devices, symbolic links, unwritable folders."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tvt.cli import main
from tvt.errors import WorkFailed
from tvt.outputs import open_output


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs") / "data"
    res = run("generate", "--seed", "7", "--clients", "4", "--out", out)
    assert res.exit_code == 0, res.output
    res = run("rate", out, "-o", out.parent / "outputs.jsonl")
    assert res.exit_code == 0, res.output
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _refused(res, *words: str) -> str:
    assert res.exit_code == 2, res.output
    line = res.output.strip()
    assert "\n" not in line and "Traceback" not in line, line
    assert ".tmp" not in line and ".tvt-staging" not in line, line
    for word in words:
        assert word in line, line
    return line


@pytest.mark.parametrize(
    "args",
    [
        ("rate", "{d}", "-o", "{d}/conversations.jsonl"),
        ("rate", "{d}", "--as-reference", "-o", "{d}/reference.jsonl"),
        ("audit", "{d}", "--html", "{d}/conversations.jsonl"),
        ("audit", "{d}", "--per-conversation", "{d}/cases.jsonl"),
        ("score", "{o}", "--reference", "{d}", "--out", "{o}"),
        ("score", "{o}", "--reference", "{d}", "--per-client", "{d}/reference.jsonl"),
        ("score", "{o}", "--reference", "{d}/reference.jsonl", "--plot", "{d}/reference.jsonl"),
        ("export", "{d}", "--format", "hf", "--out", "{d}", "--force"),
        ("export", "{d}", "--format", "tvt-release", "--out", "{p}", "--force"),
        ("import", "{d}", "--out", "{d}", "--force"),
    ],
)
def test_no_command_writes_onto_its_own_input(data: Path, args: tuple[str, ...]) -> None:
    before = _snapshot(data)
    outputs = data.parent / "outputs.jsonl"
    outputs_before = outputs.read_bytes()
    argv = [a.format(d=data, o=outputs, p=data.parent) for a in args]
    line = _refused(run(*argv), "input")
    assert argv[-1] in line or argv[-2] in line  # the user's own path is named
    assert _snapshot(data) == before
    assert outputs.read_bytes() == outputs_before


def test_two_outputs_on_one_file_are_refused(data: Path, tmp_path: Path) -> None:
    same = tmp_path / "x.json"
    res = run(
        "score", data.parent / "outputs.jsonl", "--reference", data, "--out", same,
        "--per-client", same,
    )  # fmt: skip
    _refused(res, "same file")
    assert not same.exists()


def test_dash_streams_to_stdout(data: Path) -> None:
    res = run("score", data.parent / "outputs.jsonl", "--reference", data, "--out", "-")
    assert res.exit_code == 0, res.output
    assert '"s_abs"' in res.output
    assert not Path("-").exists()


def test_fifo_is_streamed_into_not_replaced(data: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = run("score", data.parent / "outputs.jsonl", "--reference", data, "--out", fifo)
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO
    assert "s_abs" in json.loads(got[0])


def test_character_device_is_written_into(data: Path) -> None:
    before = os.lstat("/dev/null")
    res = run("rate", data, "-o", "/dev/null")
    assert res.exit_code == 0, res.output
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_device_names_the_path_and_keeps_the_device(data: Path) -> None:
    res = run("score", data.parent / "outputs.jsonl", "--reference", data, "--out", "/dev/full")
    assert res.exit_code == 1, res.output
    assert "/dev/full" in res.output and "No space left" in res.output
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_symlink_is_written_through(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "real" / "report.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    res = run("score", data.parent / "outputs.jsonl", "--reference", data, "--out", link)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "s_abs" in json.loads(target.read_text())


def test_symlink_onto_an_input_is_refused(data: Path, tmp_path: Path) -> None:
    link = tmp_path / "sneaky.jsonl"
    link.symlink_to(data / "conversations.jsonl")
    before = _snapshot(data)
    _refused(run("rate", data, "-o", link), "input", str(link))
    assert _snapshot(data) == before


def test_output_under_a_file_is_refused_before_the_work(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _refused(run("audit", data, "--html", blocker / "audit.html"), "not a folder", str(blocker))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused_before_the_work(data: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        _refused(run("audit", data, "--html", ro / "audit.html"), "not writable", str(ro))
        _refused(run("generate", "--seed", "1", "--clients", "1", "--out", ro / "d"), str(ro))
    finally:
        ro.chmod(0o755)


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "keep.json"
    path.write_text("old")
    with pytest.raises(RuntimeError), open_output(path) as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_write_error_names_the_users_path(tmp_path: Path) -> None:
    with (
        pytest.raises(WorkFailed, match="/dev/full: could not write"),
        open_output("/dev/full") as fh,
    ):
        fh.write("x" * 100_000)


def test_full_disk_in_a_staging_folder_names_the_output_folder(tmp_path: Path) -> None:
    import errno

    from tvt.staging import Staging

    out = tmp_path / "new"
    with pytest.raises(OSError) as info, Staging(out) as staging:
        raise OSError(errno.ENOSPC, "No space left on device", str(staging.path / "x.jsonl"))
    assert info.value.filename == str(out) and "nothing was changed" in info.value.strerror
    assert not out.exists()  # the folder it created is gone again


def test_generate_on_a_full_disk_names_the_folder_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    from tvt.dataset import DatasetWriter

    def full(self, name, data, lines):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(DatasetWriter, "write_lines", full)
    out = tmp_path / "new"
    res = run("generate", "--seed", "1", "--clients", "2", "--out", out)
    assert res.exit_code != 0
    line = res.output.strip()
    assert str(out) in line and "No space left" in line and ".tvt-staging" not in line, line
    assert not out.exists()


def test_an_earlier_output_in_the_dataset_folder_is_no_input(data: Path) -> None:
    out = data / "outputs.jsonl"
    for _ in range(2):  # the second run replaces the first run's file
        res = run("rate", data, "-o", out)
        assert res.exit_code == 0, res.output
    out.unlink()
