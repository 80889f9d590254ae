"""`tvt score --plot`: a real PNG, written headless and atomically."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tvt.cli import main
from tvt.phases import BENCHMARK_ORDER as PHASES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _files(tmp_path, n=30):
    ds = tmp_path / "ds"
    ds.mkdir()
    ref, out = [], []
    for cid in range(1, n + 1):
        base = [5, 8, 8, 7, 5, 3]
        r = {p: b + (cid % 3) - 1 for p, b in zip(PHASES, base, strict=True)}
        m = {
            p: min(10, max(1, v + ((cid * (i + 1)) % 3) - 1)) for i, (p, v) in enumerate(r.items())
        }
        ref.append(json.dumps({"client_id": cid, "trajectory": r, "source": "plan"}))
        if cid != 7:
            out.append(json.dumps({"client_id": cid, "trajectory": m}))
    out.append(json.dumps({"client_id": 7, "trajectory": {p: 5 for p in PHASES}}))
    (ds / "reference.jsonl").write_text("\n".join(ref) + "\n")
    (tmp_path / "o.jsonl").write_text("\n".join(out) + "\n")
    return ds, tmp_path / "o.jsonl"


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    return width, height


@pytest.mark.slow
def test_plot_writes_a_png(tmp_path):
    ds, out = _files(tmp_path)
    png = tmp_path / "figs" / "fig.png"
    res = CliRunner().invoke(main, ["score", str(out), "--reference", str(ds), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    w, h = _png_size(png)
    assert w >= 1000 and h >= 400
    assert png.stat().st_size > 20_000  # three filled panels, not an empty canvas
    assert not [p for p in png.parent.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.slow
def test_plot_is_deterministic_and_needs_no_display(tmp_path):
    ds, out = _files(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    for name in ("a.png", "b.png"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tvt",
                "score",
                str(out),
                "--reference",
                str(ds),
                "--plot",
                str(tmp_path / name),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_no_plot_on_bad_input(tmp_path):
    ds, out = _files(tmp_path)
    out.write_text(out.read_text() + '{"client_id": 1, "phase": "P5", "intensity": 99}\n')
    png = tmp_path / "fig.png"
    res = CliRunner().invoke(main, ["score", str(out), "--reference", str(ds), "--plot", str(png)])
    assert res.exit_code == 2
    assert not png.exists()
