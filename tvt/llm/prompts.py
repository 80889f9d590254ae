"""Versioned prompt templates (seeds/prompts/<kind>/<version>/) and their rendering.

Two kinds ship with tvt:

- ``generation``: ``preamble.md`` (the system message shared by every phase), ``frame.md`` (the
  user message: profile block, narrative facts, emotional targets, length), one ``P*.md`` per
  phase (the phase's key features, inserted into the frame) and ``phases.json`` (turn targets and
  the bounds the parser enforces, SUDS target lines, intensity words);
- ``rating``: ``system.md``, ``user.md`` (the zero-shot rating request) and ``retry.md`` (sent
  after an unreadable answer);
- ``turn-rating``: the same three files for the turn track of tvt-bench-v2 (one rating per client
  turn marked in the inputs).

Templates use ``$name`` placeholders (:class:`string.Template`), so JSON braces need no escaping.
``seeds/prompts/versions.json`` names the current version of each kind; older versions stay in
place so a dataset can name the prompts it was made with (``prompt_version``, ``prompt_sha256`` in
its manifest). ``python -m tvt.llm.prompts`` prints docs/prompts.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any, TypedDict, cast

from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES, PHASE_NAMES
from tvt.records import Case, InputTurn
from tvt.resources import seeds_path


@dataclass(frozen=True)
class PromptSet:
    """The files of one prompt version, read once."""

    kind: str
    version: str
    files: dict[str, str]

    @property
    def id(self) -> str:
        """``generation-v1``: what the manifest and the cache key record."""
        return f"{self.kind}-{self.version}"

    @property
    def sha256(self) -> str:
        """sha256 over the file names and contents, in name order."""
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        return h.hexdigest()

    def template(self, name: str) -> Template:
        return Template(self.files[name])

    @property
    def phase_config(self) -> PhaseConfig:
        return cast(PhaseConfig, json.loads(self.files["phases.json"]))  # shipped with tvt


class PhaseSpec(TypedDict, total=False):
    """One phase's entry in a prompt set's ``phases.json`` (the SUDS-style sets hold only
    ``suds_line``)."""

    turns: int  # the target number of turns
    min_turns: int  # the bounds the transcript parser enforces
    max_turns: int
    suds_line: str  # the template of the prompt's SUDS line


class PhaseConfig(TypedDict, total=False):
    """A prompt set's ``phases.json``."""

    about: str
    phases: dict[str, PhaseSpec]
    intensity_words: dict[str, str]  # intensity "1".."10" -> words


#: The placeholder values of a prompt template (``string.Template``): each template names its own.
PromptValues = dict[str, str | int]


def _placeholder(value: object) -> str | int:
    return value if isinstance(value, (str, int)) else str(value)


@cache
def load_prompts(kind: str, version: str | None = None) -> PromptSet:
    """Read the prompt set ``kind`` (``generation`` or ``rating``) at ``version`` (default: current)."""
    if version is None:
        with open(seeds_path("prompts", "versions.json"), encoding="utf-8") as fh:
            version = json.load(fh)[kind]
    folder = seeds_path("prompts", kind, version)
    if not folder.is_dir():
        raise FileNotFoundError(f"prompt set {kind}/{version} is missing from this installation")
    files = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix in (".md", ".json")
    }
    return PromptSet(kind, version, files)


def turn_bounds(prompts: PromptSet, phase: str) -> tuple[int, int]:
    """``(min_turns, max_turns)`` a transcript of ``phase`` must have."""
    spec = prompts.phase_config["phases"][phase]
    return spec["min_turns"], spec["max_turns"]


def _facts_block(facts: dict[str, str]) -> str:
    if not facts:
        return "- (none given: invent concrete details that fit the profile and the trauma)"
    return "\n".join(
        f"- {key.replace('_', ' ').capitalize()}: {value}" for key, value in facts.items()
    )


#: SUDS styles of generated transcripts: stated as numbers, or talked about in words only.
SUDS_STYLES: tuple[str, ...] = ("numeric", "verbal")


def generation_prompt_id(prompts: PromptSet, suds_style: str = "numeric") -> str:
    """The prompt version a dataset records: ``generation-v1``, or with the verbal SUDS lines
    ``generation-v1+suds-verbal-v1``."""
    if suds_style == "numeric":
        return prompts.id
    return f"{prompts.id}+{load_prompts('suds-verbal').id}"


