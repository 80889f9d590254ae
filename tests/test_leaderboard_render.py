"""Rendering the leaderboard: ranking, formats, and the HTML page's safety properties."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hyp import examples
from tvt import __version__
from tvt.cli import main
from tvt.leaderboard import (
    paper_entries,
    rank,
    record_entry,
    render_html,
    render_markdown,
    render_table,
    slugify,
)
from tvt.phases import BENCHMARK_ORDER


def verified(model: str, s_abs: float, pearson: float = 0.5, **over) -> dict:
    sha = hashlib.sha256((model + str(s_abs)).encode()).hexdigest()
    level = {p: 2.0 + i for i, p in enumerate(BENCHMARK_ORDER)}
    entry = {
        "entry_format": "tvt-leaderboard-entry",
        "entry_version": 1,
        "status": "verified",
        "model": model,
        "organization": "Lab",
        "description": "d",
        "rater_prompt_version": "v1",
        "date": "2025-05-05",
        "benchmark": "tvt-bench-v1",
        "metrics": {
            "pearson": {"mean": pearson, "sd": 0.1, "ci95": [pearson - 0.02, pearson + 0.02]},
            "dtw": {"mean": 2.5, "sd": 0.5, "ci95": None},
            "rmse": {"mean": 1.2, "sd": 0.3, "ci95": None},
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
            "reference_sha256": "1" * 64,
            "coverage": 1.0,
            "tvt_version": __version__,
            "outputs_file": f"outputs/{slugify(model)}-{sha[:8]}.jsonl",
        },
        "trajectory": {"model": level, "reference": level},
    }
    entry.update(over)
    return entry


class Page(HTMLParser):
    """Collects every tag with its attributes, the style/script bodies and model-cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.bodies: dict[str, list[str]] = {"style": [], "script": []}
        self.models: list[str] = []
        self._in: str | None = None
        self._model: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in self.bodies:
            self._in = tag
            self.bodies[tag].append("")
        if tag == "td" and a.get("class") == "model":
            self._model = []

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None
        if tag == "td" and self._model is not None:
            self.models.append("".join(self._model))
            self._model = None

    def handle_data(self, data):
        if self._in:
            self.bodies[self._in][-1] += data
        if self._model is not None:
            self._model.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def csp_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def check_page_is_inert(text: str) -> Page:
    """The page's structure: nothing loads, one hash-pinned script and style, no handlers."""
    page = parse(text)
    names = [t for t, _ in page.tags]
    assert names.count("script") == 1 and names.count("style") == 1
    for bad in ("img", "iframe", "object", "embed", "link", "base", "form", "meta-refresh"):
        assert bad not in names
    for tag, attrs in page.tags:
        assert "src" not in attrs and "srcdoc" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "a":
            assert re.fullmatch(r"https?://[^\s<>\"']+", attrs["href"]), attrs["href"]
        if tag == "meta" and attrs.get("http-equiv") == "refresh":
            raise AssertionError("refresh")
    csp = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0]
    assert f"script-src {csp_hash(page.bodies['script'][0])}" in csp[0]
    assert f"style-src {csp_hash(page.bodies['style'][0])}" in csp[0]
    assert "unsafe-inline" not in csp[0]
    # The CSP comes before anything it governs.
    assert text.index("Content-Security-Policy") < text.index("<style>")
    return page


def test_rank_orders_by_s_abs_and_separates_reported():
    entries = [verified("B", 0.6), verified("A", 0.7), verified("C", 0.6, pearson=0.9)]
    groups = rank([*entries, *paper_entries()])
    assert [e["model"] for e in groups["verified"]] == ["A", "C", "B"]  # tie: higher Pearson
    assert [e["rank"] for e in groups["verified"]] == [1, 2, 3]
    assert len(groups["reported"]) == 8
    assert groups["reported"][0]["model"] == "Mistral Large"
    s = [e["metrics"]["s_abs"] for e in groups["reported"]]
    assert s == sorted(s, reverse=True)


def test_paper_entries_are_table_1():
    rows = {e["model"]: e for e in paper_entries()}
    ml = rows["Mistral Large"]["metrics"]
    assert (ml["pearson"]["mean"], ml["dtw"]["mean"], ml["rmse"]["mean"], ml["s_abs"]) == (
        0.80,
        2.38,
        1.07,
        0.74,
    )
    assert rows["Llama 3 70B Instruct"]["metrics"]["n_scored"] == 489
    for e in rows.values():
        m = e["metrics"]
        p, d, r = m["pearson"]["mean"], m["dtw"]["mean"], m["rmse"]["mean"]
        recomputed = (p + 1 - d / 5 + 1 - r / 9) / 3
        assert abs(recomputed - m["s_abs"]) <= 0.006, e["model"]  # published to 2 decimals
        assert "arXiv:2504.13955" in e["source"]["citation"]


