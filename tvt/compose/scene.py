"""The scene model: what a client's story contains, and what each line of the banks presupposes.

A story is a scene: the sea or a flooded street, a car, a bus, a plane; someone doing the harm or
nobody; the police, a dog, a hospital, the dark, onlookers, someone else hurt. Each topic file
and each (trauma type, topic) pair file declares its scene (``"scene"``: the features of
``seeds/compose/scene.json``). A line presupposes every feature whose cue words it contains,
and every person of the story it names by slot (``{family}``, ``{lov_their}``). A pair's story
keeps the topic's sensory details, reminders and in-vivo exercises only where it has all that
they presuppose: a cyclone story borrows no waves slapping the side of a boat, and a neglect
memory with nobody in it borrows no abuser's face.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from tvt.resources import load_seed_json

#: Pools a pair may take over from its topic, filtered by the pair's scene.
INHERITED_POOLS = ("sensory", "sensory_hot", "reminders", "in_vivo")
_SLOT = re.compile(r"\{(\w+?)(?:_cap)?\}")


@cache
def scene_bank() -> dict[str, Any]:
    """The scene features with their cue words, and the fallback details (scene.json)."""
    return load_seed_json("compose", "scene.json")


@cache
def _cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (name, re.compile(r"(?<![\w{])(?:" + "|".join(spec["cues"]) + r")(?!\w)", re.I))
        for name, spec in scene_bank()["features"].items()
    )


def slot_owners(slots: dict[str, list[Any]]) -> dict[str, str]:
    """Each slot key of a topic to the person or thing it belongs to: ``lov_their`` and
    ``loved`` are one person."""
    owners: dict[str, str] = {}
    for slot, values in slots.items():
        owners[slot] = slot
        for value in values:
            if isinstance(value, dict):
                for key in value:
                    owners.setdefault(key, slot)
    return owners


@cache
def _cue_features(line: str) -> frozenset[str]:
    return frozenset(name for name, cue in _cues() if cue.search(line))


def presupposes(line: str, owners: dict[str, str] | None = None) -> frozenset[str]:
    """The features a line presupposes: its cue words and the story's people it names
    (``slot:<name>``, for slots of ``owners``; other slots are the client's own context)."""
    found = set(_cue_features(line))
    for key in _SLOT.findall(line):
        if owners and key in owners:
            found.add("slot:" + owners[key])
    return frozenset(found)


def lines_of(data: Any) -> list[str]:
    """Every string inside a bank value (lists, pools and belief pairs)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [line for value in data.values() for line in lines_of(value)]
    if isinstance(data, list):
        return [line for value in data for line in lines_of(value)]
    return []


def fits(line: str, scene: frozenset[str], owners: dict[str, str]) -> bool:
    """Whether the scene has everything ``line`` presupposes."""
    return presupposes(line, owners) <= scene


def fit_pool(pool: Any, scene: frozenset[str], owners: dict[str, str]) -> Any:
    """``pool`` (a list or a dict of lists) without the lines the scene cannot hold."""
    if isinstance(pool, dict):
        return {key: fit_pool(value, scene, owners) for key, value in pool.items()}
    return [line for line in pool if fits(line, scene, owners)]


def inherit(base: dict[str, Any], scene: frozenset[str]) -> dict[str, Any]:
    """The topic's pools a pair takes over, cut to the pair's scene; a sense left with fewer
    than two details takes the scene-free fallback details (the client's own body and breath)."""
    owners = slot_owners(base["slots"])
    out: dict[str, Any] = {}
    for key in INHERITED_POOLS:
        if key in base:
            out[key] = fit_pool(base[key], scene, owners)
    fallback = scene_bank()["fallback"]["sensory"]
    if "sensory" in out:
        out["sensory"] = {
            sense: (details if len(details) >= 2 else details + list(fallback[sense]))
            for sense in fallback
            for details in [out["sensory"].get(sense, [])]
        }
    return out


# -- the moment: where, in what posture, with what in the hands ----------------------------------
_Cues = tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]


@cache
def _moment_cues() -> _Cues:
    """One pattern each for the places, the postures, the hands and help coming: a pattern of
    named groups finds which place or posture a line names in one search (these run on every
    turn of an exposure, so one search each, not one per feature)."""
    spec = scene_bank()["moments"]
    features = scene_bank()["features"]

    def alternatives(cues: list[str]) -> str:
        return r"(?<![\w{])(?:" + "|".join(cues) + r")(?!\w)"

    def grouped(named: dict[str, list[str]]) -> re.Pattern[str]:
        return re.compile(
            "|".join(f"(?P<{name}>{alternatives(cues)})" for name, cues in named.items()), re.I
        )

    places = grouped({name: features[name]["cues"] for name in spec["places"]})
    postures = grouped({name: p["cues"] for name, p in spec["postures"].items()})
    hands = re.compile(alternatives(spec["hands"]["cues"]), re.I)
    rescue = re.compile(alternatives(spec["rescue"]["cues"]), re.I)
    return places, postures, hands, rescue


@cache
def places_of(line: str) -> frozenset[str]:
    """The places (scene.json ``moments.places``) a line presupposes the client is at."""
    found = set()
    for m in _moment_cues()[0].finditer(line):
        found.add(m.lastgroup or "")
    return frozenset(found - {""})


@cache
def posture_of(line: str) -> str:
    """The posture a line presupposes ("lying", "kneeling", "seated", "standing"), or "": the
    first one it names."""
    m = _moment_cues()[1].search(line)
    return (m.lastgroup or "") if m else ""


@cache
def holds(line: str) -> bool:
    """Whether a line puts something in the client's hand or hands."""
    return bool(_moment_cues()[2].search(line))


@cache
def rescues(line: str) -> bool:
    """Whether a line presupposes help has come (officers running, the ambulance)."""
    return bool(_moment_cues()[3].search(line))


class Moment:
    """The moment of a retelling a detail is said at: the places the beat being told is at,
    the client's posture, and what is in their hands.

    A beat that names a place moves the story there (the crash, then the theatre); a beat or a
    detail that names a posture or a thing held sets it, until the next retelling starts. A
    detail is drawn only when it fits (:meth:`fits`): no petrol and seatbelt in the theatre, no
    floor under the knees in an ICU bed, no door handle in the hand that holds the phone.
    """

    def __init__(self, story_places: frozenset[str], story_holds: bool = False) -> None:
        #: The places the story's beats name: where a detail may be before a beat names one.
        self.story_places = story_places
        #: Whether the story's own beats put something in the client's hands (the phone): then
        #: no detail does, or it would be in the hand before the beat puts the phone there.
        self.story_holds = story_holds
        self.restart()

    def restart(self) -> None:
        """A new retelling: back to the start of the story."""
        self.places = self.story_places
        self.posture = ""
        self.held = ""
        #: Whether the worst is over (the aftermath is being told): only then has help come.
        self.after = False

    def tell(self, text: str, here: frozenset[str] | None = None) -> None:
        """A beat of the story is told: it may move the place (``here``, when the caller knows
        it), the posture, the hands."""
        if here is None:
            here = places_of(text)
        if here:
            self.places = here
        self.said(text)

    def said(self, text: str) -> None:
        """A sentence was said in the retelling: its posture and what it holds now hold."""
        posture = posture_of(text)
        if posture:
            self.posture = posture
        if holds(text) and not self.held:
            self.held = text

    def key(self) -> tuple[frozenset[str], str, str, bool]:
        """What decides which details fit: equal keys, equal cuts."""
        return (self.places, self.posture, self.held, self.after)

    def fits(self, detail: str) -> bool:
        """Whether ``detail`` can be said at this moment."""
        where = places_of(detail)
        if where and self.places and not where <= self.places:
            return False
        posture = posture_of(detail)
        if posture and self.posture and posture != self.posture:
            return False
        if rescues(detail) and not self.after:
            return False
        if holds(detail) and self.story_holds:
            return False
        return not (holds(detail) and self.held and self.held != detail)