def generation_values(
    case: Case,
    phase: str,
    facts: dict[str, str],
    prompts: PromptSet,
    suds_style: str = "numeric",
) -> PromptValues:
    """The placeholder values of one (case, phase) prompt (``suds_style``: numeric | verbal)."""
    if suds_style not in SUDS_STYLES:
        raise ValueError(f"unknown SUDS style {suds_style!r} (numeric or verbal)")
    cfg = prompts.phase_config
    spec = cfg["phases"][phase]
    client = case["client_profile"]
    therapist = case["therapist_profile"]
    plan = case.get("plan")
    intensity = int(plan["intensity"].get(phase, 5)) if plan else 5
    suds = plan.get("suds", {}) if plan else {}
    phase_suds: Mapping[str, object] = suds.get(phase, {})
    last_exposure: Mapping[str, object] = suds.get(EXPOSURE_PHASES[-1], {})
    values: PromptValues = {
        "phase": phase,
        "phase_name": PHASE_NAMES[phase],
        "client_name": client["name"],
        "client_first_name": client["name"].split()[0],
        "age": client["age"],
        "gender": client["gender"],
        "relationship_status": client["relationship_status"],
        "occupation": client["occupation"],
        "living_situation": client["living_situation"],
        "ethnicity": client["ethnicity"],
        "co_occurring_condition": client["co_occurring_condition"],
        "behaviours": ", ".join(client["exhibited_behaviors"]) or "none in particular",
        "therapist_name": therapist.get("name", "the therapist"),
        "therapist_age": therapist["age"],
        "therapist_gender": therapist["gender"],
        "trauma_type": case["trauma_info"]["type"],
        "session_topic": case["trauma_info"]["session_topic"],
        "facts": _facts_block(facts),
        "intensity": intensity,
        "intensity_words": cfg["intensity_words"][str(intensity)],
        "suds_start": _placeholder(phase_suds.get("start", "")),
        "suds_peak": _placeholder(phase_suds.get("peak", "")),
        "suds_end": _placeholder(phase_suds.get("end", "")),
        "exposure_end_suds": _placeholder(last_exposure.get("end", 50)),
        "turns": spec["turns"],
        "half": spec["turns"] // 2,
        "min_turns": spec["min_turns"],
        "max_turns": spec["max_turns"],
    }
    line = spec["suds_line"]
    if suds_style == "verbal":
        line = json.loads(load_prompts("suds-verbal").files["phases.json"])["phases"][phase][
            "suds_line"
        ]
    values["suds_lines"] = Template(line).substitute(values)
    guidance = prompts.template(f"{phase}.md")
    if suds_style == "verbal":
        guidance = load_prompts("suds-verbal").template(f"{phase}.md")
    values["phase_guidance"] = guidance.substitute(values).strip()
    return values


def generation_messages(
    case: Case,
    phase: str,
    facts: dict[str, str],
    prompts: PromptSet | None = None,
    suds_style: str = "numeric",
) -> list[dict[str, str]]:
    """The chat messages that ask for one phase conversation of one client."""
    prompts = prompts or load_prompts("generation")
    values = generation_values(case, phase, facts, prompts, suds_style)
    preamble = prompts.files["preamble.md"]
    if suds_style == "verbal":
        preamble = load_prompts("suds-verbal").files["preamble.md"]
    return [
        {"role": "system", "content": preamble.strip()},
        {"role": "user", "content": prompts.template("frame.md").substitute(values).strip()},
    ]


def format_conversation(turns: Sequence[Mapping[str, Any]]) -> str:
    """``Therapist: ...`` / ``Client: ...`` lines of a conversation record's turns."""
    return "\n".join(f"{t['speaker'].capitalize()}: {t['text']}" for t in turns)


def rating_messages(
    turns: Sequence[Mapping[str, Any]], prompts: PromptSet | None = None
) -> list[dict[str, str]]:
    """The zero-shot messages that ask for ``{"intensity": n}`` for one conversation."""
    prompts = prompts or load_prompts("rating")
    user = prompts.template("user.md").substitute(conversation=format_conversation(turns))
    return [
        {"role": "system", "content": prompts.files["system.md"].strip()},
        {"role": "user", "content": user.strip()},
    ]