def test_html_escapes_hostile_strings_and_loads_nothing():
    evil = verified(
        "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&",
        0.7,
        organization="</td><script>x()</script>",
        description='" onmouseover="alert(3)',
        url='https://ok.example/"><script>alert(4)</script>',
    )
    text = render_html(rank([evil, *paper_entries()]))
    page = check_page_is_inert(text)
    assert page.models[0] == evil["model"]
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_javascript_url_is_never_a_link():
    entry = verified("M", 0.5)
    entry["url"] = "javascript:alert(1)"  # a hand-edited entry that skipped the schema
    text = render_html(rank([entry]))
    check_page_is_inert(text)
    assert "javascript:" not in text


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@pytest.mark.slow  # 60 examples of full page renders: about 1.6 s of CPU
@settings(max_examples=examples(60), deadline=None)
@given(model=_text, org=_text, desc=st.text(max_size=80), date=st.sampled_from(["2025-01-02"]))
def test_any_strings_render_as_text(model, org, desc, date):
    entry = verified(model, 0.5, organization=org, description=desc, date=date)
    text = render_html(rank([entry, verified("Other", 0.4)]))
    page = check_page_is_inert(text)
    assert page.models[0] == model
    # Five header rows, two verified rows, the "no entries" rows of the sealed, self-run, custom
    # and reported tables.
    assert sum(1 for t, _ in page.tags if t == "tr") == 11


def test_markdown_and_table_formats():
    evil = verified("a|b <script>x</script> *bold* [l](http://x)", 0.7)
    md = render_markdown(rank([evil, *paper_entries()]))
    rows = [line for line in md.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 2
    # Escaped pipes do not add columns: same number of cell separators as the header row.
    header = next(line for line in md.splitlines() if line.startswith("| \\# |"))
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == len(re.findall(r"(?<!\\)\|", header))
    assert "<script>" not in md and "&lt;script&gt;" in md
    table = render_table(rank([evil, *paper_entries()]))
    assert "answer key public" in table and "Reported" in table and "Mistral Large" in table
    assert "0.700 [0.690, 0.710]" in table
    assert "0.74 " in table  # reported S_abs keeps the published two decimals


def test_leaderboard_command_formats_and_bad_entry(tmp_path):
    board = tmp_path / "board"
    for e in [verified("Alpha", 0.8), verified("Beta", 0.6), *paper_entries()[:2]]:
        record_entry(board, e)
    runner = CliRunner()
    res = runner.invoke(main, ["leaderboard", "--leaderboard", str(board), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [e["model"] for e in doc["verified"]] == ["Alpha", "Beta"]
    assert len(doc["reported"]) == 2
    out = tmp_path / "page.html"
    res = runner.invoke(
        main, ["leaderboard", "--leaderboard", str(board), "--format", "html", "--out", str(out)]
    )
    assert res.exit_code == 0
    check_page_is_inert(out.read_text(encoding="utf-8"))
    for fmt in ("table", "md"):
        res = runner.invoke(main, ["leaderboard", "--leaderboard", str(board), "--format", fmt])
        assert res.exit_code == 0 and "Alpha" in res.output

    # A corrupt or hand-broken entry is named, exit 2, no traceback.
    broken = copy.deepcopy(verified("Gamma", 0.5))
    broken["metrics"]["s_abs"] = 7
    (board / "entries" / "gamma-00000000.json").write_text(json.dumps(broken))
    res = runner.invoke(main, ["leaderboard", "--leaderboard", str(board)])
    assert res.exit_code == 2
    assert "gamma-00000000.json" in res.output and "metrics.s_abs" in res.output
    (board / "entries" / "gamma-00000000.json").write_text("{")
    res = runner.invoke(main, ["leaderboard", "--leaderboard", str(board)])
    assert res.exit_code == 2 and "malformed JSON" in res.output
    res = runner.invoke(main, ["leaderboard", "--leaderboard", str(tmp_path / "none")])
    assert res.exit_code == 2 and "not found" in res.output


@pytest.mark.parametrize("status", ["verified", "reported"])
def test_entry_schema_requires_the_right_blocks(status, tmp_path):
    from tvt.errors import InputError
    from tvt.leaderboard import validate_entry

    entry = verified("M", 0.5) if status == "verified" else paper_entries()[0]
    validate_entry(entry)
    broken = copy.deepcopy(entry)
    if status == "verified":
        del broken["verification"]
    else:
        broken["verification"] = verified("M", 0.5)["verification"]
    with pytest.raises(InputError):
        validate_entry(broken)


def test_every_format_of_the_command_is_rendered():
    from tvt.cli import leaderboard as cli_leaderboard
    from tvt.leaderboard import FORMATS, render

    assert cli_leaderboard.FORMATS == FORMATS
    groups = rank(paper_entries())
    for fmt in FORMATS:
        assert "Mistral Large" in render(groups, fmt)
    with pytest.raises(ValueError, match="unknown leaderboard format"):
        render(groups, "pdf")


def test_sections_cover_the_entry_statuses_and_have_their_notes():
    from tvt.leaderboard import SECTIONS
    from tvt.leaderboard.page import asset
    from tvt.resources import load_schema

    schema = load_schema("leaderboard-entry.schema.json")
    assert [s.status for s in SECTIONS] == schema["properties"]["status"]["enum"]
    page = render_html(rank(paper_entries()))
    for section in SECTIONS:
        assert asset(f"note-{section.status}.html").strip()
        assert f'<section class="{section.status}" id="{section.status}">' in page
    assert "$" not in page  # every placeholder of the templates was filled in
