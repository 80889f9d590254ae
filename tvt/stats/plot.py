"""``tvt stats --plot`` and ``--html``: the distributions drawn against the design weights.

One PNG holds a small panel per attribute (client gender, ethnicity, ..., trauma type, session
topic, behaviours): a bar per value for the dataset's share and a tick for the share the config
makes it (the design weight), with the chi-square p-value in the panel title, so a value the
sampler over- or under-draws shows at a glance. The HTML page embeds the same PNG (base64, no
network) above the tables of ``tvt stats``.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any, TypedDict

from tvt.jsonio import atomic_writer
from tvt.stats.types import AttributeFigures, StatsReport, ValueRow

#: Panels with more values than this show the largest ones (by count or target) only.
MAX_VALUES = 14


def _panels(data: StatsReport) -> Iterator[tuple[str, str, dict[str, ValueRow], float | None]]:
    """``(key, label, values, p_value)`` per attribute drawn, behaviours last."""
    for key, entry in data["attributes"].items():
        yield key, entry["label"], entry["values"], _p(entry)
    b = data["behaviours"]
    yield "behaviours", b["label"], b["values"], _p(b)


def _p(entry: AttributeFigures) -> float | None:
    chi = entry.get("chi_square")
    return None if not chi else chi.get("p_value")


class DistributionRow(TypedDict):
    """One (attribute, value) of a dataset's distributions (``StatsReport.to_pandas()``)."""

    attribute: str
    value: str
    count: int
    percent: float | None
    target_percent: float | None
    p_value: float | None


def distribution_rows(data: StatsReport) -> list[DistributionRow]:
    """One row per (attribute, value): count, percent, target percent and the p-value."""
    rows: list[DistributionRow] = []
    for key, _label, values, p in _panels(data):
        for value, v in values.items():
            rows.append(
                {
                    "attribute": key,
                    "value": value,
                    "count": v["count"],
                    "percent": v["percent"],
                    "target_percent": v.get("target_percent"),
                    "p_value": p,
                }
            )
    return rows


def _figure(**kwargs: Any) -> Any:
    """A matplotlib Figure drawn by the Agg renderer, outside pyplot.

    pyplot is not touched, so drawing never changes the backend of the caller's session (a
    notebook keeps its inline figures) and needs no display. Imported here, not at the top:
    matplotlib takes about a second to import, and only a run that draws should pay for it.
    """
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _png(data: StatsReport) -> bytes:
    panels = list(_panels(data))
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig = _figure(figsize=(15, 3.6 * rows), dpi=90)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (_key, label, values, p) in zip(axes.flat, panels, strict=False):
        items = list(values.items())
        if len(items) > MAX_VALUES:
            items.sort(key=lambda kv: -max(kv[1]["count"], kv[1].get("target_percent") or 0))
            items = items[:MAX_VALUES]
        names = [str(k) for k, _ in items]
        x = list(range(len(items)))
        ax.bar(x, [v["percent"] or 0 for _, v in items], color="#4c72b0", label="dataset %")
        targets = [v.get("target_percent") for _, v in items]
        if any(t is not None for t in targets):
            ax.scatter(
                x,
                [math.nan if t is None else t for t in targets],
                marker="_",
                s=420,
                linewidths=2.5,
                color="#dd8452",
                zorder=3,
                label="design weight %",
            )
        ax.set_xticks(x, [n if len(n) <= 18 else n[:17] + "…" for n in names])
        ax.tick_params(axis="x", labelrotation=40, labelsize=7)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
        shown = "no test" if p is None else f"chi-square p = {p:.3g}"
        ax.set_title(f"{label} ({shown})", fontsize=9)
        ax.set_ylabel("% of clients", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    n = data["dataset"]["clients"]
    fig.suptitle(f"Client distributions of {n} clients against the design weights")
    fig.legend(handles, labels, loc="upper right")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    buffer = io.BytesIO()
    # No date or software-version metadata: the same figures give the same bytes.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def plot_stats(data: StatsReport, path: str | Path) -> None:
    """Write the distributions of ``data`` (what ``compute_stats`` returns) as one PNG."""
    png = _png(data)
    with atomic_writer(Path(path), "wb") as fh:
        fh.write(png)


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;"
    "color:#1d232a}img{max-width:100%;height:auto}pre{background:#f5f7f9;padding:.8rem;"
    "overflow-x:auto;font-size:.85rem}"
)


def render_stats_html(data: StatsReport) -> str:
    """A self-contained page: the PNG of :func:`plot_stats` and the tables of ``tvt stats``."""
    from tvt.stats.render import render_stats

    png = base64.b64encode(_png(data)).decode("ascii")
    n = data["dataset"]["clients"]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>tvt stats: {n} clients</title><style>{_CSS}</style></head><body>"
        f"<h1>Distributions of {n} clients against the design weights</h1>"
        f'<img alt="bar per value: dataset share; tick: design weight" '
        f'src="data:image/png;base64,{png}">'
        f"<pre>{escape(render_stats(data))}</pre></body></html>\n"
    )