def rating_retry_message(prompts: PromptSet | None = None) -> dict[str, str]:
    prompts = prompts or load_prompts("rating")
    return {"role": "user", "content": prompts.files["retry.md"].strip()}


def format_marked_conversation(turns: Sequence[InputTurn]) -> tuple[str, list[int]]:
    """Conversation lines with the turns to rate (``"rate": true``) labelled ``[T1]``, ``[T2]``...

    Returns the text and the indices of the labelled turns, in order.
    """
    lines, marked = [], []
    for i, t in enumerate(turns):
        label = ""
        if t.get("rate") is True:
            marked.append(i)
            label = f"[T{len(marked)}] "
        lines.append(f"{label}{t['speaker'].capitalize()}: {t['text']}")
    return "\n".join(lines), marked


def turn_rating_messages(
    turns: Sequence[InputTurn], prompts: PromptSet | None = None
) -> tuple[list[dict[str, str]], list[int]]:
    """The messages asking for ``{"ratings": [...]}``, one per marked turn, and those turns."""
    prompts = prompts or load_prompts("turn-rating")
    text, marked = format_marked_conversation(turns)
    user = prompts.template("user.md").substitute(conversation=text, count=len(marked))
    messages = [
        {"role": "system", "content": prompts.files["system.md"].strip()},
        {"role": "user", "content": user.strip()},
    ]
    return messages, marked


def turn_rating_retry_message(count: int, prompts: PromptSet | None = None) -> dict[str, str]:
    prompts = prompts or load_prompts("turn-rating")
    return {"role": "user", "content": prompts.template("retry.md").substitute(count=count).strip()}


# -- documentation ---------------------------------------------------------------------------------
EXAMPLE_CASE: Case = {
    "client_id": 7,
    "client_profile": {
        "name": "Murray Carroll",
        "age": 28,
        "age_group": "18-30",
        "gender": "male",
        "relationship_status": "Married",
        "occupation": "Unemployed",
        "living_situation": "With partner",
        "ethnicity": "Oceanian",
        "co_occurring_condition": "Depression",
        "exhibited_behaviors": ["hypervigilance", "flashbacks", "dissociation"],
    },
    "therapist_profile": {"name": "Nevaeh Parker", "age": 47, "gender": "female"},
    "trauma_info": {"type": "physical abuse", "session_topic": "human trafficking"},
    "plan": {
        "intensity": {"P5": 5, "P10": 7, "P6": 8, "P7": 6, "P8": 5, "P11": 5},
        "suds": {
            "P10": {"start": 68, "peak": 83, "end": 69},
            "P6": {"start": 69, "peak": 83, "end": 73},
            "P7": {"start": 69, "peak": 69, "end": 51},
        },
    },
}
EXAMPLE_FACTS = {
    "where": "(narrative facts from tvt.compose.narrative_facts appear here, one per line)",
}


