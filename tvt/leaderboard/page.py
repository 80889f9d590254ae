"""The leaderboard as one self-contained HTML page.

The page's HTML, CSS and script are package data (``assets/``), filled in with
:class:`string.Template`; every value put into the page is escaped here. The Content Security
Policy allows only the inline style and script whose hashes it names, so nothing else can run or
load.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any

from tvt.benchmark import DEFAULT_BENCHMARK
from tvt.leaderboard.cells import (
    coverage_note,
    mean_sd,
    model_text,
    s_abs_text,
    skill_text,
    track_text,
    trained_text,
)
from tvt.leaderboard.reported import paper_url, table_1_citation
from tvt.leaderboard.sections import SECTIONS, Section
from tvt.leaderboard.store import Groups
from tvt.leaderboard.types import BoardRow, EntryMetrics, Trajectories
from tvt.phases import BENCHMARK_ORDER

#: (header, numeric?, first click sorts descending?) for the HTML tables.
_HTML_COLUMNS = [
    ("#", True, False),
    ("Model", False, False),
    ("Organization", False, False),
    ("Track", False, False),
    ("Trained on tvt", False, False),
    ("Reading skill [95% CI]", True, True),
    ("S_abs [95% CI]", True, True),
    ("N", True, True),
    ("Pearson", True, True),
    ("DTW", True, False),
    ("RMSE", True, False),
    ("Date", False, True),
]
_LAST_COLUMN = {"trajectory": "Trajectory", "source": "Source", "commitment": "Seed commitment"}
_HTTP_URL = re.compile(r"https?://[^\s<>\"']+")


@cache
def asset(name: str) -> str:
    """The text of ``assets/<name>`` without its final newline."""
    text = files("tvt.leaderboard").joinpath("assets").joinpath(name).read_text(encoding="utf-8")
    return text.rstrip("\n")


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def trajectory_svg(traj: Trajectories, label: str) -> str:
    """A small inline SVG: mean model (solid) and reference (dashed) intensity per phase."""
    w, h, pad = 132, 44, 4

    def points(values: dict[str, float]) -> str:
        pts = []
        for i, phase in enumerate(BENCHMARK_ORDER):
            v = min(10.0, max(1.0, float(values[phase])))
            x = pad + i * (w - 2 * pad) / (len(BENCHMARK_ORDER) - 1)
            y = h - pad - (v - 1.0) / 9.0 * (h - 2 * pad)
            pts.append(f"{x:.1f},{y:.1f}")
        return " ".join(pts)

    desc = "; ".join(
        f"{p} model {traj['model'][p]:.2f} reference {traj['reference'][p]:.2f}"
        for p in BENCHMARK_ORDER
    )
    return (
        f'<svg class="traj" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{_esc(label)}"><title>{_esc(label + ": " + desc)}</title>'
        f'<rect x="0.5" y="0.5" width="{w - 1}" height="{h - 1}" fill="none" stroke="#ddd"/>'
        f'<polyline points="{points(traj["reference"])}" fill="none" stroke="#999" '
        'stroke-width="1.5" stroke-dasharray="3 2"/>'
        f'<polyline points="{points(traj["model"])}" fill="none" stroke="#1f5fbf" '
        'stroke-width="2"/></svg>'
    )


def _last_cell(entry: BoardRow, section: Section) -> str:
    if section.last_column == "commitment":  # tvt-bench-v2 sealed entries
        sealed = entry["sealed"]
        state = f"seed {sealed['seed']} revealed" if sealed.get("seed") is not None else "sealed"
        return (
            f'<td class="commit" title="sha256 over the seed and the recipe; inputs sha256 '
            f'{_esc(sealed.get("inputs_sha256") or "")}">'
            f"<code>{_esc(sealed['commitment'][:16])}</code> ({_esc(state)})</td>"
        )
    if section.last_column == "trajectory" and "trajectory" not in entry:
        return "<td>-</td>"  # the turn track has no per-phase trajectory
    if section.last_column == "trajectory":
        label = f"Mean trajectory of {entry['model']}"
        return f"<td>{trajectory_svg(entry['trajectory'], label)}</td>"
    cite = entry.get("source", {})
    url = cite["url"] if "url" in cite else paper_url()
    return (
        f'<td><a href="{_esc(url)}" rel="noopener noreferrer nofollow">'
        f"{_esc('paper, Table 1')}</a></td>"
    )


def _skill_value(m: EntryMetrics) -> float | None:
    skill = m.get("skill")
    return skill.get("value") if isinstance(skill, dict) else None


def _html_row(entry: BoardRow, section: Section) -> str:
    m = entry["metrics"]
    url = entry.get("url") or ""
    model = _esc(model_text(entry))
    # Only http(s) links: a javascript: URL would run script when clicked.
    if _HTTP_URL.fullmatch(url):
        model = f'<a href="{_esc(url)}" rel="noopener noreferrer nofollow">{model}</a>'
    cells = [
        f'<td class="num" data-value="{entry["rank"]}">{entry["rank"]}</td>',
        f'<td class="model" data-value="{_esc(entry["model"])}" '
        f'title="{_esc(entry["description"])}">{model}</td>',
        f'<td data-value="{_esc(entry["organization"])}">{_esc(entry["organization"])}</td>',
        f'<td data-value="{_esc(track_text(entry))}">{_esc(track_text(entry))}</td>',
        f'<td data-value="{_esc(trained_text(entry))}">{_esc(trained_text(entry))}</td>',
        f'<td class="num" data-value="{_skill_value(m)!r}">{_esc(skill_text(m))}</td>',
        f'<td class="num" data-value="{m["s_abs"]!r}">'
        f"{_esc(s_abs_text(m, section.s_abs_digits))}</td>",
        f'<td class="num" data-value="{m["n_scored"]}" title="{_esc(coverage_note(m))}">'
        f"{m['n_scored']}</td>",
    ]
    for metric in (m["pearson"], m.get("dtw"), m["rmse"]):
        value = metric["mean"] if metric else None
        cells.append(f'<td class="num" data-value="{value!r}">{_esc(mean_sd(metric))}</td>')
    cells.append(f'<td class="date" data-value="{_esc(entry["date"])}">{_esc(entry["date"])}</td>')
    cells.append(_last_cell(entry, section))
    return f'<tr data-file="{_esc(entry.get("_file", ""))}">' + "".join(cells) + "</tr>"


def _html_table(section: Section, rows: list[BoardRow]) -> str:
    heads = []
    for title, numeric, first_desc in _HTML_COLUMNS:
        sort = ' aria-sort="descending"' if title.startswith("S_abs") else ' aria-sort="none"'
        heads.append(
            f'<th data-type="{"num" if numeric else "text"}" '
            f'data-first="{"desc" if first_desc else "asc"}"{sort}>'
            f'<button type="button">{_esc(title)}</button></th>'
        )
    heads.append(f"<th>{_LAST_COLUMN[section.last_column]}</th>")
    body = "\n".join(_html_row(e, section) for e in rows)
    if not rows:
        body = f'<tr><td colspan="{len(heads)}">No entries.</td></tr>'
    return (
        f'<table class="board" id="{section.status}-table"><thead><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def _section(section: Section, rows: list[BoardRow], benchmark: str) -> str:
    note = Template(asset(f"note-{section.status}.html")).substitute(
        benchmark=_esc(benchmark),
        phases=_esc(" ".join(BENCHMARK_ORDER)),
        citation=_esc(table_1_citation()),
    )
    return Template(asset("section.html")).substitute(
        status=section.status,
        title=_esc(section.title),
        note=note,
        table=_html_table(section, rows),
    )


def render_html(groups: Groups, benchmark: str = DEFAULT_BENCHMARK) -> str:
    """One self-contained HTML page (inline CSS and JS; the CSP forbids loading anything)."""
    css, js = asset("page.css"), asset("page.js")
    csp = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "base-uri 'none'; form-action 'none'"
    )
    sections = "\n".join(_section(s, groups[s.status], benchmark) for s in SECTIONS)
    page = Template(asset("page.html")).substitute(csp=_esc(csp), css=css, js=js, sections=sections)
    return page + "\n"
