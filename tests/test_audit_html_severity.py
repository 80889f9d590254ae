"""The audit page colours a check by how much its flags matter, not the same red for all."""

from __future__ import annotations

import re

import tvt
from tvt.audit.checks import CHECK_IDS
from tvt.audit.html import render_html, severity


def test_every_check_has_a_severity_and_unflagged_checks_none():
    for cid in CHECK_IDS:
        check = {"family": cid.split(".")[0], "flagged": 1}
        assert severity(cid, check) in {"high", "medium", "low", "info"}
        assert severity(cid, {**check, "flagged": 0}) == "none"
    assert severity("safety.unassessed_risk", {"family": "safety", "flagged": 2}) == "high"
    assert severity("safety.risk_statement", {"family": "safety", "flagged": 2}) == "info"
    assert severity("exposure.relaxation", {"family": "exposure", "flagged": 2}) == "medium"
    assert severity("diversity.self_repeating", {"family": "diversity", "flagged": 2}) == "low"


def test_page_classes_rows_boxes_and_bars_by_severity():
    doc = tvt.audit(tvt.generate(seed=3, clients=3)).to_dict()
    for cid in CHECK_IDS:
        doc["checks"][cid]["flagged"] = 0
        doc["checks"][cid]["rate"] = 0.0
    for cid in ("safety.unassessed_risk", "exposure.relaxation", "consistency.client_name"):
        doc["checks"][cid]["flagged"] = 1
        doc["checks"][cid]["rate"] = 0.5
    page = render_html(doc)
    rows = {
        cid: level
        for level, cid in re.findall(r'<tr class="sev-(\w+)"><td><a href="#([\w.]+)">', page)
    }
    assert rows["safety.unassessed_risk"] == "high"
    assert rows["exposure.relaxation"] == "medium"
    assert rows["consistency.client_name"] == "low"
    assert rows["safety.method_detail"] == "none"
    assert '<div class="check sev-high" id="safety.unassessed_risk">' in page
    # the three levels have three different colours in the stylesheet
    css = page[page.index("<style>") : page.index("</style>")]
    colours = {
        level: re.search(rf"\.check\.sev-{level}{{border-left:5px solid (#[0-9a-f]+)}}", css).group(
            1
        )
        for level in ("high", "medium", "low")
    }
    assert len(set(colours.values())) == 3
