"""The client's life now: the people around them, the places of their week, and the recent
episodes they tell about (a reminder that set them off, an invitation turned down, someone who
helped).

PE asks the client about the trauma's grip on daily life: what they avoid, what sets them off,
what it costs (P5, P8, P11). People in therapy answer with specifics ("On Saturday I was in the
Co-op on Hartley Road and..."), not with generalities, and those specifics are what make one
client's sessions theirs. The people and places are drawn once per client from the ``world``
stream; each episode is composed once from the grammar in ``seeds/compose/world.json`` and told
once, by the phase that needs it, so the six conversations never tell the same week twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tvt.compose.language import Picker, cap, fill
from tvt.records import ClientProfile
from tvt.resources import load_seed_json
from tvt.rng import Stream

#: Kinds of episode and how many of each a client has to tell over the six phases.
EPISODES = {"trigger": 3, "invite": 2, "support": 1}
#: Which phase tells which episode (kind, index): each is told once, and each phase can still
#: be composed alone.
TOLD_IN = {
    "P5": [("invite", 0)],
    "P8": [("trigger", 0), ("invite", 1), ("trigger", 2)],
    "P11": [("trigger", 1), ("support", 0)],
}
#: Family words that take no name ("my mum", not "my mum Grace").
_UNNAMED = {"mum", "dad"}
_SHE = {"mum", "sister", "daughter", "niece"}
_HE = {"dad", "brother", "son"}
#: The cue of a client whose reminders are all activities or the news.
FALLBACK_CUE = "a siren"
#: Reminders that read badly after "someone mention" / "I caught" (activities, the news).
_ACTIVITY = ("walking", "being", "driving", "sitting", "checking", "seeing", "going", "taking")
_NOT_A_CUE = ("news", " when ", "{")


def _cue(pick: Picker, frames: list[str], reminder: str) -> str:
    """A cue frame that takes ``reminder``'s grammatical form ("I heard someone mention
    {reminder}" takes "hospitals", not "dogs barking"; see frame_forms)."""
    from tvt.compose.dialogue_text import frame_forms
    from tvt.compose.language import slot_form

    form = slot_form(reminder)
    if all(form in accepted for frame in frames for _, accepted in frame_forms(frame)):
        return pick.pick(frames)
    return str(pick.choice([f for f in frames if all(form in a for _, a in frame_forms(f))]))


@cache
def world_bank() -> dict[str, Any]:
    """The grammar of the client's life now (``seeds/compose/world.json``)."""
    return load_seed_json("compose", "world.json")


@dataclass
class World:
    """One client's people, places and the episodes they will tell (all text final)."""

    slots: dict[str, str]
    #: (how the client first names someone, the name they use after) for ``Dialogue._names``.
    people: list[tuple[str, str]] = field(default_factory=list)
    episodes: dict[str, list[str]] = field(default_factory=dict)

    def for_phase(self, phase: str) -> dict[str, list[str]]:
        """The episodes ``phase`` tells, by kind, in the order it tells them (a fresh copy)."""
        out: dict[str, list[str]] = {}
        for kind, i in TOLD_IN.get(phase, []):
            out.setdefault(kind, []).append(self.episodes[kind][i])
        return out


def _pronouns(prefix: str, they: str) -> dict[str, str]:
    them, their = {"she": ("her", "her"), "he": ("him", "his")}.get(they, ("them", "their"))
    plural = they == "they"
    out = {
        f"{prefix}_they": they,
        f"{prefix}_them": them,
        f"{prefix}_their": their,
        f"{prefix}_has": "have" if plural else "has",
        f"{prefix}_is": "are" if plural else "is",
    }
    out[f"{prefix}_They"] = cap(they)
    return out


