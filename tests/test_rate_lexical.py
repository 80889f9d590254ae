"""The lexical rater: SUDS reading and scale detection, language score, rule, files, CLI."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from tvt.cli import main
from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER as PHASES
from tvt.raters import lexical
from tvt.raters.lexical import (
    combine,
    language_score,
    lexicon_balance,
    rate_conversation,
    stated_suds,
    tokenize,
    vader_compound,
)
from tvt.scoring import score_files


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def th(text, suds=None):
    return {"speaker": "therapist", "text": text, "suds": suds, "act": "x"}


def cl(text, suds=None, **extra):
    return {"speaker": "client", "text": text, "suds": suds, "act": "x", **extra}


CALM = "I feel calm and safe now, a lot lighter. I learned that I can handle this."
MILD = "I guess I was a bit nervous about today, but it is okay."
HIGH = (
    "He grabbed me and I was screaming, my heart is pounding and I can't breathe, "
    "I am terrified, there is blood everywhere."
)


# -- language -----------------------------------------------------------------------------------
def test_language_score_orders_calm_mild_extreme():
    calm, mild, high = (language_score(t)[0] for t in (CALM, MILD, HIGH))
    assert 0.0 <= calm < mild < high <= 1.0
    assert calm < 0.35 and high > 0.75


def test_negation_flips_a_term_at_half_weight():
    assert lexicon_balance(tokenize("I am scared")) == (2.0, 0.0)
    assert lexicon_balance(tokenize("I am not scared")) == (0.0, 1.0)
    assert lexicon_balance(tokenize("I don't feel safe")) == (1.0, 0.0)


def test_longest_phrase_wins_and_consumes_its_words():
    # "can't breathe" (distress 3) must not also count "breathe" (calm 1).
    assert lexicon_balance(tokenize("I can't breathe")) == (3.0, 0.0)
    assert lexicon_balance(tokenize("my heart is pounding")) == (3.0, 0.0)


SENTENCES = [
    CALM,
    MILD,
    HIGH,
    "It was a good day but then everything went wrong and I felt horrible.",
    "I am not happy about it at all.",
    "I'm really very scared and sad.",
    "Thank you, that was helpful and I feel hopeful.",
    "I hate this, it is so painful and awful.",
    "Nothing much, just the kitchen and the table.",
    "I love my kids, they are the best thing in my life.",
    "I was never safe there, never.",
    "It hurts, it hurts so much, I can't stand it.",
]


def test_streamlined_vader_tracks_the_full_polarity_scores():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    full = SentimentIntensityAnalyzer()
    ours = [vader_compound(tokenize(s)) for s in SENTENCES]
    ref = [full.polarity_scores(s)["compound"] for s in SENTENCES]
    for a, b in zip(ours, ref, strict=True):
        assert (a > 0.05) == (b > 0.05) and (a < -0.05) == (b < -0.05)
    assert max(abs(a - b) for a, b in zip(ours, ref, strict=True)) < 0.35
    import numpy as np

    assert np.corrcoef(ours, ref)[0, 1] > 0.9


# -- SUDS ---------------------------------------------------------------------------------------
def test_suds_field_is_used_when_present():
    turns = [
        th("SUDS?"),
        cl("About seven.", suds=70, suds_scale=10),
        th("Now?"),
        cl("Eighty.", suds=80),
    ]
    r = stated_suds(turns)
    assert r.source == "field" and r.values == [70.0, 80.0] and r.mean == 75.0


@pytest.mark.parametrize(
    "turns,scale,values",
    [
        ([th("On a scale of 0 to 10, how distressed are you?"), cl("Maybe a 7.")], 10, [70.0]),
        ([th("What's your SUDS?"), cl("Seventy-five.")], 100, [75.0]),
        (
            [th("What's your SUDS?"), cl("It's 8."), th("And now, your SUDS?"), cl("6")],
            10,
            [80, 60],
        ),
        ([th("What's your SUDS?"), cl("8"), th("SUDS now?"), cl("65")], 100, [8, 65]),
        ([th("Where are you at?"), cl("Eight out of ten, honestly.")], 10, [80.0]),
        ([th("Rate your distress from 0 to 100."), cl("about a nine")], 100, [9.0]),
        ([th("How are you?"), cl("I walked 20 minutes, I was at 7/10.")], 10, [70.0]),
        ([th("SUDS?"), cl("a hundred, it's the worst")], 100, [100.0]),
    ],
)
def test_suds_from_text_with_scale_detection(turns, scale, values):
    r = stated_suds(turns)
    assert r.source == "text" and r.scale == scale
    assert r.values == pytest.approx(values)


def test_no_suds_when_numbers_are_not_answers():
    r = stated_suds([th("Tell me about that day."), cl("I was 25 and it was 3 in the morning.")])
    assert r.source == "none" and r.mean is None


# -- the rule -----------------------------------------------------------------------------------
def test_combination_rule_is_the_documented_one():
    assert combine(None, None) is None
    assert combine(None, 0.30) == pytest.approx(1.0)
    assert combine(None, 0.75) == pytest.approx(10.0)
    assert combine(None, 0.525) == pytest.approx(5.5)
    assert combine(100.0, None) == pytest.approx(10.0)
    assert combine(50.0, 0.525) == pytest.approx(0.6 * 5.5 + 0.4 * 5.5)
    assert combine(0.0, 0.75) == pytest.approx(0.6 * 1 + 0.4 * 10)


def test_conversation_rating_follows_the_evidence():
    low = rate_conversation([th("How do you feel about starting?"), cl(CALM)])
    high = rate_conversation([th("Stay with it."), cl(HIGH), th("SUDS?"), cl("Ninety.")])
    assert 1.0 <= low.intensity < 4.0
    assert high.intensity > 8.0 and high.suds.mean == 90.0
    empty = rate_conversation([th("Hello."), th("Are you there?")])
    assert empty.intensity is None and empty.client_turns == 0


def test_turn_intensity_fields_are_never_used():
    a = rate_conversation([th("Go on."), cl(MILD)])
    b = rate_conversation([th("Go on."), cl(MILD, intensity=10)])
    assert a.intensity == b.intensity


# -- datasets and the CLI -----------------------------------------------------------------------
def make_dataset(folder, n=6, seed=0):
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"P5": MILD, "P10": HIGH, "P6": HIGH, "P7": HIGH, "P8": MILD, "P11": CALM}
    suds = {"P10": 80, "P6": 85, "P7": 60}
    convs, refs = [], []
    for cid in range(1, n + 1):
        for p in PHASES:
            turns = [th("Let's begin."), cl(texts[p])]
            if p in suds:
                turns += [
                    th("What's your SUDS on a scale of 0 to 100?"),
                    cl(str(suds[p] + rng.randint(-5, 5))),
                ]
            convs.append({"client_id": cid, "phase": p, "turns": turns})
        refs.append(
            {
                "client_id": cid,
                "trajectory": dict(zip(PHASES, [5, 8, 8, 7, 5, 3], strict=True)),
                "source": "plan",
            }
        )
    (folder / "conversations.jsonl").write_text("".join(json.dumps(c) + "\n" for c in convs))
    (folder / "reference.jsonl").write_text("".join(json.dumps(r) + "\n" for r in refs))
    (folder / "cases.jsonl").write_text(
        "".join(json.dumps({"client_id": i}) + "\n" for i in range(1, n + 1))
    )
    return folder


def test_rate_writes_scorable_outputs(tmp_path):
    ds = make_dataset(tmp_path / "ds")
    out = tmp_path / "lex.jsonl"
    res = run("rate", ds, "--rater", "lexical", "-o", out)
    assert res.exit_code == 0, res.output
    assert "6 clients" in res.output and "36 of 36" in res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["client_id"] for r in lines] == list(range(1, 7))
    assert all(r["model"] == "lexical" and list(r["trajectory"]) == list(PHASES) for r in lines)
    t = lines[0]["trajectory"]
    assert t["P10"] > t["P5"] > t["P11"] and t["P6"] > t["P8"]
    rep = score_files(out, ds)
    assert rep["n_scored"] == 6 and rep["pearson"]["mean"] > 0.8
    # Deterministic bytes.
    run("rate", ds, "-o", tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == out.read_bytes()


def test_rate_as_reference(tmp_path):
    import jsonschema

    from tvt.resources import load_schema

    ds = make_dataset(tmp_path / "ds")
    out = tmp_path / "ref.jsonl"
    res = run("rate", ds, "--rater", "lexical", "--as-reference", "-o", out)
    assert res.exit_code == 0, res.output
    schema = load_schema("reference.schema.json")
    for line in out.read_text().splitlines():
        rec = json.loads(line)
        jsonschema.validate(rec, schema)
        assert rec["source"] == "rater:lexical"
    before = (ds / "reference.jsonl").read_bytes()
    res = run("rate", ds, "--as-reference", "-o", ds / "reference.jsonl")
    assert res.exit_code == 2 and "would overwrite the input file" in res.output
    assert str(ds / "reference.jsonl") in res.output
    assert (ds / "reference.jsonl").read_bytes() == before


def test_unrated_conversations_are_reported_not_hidden(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=2)
    lines = (ds / "conversations.jsonl").read_text().splitlines()
    rec = json.loads(lines[0])
    rec["turns"] = [th("Hello?")]
    lines[0] = json.dumps(rec)
    (ds / "conversations.jsonl").write_text("\n".join(lines) + "\n")
    summary = lexical.rate_dataset_lexical(ds, tmp_path / "o.jsonl")
    assert summary["unrated"] == [[1, "P5"]] and summary["rated"] == 11
    res = run("rate", ds, "-o", tmp_path / "o2.jsonl")
    assert res.exit_code == 0 and "1/P5" in res.output
    first = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])
    assert "P5" not in first["trajectory"]


def test_rate_bad_input(tmp_path):
    res = run("rate", tmp_path / "nope", "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "not found" in res.output
    ds = make_dataset(tmp_path / "ds", n=2)
    with open(ds / "conversations.jsonl", "a") as fh:
        fh.write('{"client_id": 1, "phase": "P9", "turns": []}\n')
    res = run("rate", ds, "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "line 13" in res.output and "P9" in res.output
    assert not (tmp_path / "o.jsonl").exists()
    ds2 = make_dataset(tmp_path / "ds2", n=1)
    with open(ds2 / "conversations.jsonl", "a") as fh:
        fh.write('{"client_id": 1, "phase": "P5", "turns": []}\n')
    res = run("rate", ds2, "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "appears twice" in res.output
    (ds2 / "conversations.jsonl").write_text('{"client_id": 1, "phase": "P5", "turns": [1]\n')
    res = run("rate", ds2, "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "line 1" in res.output


def test_rate_openai_flag_rules(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=1)
    res = run("rate", ds, "--rater", "openai", "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "--model" in res.output
    res = run("rate", ds, "--rater", "lexical", "--model", "x", "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 2 and "--rater openai only" in res.output


def test_rate_help_has_an_example():
    res = run("rate", "--help")
    assert res.exit_code == 0 and "tvt rate tvt-data --rater lexical" in res.output


def test_signals_select_the_evidence(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=3)
    lang = lexical.rate_dataset_lexical(ds, tmp_path / "lang.jsonl", signals="language")
    assert lang["rater"] == "lexical:language" and lang["suds_from"]["none"] == 18
    suds = lexical.rate_dataset_lexical(ds, tmp_path / "suds.jsonl", signals=["suds-text"])
    assert suds["rated"] == 9  # only P10, P6, P7 state a SUDS in this dataset
    assert suds["unrated"][0] == [1, "P5"]
    rec = json.loads((tmp_path / "suds.jsonl").read_text().splitlines()[0])
    assert set(rec["trajectory"]) == {"P10", "P6", "P7"} and rec["model"] == "lexical:suds-text"
    with pytest.raises(InputError, match="unknown signal"):
        lexical.parse_signals("language,vibes")
    res = run("rate", ds, "--rater", "openai", "--model", "m", "--signals", "language")
    assert res.exit_code == 2 and "--signals" in res.output


def _validity_script():
    """benchmark/lexical_validity.py, imported from its path (it is a script, not a module)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmark" / "lexical_validity.py"
    spec = importlib.util.spec_from_file_location("lexical_validity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validity_reports_agreement_with_the_plan(tmp_path, capsys):
    script = _validity_script()
    ds = make_dataset(tmp_path / "ds", n=4)
    v = script.validity(ds)
    assert v["conversations"] == 24
    rows = {r["signals"]: r for r in v["phase_level"]}
    assert set(rows) == {lexical.rater_label(s) for s in script.VALIDITY_SETS}
    full = rows["lexical"]
    assert full["n_scored"] == 4 and full["pearson"] > 0.8
    assert full["phase_means"]["P10"] > full["phase_means"]["P11"]
    assert full["reference_means"]["P10"] == 8
    # The reader of SUDS in text agrees with itself when there is no suds field to compare.
    assert v["suds_text_reader"]["conversations_with_suds_field"] == 0
    assert script.main([str(ds)]) == 0
    out = capsys.readouterr().out
    assert "lexical:language" in out and "Pearson" in out
    assert script.main([str(tmp_path / "nope")]) == 2
    assert "not found" in capsys.readouterr().err
