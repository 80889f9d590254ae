"""`tvt audit` on the command line: outputs, --fail-on, bad input, an imported release."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.audit.fixture import build
from tests.release_fixture import build_release
from tvt.audit.checks import CHECK_IDS
from tvt.cli import main
from tvt.resources import seeds_path


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audit-cli")
    build(folder)
    return folder


def test_summary_table_names_every_check_and_the_rules_version(fixture_dir):
    res = run("audit", fixture_dir)
    assert res.exit_code == 0, res.output
    for check in CHECK_IDS:
        assert check in res.output
    version = json.loads(seeds_path("audit", "rules.json").read_text(encoding="utf-8"))["version"]
    assert f"rules {version} (sha256 " in res.output
    # the fixture's single unassessed risk statement of client 2 and two of the held-out client
    line = next(ln for ln in res.output.splitlines() if ln.startswith("safety.unassessed_risk "))
    assert "2 / 5" in line.replace("  ", " ") or "2 /" in line


def test_json_report_has_every_rate_and_count(fixture_dir):
    res = run("audit", fixture_dir, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["format"] == "tvt-audit-report"
    assert list(doc["checks"]) == list(CHECK_IDS)
    for c in doc["checks"].values():
        assert {"eligible", "flagged", "rate", "examples", "why", "rule"} <= set(c)
        assert len(c["examples"]) <= 5
        if c["eligible"]:
            assert c["rate"] == pytest.approx(c["flagged"] / c["eligible"])
    assert doc["judge"] is None
    assert doc["rules"]["version"] and len(doc["rules"]["sha256"]) == 64
    assert doc["dataset"]["conversations"] == sum(
        1 for _ in open(fixture_dir / "conversations.jsonl")
    )


def test_per_conversation_flags_point_at_real_turns(fixture_dir, tmp_path):
    out = tmp_path / "flags.jsonl"
    res = run("audit", fixture_dir, "--per-conversation", out)
    assert res.exit_code == 0, res.output
    convs = [json.loads(line) for line in open(fixture_dir / "conversations.jsonl")]
    recs = [json.loads(line) for line in open(out)]
    assert [(r["client_id"], r["phase"]) for r in recs] == [
        (c["client_id"], c["phase"]) for c in convs
    ]
    for rec, conv in zip(recs, convs, strict=True):
        for flag in rec["flags"]:
            assert flag["check"] in CHECK_IDS
            assert all(0 <= t < len(conv["turns"]) for t in flag["turns"])
    c2 = next(r for r in recs if (r["client_id"], r["phase"]) == (2, "P10"))
    risk = next(f for f in c2["flags"] if f["check"] == "safety.unassessed_risk")
    text = next(c for c in convs if (c["client_id"], c["phase"]) == (2, "P10"))["turns"]
    assert "ending it all" in text[risk["turns"][0]]["text"]


def test_html_report_is_self_contained_and_escapes_every_excerpt(tmp_path):
    folder = tmp_path / "ds"
    build(folder)
    # plant markup in a flagged turn and in a name
    lines = [json.loads(line) for line in open(folder / "conversations.jsonl")]
    for rec in lines:
        if (rec["client_id"], rec["phase"]) == (2, "P10"):
            rec["turns"][4]["text"] = 'Take a deep breath. <script>alert("x")</script><img src=x>'
    with open(folder / "conversations.jsonl", "w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in lines)
    out = tmp_path / "report.html"
    res = run("audit", folder, "--html", out)
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collect().feed(html)
    names = {t for t, _ in tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed"}, names
    for tag, attrs in tags:
        for key, value in attrs:
            assert key not in ("src", "srcset") and not key.startswith("on"), (tag, key)
            if key == "href":
                assert value and value.startswith("#"), value  # in-page links only
    css = html[html.index("<style>") : html.index("</style>")]
    assert "url(" not in css and "@import" not in css
    assert "Content-Security-Policy" in html
    # a short explanation of each check and its clinical reason
    assert "Relaxation is not part of PE exposure" in html
    for check in CHECK_IDS:
        assert f'id="{check}"' in html


def test_fail_on_exits_1_when_exceeded_and_0_otherwise(fixture_dir):
    res = run("audit", fixture_dir, "--fail-on", "safety.unassessed_risk>0")
    assert res.exit_code == 1
    assert "safety.unassessed_risk>0" in res.output
    res = run(
        "audit",
        fixture_dir,
        "--fail-on",
        "safety.unassessed_risk>0.9,diversity.self_repeating_share>50%",
    )
    assert res.exit_code == 0, res.output
    res = run("audit", fixture_dir, "--json", "--fail-on", "safety.explicit_sexual.count>=1")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["fail_on"]["failed"][0]["value"] == 1.0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fail-on", "safety.unassesed_risk>0"], "did you mean"),
        (["--fail-on", "safety.unassessed_risk=0"], "NAME>VALUE"),
        (["--fail-on", "judge.risk_not_assessed>0"], "--judge"),
        (["--model", "m"], "--judge"),
        (["--judge", "openai"], "--model"),
    ],
)
def test_bad_options_exit_2(fixture_dir, args, words):
    res = run("audit", fixture_dir, *args)
    assert res.exit_code == 2, res.output
    assert words in res.output


def _write(folder: Path, text: str, name: str = "conversations.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode("utf-8"))
    return folder


GOOD = '{"client_id": 1, "phase": "P10", "turns": [{"speaker": "therapist", "text": "Go on."}]}'


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (GOOD + "\n{not json\n", "line 2"),
        (GOOD + "\n" + GOOD + "\n", "duplicate conversation"),
        (GOOD.replace("P10", "P9") + "\n", "unknown phase"),
        (GOOD.replace('"text": "Go on."', '"text": 3') + "\n", "turns[0].text"),
        (GOOD.replace("therapist", "robot") + "\n", "speaker"),
        (GOOD.replace('"client_id": 1', '"client_id": 0') + "\n", "client_id"),
        (GOOD.replace('"Go on."}', '"Go on.", "suds": 170}') + "\n", "suds"),
        ("", "empty"),
        (GOOD + "\n" + GOOD.replace("P10", "P6")[:-5], "truncated"),
    ],
)
def test_bad_input_is_one_sentence_with_file_and_line(tmp_path, content, words):
    folder = _write(tmp_path / "ds", content)
    res = run("audit", folder)
    assert res.exit_code == 2, res.output
    assert words in res.output and "conversations.jsonl" in res.output
    assert "Traceback" not in res.output


def test_missing_folder_and_not_a_dataset(tmp_path):
    assert run("audit", tmp_path / "nope").exit_code == 2
    (tmp_path / "empty").mkdir()
    res = run("audit", tmp_path / "empty")
    assert res.exit_code == 2 and "not a tvt dataset folder" in res.output


def test_bom_and_crlf_are_accepted(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "conversations.jsonl").write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n")
    res = run("audit", folder, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["dataset"]["conversations"] == 1


def test_outputs_are_not_half_written_on_bad_input(tmp_path):
    folder = _write(tmp_path / "ds", GOOD + "\n{bad\n")
    html, flags = tmp_path / "r.html", tmp_path / "f.jsonl"
    res = run("audit", folder, "--html", html, "--per-conversation", flags)
    assert res.exit_code == 2
    assert not html.exists() and not flags.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- an imported release -------------------------------------------------------------------------
def _plant(root: Path) -> None:
    """Release-style quirks the audit must catch: a name that drifts between phases, the
    reflexive breathing prompt, and suicidal thinking met with praise."""
    conv = root / "conversations"

    def edit(cid: int, phase: str, change) -> None:
        path = conv / f"{cid}_{phase}_conversation.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        change(doc["full_conversation"])
        doc["three_turn_sequences"] = [
            doc["full_conversation"][i : i + 3] for i in range(len(doc["full_conversation"]) - 2)
        ]
        path.write_text(json.dumps(doc, indent=4), encoding="utf-8")

    edit(1, "P5", lambda t: t.insert(0, "Therapist: Welcome back, Sarah."))
    edit(1, "P8", lambda t: t.insert(0, "Therapist: How are you feeling, Emily?"))
    edit(
        3,
        "P10",
        lambda t: t.extend(
            [
                "Client: I kept thinking about ending it all.",
                "Therapist: You're showing incredible strength. Continue.",
            ]
        ),
    )


def test_audit_of_an_imported_release(tmp_path):
    release = tmp_path / "release"
    fx = build_release(release)
    _plant(release)
    data = tmp_path / "data"
    res = run("import", release, "--out", data)
    assert res.exit_code == 0, res.output
    res = run("audit", data, "--json", "--per-conversation", tmp_path / "flags.jsonl")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    flags = {
        (r["client_id"], r["phase"]): {f["check"] for f in r["flags"]}
        for r in map(json.loads, open(tmp_path / "flags.jsonl"))
    }
    # scale: exactly the conversations the importer read on 0-10
    imported = [json.loads(line) for line in open(data / "conversations.jsonl")]
    on_ten = {
        (c["client_id"], c["phase"])
        for c in imported
        if c["phase"] in ("P10", "P6", "P7") and any(t.get("suds_scale") == 10 for t in c["turns"])
    }
    assert on_ten and {k for k, v in flags.items() if "exposure.suds_0_10" in v} == on_ten
    assert {k for k, v in fx.suds.items() if v and k[0] % 2 == 0} <= on_ten
    # consistency: the planted name change
    assert "consistency.client_name" in flags[(1, "P8")]
    assert doc["checks"]["consistency.client_name"]["flagged"] == 1
    # "You're doing well. Keep breathing." in every P10 and P6 of the fixture
    assert all("exposure.relaxation" in flags[(c, p)] for c in range(1, 7) for p in ("P10", "P6"))
    # the planted safety failure
    assert {"safety.unassessed_risk", "safety.risk_met_with_praise_or_suds"} <= flags[(3, "P10")]
    assert doc["checks"]["safety.unassessed_risk"]["flagged"] == 1


def test_help_has_examples_and_the_fail_on_syntax():
    res = run("audit", "--help")
    assert res.exit_code == 0
    assert "tvt audit tvt-data --fail-on" in res.output and "Examples" in res.output


@pytest.mark.slow
def test_rules_option_uses_the_edited_copy_and_names_its_version(fixture_dir, tmp_path):
    from tvt.resources import seeds_path

    doc = json.loads(seeds_path("audit", "rules.json").read_text(encoding="utf-8"))
    doc["version"] = "9.9.9"
    doc["lexicons"]["safety.graphic_injury"]["patterns"].append("hanging by a thread of skin")
    path = tmp_path / "my-rules.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    res = run("audit", fixture_dir, "--json", "--rules", path)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["rules"]["version"] == "9.9.9" and out["rules"]["source"] == "my-rules.json"
    assert out["checks"]["safety.graphic_injury"]["flagged"] == 2  # the held-out miss is found
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = run("audit", fixture_dir, "--rules", bad)
    assert res.exit_code == 2 and "bad.json" in res.output
