"""The rendered leaderboard page in a real headless Chromium (Debian's chromium + chromedriver).

Checks what a reader sees: rows and their order, sorting by clicking a header, hostile model names
shown as text with no script run, nothing loaded from anywhere, and a screenshot for the record.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.needs import require, require_module
from tvt import __version__
from tvt.cli import main
from tvt.leaderboard import paper_entries, record_entry, slugify
from tvt.phases import BENCHMARK_ORDER

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCRIPT_NAME = '<script>window.__pwned = "script"</script>Evil & Co'
IMG_NAME = '<img src=x onerror="window.__pwned=\'img\'">"quoted"'


def verified_entry(model: str, s_abs: float, pearson: float, dtw: float, rmse: float) -> dict:
    sha = hashlib.sha256(model.encode()).hexdigest()
    level = {p: 3.0 + i for i, p in enumerate(BENCHMARK_ORDER)}
    return {
        "entry_format": "tvt-leaderboard-entry",
        "entry_version": 1,
        "status": "verified",
        "model": model,
        "organization": "Org <b>bold</b>",
        "url": "https://example.org/model",
        "description": 'desc with "quotes" and <i>tags</i>',
        "rater_prompt_version": "v1",
        "date": "2025-06-01",
        "benchmark": "tvt-bench-v1",
        "metrics": {
            "pearson": {"mean": pearson, "sd": 0.1, "ci95": [pearson - 0.01, pearson + 0.01]},
            "dtw": {"mean": dtw, "sd": 0.5, "ci95": [dtw - 0.05, dtw + 0.05]},
            "rmse": {"mean": rmse, "sd": 0.3, "ci95": [rmse - 0.03, rmse + 0.03]},
            "s_abs": s_abs,
            "s_abs_ci95": [s_abs - 0.01, s_abs + 0.01],
            "n_scored": 500,
            "n_reference": 500,
            "missing": 0,
            "incomplete": 0,
            "undefined_pearson": 0,
        },
        "verification": {
            "outputs_sha256": sha,
            "reference_sha256": "0" * 64,
            "coverage": 1.0,
            "tvt_version": __version__,
            "outputs_file": f"outputs/{slugify(model)}-{sha[:8]}.jsonl",
        },
        "trajectory": {"model": level, "reference": {p: v + 0.5 for p, v in level.items()}},
    }


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    board = tmp_path_factory.mktemp("board")
    # s_abs order: Alpha > IMG > SCRIPT > Beta; Pearson order differs: Beta > SCRIPT > Alpha > IMG
    for entry in [
        verified_entry("Alpha", 0.80, 0.70, 2.0, 1.0),
        verified_entry(IMG_NAME, 0.70, 0.50, 2.5, 1.2),
        verified_entry(SCRIPT_NAME, 0.60, 0.75, 3.0, 1.5),
        verified_entry("Beta", 0.55, 0.90, 3.5, 1.8),
        *paper_entries(),
    ]:
        record_entry(board, entry)
    out = board / "index.html"
    result = CliRunner().invoke(
        main, ["leaderboard", "--leaderboard", str(board), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    require(
        Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
        "Debian chromium and chromium-driver are not installed",
    )
    webdriver = require_module("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1400,1100",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit Service path: selenium-manager never runs, so nothing is downloaded.
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _models(driver, table: str) -> list[str]:
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody td.model")
    return [c.text for c in cells]


@pytest.mark.slow  # starting Chromium costs about 2 s
def test_rows_order_and_escaping(driver, page):
    driver.get(page.as_uri())
    assert driver.title == "tvt leaderboard"
    assert _models(driver, "verified-table") == ["Alpha", IMG_NAME, SCRIPT_NAME, "Beta"]
    reported = _models(driver, "reported-table")
    assert len(reported) == 8
    assert reported[0] == "Mistral Large" and reported[-1] == "Mistral Small"
    # Hostile names are text: no handler or script of theirs ran, no element was created.
    assert driver.execute_script("return window.__pwned") is None
    assert driver.execute_script("return document.images.length") == 0
    assert driver.execute_script("return document.scripts.length") == 1
    assert driver.execute_script("return document.querySelectorAll('b, i').length") == 0
    # Nothing was fetched: the page is self-contained.
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    # The inline style and script passed the page's CSP (hash-pinned): style applied ...
    border = driver.execute_script(
        "return getComputedStyle(document.querySelector('table.board')).borderCollapse"
    )
    assert border == "collapse"
    # ... and one chart per verified row, with model and reference lines.
    charts = driver.execute_script(
        "return Array.from(document.querySelectorAll('#verified-table tbody tr'))"
        ".map(r => r.querySelectorAll('svg polyline').length)"
    )
    assert charts == [2, 2, 2, 2]
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == []


@pytest.mark.slow  # Chromium, as above
def test_sort_by_clicking_headers(driver, page, tmp_path):
    from selenium.webdriver.common.by import By

    driver.get(page.as_uri())

    def header(title: str):
        for th in driver.find_elements(By.CSS_SELECTOR, "#verified-table thead th"):
            if th.text.strip().startswith(title):
                return th.find_element(By.TAG_NAME, "button")
        raise AssertionError(f"no header {title}")

    header("Pearson").click()  # first click on a higher-is-better column: best first
    assert _models(driver, "verified-table") == ["Beta", SCRIPT_NAME, "Alpha", IMG_NAME]
    header("Pearson").click()
    assert _models(driver, "verified-table") == [IMG_NAME, "Alpha", SCRIPT_NAME, "Beta"]
    header("DTW").click()  # lower is better: ascending first
    assert _models(driver, "verified-table") == ["Alpha", IMG_NAME, SCRIPT_NAME, "Beta"]
    header("Model").click()
    models = _models(driver, "verified-table")
    assert models == sorted(models, key=str.lower)
    # Sorting one table leaves the other alone.
    assert _models(driver, "reported-table")[0] == "Mistral Large"
    assert driver.execute_script("return window.__pwned") is None

    shot = tmp_path / "leaderboard.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


@pytest.mark.slow
def test_page_fits_a_390_px_phone_screen(driver, page, tmp_path):
    """On a 390 px wide phone nothing is cut off and nothing needs sideways scrolling: rows
    become cards of labelled figures and the header a row of sort buttons that still sort."""
    from selenium.webdriver.common.by import By

    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        driver.get(page.as_uri())
        assert driver.execute_script("return window.innerWidth") == 390
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        # Every cell of every table lies inside the screen, and so does its content.
        outside = driver.execute_script(
            "return Array.from(document.querySelectorAll('table.board td, table.board th'))"
            ".filter(e => getComputedStyle(e).display !== 'none')"
            ".filter(e => { const r = e.getBoundingClientRect();"
            "  return r.left < 0 || r.right > 390.5 || e.scrollWidth > e.clientWidth + 1; })"
            ".map(e => e.textContent.slice(0, 40))"
        )
        assert outside == []
        # The figures carry their labels (the column header is no longer above them).
        first = driver.find_element(By.CSS_SELECTOR, "#verified-table tbody tr")
        label = driver.execute_script(
            "return getComputedStyle(arguments[0], '::before').content",
            first.find_elements(By.TAG_NAME, "td")[7],
        )
        assert label == '"Pearson"'
        # Sorting still works from the header buttons.
        for th in driver.find_elements(By.CSS_SELECTOR, "#verified-table thead th"):
            if th.text.strip().startswith("Pearson"):
                th.find_element(By.TAG_NAME, "button").click()
                break
        assert _models(driver, "verified-table") == ["Beta", SCRIPT_NAME, "Alpha", IMG_NAME]
        assert driver.execute_script("return window.__pwned") is None
        shot = tmp_path / "leaderboard-390.png"
        assert driver.save_screenshot(str(shot))
        print(f"screenshot: {shot}")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
