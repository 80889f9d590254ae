"""docs/notebook.ipynb runs from top to bottom (generate -> audit -> rate -> score -> plot)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"


@pytest.mark.slow
def test_notebook_runs_end_to_end(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    setup = nb.cells[1]
    assert "CLIENTS = 50" in setup.source
    setup.source = setup.source.replace("CLIENTS = 50", "CLIENTS = 8")  # keep the test quick
    # the kernel imports this checkout of tvt, and writes its files into tmp_path
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, as for a user
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = {
        i: cell.get("outputs", []) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
    }
    errors = [o for outs in outputs.values() for o in outs if o.get("output_type") == "error"]
    assert not errors
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for outs in outputs.values()
        for o in outs
    )
    assert "Dataset(clients=8, conversations=48" in text
    assert "S_abs 0." in text
    assert "== P10 Full Imaginal Exposure" in text and "suds_report" in text  # the transcript
    images = [o for outs in outputs.values() for o in outs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the stats plot and the trajectory plot
    assert (tmp_path / "stats.png").stat().st_size > 10_000
    assert (tmp_path / "hf-data" / "README.md").exists()
