"""tvt audit: the detectors measured on the labelled fixture, rules as data, text-only data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures.audit.fixture import HELD_OUT, build, score
from tvt.audit.checks import CHECK_IDS, audit_dataset
from tvt.audit.failon import evaluate, parse_fail_on
from tvt.audit.rules import load_rules
from tvt.audit.suds import first_rating_number
from tvt.audit.variety import corpus_figures
from tvt.errors import InputError

#: Lower bounds of precision and recall on the whole fixture (held-out clients included), per
#: detector. docs/audit.md prints the measured figures; a change of the rules that lowers one
#: below its bound fails here.
BOUNDS: dict[str, tuple[float, float]] = {
    "rationale.missing_avoidance": (0.66, 1.0),
    "rationale.missing_present_tense": (0.66, 1.0),
    "rationale.missing_suds": (0.5, 1.0),
    "rationale.missing_repetition": (0.66, 1.0),
    "exposure.therapist_talks_too_much": (0.5, 1.0),
    "exposure.relaxation": (1.0, 0.5),
    "exposure.unprompted_grounding": (1.0, 0.5),
    "processing.no_recording_homework": (0.5, 1.0),
    "processing.no_in_vivo_homework": (0.5, 1.0),
    "processing.belief_not_taken_up": (1.0, 0.66),
    "consistency.client_name": (0.5, 1.0),
    "safety.risk_statement": (1.0, 0.85),
    "safety.unassessed_risk": (1.0, 0.66),
    "safety.risk_met_with_praise_or_suds": (1.0, 0.66),
    "safety.graphic_injury": (1.0, 0.5),
}


@pytest.fixture(scope="module")
def fixture_audit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit-fixture")
    labels = build(folder)
    return folder, labels, audit_dataset(folder)


def test_every_check_has_labelled_positives(fixture_audit):
    _, labels, _ = fixture_audit
    missing = [c for c in CHECK_IDS if not labels.get(c)]
    assert not missing, f"checks without a labelled violation in the fixture: {missing}"


def test_development_clients_are_detected_exactly(fixture_audit):
    """Clients 1-8 were written with the rules: every flag and every miss is a regression."""
    _, labels, result = fixture_audit
    dev = frozenset(range(1, 9))
    for check, s in score(result, labels, dev).items():
        assert s["fp"] == 0 and s["fn"] == 0, (check, s["false_positives"], s["misses"])


def test_precision_and_recall_bounds(fixture_audit):
    _, labels, result = fixture_audit
    for check, s in score(result, labels).items():
        p_min, r_min = BOUNDS.get(check, (1.0, 1.0))
        assert s["precision"] is not None and s["precision"] >= p_min, (check, s)
        assert s["recall"] is not None and s["recall"] >= r_min, (check, s)


def test_held_out_clients_show_the_blind_spots(fixture_audit):
    """The held-out clients use wording the lexicons were not built on: some misses are expected
    and documented; the rules must still catch the plainly worded cases."""
    _, labels, result = fixture_audit
    held = score(result, labels, HELD_OUT)
    assert held["safety.risk_statement"]["tp"] >= 1  # "never wake up"
    assert held["exposure.suds_mixed"]["tp"] == 1  # "a six" on 0-10, then "Seventy"
    assert held["exposure.relaxation"]["fn"] == 2  # paraphrased breathing instructions


def test_lookalikes_are_not_flagged(fixture_audit):
    _, _, result = fixture_audit
    flags = result.findings.flags
    # Client 1: "not safe in my body", "I thought I was going to die", "this memory is killing me"
    assert not any(f["check"] == "safety.risk_statement" for f in flags.get((1, "P8"), []))
    # Client 1, P5: the client says "take a deep breath" (and P5 is not an exposure phase)
    assert not any(f["check"] == "exposure.relaxation" for f in flags.get((1, "P10"), []))
    # Client 3: "I'd never kill myself" is a denial; only the statement at turn 1 is flagged
    risk = [f for f in flags[(3, "P8")] if f["check"] == "safety.risk_statement"]
    assert risk[0]["turns"] == [1]


def test_rates_are_flagged_over_eligible(fixture_audit):
    _, _, result = fixture_audit
    for cid, tally in result.findings.tallies.items():
        assert 0 <= tally.flagged <= tally.eligible, cid
        if tally.eligible:
            assert tally.rate == tally.flagged / tally.eligible


def test_self_repeating_matches_the_shared_diversity_definition(fixture_audit):
    _, _, result = fixture_audit
    figures = corpus_figures(result.dataset.conversations, result.rules)
    assert (
        figures.self_repeating_conversations
        == result.findings.tallies["diversity.self_repeating"].flagged
    )


# -- rules as data ---------------------------------------------------------------------------------
def _rules_copy(tmp_path: Path, change) -> Path:
    from tvt.resources import seeds_path

    doc = json.loads(seeds_path("audit", "rules.json").read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_shipped_rules_are_valid_and_versioned():
    rules = load_rules()
    assert rules.version.count(".") == 2
    assert len(rules.sha256) == 64
    assert set(rules.checks) == set(CHECK_IDS)


@pytest.mark.slow
def test_an_edited_rules_file_changes_the_audit(tmp_path, fixture_audit):
    folder, _, before = fixture_audit

    def add_pattern(doc):
        doc["version"] = "1.0.1"
        doc["lexicons"]["exposure.relaxation"]["patterns"].append("fill your lungs")

    rules = load_rules(_rules_copy(tmp_path, add_pattern))
    after = audit_dataset(folder, rules)
    assert rules.version == "1.0.1" and rules.sha256 != load_rules().sha256
    key = "exposure.relaxation"
    # "Fill your lungs slowly" (client 9, P10, a held-out miss) is now an instruction
    assert after.findings.tallies[key].flagged == before.findings.tallies[key].flagged + 1
    assert (9, "P10") in after.findings.tallies[key].conversations
    assert after.findings.tallies[key].turns == before.findings.tallies[key].turns + 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["lexicons"]["exposure.relaxation"]["patterns"].append("take (a"), "pattern"),
        (lambda d: d["thresholds"].pop("followup_therapist_turns"), "followup_therapist_turns"),
        (lambda d: d["lexicons"].pop("safety.passive_ideation"), "safety.passive_ideation"),
        (lambda d: d["checks"].pop("safety.unassessed_risk"), "safety.unassessed_risk"),
        (lambda d: d.update(version="one"), "version"),
    ],
)
def test_bad_rules_files_are_refused_with_the_field(tmp_path, change, words):
    with pytest.raises(InputError) as err:
        load_rules(_rules_copy(tmp_path, change))
    assert words in str(err.value) and "rules.json" in str(err.value)


# -- SUDS read from text -----------------------------------------------------------------------
@pytest.mark.slow
@given(st.integers(min_value=0, max_value=100), st.sampled_from(["I'd say", "About", "Maybe", ""]))
def test_a_stated_number_is_read(value, lead):
    rules = load_rules()
    assert first_rating_number(f"{lead} {value}. It's hard.", rules) == value


@given(st.integers(min_value=2, max_value=100), st.sampled_from(["minutes", "years", "people"]))
def test_a_number_with_a_unit_is_not_a_rating(value, unit):
    rules = load_rules()
    assert first_rating_number(f"It went on for {value} {unit}.", rules) is None


def test_composer_data_audits_the_same_without_suds_and_act_fields(tmp_path):
    """Foreign data has no suds/act labels: the rules read the same SUDS from the text."""
    from click.testing import CliRunner

    from tvt.cli import main

    out = tmp_path / "gen"
    res = CliRunner().invoke(main, ["generate", "--seed", "7", "--clients", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    bare = tmp_path / "bare"
    bare.mkdir()
    with (
        open(out / "conversations.jsonl", encoding="utf-8") as src,
        open(bare / "conversations.jsonl", "w", encoding="utf-8") as dst,
    ):
        for line in src:
            rec = json.loads(line)
            rec["turns"] = [{"speaker": t["speaker"], "text": t["text"]} for t in rec["turns"]]
            dst.write(json.dumps(rec) + "\n")
    with_fields, without = audit_dataset(out), audit_dataset(bare)
    for check in ("exposure.suds_sparse", "exposure.suds_0_10", "exposure.suds_mixed"):
        assert (
            with_fields.findings.tallies[check].flagged == without.findings.tallies[check].flagged
        )
    a = with_fields.findings.means["exposure.client_turns_per_suds_check"].value
    b = without.findings.means["exposure.client_turns_per_suds_check"].value
    assert a == pytest.approx(b, rel=0.05)


# -- --fail-on --------------------------------------------------------------------------------------
def test_fail_on_parses_and_evaluates():
    conds = parse_fail_on(
        "safety.unassessed_risk>0, exposure.relaxation>=5%,rationale.coverage<0.8"
    )
    assert [(c.name, c.op, c.threshold) for c in conds] == [
        ("safety.unassessed_risk", ">", 0.0),
        ("exposure.relaxation", ">=", 0.05),
        ("rationale.coverage", "<", 0.8),
    ]
    values = {
        "safety.unassessed_risk": 0.0,
        "exposure.relaxation": 0.05,
        "rationale.coverage": None,
    }
    assert [c.name for c, _ in evaluate(conds, values)] == ["exposure.relaxation"]


@pytest.mark.parametrize("spec", ["safety.unassessed_risk", "x>y", ",", "a>1;b>2", "safety>1e5"])
def test_fail_on_syntax_errors(spec):
    with pytest.raises(InputError):
        parse_fail_on(spec)


def test_fail_on_unknown_name_suggests_the_nearest():
    with pytest.raises(InputError, match="did you mean safety.unassessed_risk"):
        parse_fail_on("safety.unassesed_risk>0", {"safety.unassessed_risk"})


@given(
    st.sampled_from([">", ">=", "<", "<="]),
    st.floats(min_value=0, max_value=1000, allow_nan=False),
    st.floats(min_value=0, max_value=1000, allow_nan=False),
)
def test_fail_on_compares_like_python(op, threshold, value):
    spec = f"m{op}{threshold:.6f}"
    (cond,) = parse_fail_on(spec)
    import operator

    ops = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
    assert cond.failed(value) == ops[op](value, float(f"{threshold:.6f}"))
    assert not cond.failed(None)


# -- the fast matching equals the plain regular expressions ------------------------------------
def _reference_find(lex, text: str) -> bool:
    """A lexicon by the book: its whole regular expression, sentence by sentence for exclusions."""
    from tvt.diversity import sentences

    if lex.exclude is None:
        return lex.rx.search(text) is not None
    return any(lex.rx.search(s) and not lex.exclude.search(s) for s in (sentences(text) or [text]))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from tvt.cli import main

    out = tmp_path_factory.mktemp("gen") / "data"
    res = CliRunner().invoke(
        main, ["generate", "--seed", "3", "--clients", "12", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.slow
def test_lexicon_shortcuts_match_the_regular_expressions(fixture_audit, generated):
    from tvt.audit.load import load_dataset

    rules = load_rules()
    texts = [t.text for c in fixture_audit[2].dataset.conversations for t in c.turns]
    texts += [t.text for c in load_dataset(generated).conversations for t in c.turns]
    for lex in rules.lexicons.values():
        for text in texts:
            assert (lex.find(text) is not None) == _reference_find(lex, text), (lex.name, text)


_FRAGMENTS = st.sampled_from(
    ["take a deep breath", "I want to die", "kill myself", "crash", "pills", "my fault", "SUDS",
     "you're safe here", "not", "never", "I'd", "breathe in", "she", "he", "the", "70", "out of 10",
     "blood pouring", "his fingers inside me", "half of his face was gone", ".", ",", "?", "'"]
)  # fmt: skip


@given(st.lists(_FRAGMENTS, max_size=12))
def test_lexicon_shortcuts_on_random_texts(parts):
    rules = load_rules()
    text = " ".join(parts)
    for lex in rules.lexicons.values():
        assert (lex.find(text) is not None) == _reference_find(lex, text), (lex.name, text)
        assert lex.count(text) >= (1 if lex.rx.search(text) and not lex.exclude else 0)


@pytest.mark.slow
def test_two_processes_give_the_same_report(generated):
    from tvt.audit.report import to_document

    one = to_document(audit_dataset(generated, workers=1))
    two = to_document(audit_dataset(generated, workers=2))
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


# -- look-alikes found by auditing composer 2.1 data ----------------------------------------------
def test_an_instruction_or_an_echoed_detail_before_a_comma_is_not_a_name():
    from tvt.audit.consistency import addressed_names
    from tvt.audit.load import ConversationView, TurnView

    conv = ConversationView(
        1,
        "P10",
        [
            TurnView("therapist", "Close your eyes, Fabián. Begin where it starts."),
            TurnView("client", "There's antiseptic. Antiseptic, sharp and cold."),
            TurnView("therapist", "Antiseptic, sharp and cold. What are you thinking?"),
            TurnView("client", "I can't move."),
            TurnView("therapist", "Slower, Şahdiye. What happens in the next second?"),
            TurnView("client", "He is shouting."),
            TurnView("therapist", "Nadia, what do you notice now?"),
        ],
    )
    client, _therapist = addressed_names(conv, load_rules())
    assert set(client) == {"Fabián", "Şahdiye", "Nadia"}


# -- look-alikes found by auditing composer 2.4 data ----------------------------------------------
def test_a_therapist_murmur_before_a_comma_is_not_a_name():
    """ "Mm, of course." (composer 2.4's P8) is not the therapist calling the client "Mm"."""
    from tvt.audit.consistency import addressed_names
    from tvt.audit.load import ConversationView, TurnView

    conv = ConversationView(
        1,
        "P8",
        [
            TurnView("therapist", "How are you doing, Nadia?"),
            TurnView("client", "Tired."),
            TurnView("therapist", "Mm, of course. What stayed with you most?"),
            TurnView("client", "The noise."),
            TurnView("therapist", "Erm, take your time."),
        ],
    )
    client, _therapist = addressed_names(conv, load_rules())
    assert set(client) == {"Nadia"}


@pytest.mark.parametrize(
    ("text", "explicit"),
    [
        ("His hand in my hair. My feet barely touching the floor.", False),
        ("Her fingers in my pocket, looking for the keys.", False),
        ("His hand inside me. I can't move.", True),
    ],
)
def test_a_hand_in_the_hair_is_not_explicit_sexual_content(text, explicit):
    lexicon = load_rules().lex("safety.explicit_sexual")
    assert (lexicon.rx.search(text) is not None) is explicit


def test_socratic_questions_about_a_stuck_point_count_as_taking_it_up():
    """The P11 questions that work a stuck point ("What was in your control at that moment?",
    "Where does the blame really belong?") take the belief up; rules 1.3.0 missed most of them
    (found auditing composer 2.4)."""
    from tvt.compose.bank import therapist_bank

    taken_up = load_rules().lex("belief.taken_up").rx
    slots = {"event_t": "the crash", "first": "Nadia", "belief": "It was my fault."}
    pools = ("stuck_guilt", "stuck_danger", "stuck_incompetence", "stuck_balance")
    missed = [
        line
        for pool in pools
        for line in therapist_bank()["P11"][pool]
        if not taken_up.search(line.format_map(slots))
    ]
    assert not missed, missed


def test_the_composers_overwhelm_lines_are_signs_of_overwhelm():
    """Grounding after "I can't hold all of this" is not unprompted: every line of the
    composer's overwhelm struggle is an overwhelm sign to the rules (rules 1.3.0 missed three of
    the four after composer 2.4 reworded them, found auditing seed 42)."""
    from tvt.compose.bank import client_bank

    sign = load_rules().lex("exposure.overwhelm_sign").rx
    slots = {"smell": "smoke", "touch": "the cold floor", "event_cap": "The crash"}
    common = client_bank()["common"]
    lines = [line.format_map(slots) for line in common["struggle"]["overwhelm"]]
    # The lines of a client losing contact with the room (which the therapist grounds).
    lines += [line for pool in common["lost_contact"].values() for line in pool]
    missed = [line for line in lines if not sign.search(line.lower())]
    assert not missed, missed


def test_the_composers_avoidance_rationale_is_recognised():
    """ "Every time you push the assault at work away, ... the symptoms stay." states that
    avoidance keeps PTSD going: rules 1.3.0 knew "push it away" but not the event's own name
    between (11 % of seed 42's P5s flagged, found auditing composer 2.4)."""
    from tvt.compose.bank import therapist_bank

    avoidance = load_rules().lex("rationale.avoidance").rx
    slots = {"event_t": "the assault at work", "first": "Nadia"}
    lines = [line.format_map(slots) for line in therapist_bank()["P5"]["el_avoidance"]]
    missed = [line for line in lines if not avoidance.search(line.lower())]
    assert not missed, missed


def test_a_memory_detail_about_the_feet_is_not_grounding():
    """ "You can feel your feet rooted to the spot." echoes the client's freezing in the memory
    (composer 3.0's sensory reflection), it does not ground to the room: rules 2.0.0 read it as
    grounding, four false flags of exposure.unprompted_grounding on seed 42, found rebuilding the
    gold set. "Feel your feet on the floor" still grounds."""
    grounding = load_rules().lex("exposure.grounding").rx
    assert not grounding.search("you can feel your feet rooted to the spot. and your suds?")
    assert grounding.search("feel your feet on the floor.")
    assert grounding.search("press down and feel your feet, firmly.")


def _belief_conv(client: str, therapist: list[str]):
    from tvt.audit.load import ConversationView, TurnView

    turns = [TurnView("therapist", "What went through your mind?"), TurnView("client", client)]
    for t in therapist:
        turns += [TurnView("therapist", t), TurnView("client", "I suppose so.")]
    return ConversationView(1, "P8", turns)


def _belief_flags(conv) -> int:
    from tvt.audit.fidelity import beliefs
    from tvt.audit.findings import Findings

    rules = load_rules()
    found = Findings(rules.checks, 0)
    beliefs(conv, rules, found)
    return found.tallies["processing.belief_not_taken_up"].flagged


@pytest.mark.parametrize(
    ("reply", "taken_up"),
    [
        ("Tell me a bit more.", True),
        ("What do you make of that now?", True),
        ("And how does that sit with you?", True),
        ("Okay. Could you tell me more?", True),
        # one word of a new topic, or of the body, makes it another question
        ("How does feeling powerless affect you?", False),
        ("How does this connect to your experiences with bullying?", False),
        ("What do you notice in your body now?", False),
        ("What do you need right now?", False),  # refers to nothing the client said
    ],
)
def test_an_open_probe_right_after_a_belief_takes_it_up(reply, taken_up):
    """A reply made only of probe words that refers to the statement invites the client to go
    on with the belief (rules 2.1.0); only the therapist's next turn counts as such a probe."""
    conv = _belief_conv("It was my fault. I should have locked the door.", [reply, "Thank you."])
    assert _belief_flags(conv) == (0 if taken_up else 1)
    later = _belief_conv("It was my fault.", ["How was your week?", reply])
    assert _belief_flags(later) == 1


@pytest.mark.parametrize(
    ("client", "statement"),
    [
        ("It was my fault.", True),
        ("I should have been in front.", True),
        ("It should have been me.", True),
        # about a machine, not oneself
        ("The guard was missing and the machine should have been stopped for that job.", False),
        # wondering (an indirect question), not holding the belief
        ("I go over it constantly, what I should have done differently.", False),
        ("It wasn't my fault, I know that now.", False),  # revised
    ],
)
def test_a_belief_is_a_statement_about_oneself_that_is_not_revised(client, statement):
    assert _belief_flags(_belief_conv(client, ["How was your week?"])) == int(statement)


# -- the diversity figures, made fast, against their plain definition ------------------------------
def _plain_distinct(convs, n):
    from tvt.diversity import words

    grams: dict[str, set] = {}
    totals: dict[str, int] = {}
    for turns in convs:
        for t in turns:
            toks = [w.lower() for w in words(t["text"])]
            if len(toks) >= n:
                totals[t["speaker"]] = totals.get(t["speaker"], 0) + len(toks) - n + 1
                grams.setdefault(t["speaker"], set()).update(
                    zip(*(toks[i:] for i in range(n)), strict=False)
                )
    return {s: len(grams[s]) / totals[s] for s in totals}


_WORDS = st.sampled_from(["I", "was", "there", "the", "door", "Döner", "it's", "ok", "a", "b"])
_TURN = st.lists(_WORDS, max_size=9).map(lambda ws: " ".join(ws) + ".")


@pytest.mark.slow  # about 1 s of CPU
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(["client", "therapist"]), _TURN), max_size=6),
        max_size=8,
    ),
    st.booleans(),
)
def test_distinct_ngrams_equal_the_set_definition(convs, tiny_chunks):
    """The n-grams counted as numpy integer keys, in chunks, with or without the fallback to
    rows, give the figures of a plain set of word tuples."""
    import tvt.diversity as div

    data = [[{"speaker": s, "text": t} for s, t in turns] for turns in convs]
    saved = div._CHUNK, div._BASE_BITS, div._BASE
    try:
        if tiny_chunks:  # flush every few words; ids past 2**2 switch to rows
            div._CHUNK, div._BASE_BITS, div._BASE = 7, 2, 4
        fig = div.measure(data)
    finally:
        div._CHUNK, div._BASE_BITS, div._BASE = saved
    for n in (2, 3):
        want = _plain_distinct(data, n)
        got = {s: f.distinct[n] for s, f in fig.speakers.items() if n in f.distinct}
        assert {s: v for s, v in got.items() if s in want} == pytest.approx(want, abs=0)
        assert all(v == 0.0 for s, v in got.items() if s not in want)


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\t\u00a0'Z9é")), max_size=40))
def test_sentence_split_collapses_whitespace_like_the_definition(text):
    import re

    from tvt.diversity import sentences

    plain = [re.sub(r"\s+", " ", m.group(0)).strip() for m in re.finditer(r"[^.!?]+[.!?]*", text)]
    assert sentences(text) == [s for s in plain if re.search(r"[A-Za-z0-9']", s)]
