"""One narrative per client: the scene, sensory details, hotspot and aftermath of the trauma
memory, plus how the client's behaviours and co-occurring condition show in daily life.

The narrative is drawn once from the client's own ``narrative`` stream and every phase draws on
it, so the six conversations never contradict each other (the release's conversations were
generated independently and drift). Only the fact pools (topic slots, sensory details, the
behaviour and condition "daily" lines) carry specific details; phrasing pools used elsewhere stay
generic, which is what keeps the phases consistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tvt.compose.bank import narrative_schema, profile_bank
from tvt.compose.language import agreement, cap, fill, number_words, slot_form
from tvt.compose.person import second_person, third_person
from tvt.compose.voice import Voice, build_voice
from tvt.compose.world import World, build_world
from tvt.records import Case, ClientProfile
from tvt.resources import load_seed_json
from tvt.rng import Stream

#: Order of the narrative beats in a retelling; the hotspot is where distress peaks.
BEAT_ORDER = ("opening", "approach", "onset", "escalation", "hotspot", "aftermath")
SENSES = ("sight", "sound", "smell", "touch")


@dataclass
class Narrative:
    """The filled narrative of one client (all strings final, no template slots left)."""

    ctx: dict[str, str]
    beats: dict[str, list[str]]
    slow: list[str]
    sensory: dict[str, list[str]]
    sensory_hot: dict[str, list[str]]
    sensory_all: dict[str, list[str]]
    thoughts: list[str]
    belief: str
    balanced: str
    reminders: list[str]
    in_vivo: str
    behaviours: dict[str, str]
    condition: str | None
    work: str
    home: str
    voice: Voice
    facts: dict[str, str] = field(default_factory=dict)
    #: Named people of the story: (how the client first names them, their first name).
    people: list[tuple[str, str]] = field(default_factory=list)
    #: The phase where the client voices a risk moment ("" for none); set by compose_client.
    risk_phase: str = ""
    #: The ways the client names the event, as the slots of each (see Dialogue.fill).
    event_names: list[dict[str, str]] = field(default_factory=list)
    hotspot_names: list[dict[str, str]] = field(default_factory=list)
    #: The client's life now: people, places and the recent episodes they tell.
    world: World | None = None
    #: People of the story first described at length, then named short: ("a man in a hooded
    #: top with a gun", "the man").
    referents: list[tuple[str, str]] = field(default_factory=list)
    #: The scene details cut to each moment of a retelling, for every exposure of this client
    #: (see tvt.compose.exposure._fit_moment): the pools cut, and per pool (sense, details).
    moment_cuts: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def _choose(rng: Stream, pool: list[Any]) -> Any:
    return pool[int(rng.random() * len(pool))]


def _sample(rng: Stream, pool: list[Any], k: int) -> list[Any]:
    return [pool[i] for i in rng.distinct(len(pool), min(k, len(pool)))]


def _put(ctx: dict[str, str], key: str, value: str) -> None:
    ctx[key] = value
    ctx[key + "_cap"] = cap(value)


def _when(rng: Stream, age: int, topic: dict[str, Any]) -> tuple[str, int]:
    """How long ago the event happened, in the client's words, and the age they were then."""
    lo = max(topic.get("min_event_age", 16), age - topic.get("max_years_ago", 60))
    lo = min(lo, age, topic.get("max_event_age", age))
    # An aftermath that spans years ("camps and years of waiting") needs that much time; a
    # childhood event ("max_event_age") happened at least that long ago.
    least = min(max(topic.get("min_years_ago", 0), age - topic.get("max_event_age", age)), age - lo)
    # PTSD brought to treatment is more often recent: skew towards the last few years.
    years = least + int((rng.random() ** 2) * (age - lo - least + 1))
    years = min(years, age - lo)
    event_age = age - years
    if years == 0:
        text = _choose(rng, ["earlier this year", "a few months ago", "this spring"])
    elif years == 1:
        text = _choose(rng, ["last year", "just over a year ago"])
    elif rng.random() < 0.5 and event_age < 100:
        text = f"when I was {number_words(event_age)}"
    else:
        text = f"{number_words(years)} years ago" if years < 100 else "many years ago"
    return text, event_age


