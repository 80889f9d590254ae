"""``tvt stats --plot`` and ``--html``: the distributions drawn against the design weights."""

from __future__ import annotations

import base64
import json
import re

import pytest
from click.testing import CliRunner

import tvt
from tvt.cli import main
from tvt.stats.plot import distribution_rows


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats") / "d"
    tvt.generate(seed=21, clients=40, phases=["P5"]).write(out)
    return out


@pytest.mark.slow
def test_plot_and_html_are_written_and_reproducible(folder, tmp_path):
    import matplotlib.image

    res = run("stats", folder, "--plot", tmp_path / "a.png", "--html", tmp_path / "a.html")
    assert res.exit_code == 0, res.output
    assert "wrote plot to" in res.output and "wrote HTML page to" in res.output
    png = (tmp_path / "a.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    height, width = matplotlib.image.imread(tmp_path / "a.png").shape[:2]
    assert width == 1350 and height > 1000  # 3 panels a row, 4 rows
    assert run("stats", folder, "--plot", tmp_path / "b.png").exit_code == 0
    assert (tmp_path / "b.png").read_bytes() == png  # same figures, same bytes
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert embedded and base64.b64decode(embedded.group(1)) == png
    assert "chi-square" in page and "<script" not in page
    assert "img-src data:" in page  # the page's CSP lets only its own picture in


def test_plotted_rows_are_the_stats_figures(folder):
    data = json.loads(run("stats", folder, "--json").output)
    rows = distribution_rows(data)
    gender = {r["value"]: r for r in rows if r["attribute"] == "gender"}
    for value, v in data["attributes"]["gender"]["values"].items():
        assert gender[value]["count"] == v["count"]
        assert gender[value]["target_percent"] == v["target_percent"]
        assert gender[value]["p_value"] == data["attributes"]["gender"]["chi_square"]["p_value"]
    behaviours = [r for r in rows if r["attribute"] == "behaviours"]
    assert len(behaviours) == 10 and sum(r["count"] for r in behaviours) >= 40


@pytest.mark.slow
def test_plot_to_a_missing_folder_is_created_and_the_input_is_never_overwritten(folder, tmp_path):
    before = (folder / "cases.jsonl").read_bytes()
    res = run("stats", folder, "--plot", tmp_path / "new" / "s.png")
    assert res.exit_code == 0 and (tmp_path / "new" / "s.png").exists()
    assert (folder / "cases.jsonl").read_bytes() == before


def test_plot_never_replaces_a_file_of_the_dataset(folder):
    before = (folder / "README.md").read_bytes()
    res = run("stats", folder, "--html", folder / "README.md")
    assert res.exit_code == 2 and "--html would overwrite a file of the dataset" in res.output
    assert (folder / "README.md").read_bytes() == before
