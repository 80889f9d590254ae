"""The self-contained HTML report: inline CSS, no script, no network, every text escaped."""

from __future__ import annotations

from html import escape

from tvt.audit.checks import FAMILIES
from tvt.audit.report import JUDGE_BESIDE
from tvt.audit.types import AuditDocument, CheckDoc, Example

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;
color:#1d232a;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border-bottom:1px solid #e3e6ea;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.6rem;background:#7f8c8d;vertical-align:middle}
.sev{display:inline-block;font-size:.75rem;padding:0 .35rem;border-radius:3px;color:#fff;
background:#7f8c8d;vertical-align:middle}
.sev-high .bar,.sev-high.sev{background:#c0392b}.sev-medium .bar,.sev-medium.sev{background:#d68910}
.sev-low .bar,.sev-low.sev{background:#2e86c1}.sev-info .bar,.sev-info.sev{background:#7f8c8d}
.check.sev-high{border-left:5px solid #c0392b}.check.sev-medium{border-left:5px solid #d68910}
.check.sev-low{border-left:5px solid #2e86c1}.check.sev-info{border-left:5px solid #7f8c8d}
tr.sev-none td,.check.sev-none{color:#56606b}
.ok{color:#2d7a3e}.meta{color:#56606b;font-size:.9rem}
details{margin:.3rem 0 .8rem}summary{cursor:pointer}
.check{border:1px solid #e3e6ea;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
.check h3{font-size:1rem;margin:.1rem 0 .4rem}
.why{margin:.2rem 0}.rule{color:#56606b;font-size:.9rem;margin:.2rem 0}
.ex{margin:.4rem 0;padding:.4rem .6rem;background:#fafbfc;border-left:3px solid #b9c2cc}
.ex .turn{margin:.15rem 0}.ex .hit{background:#fff1c2}
.judge{border-left:3px solid #6a5acd;padding-left:.6rem}
code{background:#f3f5f7;padding:0 .2rem;border-radius:3px}
"""


#: How much a flag of each check matters, for colour only (the figures are the same):
#: high -- a client could be harmed (a risk statement left unassessed or answered with praise,
#: method detail, graphic or sexual content); medium -- the conversation departs from the PE
#: protocol (rationale, exposure, processing); low -- realism of the data (consistency,
#: repetition); info -- counted, not a fault (risk statements themselves).
SEVERITY_OF_FAMILY = {
    "rationale": "medium",
    "exposure": "medium",
    "processing": "medium",
    "consistency": "low",
    "safety": "high",
    "diversity": "low",
}
SEVERITY_OF_CHECK = {"safety.risk_statement": "info"}


def severity(cid: str, check: CheckDoc) -> str:
    """``high``, ``medium``, ``low`` or ``info`` for a check that flags something, else ``none``."""
    if not check.get("flagged"):
        return "none"
    return SEVERITY_OF_CHECK.get(cid, SEVERITY_OF_FAMILY.get(check["family"], "info"))


def _sev_badge(level: str) -> str:
    return "" if level == "none" else f' <span class="sev sev-{level}">{level}</span>'


def _rate(value: float | None) -> str:
    return "&ndash;" if value is None else f"{100 * value:.1f}%"


def _bar(value: float | None) -> str:
    if not value:
        return ""
    return f'<span class="bar" style="width:{max(1, round(100 * value))}px"></span>'


def _example(ex: Example) -> str:
    where = f"client {ex['client_id']}, {escape(ex['phase'])}"
    if ex["turns"]:
        where += ", turn " + ", ".join(str(t) for t in ex["turns"][:8])
        if len(ex["turns"]) > 8:
            where += ", &hellip;"
    parts = [f'<div class="ex"><div class="meta">{where}']
    if ex.get("detail"):
        parts.append(f" &middot; {escape(str(ex['detail']))}")
    parts.append("</div>")
    for t in ex["excerpt"]:
        cls = "turn hit" if t["hit"] else "turn"
        parts.append(
            f'<div class="{cls}"><b>{escape(t["speaker"].capitalize())}</b> '
            f'<span class="meta">[{t["turn"]}]</span> {escape(t["text"])}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def render_html(doc: AuditDocument) -> str:
    """The whole report as one HTML page."""
    ds = doc["dataset"]
    judge = doc["judge"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>tvt audit: {escape(ds['folder'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>PE-fidelity, consistency and safety audit of <code>{escape(ds['folder'])}</code></h1>",
        f'<p class="meta">{ds["conversations"]} conversations of {ds["clients"]} clients; '
        f"rules version {escape(doc['rules']['version'])} (sha256 "
        f"{escape(doc['rules']['sha256'][:12])}); tvt {escape(doc['tvt_version'])}",
    ]
    if ds.get("fingerprint"):
        out.append(f"; dataset fingerprint {escape(str(ds['fingerprint'])[:12])}")
    out.append("</p>")
    if judge:
        out.append(
            f'<p class="judge">LLM judge <code>{escape(judge["model"])}</code> (prompt '
            f"{escape(judge['prompt_version'])}): {judge['judged']} conversations judged, "
            f"{judge['format_failures']} format failures, {judge['request_failures']} request "
            "failures. Judge figures are shown beside the rule figures, never merged with "
            "them.</p>"
        )
    out.append(
        "<p>Each rate is the share of eligible units (conversations, statements or clients) "
        "that the check flags. Rules are lexicons and patterns: read the blind spots of each "
        "check in docs/audit.md before acting on a figure.</p>"
    )
    # summary table
    out.append("<h2>Summary</h2><table><tr><th>check</th><th>unit</th><th>flagged</th>")
    out.append("<th>rate</th><th></th>" + ("<th>judge</th>" if judge else "") + "</tr>")
    for cid, c in doc["checks"].items():
        level = severity(cid, c)
        row = (
            f'<tr class="sev-{level}"><td><a href="#{escape(cid)}">{escape(cid)}</a>'
            f"{_sev_badge(level)}</td><td>{escape(c['unit'])}</td>"
            f'<td class="num">{c["flagged"]} / {c["eligible"]}</td>'
            f'<td class="num">{_rate(c["rate"])}</td><td>{_bar(c["rate"])}</td>'
        )
        if judge:
            qid = JUDGE_BESIDE.get(cid)
            if qid:
                q = judge["questions"][qid.split(".", 1)[1]]
                row += f'<td class="num">{_rate(q["rate"])} ({q["flagged"]}/{q["eligible"]})</td>'
            else:
                row += "<td></td>"
        out.append(row + "</tr>")
    out.append("</table>")
    # details per family
    for family in FAMILIES:
        rows = [(cid, c) for cid, c in doc["checks"].items() if c["family"] == family]
        out.append(f"<h2>{escape(family.capitalize())}</h2>")
        for cid, c in rows:
            level = severity(cid, c)
            out.append(f'<div class="check sev-{level}" id="{escape(cid)}">')
            out.append(
                f"<h3>{escape(c['title'])} <code>{escape(cid)}</code>: {_rate(c['rate'])} "
                f'<span class="meta">({c["flagged"]} of {c["eligible"]} {escape(c["unit"])}s'
                f"; {c['conversations_flagged']} conversations)</span>{_sev_badge(level)}</h3>"
            )
            out.append(f'<p class="why">{escape(c["why"])}</p>')
            out.append(f'<p class="rule">Rule: {escape(c["rule"])}</p>')
            if c["examples"]:
                out.append(f"<details><summary>{len(c['examples'])} example(s)</summary>")
                out.extend(_example(ex) for ex in c["examples"])
                out.append("</details>")
            else:
                out.append('<p class="ok meta">No example: nothing flagged.</p>')
            out.append("</div>")
    if judge:
        out.append("<h2>LLM judge</h2><table><tr><th>question</th><th>asked</th>")
        out.append("<th>flagged</th><th>rate</th><th>agreement with the rule</th></tr>")
        for q in judge["questions"].values():
            agree = q.get("agreement")
            agree_s = "&ndash;" if agree is None else f"{100 * agree:.0f}%"
            out.append(
                f'<tr><td>{escape(q["question"])}</td><td class="num">{q["eligible"]}</td>'
                f'<td class="num">{q["flagged"]}</td><td class="num">{_rate(q["rate"])}</td>'
                f'<td class="num">{agree_s} of {q.get("compared", 0)}</td></tr>'
            )
        out.append("</table>")
        for q in judge["questions"].values():
            if q.get("examples"):
                out.append(f"<h3>{escape(q['question'])}</h3>")
                out.extend(_example(ex) for ex in q["examples"])
    out.append("<h2>Measures</h2><table><tr><th>measure</th><th>value</th></tr>")
    for name, value in doc["measures"].items():
        shown = "&ndash;" if value is None else f"{value:.3f}"
        out.append(f'<tr><td>{escape(name)}</td><td class="num">{shown}</td></tr>')
    out.append("</table>")
    for speaker, fig in doc["diversity"]["speakers"].items():
        top = fig.get("top_sentences") or []
        if top:
            out.append(f"<h3>Most widespread {escape(speaker)} sentences</h3><table>")
            out.append("<tr><th>sentence</th><th>conversations</th></tr>")
            for t in top:
                out.append(
                    f"<tr><td>{escape(t['sentence'])}</td>"
                    f'<td class="num">{t["conversations"]}</td></tr>'
                )
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