def _since(when: str) -> str:
    """How long the client has carried it, after "since" or "for" ("it's been in my head
    since I was nine", "for three years"): "since when I was nine" and "since three years
    ago" are not English."""
    if when.startswith("when "):
        return "since " + when[5:]
    if when.endswith(" ago") and not when.startswith("just"):
        return "for " + when[: -len(" ago")]
    return "since " + when.replace("just over a year ago", "last year")


def _partner(rng: Stream, gender: str) -> str:
    r = rng.random()
    if gender == "male":
        return "wife" if r < 0.82 else "husband" if r < 0.9 else "partner"
    if gender == "female":
        return "husband" if r < 0.82 else "wife" if r < 0.9 else "partner"
    return "partner" if r < 0.6 else "wife" if r < 0.8 else "husband"


_SHE = {"mum", "sister", "daughter", "wife", "girlfriend"}
_HE = {"dad", "brother", "son", "husband", "boyfriend"}


def witness_pronouns(witness: str) -> tuple[str, str, str]:
    """(they, them, their) for the person who notices: "my sister" -> she, her, her; people
    whose gender the profile does not fix ("my housemate", "my partner") are "they"."""
    last = witness.split()[-1]
    if last in _SHE:
        return "she", "her", "her"
    if last in _HE:
        return "he", "him", "his"
    return "they", "them", "their"


def _not_witness(topic: dict[str, Any]) -> set[str]:
    """People of the topic who cannot be the client's everyday confidant (the one who died)."""
    out: set[str] = set()
    for slot in topic.get("not_witness", []):
        for value in topic["slots"][slot]:
            out.add(value["text"] if isinstance(value, dict) else value)
    return out


def _household(
    rng: Stream, profile: ClientProfile, bank: dict[str, Any], exclude: set[str]
) -> dict[str, str]:
    """Who is around the client day to day (someone who notices), from the profile."""
    status = profile["relationship_status"]
    living = profile["living_situation"]
    partner = _partner(rng, profile["gender"])
    if status == "Married":
        partner_ref = f"my {partner}"
    elif status == "In a relationship":
        partner_ref = (
            "my partner"
            if partner == "partner"
            else f"my {'girlfriend' if partner == 'wife' else 'boyfriend'}"
        )
    else:
        partner_ref = ""
    if living == "With partner" and partner_ref:
        witness = partner_ref
    else:
        home_bank = bank["living"][living]
        # Younger clients living with family live with parents or siblings, not their children.
        pool = home_bank.get("witness_young") if profile["age"] < 35 else None
        options = [w for w in pool or home_bank["witness"] if w not in exclude]
        witness = _choose(rng, options or ["a close friend"])
        if partner_ref and rng.random() < 0.5:
            witness = partner_ref
    they, them, their = witness_pronouns(witness)
    home = fill(
        _choose(rng, bank["living"][living]["home"]),
        {"witness": witness, "witness_cap": cap(witness), "wit_them": them, "wit_they": they},
    )
    return {"witness": witness, "home": home, "partner": partner_ref or witness}


#: People of the story who are named: a relative or friend the client calls by name.
_NAMED = re.compile(
    r"^(my|our) (little |younger |older |elderly |best )?"
    r"(sister|brother|cousin|friend|neighbour|uncle|aunt|supervisor|medic)$"
)


@cache
def _name_locales() -> dict[str, list[str]]:
    return load_seed_json("presets", "default.json")["name_locales"]


#: A person of the story described at length by an indefinite noun phrase.
_DESCRIBED = re.compile(
    r"^an? (?:\w+ )?(man|woman|boy|girl|lad|guy|stranger|driver|officer|soldier|dog)\b \w+ \w+"
)