def render_docs() -> str:
    """The text of docs/prompts.md: every template of the current versions, and a rendered example."""
    gen = load_prompts("generation")
    rate = load_prompts("rating")
    out = [
        "# Prompts",
        "",
        "Generated by `python -m tvt.llm.prompts > docs/prompts.md` from `seeds/prompts/`; a test",
        "checks that this page matches the templates. Edit the templates, never this page.",
        "",
        f"- generation prompts: `{gen.id}`, sha256 `{gen.sha256}`",
        f"- rating prompt: `{rate.id}`, sha256 `{rate.sha256}`",
        "",
        "Both identifiers go into the manifest of every dataset (`backend.prompt_version`,",
        "`backend.prompt_sha256`) and into every cache key. A new wording is a new version folder;",
        "old versions stay so that old datasets can still name theirs.",
        "",
        "## Generation",
        "",
        "Each (client, phase) request has two messages: the shared preamble as the system message",
        "and the frame, with the phase's section inserted, as the user message. The frame carries",
        "the profile block, the narrative facts shared by the client's six phases, the planned",
        "intensity and SUDS targets (0-100) and the target number of turns.",
        "",
        "### Turn targets and the bounds the parser enforces",
        "",
        "| phase | name | target turns | accepted |",
        "|---|---|---|---|",
    ]
    for phase in BENCHMARK_ORDER:
        spec = gen.phase_config["phases"][phase]
        out.append(
            f"| {phase} | {PHASE_NAMES[phase]} | {spec['turns']} | "
            f"{spec['min_turns']}-{spec['max_turns']} |"
        )
    out += ["", gen.phase_config["about"], ""]
    for name in ("preamble.md", "frame.md", *(f"{p}.md" for p in BENCHMARK_ORDER)):
        out += [f"### `{name}`", "", "```text", gen.files[name].rstrip(), "```", ""]
    out += ["### Example: the user message of client 7, phase P10", ""]
    example = generation_messages(EXAMPLE_CASE, "P10", EXAMPLE_FACTS, gen)[1]["content"]
    out += ["```text", example, "```", ""]
    out += [
        "## Rating (zero-shot)",
        "",
        "`tvt rate DIR --rater openai` sends the system and user messages below for every",
        "conversation. An answer that yields no intensity 1-10 is followed by `retry.md` in the same",
        "chat (with a new seed), up to `--max-attempts`; what still fails is counted as a format",
        "failure and reported.",
        "",
    ]
    for name in ("system.md", "user.md", "retry.md"):
        out += [f"### `{name}`", "", "```text", rate.files[name].rstrip(), "```", ""]
    verbal = load_prompts("suds-verbal")
    out += [
        "## Verbal SUDS style (tvt-bench-v2 masked and turn tracks)",
        "",
        f'Prompt `{verbal.id}`, sha256 `{verbal.sha256}`. With `suds_style="verbal"` the',
        "generation frame keeps the same SUDS targets but replaces each phase's SUDS line with the",
        "one below and the preamble and phase sections with the verbal copies in",
        "`seeds/prompts/suds-verbal/v1/`, so the transcript talks about distress in words, never",
        "as numbers; the dataset records the prompt version `generation-v1+suds-verbal-v1`.",
        "",
        "| phase | SUDS line |",
        "|---|---|",
    ]
    vcfg = json.loads(verbal.files["phases.json"])
    for phase in BENCHMARK_ORDER:
        out.append(f"| {phase} | {vcfg['phases'][phase]['suds_line'].lstrip('- ')} |")
    out.append("")
    turn = load_prompts("turn-rating")
    out += [
        "## Turn rating (tvt-bench-v2, turn track)",
        "",
        f"Prompt `{turn.id}`, sha256 `{turn.sha256}`. The client turns to rate are labelled",
        "`[T1]`, `[T2]`, ... in the conversation; the answer is one list with one rating per",
        "labelled turn. An answer with the wrong number of ratings, or one outside 1-10, is",
        "followed by `retry.md`; what still fails is a format failure of the whole conversation.",
        "",
    ]
    for name in ("system.md", "user.md", "retry.md"):
        out += [f"### `{name}`", "", "```text", turn.files[name].rstrip(), "```", ""]
    realize = load_prompts("realize")
    out += [
        "## Realize (`--backend realize`)",
        "",
        f"Prompt `{realize.id}`, sha256 `{realize.sha256}`. The user message carries the profile",
        "and story facts (the placeholders of the generation frame) and the composer's skeleton,",
        "one line per turn (`$skeleton`: number, speaker, act, SUDS, intensity, facts, protocol",
        "elements to keep, the draft). `retry.md` names the turns that failed a check and why;",
        "`format_retry.md` follows an answer that could not be used as a whole. See",
        "[realize.md](realize.md).",
        "",
    ]
    for name in ("system.md", "user.md", "retry.md", "format_retry.md"):
        out += [f"### `{name}`", "", "```text", realize.files[name].rstrip(), "```", ""]
    verbal_realize = load_prompts("realize-verbal")
    out += [
        "### With `--suds-style verbal`",
        "",
        f"Prompt `{verbal_realize.id}`, sha256 `{verbal_realize.sha256}`: its `system.md`",
        "replaces the one above (distress said in the words of the composer's verbal bands, never",
        "a number); the dataset records the prompt version `realize-v1+verbal-v1`.",
        "",
        "```text",
        verbal_realize.files["system.md"].rstrip(),
        "```",
        "",
    ]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_docs())
