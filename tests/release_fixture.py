"""A small fixture in the public release layout with every quirk the importer must survive.

``build_release(root)`` writes ``root/conversations`` and ``root/metadata`` for six clients and
returns what it wrote: the original conversation documents (to check that import then export
reproduces them) and how often each quirk was planted, keyed like the import report's entries.
The text is written here, independent of tvt's composer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tvt.card import write_card
from tvt.config import load_config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES
from tvt.pipeline import planned_cases
from tvt.plan import reference_record

PHASES = ("P5", "P6", "P7", "P8", "P10", "P11")

#: client_id -> (client_profile, therapist_profile, trauma_info) as the release would write them,
#: with the quirks noted beside each.
PROFILES: dict[int, dict[str, Any]] = {
    1: {
        "client_profile": {
            "age": 34,
            "age_group": "31-40",
            "gender": "female",
            "relationship_status": "Single",
            "occupation": "Professional",
            "living_situation": "Alone",
            "ethnicity": "European",
            "co_occurring_condition": "Anxiety",
            "exhibited_behaviors": ["nightmares", "avoidance"],
        },
        "therapist_profile": {"age": 48, "gender": "male"},
        "trauma_info": {"type": "accidents", "session_topic": "car accident trauma"},
    },
    2: {
        "client_profile": {
            "age": 52,
            "age_group": "51-60",
            "gender": "male",
            "relationship_status": "Divorced",
            "occupation": "Self-employed",
            "living_situation": "Alone",
            "ethnicity": "South Asian",
            "co_occurring_condition": "Depression",
            "exhibited_behaviors": ["hypervigilance", "withdrawal", "self-blame"],
        },
        "therapist_profile": {"age": 39, "gender": "female"},
        "trauma_info": {"type": "witnessing violence", "session_topic": "home invasion"},
    },
    3: {  # age_group "60-70" for a 65-year-old (the paper's group is 61-70)
        "client_profile": {
            "age": 65,
            "age_group": "60-70",
            "gender": "female",
            "relationship_status": "Widowed",
            "occupation": "Retired",
            "living_situation": "Alone",
            "ethnicity": "Latin American",
            "co_occurring_condition": "Chronic Pain",
            "exhibited_behaviors": ["flashbacks"],
        },
        "therapist_profile": {"age": 57, "gender": "female"},
        "trauma_info": {"type": "loss of a loved one", "session_topic": "loss of a loved one"},
    },
    4: {  # age_group "20-30" and the region written "Oceania"
        "client_profile": {
            "age": 25,
            "age_group": "20-30",
            "gender": "non-binary",
            "relationship_status": "In a relationship",
            "occupation": "Student",
            "living_situation": "Shared accommodation",
            "ethnicity": "Oceania",
            "co_occurring_condition": "None",
            "exhibited_behaviors": ["dissociation", "aggression"],
        },
        "therapist_profile": {"age": 30, "gender": "male"},
        "trauma_info": {"type": "bullying", "session_topic": "cyber bullying"},
    },
    5: {  # "With Spouse" and "anxiety" as a behaviour
        "client_profile": {
            "age": 45,
            "age_group": "41-50",
            "gender": "male",
            "relationship_status": "Married",
            "occupation": "Entry-level job",
            "living_situation": "With Spouse",
            "ethnicity": "African",
            "co_occurring_condition": "Substance Use Disorder",
            "exhibited_behaviors": ["anxiety", "substance abuse"],
        },
        "therapist_profile": {"age": 61, "gender": "female"},
        "trauma_info": {"type": "physical abuse", "session_topic": "domestic violence"},
    },
    6: {  # "imprisonment" (a session topic) as the trauma type
        "client_profile": {
            "age": 71,
            "age_group": "71-80",
            "gender": "female",
            "relationship_status": "Married",
            "occupation": "Retired",
            "living_situation": "With partner",
            "ethnicity": "Middle Eastern",
            "co_occurring_condition": "None",
            "exhibited_behaviors": ["compulsive behaviors", "nightmares"],
        },
        "therapist_profile": {"age": 44, "gender": "male"},
        "trauma_info": {"type": "imprisonment", "session_topic": "imprisonment"},
    },
}


@dataclass
class ReleaseFixture:
    """What :func:`build_release` wrote."""

    root: Path
    conversations: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    expected: Counter[str] = field(default_factory=Counter)
    #: (client, phase) -> the SUDS values (0-100) the importer should find, in turn order.
    suds: dict[tuple[int, str], list[int]] = field(default_factory=dict)


def _scale_question(scale: int) -> str:
    return f"On a scale of 0 to {scale}, what is your SUDS right now?"


def _answer(value: int, scale: int) -> tuple[str, int]:
    """A client answer stating ``value`` on ``scale``, and the 0-100 value it means."""
    if scale == 10:
        return f"I'd say about a {value}.", value * 10
    return f"Maybe {value} right now.", value


def _turns(cid: int, phase: str) -> tuple[list[str], list[int], Counter[str]]:
    """The release strings of one conversation, its SUDS values and its quirks."""
    quirks: Counter[str] = Counter()
    suds: list[int] = []
    scale = 10 if cid % 2 == 0 else 100
    lo, hi = (6, 8) if scale == 10 else (65, 80)
    if phase == "P5":
        turns = [
            "Therapist: Today we will revisit the memory together, at your pace.",
            "Client: I'm nervous about it, honestly.",
            "Therapist: That's understandable. What worries you most?",
            "Client: That I'll fall apart halfway through.",
            "Therapist: We'll go step by step, and you can stop whenever you need.",
            "Client: Okay. I want to try.",
        ]
    elif phase in ("P10", "P6"):
        a, va = _answer(lo + (cid % 2), scale)
        b, vb = _answer(hi, scale)
        suds += [va, vb]
        turns = [
            "Therapist: Close your eyes and tell me what happens, in the present tense.",
            "Client: I'm standing in the hallway and I hear the door slam behind me.",
            f"Therapist: {_scale_question(scale)}",
            f"Client: {a}",
            "Therapist: Stay with it. What happens next?",
            "Client: I was 12 years old the first time, and now it's happening again.",
            "Therapist: Where is your SUDS now?",
            f"Client: {b}",
            "Therapist: You're doing well. Keep breathing.",
        ]
        quirks["suds:0-10" if scale == 10 else "suds:0-100"] += 2
    elif phase == "P7":
        turns = [
            "Therapist: You're doing great, stay with it.",
            "Client: It's hard, my chest is tight.",
            "Therapist: I know. Keep going, you're safe here.",
            "Client: I can see the road again.",
        ]
        if cid == 4:  # a rating without any scale named in the conversation
            turns += ["Therapist: Rate your distress for me.", "Client: It's a 5."]
            suds.append(50)
            quirks["suds:0-10"] += 1
            quirks["suds:scale-assumed"] += 1
    elif phase == "P8":
        turns = [
            "Therapist: What's coming up for you now?",
            "Client: Mostly sadness, and some anger.",
            "Therapist: Tell me more about the anger.",
            "Client: I blame myself for not stopping it.",
        ]
        if cid == 3:  # the release sometimes labels the client "Patient"
            turns[3] = "Patient: I blame myself for not stopping it."
            quirks["turn:label-variant"] += 1
    else:
        turns = [
            "Therapist: What did you notice during the exposure?",
            "Client: The fear came down a bit by the end.",
            "Therapist: That is how processing works: the memory loses its grip.",
            "Client: I think I understand now.",
        ]
        if cid == 1:  # a doubled space after the label
            turns[1] = "Client:  The fear came down a bit by the end."
            quirks["turn:label-variant"] += 1
    return turns, suds, quirks


def _write(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def build_release(root: Path) -> ReleaseFixture:
    """Write the fixture release into ``root`` (conversations/ and metadata/)."""
    fx = ReleaseFixture(root=root)
    conv_dir, meta_dir = root / "conversations", root / "metadata"
    conv_dir.mkdir(parents=True)
    meta_dir.mkdir(parents=True)
    exp = fx.expected
    for cid, profile in PROFILES.items():
        for phase in PHASES:
            turns, suds, quirks = _turns(cid, phase)
            doc = {
                "full_conversation": turns,
                "three_turn_sequences": [turns[i : i + 3] for i in range(len(turns) - 2)],
            }
            fx.conversations[(cid, phase)] = doc
            fx.suds[(cid, phase)] = suds
            exp.update(quirks)
            _write(conv_dir / f"{cid}_{phase}_conversation.json", doc)

            meta = json.loads(json.dumps(profile))
            cp = meta["client_profile"]
            if cid == 2 and phase == "P5":  # the list stored as a JSON string, in one record
                cp["exhibited_behaviors"] = json.dumps(cp["exhibited_behaviors"])
                exp["behaviours:json-string"] += 1
            if cid == 1 and phase == "P7":  # a capitalisation variant
                cp["gender"] = "Female"
                exp["normalised:gender:Female"] += 1
            if cid == 6 and phase == "P8":  # one phase file disagrees with the others
                cp["age"] = 72
                exp["metadata:differs:P5"] += 1
            if cp["age_group"] in ("60-70", "20-30"):
                exp[f"age_group:{cp['age_group']}"] += 1
            if cp["ethnicity"] == "Oceania":
                exp["alias:ethnicity:Oceania"] += 1
            if cp["living_situation"] == "With Spouse":
                exp["alias:living_situation:With Spouse"] += 1
            if "anxiety" in profile["client_profile"]["exhibited_behaviors"]:
                exp["unknown:exhibited_behaviors:anxiety"] += 1
            if meta["trauma_info"]["type"] == "imprisonment":
                exp["unknown:type:imprisonment"] += 1
            _write(meta_dir / f"{cid}_{phase}_metadata.json", meta)

    # Stray copies: one identical to its main file, one that differs.
    _write(conv_dir / "1_P6_conversation(1).json", fx.conversations[(1, "P6")])
    exp["duplicate:conversation:identical"] += 1
    changed = json.loads(json.dumps(fx.conversations[(2, "P10")]))
    changed["full_conversation"].append("Client: Something extra.")
    _write(conv_dir / "2_P10_conversation(1).json", changed)
    exp["duplicate:conversation:differs"] += 1
    # A file that does not belong to the layout.
    (conv_dir / "notes.txt").write_text("not a conversation\n", encoding="utf-8")
    exp["stray:conversations"] += 1
    return fx


def build_native(
    out: Path,
    *,
    clients: int = 8,
    preset: str = "default",
    seed: int = 3,
    conversations: bool = True,
) -> Path:
    """A small native dataset folder written through ``DatasetWriter`` without the composer.

    Cases and the reference come from the real sampler and plan; the conversations are short
    fixed exchanges (with one stated SUDS in the exposure phases), so tests of validate, stats
    and export do not depend on the composer's text.
    """
    config = load_config(preset)
    prepare_output(out, force=False)
    manifest = base_manifest(
        seed=seed,
        clients=clients,
        config=config,
        backend={"name": "test"},
        phases=list(BENCHMARK_ORDER),
    )
    with DatasetWriter(out, manifest, finalize=write_card) as writer:
        for case in planned_cases(config, seed, clients):
            writer.write("cases.jsonl", case)
            writer.write("reference.jsonl", reference_record(case))
            if not conversations:
                continue
            for phase in BENCHMARK_ORDER:
                turns = [
                    {
                        "speaker": "therapist",
                        "text": "How are you feeling?",
                        "suds": None,
                        "act": "q",
                    },
                    {"speaker": "client", "text": "A bit shaky today.", "suds": None, "act": "a"},
                ]
                if phase in EXPOSURE_PHASES:
                    suds = case["plan"]["suds"][phase]["peak"]
                    turns += [
                        {"speaker": "therapist", "text": "Your SUDS?", "suds": None, "act": "q"},
                        {"speaker": "client", "text": f"About {suds}.", "suds": suds, "act": "a"},
                    ]
                writer.write(
                    "conversations.jsonl",
                    {"client_id": case["client_id"], "phase": phase, "turns": turns},
                )
        writer.commit()
    return out
