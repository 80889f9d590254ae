"""Offline composer: data files, determinism, prefix stability, dataset-level realism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tvt.compose import COMPOSER_VERSION, compose_client, narrative_facts
from tvt.compose.acts import ACTS, REQUIRED_ACTS
from tvt.compose.bank import BANK_FILES, bands, topic_files, topic_slug
from tvt.compose.narrative import build_narrative
from tvt.compose.person import second_person
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.resources import load_schema, load_seed_json, seeds_path

TOPICS = sorted(load_seed_json("presets", "default.json")["session_topic"])


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "


def test_banks_and_topics_match_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("phrasebank.schema.json"))
    paths = [seeds_path("compose", f) for f in BANK_FILES]
    paths += [seeds_path("compose", "topics", f) for f in topic_files()]
    for path in paths:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_schema_rejects_a_broken_topic() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("phrasebank.schema.json"))
    topic = json.loads(seeds_path("compose", "topics", topic_files()[0]).read_text())
    del topic["beats"]["hotspot"]
    assert list(validator.iter_errors(topic))


def test_every_session_topic_has_beats() -> None:
    assert len(TOPICS) == 20
    assert sorted(topic_files()) == sorted(f"{topic_slug(t)}.json" for t in TOPICS)
    for name in topic_files():
        data = json.loads(seeds_path("compose", "topics", name).read_text())
        assert data["topic"] in TOPICS


def test_bands_cover_every_level_in_order() -> None:
    by_level = bands()["by_level"]
    assert sorted(by_level) == list(range(1, 11))
    names = [by_level[level]["name"] for level in range(1, 11)]
    assert names == sorted(names, key=names.index)  # contiguous bands


def test_required_acts_are_documented() -> None:
    for acts in REQUIRED_ACTS.values():
        assert set(acts) <= set(ACTS)
    doc = (Path(__file__).resolve().parents[1] / "docs" / "composer.md").read_text(encoding="utf-8")
    for act in ACTS:
        assert f"`{act}`" in doc, act


@pytest.fixture(scope="module")
def cases200() -> list[dict]:
    return list(planned_cases(load_config("default"), 42, 200))


def test_deterministic_and_prefix_stable(cases200: list[dict]) -> None:
    small = list(planned_cases(load_config("default"), 42, 20))
    assert small[6] == cases200[6]
    a = compose_client(small[6], 42, BENCHMARK_ORDER)
    b = compose_client(cases200[6], 42, BENCHMARK_ORDER)
    assert json.dumps(a) == json.dumps(b)
    assert json.dumps(a) == json.dumps(compose_client(cases200[6], 42, BENCHMARK_ORDER))
    # A phase generated alone equals the same phase generated with the others.
    for i, phase in enumerate(BENCHMARK_ORDER):
        assert compose_client(cases200[6], 42, [phase]) == [a[i]]
    assert compose_client(cases200[6], 43, BENCHMARK_ORDER) != a


def test_phases_come_back_in_the_requested_order(cases200: list[dict]) -> None:
    out = compose_client(cases200[0], 1, ["P11", "P5"])
    assert [c["phase"] for c in out] == ["P11", "P5"]
    with pytest.raises(ValueError):
        compose_client(cases200[0], 1, ["P9"])


def test_narrative_facts_are_the_conversations_facts(cases200: list[dict]) -> None:
    case = cases200[3]
    facts = narrative_facts(case, 42)
    assert facts == narrative_facts(case, 42)
    assert all(isinstance(v, str) and v and "{" not in v for v in facts.values())
    for key in ("setting", "hotspot", "aftermath", "people", "sensory_sight", "when"):
        assert key in facts
    for b in case["client_profile"]["exhibited_behaviors"]:
        assert "behaviour_" + b.replace(" ", "_") in facts
    nar = build_narrative(case, 42)
    text = " ".join(
        t["text"] for c in compose_client(case, 42, BENCHMARK_ORDER) for t in c["turns"]
    )
    # The behaviour lines quoted in the facts are the ones the client says in processing (in
    # the client's voice: sentences may run together or carry a filler, so compare words;
    # a short P11 links fewer symptoms, at least one).
    # The voice's end-of-sentence tics ("..., more or less.") are left out of the comparison.
    for tic in nar.voice.tics:
        text = text.replace(f", {tic.rstrip('?')}", "")
    words = _words(text)
    assert any(_words(nar.voice.lexicon(line)) in words for line in nar.behaviours.values())
    for line in nar.behaviours.values():
        assert line in " ".join(facts.values())
    assert _words(nar.balanced) in words and nar.in_vivo in text


def test_one_narrative_across_phases(cases200: list[dict]) -> None:
    """Slot values (vehicle, place, companion, ...) never change between phases."""
    for case in cases200[:40]:
        nar = build_narrative(case, 42)
        text = " ".join(
            t["text"] for c in compose_client(case, 42, BENCHMARK_ORDER) for t in c["turns"]
        )
        topic = load_seed_json(
            "compose", "topics", topic_slug(case["trauma_info"]["session_topic"]) + ".json"
        )
        in_use = set(nar.ctx.values())
        for slot, values in topic["slots"].items():
            chosen = nar.ctx[slot]
            for value in values:
                other = value["text"] if isinstance(value, dict) else value
                if "{" in other or any(other in v or v in other for v in in_use):
                    continue
                assert other not in text, (slot, other, chosen)


_RISK_WORDS = re.compile(
    r"suicid|kill myself|killing yourself|end my life|ending your life|better off without me|"
    r"want to die|not wake up|wasn't here any more|not being here|just disappear",
    re.I,
)
#: Method or means of self-harm: never in any conversation.
_MEANS = re.compile(
    r"\b(pills?|overdose|tablets?|rope|hang|hanging|jump|bridge|gun|knife|blade|razor|cut|"
    r"cutting|wrists?|poison|drown|rails?|train tracks|stockpil\w*|noose|ledge|roof)\b",
    re.I,
)


@pytest.mark.slow
def test_risk_moments_follow_the_protocol_and_never_name_means() -> None:
    """Over 10,000 clients: about 5 % have one risk moment, in P8 or P11, handled by protocol."""
    from tvt.compose.risk import risk_phase

    config = load_config("default")
    flagged = 0
    risk_turns = 0
    for case in planned_cases(config, 42, 10_000):
        phase = risk_phase(case, 42)
        if not phase:
            continue
        flagged += 1
        (conv,) = compose_client(case, 42, [phase])
        turns = conv["turns"]
        assert conv.get("risk_moment") is True
        acts = [t["act"] for t in turns]
        first = acts.index("risk_assessment")
        disclosure = turns[first - 1]
        assert disclosure["speaker"] == "client" and _RISK_WORDS.search(disclosure["text"])
        block = turns[first - 1 : first + 6]
        assessed = " ".join(t["text"] for t in block if t["act"] == "risk_assessment").lower()
        # Thoughts, plan and intent asked directly; crisis resources named; going on agreed.
        assert "thoughts" in assessed and "plan" in assessed and "intent" in assessed
        assert "crisis line" in assessed and (
            "carry on" in assessed or "going on" in assessed or "keep going" in assessed
        )
        for turn in block:
            risk_turns += 1
            assert not _MEANS.search(turn["text"]), turn["text"]
    assert 0.035 <= flagged / 10_000 <= 0.065, flagged
    assert risk_turns > 0


@pytest.mark.slow
def test_risk_content_only_in_flagged_conversations(cases200: list[dict]) -> None:
    for case in cases200[:120]:
        for conv in compose_client(case, 42, BENCHMARK_ORDER):
            for turn in conv["turns"]:
                assert not _MEANS.search(turn["text"]) or turn["act"] not in ("risk_assessment",), (
                    turn["text"]
                )
                if _RISK_WORDS.search(turn["text"]):
                    assert conv.get("risk_moment") is True, turn["text"]
        # risk_share=0 turns risk moments off.
        assert not any(
            c.get("risk_moment") for c in compose_client(case, 42, BENCHMARK_ORDER, risk_share=0.0)
        )


@pytest.mark.slow
def test_conversations_match_the_schema(cases200: list[dict]) -> None:
    validator = jsonschema.Draft202012Validator(load_schema("conversation.schema.json"))
    for case in cases200[:30]:
        for conv in compose_client(case, 42, BENCHMARK_ORDER):
            validator.validate(conv)


@pytest.mark.slow
def test_realism_against_the_release() -> None:
    """The figures of ``python -m tvt.compose.report`` over 500 clients (issue 10)."""
    from tvt.compose.report import RELEASE, RELEASE_TURNS, realism

    r = realism(500, 42)
    for phase, mean in RELEASE_TURNS.items():
        t = r["turns"][phase]
        assert abs(t["mean"] - mean) <= 0.2 * mean, (phase, t)
        assert t["max"] - t["min"] >= 0.3 * mean  # with spread
    v = r["variety"]
    for key in ("therapist_words_per_turn", "client_words_per_turn"):
        assert abs(v[key] - RELEASE[key]) <= 0.15 * RELEASE[key], (key, v[key])
    assert v["self_repeating"] <= 0.03
    # Composer 1.2: 85 % and 80 %; the targets (15 %, 50 %) are not reached yet.
    assert v["client_recurring"] <= 0.32 and v["therapist_recurring"] <= 0.62
    assert v["client_distinct_2"] >= 0.022 and v["client_distinct_3"] >= 0.07
    # Fixed sentences give the level away less than a plain per-phase guess would lose.
    assert r["leak"]["lookup_mae"] >= 0.75 * r["leak"]["baseline_mae"]
    c = r["clinical"]
    assert c["p10_grounding"] <= 0.15
    assert c["first_exposure_p10"] > 0 and c["hotspot_work_in_first_exposure"] == 0.0
    assert all(share >= 0.95 for share in c["p5_rationale"].values()), c["p5_rationale"]
    assert c["p11_contact"] == 1.0
    assert 0.02 <= c["risk_clients"] <= 0.08


def test_composer_version_is_a_string() -> None:
    assert isinstance(COMPOSER_VERSION, str) and COMPOSER_VERSION


def test_every_therapist_facing_reference_is_in_the_therapists_voice() -> None:
    """All values of the slots therapist lines use, for every topic and every slot value."""
    import itertools

    from tvt.compose.bank import narrative_schema, pair_files
    from tvt.compose.person import second_person

    first_person = re.compile(r"\b(I|I'm|I've|I'd|I'll|me|my|mine|myself|our|ours|we|us)\b")
    schemas = [json.loads(seeds_path("compose", "topics", n).read_text()) for n in topic_files()]
    for name in pair_files():
        pair = json.loads(seeds_path("compose", "pairs", name).read_text())
        schemas.append(narrative_schema(pair["type"], pair["topic"]))
    for topic in schemas:
        name = topic["topic"]
        refs = topic["refs"]
        templates = [refs["start"], refs["hotspot_t"], *refs["event"], *topic["in_vivo"]]
        used = sorted(set(re.findall(r"\{(\w+)\}", " ".join(templates))))
        pools = []
        for slot in used:
            owner = next(
                s
                for s, vals in topic["slots"].items()
                if s == slot or any(isinstance(v, dict) and slot in v for v in vals)
            )
            pools.append([(owner, v) for v in topic["slots"][owner]])
        for combo in itertools.product(*pools):
            ctx: dict[str, str] = {}
            for owner, value in combo:
                if isinstance(value, dict):
                    ctx.update({(owner if k == "text" else k): v for k, v in value.items()})
                else:
                    ctx[owner] = value
            for template in templates:
                text = second_person(template.format_map(ctx))
                outside = re.sub(r'"[^"]*"', " ", text)
                assert not first_person.search(outside), (name, text)


def test_second_person_keeps_quotes_and_agreement() -> None:
    from tvt.compose.person import second_person, third_person

    assert second_person("the night I nearly died") == "the night you nearly died"
    assert second_person("the bank where I was paying in") == "the bank where you were paying in"
    assert second_person('hearing "I don\'t love you" from my wife') == (
        'hearing "I don\'t love you" from your wife'
    )
    assert third_person("a conversation I overheard") == "a conversation the client overheard"


_SUDS_NUMBER = re.compile(
    r"\b(zero|nought|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|percent)\b|\d",
    re.I,
)
_SUDS_ACTS = {"suds_request", "suds_report", "empathic_response"}


@pytest.mark.slow
def test_verbal_suds_never_speak_a_number(cases200: list[dict]) -> None:
    """suds_style="verbal": SUDS in words only; the suds fields still carry the plan's numbers."""
    for case in cases200[:120]:
        nar = build_narrative(case, 42)
        # The client's own story may hold numbers ("two of my colleagues"); SUDS may not.
        details = {d for ds in nar.sensory_all.values() for d in ds}
        story = sorted(
            {v for v in nar.ctx.values() if v}
            | details
            | {second_person(d) for d in details}
            | {second_person(d)[:1].upper() + second_person(d)[1:] for d in details},
            key=len,
            reverse=True,
        )
        numeric = compose_client(case, 42, BENCHMARK_ORDER)
        verbal = compose_client(case, 42, BENCHMARK_ORDER, suds_style="verbal")
        for conv_n, conv_v in zip(numeric, verbal, strict=True):
            assert [t["suds"] for t in conv_n["turns"]] == [t["suds"] for t in conv_v["turns"]]
            assert [t["act"] for t in conv_n["turns"]] == [t["act"] for t in conv_v["turns"]]
            for turn in conv_v["turns"]:
                assert not re.search(r"\d", turn["text"]), turn["text"]
                if turn["act"] in _SUDS_ACTS or turn["suds"] is not None:
                    text = turn["text"]
                    for fact in story:
                        text = text.replace(fact, " ")
                    assert not _SUDS_NUMBER.search(text), (conv_v["phase"], turn["text"])
                    assert "SUDS" not in text and "scale" not in text, turn["text"]
    with pytest.raises(ValueError):
        compose_client(cases200[0], 42, ["P5"], suds_style="roman")


@pytest.mark.slow
def test_no_template_slot_survives_in_a_whole_dataset() -> None:
    """Every pool reaches the data through a fill: a line used as it stands would carry its
    "{event}" to the reader (composer 3.4's Socratic answers did, found by a blind reviewer).
    Sixty clients of two seeds reach every phase's pools many times over."""
    from tvt.config import load_config
    from tvt.phases import BENCHMARK_ORDER
    from tvt.pipeline import planned_cases

    left = []
    for seed in (2026, 42):
        for case in planned_cases(load_config("default"), seed, 30):
            for conv in compose_client(case, seed, BENCHMARK_ORDER):
                left += [t["text"] for t in conv["turns"] if "{" in t["text"] or "}" in t["text"]]
    assert not left, left[:3]