def _person_first_name(profile: ClientProfile, pronoun: str, rng: Stream) -> str:
    """A first name for someone in the client's story, from the client's naming culture."""
    from tvt.sampling import person_name

    locales = _name_locales().get(profile["ethnicity"], ["en_GB"])
    locale = locales[int(rng.random() * len(locales))]
    gender = {"she": "female", "he": "male"}.get(pronoun, "any")
    own = profile.get("name", "").split(" ")[0]
    for _ in range(5):
        first = person_name(locale, gender, rng).split(" ")[0]
        if first != own:
            return first
    return first


def _short(moment: str, fallback: str = "that moment") -> str:
    """ "the moment they knocked him down and nobody moved" -> "the moment they knocked him
    down": the hotspot's first clause, to name it again without the whole of it ("that
    moment", or ``fallback``, when it has a single clause)."""
    head = re.split(r" and |, | while | when ", moment, maxsplit=1)[0]
    if head != moment and head.count(" ") >= 3:
        return head
    if not _few(moment):
        # One long clause is cut before what it adds: "the moment the interrogator said
        # they'd shoot me in the morning" -> "the moment the interrogator said they'd shoot me".
        for cut in _MOMENT_CUT.finditer(moment):
            head = moment[: cut.start()]
            if head.count(" ") >= 3 and head.split()[-1] not in _OPEN_END and _has_verb(head):
                return head
    return fallback


#: Where one long clause naming the hot spot can be cut short.
_MOMENT_CUT = re.compile(
    r" (?:that|rather than|in front of|on|in|at|into|onto|from|behind|over|across|through) "
)
#: Words a cut name of the hot spot cannot end on (it would want more after it).
_OPEN_END = frozenset("started starts have had backed caught came was were been got put".split())


#: Where a long name of the event can be cut to name it again: "the bullying at the warehouse
#: where I worked" -> "the bullying", "what they did to me at work" -> "what they did".
_EVENT_CUT = re.compile(r" (?:at|in|on|to|with|where|when|who|that|after|as|during) ")


#: Words a short name cannot end on: a determiner, or a span of time that says nothing alone
#: ("the weeks on the ventilator" is not "the weeks").
_NO_SHORT = frozenset("the a an my our weeks days months years time end start rest".split())


def _short_event(event: str) -> str:
    """The event's short name, cut from its full one ("" when it has none): a noun phrase or a
    clause before its first place or time ("the bullying", "what happened")."""
    form = slot_form(event)
    if form not in ("np", "pl", "wh"):
        return ""
    head = _EVENT_CUT.split(event, maxsplit=1)[0]
    last = head.split()[-1]
    if head == event or head.count(" ") < 1 or last in _NO_SHORT:
        return ""
    if head.startswith(_CLAUSE_NAMES) and not _has_verb(head):
        # "what the woman who ran the house did" is not "what the woman", nor "the way my
        # husband at the time treated me" "the way my husband" (a reviewer quoted both).
        return ""
    return head


#: Names of the event that are clauses: a short name cut from one must keep its verb.
_CLAUSE_NAMES = ("what ", "the way ", "how ")
#: Past-tense verbs without -ed that the story banks use.
_IRREGULAR = frozenset(
    "did said told took made saw went came got had was were left kept hit put beat broke began "
    "ran fell lost shut threw held found gave brought caught drove felt heard knew let lay met "
    "rang sat shot spoke stood stole struck swore tore woke wrote bit blew burnt burned sank "
    "does says goes comes".split()
)


def _has_verb(clause: str) -> bool:
    """Whether a clause naming the event or the hot spot has a finite verb after its head
    ("the moment the ladder went", not "the moment a load swinging"): a past tense, or a
    present in -s after a subject."""
    words = clause.split()[2:]  # past "the moment", "what the", "the way"
    return any(w in _IRREGULAR or (w.endswith("ed") and len(w) > 3) for w in words)


#: How a client points back at the hot spot once it has been named enough.
HOT_POINTERS = ("that moment", "that part", "that bit")
#: ... and how the therapist does (PE keeps the hot spot in view by name or nearly).
HOT_POINTERS_T = ("that moment", "that part")


