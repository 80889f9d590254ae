"""Write seeds/compose/nouns.json: ``lemminflect``'s noun lemma of every head noun the composer's
shipped data can put in a slot whose verb must agree (sensory details, event references).

Usage: ``python -m tvt.compose.nouns``. Run it after changing topic or pair files; a test checks
that the table is complete and agrees with ``lemminflect``. The table spares every generation
run the time ``lemminflect`` takes to load its own tables.
"""

from __future__ import annotations

from typing import Any

from tvt.compose.language import head_noun, lemminflect_lemma, without_participles
from tvt.jsonio import write_json
from tvt.resources import seeds_path


def shipped_heads(clients: int = 3000, seed: int = 42) -> set[str]:
    """Head nouns of every detail (in full and by its short name) and event phrase of ``clients``
    composed narratives, under every (type, topic) pair of the default preset."""
    from tvt.compose.narrative import build_narrative
    from tvt.compose.person import second_person
    from tvt.compose.voice_text import short_detail
    from tvt.compose.world import FALLBACK_CUE
    from tvt.config import load_config
    from tvt.pipeline import planned_cases
    from tvt.resources import load_seed_json

    preset = load_seed_json("presets", "default.json")
    pairs = sorted((t, topic) for t, ts in preset["compatible_topics"].items() for topic in ts)
    heads: set[str] = set()
    for i, case in enumerate(planned_cases(load_config("default"), seed, clients)):
        trauma_type, topic = pairs[i % len(pairs)]
        case = {**case, "trauma_info": {"type": trauma_type, "session_topic": topic}}
        nar = build_narrative(case, seed)
        details = [d for ds in nar.sensory_all.values() for d in ds]
        # A detail said before is named by its short form, whose head may differ ("ring").
        names = [n["event"] for n in nar.event_names]
        phrases = [nar.ctx["event"], *names, *details, *(short_detail(d) for d in details)]
        # A verb after a reminder agrees with it ("when hospitals set me off").
        phrases += [*nar.reminders, FALLBACK_CUE]
        phrases += [second_person(p) for p in phrases]
        phrases += [without_participles(p) for p in phrases]
        for phrase in phrases:
            head = head_noun(phrase)
            if head:
                heads.add(head)
    return heads


def slot_verbs() -> set[str]:
    """Every word ending in -s right after a slot whose filler may be plural, in the
    composer's banks ("{reminder} sets"): the candidates for a verb that must agree."""
    import re

    from tvt.compose.language import ADVERBS, AGREEING
    from tvt.resources import seeds_path

    slots = "|".join(sorted(AGREEING))
    after = re.compile(r"\{(?:" + slots + r")\} (?:(?:" + "|".join(ADVERBS) + r") )?([a-z]+s)\b")
    words: set[str] = set()
    for path in sorted(seeds_path("compose").rglob("*.json")):
        words.update(after.findall(path.read_text(encoding="utf-8")))
    return words - {"is", "was", "has"}


def verb_plural(word: str) -> str | None:
    """``lemminflect``'s plural present of a third-person verb ("sets" -> "set"), or None
    when ``word`` is no such verb."""
    from lemminflect import getAllLemmas, getInflection

    lemmas = getAllLemmas(word).get("VERB")
    if not lemmas or lemmas[0] == word:
        return None
    if word not in getInflection(lemmas[0], tag="VBZ"):
        return None
    plural = getInflection(lemmas[0], tag="VBP")
    return plural[0] if plural else lemmas[0]


def table(heads: set[str], verbs: set[str] | None = None) -> dict[str, Any]:
    plurals = {v: verb_plural(v) for v in sorted(verbs or ())}
    return {
        "kind": "nouns",
        "description": "lemminflect's noun lemma of the head nouns the composer's data uses "
        "(written by python -m tvt.compose.nouns); a head differing from its lemma is plural. "
        "verbs: the third-person verbs the banks put after a slot, with their plural form",
        "lemma": {h: lemminflect_lemma(h) for h in sorted(heads)},
        "verbs": {v: p for v, p in plurals.items() if p},
    }


def main() -> None:
    data = table(shipped_heads(), slot_verbs())
    write_json(seeds_path("compose", "nouns.json"), data)
    print(f"wrote {len(data['lemma'])} nouns to seeds/compose/nouns.json")


if __name__ == "__main__":
    main()
