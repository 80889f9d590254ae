"""The audit measured against its gold set (tests/audit_gold): precision and recall per check,
with floors that fail the test when a check drops below them.

The gold set references turns, never copies them: the release's items are resolved from
../shared/release-dev (skipped when it is absent), tvt's own items are regenerated from their
seeds. See docs/audit.md, "How far the audit can be trusted".
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from tvt.audit.calibrate import (
    RECALL_CHECKS,
    flag_index,
    floor_failures,
    load_gold,
    render_table,
    score,
    text_sha,
    wilson,
)
from tvt.audit.checks import audit_dataset
from tvt.audit.report import per_conversation
from tvt.cli import main
from tvt.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "audit_gold"
RELEASE = ROOT.parent / "shared" / "release-dev"

#: The broad death and self-harm word list: every client turn of the release's dev half that
#: matches it is in the gold set, labelled (see tests/audit_gold/README.md).
BROAD = re.compile(
    r"\b(die|dying|dead|death|kill(ing)? (myself|me)|suicid\w*|end(ing)? (it|it all|my life|"
    r"everything|things)|disappear\w*|vanish|(not|never) (to )?wake up|(hurt|harm|cut|burn|punish)"
    r"(ing)? myself|self[- ]?harm\w*|pills?|overdos\w*|(don't|didn't|do not) want to (live|be "
    r"alive|be here|exist|go on)|better off|not (be )?(here|around) anymore|no (point|reason) "
    r"(in |to )?(living|live|going on)|razor|make it (all )?stop|(want|wanted|wish|wished) (to|i "
    r"could|i was|i were|i'd) (die|disappear|vanish|not exist|be gone|sleep forever))\b",
    re.IGNORECASE,
)


def _texts(folder: Path) -> dict[tuple[int, str], list[str]]:
    with open(folder / "conversations.jsonl", "rb") as fh:
        return {
            (r["client_id"], r["phase"]): [t["text"] for t in r["turns"]]
            for r in map(orjson.loads, fh)
        }


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def audited(gold, tmp_path_factory):
    """Every source of the gold set audited with the shipped rules: (flags, texts)."""
    from tvt.api import generate

    items, sources = gold
    flags, texts, speakers = {}, {}, {}
    for name, spec in sources["sources"].items():
        if spec["kind"] == "release":
            if not RELEASE.exists():
                continue
            from tvt.release.importer import import_release

            folder = tmp_path_factory.mktemp("release") / "data"
            import_release(RELEASE, folder)
        else:
            folder = tmp_path_factory.mktemp(name.replace(":", "-").replace("=", "-")) / "data"
            generate(spec["seed"], spec["clients"], out=folder)
        flags[name] = flag_index(per_conversation(audit_dataset(folder)))
        texts[name] = _texts(folder)
        with open(folder / "conversations.jsonl", "rb") as fh:
            speakers[name] = {
                (r["client_id"], r["phase"]): [t["speaker"] for t in r["turns"]]
                for r in map(orjson.loads, fh)
            }
    return flags, texts, speakers


def test_the_gold_set_is_valid_and_labels_enough_items(gold):
    items, sources = gold
    assert len(items) >= 450
    risk = [i for i in items if i.check == "safety.risk_statement"]
    # at least 150 candidates for recall: turns read for risk whatever the rules say
    assert len(risk) >= 150
    assert {i.label for i in risk} == {"risk", "not_risk", "borderline"}
    assert all(i.kind for i in risk if i.label == "risk")
    # the parts are split by client, so that tuning never sees a held-out client
    split_of: dict[tuple[str, int], str] = {}
    for i in items:
        if i.split != "fresh":
            assert split_of.setdefault((i.source, i.client), i.split) == i.split
    assert {i.split for i in items} == {"tune", "test", "fresh"}
    assert set(sources["sources"]) >= {i.source for i in items}


def test_a_bad_gold_line_names_file_and_line(tmp_path):
    shutil.copy(GOLD / "sources.json", tmp_path / "sources.json")
    good = (GOLD / "items.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad = json.loads(good)
    bad["label"] = "maybe"
    (tmp_path / "items.jsonl").write_text(good + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_gold(tmp_path)
    assert "items.jsonl" in str(exc.value) and "line 2" in str(exc.value)


@given(st.integers(0, 400), st.integers(1, 400))
def test_wilson_interval_matches_scipy(k, n):
    k = min(k, n)
    lo, hi = wilson(k, n)
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert lo == pytest.approx(ref.low, abs=1e-9) and hi == pytest.approx(ref.high, abs=1e-9)
    assert wilson(0, 0) is None


def test_changed_text_is_reported_as_drift_not_scored(gold):
    items, _ = gold
    item = next(i for i in items if i.source == "tvt:seed=7")
    texts = {"tvt:seed=7": {item.key: ["x"] * (item.turn + 1)}}
    cal = score([item], {"tvt:seed=7": {}}, texts, "all")
    assert cal.items == 0 and cal.drifted == [item]
    turns = ["x"] * item.turn + ["the turn"]
    same = type(item)(**{**item.__dict__, "sha": text_sha("the turn")})
    cal = score([same], {"tvt:seed=7": {}}, {"tvt:seed=7": {item.key: turns}}, "all")
    assert cal.items == 1 and not cal.drifted


def test_scoring_counts_flags_misses_and_borderline(gold):
    items, _ = gold
    base = next(i for i in items if i.source == "tvt:seed=7")
    turns = {base.key: [f"turn {k}" for k in range(6)]}

    def item(turn, label):
        return type(base)(
            "tvt:seed=7", base.client, base.phase, turn, "safety.risk_statement", label,
            "r", text_sha(f"turn {turn}"), "test", "passive" if label == "risk" else None,
        )  # fmt: skip

    gold_items = [item(0, "risk"), item(1, "risk"), item(2, "not_risk"), item(3, "borderline")]
    flags = {"tvt:seed=7": {base.key: {"safety.risk_statement": {0, 2, 3}}}}
    s = score(gold_items, flags, {"tvt:seed=7": turns}).scores["safety.risk_statement"]
    assert (s.true_flags, s.false_flags, s.missed, s.borderline) == (1, 1, 1, 1)
    assert s.precision == 0.5 and s.recall == 0.5


@pytest.mark.slow
@pytest.mark.skipif(not RELEASE.exists(), reason="the release's dev half is not here")
def test_every_death_or_self_harm_turn_of_the_release_is_labelled(gold, audited):
    items, _ = gold
    _flags, texts, speakers = audited
    labelled = {
        (i.client, i.phase, i.turn)
        for i in items
        if i.source == "release-dev" and i.check == "safety.risk_statement"
    }
    missing = [
        (client, phase, k)
        for (client, phase), turns in texts["release-dev"].items()
        for k, text in enumerate(turns)
        if speakers["release-dev"][(client, phase)][k] == "client"
        and BROAD.search(text)
        and (client, phase, k) not in labelled
    ]
    assert not missing, f"{len(missing)} matching client turns not labelled, e.g. {missing[:3]}"


#: Checks measured below their floor, each with what was found; listed here so that the gap is
#: visible and enforced both ways: every other check must meet its floor, and a check listed
#: here must still be below it (when a fix lifts it, the test fails until it is taken off the
#: list). docs/audit.md reports the figures.
KNOWN_BELOW_FLOOR: dict[str, dict[str, str]] = {
    "test": {
        "consistency.pronouns": (
            "composer 3.5, seed 42, client 396: P7 tells of a nurse and a doctor ('she'), the other "
            "exposures of the brother who died ('he'); the check compares the dominant pronoun "
            "across exposures and cannot tell different people apart (0/6, one conversation)"
        ),
    },
    "tune": {},
}


@pytest.mark.slow
@pytest.mark.parametrize("split", ["test", "tune"])
def test_every_check_meets_its_floor(gold, audited, split):
    items, sources = gold
    flags, texts, _ = audited
    cal = score(items, flags, texts, split)
    table = render_table(cal, sources["floors"])
    assert not cal.drifted, table
    failing = floor_failures(cal, sources["floors"])
    known = KNOWN_BELOW_FLOOR[split]
    assert [f for f in failing if f.split()[0] not in known] == [], table
    for check in known:
        assert any(f.split()[0] == check for f in failing), f"{check} now meets its floor\n{table}"
    # The safety checks are measured on recall too. tvt's own output holds risk statements but
    # assesses every one (no positives for the two follow-up checks there), so those two are
    # measured on the release's items, which only this machine's copy of the release provides.
    for check in RECALL_CHECKS if RELEASE.exists() else ("safety.risk_statement",):
        assert cal.scores[check].positives > 0, table


@pytest.mark.slow
def test_calibrate_prints_the_table_and_scores_the_judge(tmp_path, monkeypatch):
    """`tvt audit --calibrate --judge openai` against the fake server: the judge's verdicts are
    scored on the same items as the rules (mechanics; the fake judge only knows a few words)."""
    from tests.fake_openai_server import FakeServer

    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    sources = json.loads((GOLD / "sources.json").read_text(encoding="utf-8"))
    sources["sources"] = {"tvt:seed=7": sources["sources"]["tvt:seed=7"]}
    (gold_dir / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    lines = [  # the safety items: what the judge is scored on (the floors have their own test)
        line
        for line in (GOLD / "items.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["source"] == "tvt:seed=7"
        and json.loads(line)["check"].startswith("safety.")
    ]
    (gold_dir / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(
        main, ["audit", "--calibrate", "--gold", str(gold_dir), "--split", "all"]
    )
    assert res.exit_code == 0, res.output
    assert "| `safety.risk_statement` |" in res.stdout and "all met" in res.stdout

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = FakeServer().start()
    try:
        args = ["audit", "--calibrate", "--gold", str(gold_dir), "--split", "all", "--json"]
        args += ["--judge", "openai", "--model", "fake", "--base-url", server.base_url]
        args += ["--cache", str(tmp_path / "cache")]
        res = CliRunner().invoke(main, args)
        completions = server.state.stats()["completions"]
    finally:
        server.stop()
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    judged = {
        (json.loads(line)["client"], json.loads(line)["phase"])
        for line in lines
        if json.loads(line)["check"] in RECALL_CHECKS
    }
    assert completions == len(judged)
    rule, judge = (
        doc["checks"]["safety.risk_statement"],
        doc["judge"]["checks"]["safety.risk_statement"],
    )
    # scored on the same items: same positives, whatever each found
    assert judge["positives"] == rule["positives"] > 0
    # the fake judge knows "kill myself" and "ending it all", not the composer's "go to sleep and
    # not wake up": it finds none of these statements, and the table says so
    assert judge["recall"] == 0.0 and rule["recall"] == 1.0