def _few(name: str) -> bool:
    """Whether a name is short enough to say again as it is (six words at most)."""
    return name.count(" ") < 6


def _event_slots(event: str) -> dict[str, str]:
    out = {"event": event, "event_cap": cap(event), **agreement("event", event)}
    out["event_t"] = second_person(event)
    out["event_t_cap"] = cap(out["event_t"])
    return out


def _street(rng: Stream) -> str:
    """A surname to name a street or a park after (streets keep the local, British names)."""
    from tvt.sampling import person_name

    return person_name("en_GB", "any", rng).rsplit(" ", 1)[-1]


def build_narrative(case: Case, seed: int) -> Narrative:
    """Draw the client's narrative from the ``narrative`` stream of (seed, client_id)."""
    rng = Stream(seed, case["client_id"], "narrative")
    profile = case["client_profile"]
    info = case["trauma_info"]
    topic = narrative_schema(info["type"], info["session_topic"])
    bank = profile_bank()
    ctx: dict[str, str] = {}
    _put(ctx, "first", profile["name"].split()[0])
    _put(ctx, "therapist", case["therapist_profile"]["name"].split()[0])
    when, event_age = _when(rng, int(profile["age"]), topic)
    _put(ctx, "when", when)
    _put(ctx, "since_when", _since(when))
    _put(ctx, "event_age", number_words(min(event_age, 99)))
    household = _household(rng, profile, bank, _not_witness(topic))
    _put(ctx, "witness", household["witness"])
    pronouns = witness_pronouns(household["witness"])
    for key, word in zip(("wit_they", "wit_them", "wit_their"), pronouns, strict=True):
        _put(ctx, key, word)
    _put(ctx, "partner", household["partner"])
    occupation = bank["occupations"][profile["occupation"]]
    # An anxious retiree does not fear losing a job: the worry fits the occupation.
    _put(ctx, "worry", occupation.get("worry", "what if something goes wrong"))
    _put(ctx, "daily", _choose(rng, occupation["daily"]))

    # Topic slots: one value per slot. An object value is a bundle of details that belong
    # together ("text" is the slot itself, other keys become slots of their own).
    people: list[tuple[str, str]] = []
    referents: list[tuple[str, str]] = []
    names = Stream(seed, case["client_id"], "names")
    for slot in sorted(topic["slots"]):
        value = _choose(rng, topic["slots"][slot])
        if isinstance(value, dict):
            for key, text in value.items():
                _put(ctx, slot if key == "text" else key, fill(text, ctx))
            # The people of the story have names ("my sister Amara"), from the client's own
            # naming culture; after the first mention the client just says the name.
            pronoun = next((v for k, v in value.items() if k.endswith("_they")), "")
            described = _DESCRIBED.match(ctx[slot])
            if pronoun and described:
                # "a man in a hooded top with a gun" once, then "the man".
                referents.append((ctx[slot], "the " + described.group(1)))
            if pronoun and _NAMED.match(ctx[slot]):
                name = _person_first_name(profile, pronoun, names)
                people.append((ctx[slot], name))
                _put(ctx, slot, f"{ctx[slot]} {name}")
        else:
            _put(ctx, slot, fill(value, ctx))
    refs = topic["refs"]
    event = fill(_choose(rng, refs["event"]), ctx)
    _put(ctx, "event", event)
    ctx.update(agreement("event", event))
    # People name the event in more than one way; a conversation moves between them.
    event_names = [event] + [fill(e, ctx) for e in refs["event"] if fill(e, ctx) != event]
    # Said again, a long name is cut short: "the bullying at the warehouse where I worked"
    # once, then "the bullying"; a long other name with no short form is left out of the
    # names that take turns after the first ("losing my best friend Aura in the flood").
    shorts: list[str] = []
    for name in [*event_names[1:], _short_event(event)]:
        if name.count(" ") >= 5:
            name = _short_event(name)
        if name and name != event and name not in shorts:
            shorts.append(name)
    event_names = [event, *(shorts or event_names[1:])]
    # Every slot a therapist line may use exists in the therapist's voice: "event_t" is "the
    # end of your marriage" where the client says "the end of my marriage".
    _put(ctx, "event_t", second_person(event))
    # Slot values are written in the client's voice ("my cousin"); the therapist says "your".
    _put(ctx, "start", second_person(fill(refs["start"], ctx)))
    _put(ctx, "start_c", fill(refs["start"], ctx))
    _put(ctx, "hotspot_t", second_person(fill(refs["hotspot_t"], ctx)))
    _put(ctx, "hotspot_c", fill(refs["hotspot_c"], ctx))
    # Scene details fit anywhere in the retelling; "hot" details exist only from the hotspot on
    # (no airbag before the crash).
    sensory = {s: [fill(t, ctx) for t in _sample(rng, topic["sensory"][s], 3)] for s in SENSES}
    hot_bank = topic.get("sensory_hot", {})
    sensory_hot = {s: [fill(t, ctx) for t in _sample(rng, hot_bank.get(s, []), 1)] for s in SENSES}
    for sense in SENSES:
        _put(ctx, sense, sensory[sense][0])
        # The same detail in the therapist's words ("your keys in your hand").
        _put(ctx, sense + "_t", second_person(sensory[sense][0]))
    reminders = [fill(r, ctx) for r in _sample(rng, topic["reminders"], 2)]
    _put(ctx, "reminder", reminders[0])
    _put(ctx, "reminder2", reminders[-1])
    _put(ctx, "reminder_t", second_person(reminders[0]))
    belief_pair = _choose(rng, topic["beliefs"])
    belief = fill(belief_pair["belief"], ctx)
    balanced = fill(belief_pair["balanced"], ctx)
    _put(ctx, "belief", belief)
    in_vivo = second_person(fill(_choose(rng, topic["in_vivo"]), ctx))
    _put(ctx, "in_vivo", in_vivo)

    beats = {name: [fill(t, ctx) for t in topic["beats"][name]] for name in BEAT_ORDER}
    slow = [fill(t, ctx) for t in topic["slow"]]
    thoughts = [fill(t, ctx) for t in topic["thoughts"]]

    # Lines of daily life name the hot spot in passing, by its short name (the conversation
    # that says them may have named it in full already).
    daily = {**ctx, "hotspot_c": _short(ctx["hotspot_c"], ctx["hotspot_c"])}
    behaviours = {
        b: fill(_choose(rng, bank["behaviours"][b]["daily"]), daily)
        for b in profile["exhibited_behaviors"]
    }
    cond_name = profile["co_occurring_condition"]
    condition = None
    if cond_name != "None":
        condition = fill(_choose(rng, bank["conditions"][cond_name]["daily"]), daily)
    work = fill(_choose(rng, occupation["impact"]), ctx)

    nar = Narrative(
        ctx=ctx,
        beats=beats,
        slow=slow,
        sensory=sensory,
        sensory_hot=sensory_hot,
        sensory_all={s: sensory[s] + sensory_hot[s] for s in SENSES},
        thoughts=thoughts,
        belief=belief,
        balanced=balanced,
        reminders=reminders,
        in_vivo=in_vivo,
        behaviours=behaviours,
        condition=condition,
        work=work,
        home=household["home"],
        voice=build_voice(case, seed),
    )
    # What the voice may weave into a sentence: the event, when it was, a detail of the scene,
    # the hotspot and a reminder, all the client's own.
    nar.voice.story = {
        "event": event,
        # "like this spring" reads oddly after a body sensation: a recent event is "back then".
        "when_then": "back then" if when in ("this spring", "earlier this year") else when,
        "sight": ctx["sight"],
        "sound": ctx["sound"],
        "smell": ctx["smell"],
        "touch": ctx["touch"],
        "hot": ctx["hotspot_c"],
        "reminder": ctx["reminder"],
    }
    nar.people = [(f"{ref} {name}", name) for ref, name in people]
    nar.referents = referents
    nar.event_names = [_event_slots(e) for e in event_names]
    # The hot spot is named in full once a conversation (by either speaker), then by its first
    # clause ("the moment I woke") a couple of times, then "that moment" (see name_index).
    hot_c = [ctx["hotspot_c"]]
    hot_t = [ctx["hotspot_t"]]
    # A name of a few words is short already ("the moment the plane hit the ground").
    short_c = _short(ctx["hotspot_c"], ctx["hotspot_c"] if _few(ctx["hotspot_c"]) else "")
    short_t = _short(ctx["hotspot_t"], ctx["hotspot_t"] if _few(ctx["hotspot_t"]) else "")
    # The client points back at it in words of their own ("that part", "that bit"),
    # drawn once per client: one pointer for every client made the same sentences recur
    # across conversations; the therapist's way is drawn too.
    pointer = Stream(seed, case["client_id"], "hot_pointer")
    points = HOT_POINTERS[pointer.integer(0, len(HOT_POINTERS) - 1)]
    points_t = HOT_POINTERS_T[pointer.integer(0, len(HOT_POINTERS_T) - 1)]
    if short_c or short_t:
        hot_c.append(short_c or points)
        hot_t.append(short_t or points_t)
    hot_c.append(points)
    hot_t.append(points_t)
    nar.hotspot_names = [
        {"hotspot_c": c, "hotspot_c_cap": cap(c), "hotspot_t": t, "hotspot_t_cap": cap(t)}
        for c, t in zip(hot_c, hot_t, strict=True)
    ]
    nar.voice.story_names = {"event": event_names, "hot": hot_c}

    taken = {name for _, name in nar.people} | {ctx["first"], ctx["therapist"]}

    def namer(pronoun: str, rng: Stream) -> str:
        for _ in range(5):
            name = _person_first_name(profile, pronoun, rng)
            if name not in taken:
                break
        taken.add(name)
        return name

    # Everyday reminders of the topic (not the scene itself, "{place}", which is no passing cue).
    cues = [fill(r, ctx) for r in topic["reminders"] if not r.startswith("{")]
    nar.world = build_world(profile, cues, seed, case["client_id"], namer, lambda rng: _street(rng))
    nar.people += nar.world.people
    # The phrase pools may name the client's people and places: "{w_friend}", "{w_street}".
    for key, value in nar.world.slots.items():
        _put(ctx, "w_" + key, value)
    # Facts are for prompts: the scene in a neutral voice, the client's own lines as quotes.
    facts = {
        "when": f"It happened {third_person(when)}.",
        "setting": third_person(fill(topic["facts"]["setting"], ctx)),
        "people": third_person(fill(topic["facts"]["people"], ctx)),
        "sensory_sight": third_person("; ".join(sensory["sight"] + sensory_hot["sight"])),
        "sensory_sound": third_person("; ".join(sensory["sound"] + sensory_hot["sound"])),
        "sensory_smell": third_person("; ".join(sensory["smell"] + sensory_hot["smell"])),
        "sensory_touch": third_person("; ".join(sensory["touch"] + sensory_hot["touch"])),
        "hotspot": third_person(fill(topic["facts"]["hotspot"], ctx)),
        "aftermath": third_person(fill(topic["facts"]["aftermath"], ctx)),
        "narration_start": f"The retelling starts with {third_person(fill(refs['start'], ctx))}.",
        "belief": f'Stuck point, in the client\'s words: "{belief}"',
        "balanced_view": f'In the client\'s words: "{balanced}"',
        "avoided_reminders": "Avoids " + third_person(" and ".join(dict.fromkeys(reminders))) + ".",
        "home": f'In the client\'s words: "{household["home"]}"',
        "work": f'In the client\'s words: "{work}"',
        "homework_in_vivo": third_person(in_vivo),
    }
    for b, line in behaviours.items():
        facts["behaviour_" + b.replace(" ", "_")] = f'In the client\'s words: "{line}"'
    if condition:
        key = "condition_" + cond_name.lower().replace(" ", "_")
        facts[key] = f'In the client\'s words: "{condition}"'
    nar.facts = facts
    return nar