def build_world(
    profile: ClientProfile,
    reminders: list[str],
    seed: int,
    client_id: int,
    namer: Callable[[str, Stream], str],
    street_name: Callable[[Stream], str],
) -> World:
    """Draw one client's world from the ``world`` stream of (seed, client_id).

    ``namer(pronoun, rng)`` gives a first name from the client's naming culture;
    ``street_name(rng)`` a surname for a street or a park.
    """
    rng = Stream(seed, client_id, "world")
    pick = Picker(rng)
    bank = world_bank()
    slots: dict[str, str] = {}
    people: list[tuple[str, str]] = []

    names: dict[str, str] = {}  # what the client calls each person after the first mention

    def person(slot: str, ref: str, they: str, name: str) -> None:
        slots[slot] = ref
        names[slot] = name
        slots.update(_pronouns({"friend": "fr", "other": "ot"}.get(slot, slot), they))

    age = int(profile["age"])
    band = "young" if age < 35 else "middle" if age < 60 else "old"
    kin = pick.choice(bank["kin"][band])
    kin_they = "she" if kin in _SHE else "he" if kin in _HE else pick.choice(("she", "he"))
    if kin in _UNNAMED:
        person("kin", f"my {kin}", kin_they, cap(kin))
    else:
        name = namer(kin_they, rng)
        people.append((f"my {kin} {name}", name))
        person("kin", f"my {kin} {name}", kin_they, name)
    fr_they = pick.choice(("she", "he", "she", "he", "they"))
    name = namer(fr_they, rng)
    people.append((f"my friend {name}", name))
    person("friend", f"my friend {name}", fr_they, name)
    ot_they = pick.choice(("she", "he"))
    name = namer(ot_they, rng)
    other = fill(bank["other"][profile["occupation"]], {"name": name})
    people.append((other, name))
    person("other", other, ot_they, name)

    suffixes = bank["street_suffixes"]
    first, second = street_name(rng), street_name(rng)
    slots["street"] = f"{first} {pick.choice(suffixes)}"
    slots["street2"] = f"{second} {pick.choice([s for s in suffixes if s != 'Road'])}"
    slots["surname"] = street_name(rng)
    slots["park"] = fill(pick.choice(bank["parks"]), slots)
    slots["shop"] = pick.choice(bank["shops"])
    slots["pub"] = pick.choice(bank["pubs"])

    cues = [
        r for r in reminders if not r.startswith(_ACTIVITY) and not any(x in r for x in _NOT_A_CUE)
    ] or [FALLBACK_CUE]
    episodes: dict[str, list[str]] = {}
    for kind, count in EPISODES.items():
        grammar = bank[kind]
        told = []
        for _ in range(count):
            when = pick.pick(bank["when"])
            if kind == "trigger":
                ctx = {**slots, "reminder": cues[int(rng.random() * len(cues))]}
                text = (
                    f"{when}, {fill(pick.pick(grammar['setting']), ctx)}, "
                    f"{fill(_cue(pick, grammar['cue'], ctx['reminder']), ctx)}, and "
                    f"{fill(pick.pick(grammar['response']), ctx)}. "
                    f"{cap(fill(pick.pick(grammar['coda']), ctx))}"
                )
            elif kind == "invite":
                ask: dict[str, str] = pick.choice(grammar["ask"])
                who = ask["who"]
                short = {"friend": "fr", "other": "ot"}.get(who, who)
                ctx = {**slots, "who_name": names[who], "Who_name": names[who]}
                ctx |= {
                    "who" + k[len(short) :]: v
                    for k, v in slots.items()
                    if k.startswith(short + "_")
                }
                text = (
                    f"{when}, {fill(ask['text'], ctx)}, and "
                    f"{fill(pick.pick(grammar['excuse']), ctx)}. "
                    f"{cap(fill(pick.pick(grammar['cost']), ctx))}"
                )
            else:
                text = (
                    f"{cap(fill(pick.pick(grammar['act']), slots))}. "
                    f"{cap(fill(pick.pick(grammar['tail']), slots))}"
                )
            told.append(text)
        episodes[kind] = told
    return World(slots=slots, people=people, episodes=episodes)
