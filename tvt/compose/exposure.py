"""What the phases that happen during imaginal exposure share: P10 (full imaginal exposure,
:mod:`tvt.compose.exposure_p10`), P6 (SUDS monitoring) and P7 (reinforcement during exposure,
both in :mod:`tvt.compose.exposure_p6_p7`).

Each is planned as a list of client *units* (a narrative beat, a sensory detail, a SUDS report,
a grounding response, ...). The therapist turn before each unit follows from the unit and from
what the client just did (a slip into the past tense gets a present-tense reminder, a SUDS rise
gets an empathic response, a struggle gets reinforcement that answers it). SUDS values and turn
intensities are then laid on the planned arc: rise, peak at the hotspot, partial habituation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from tvt.compose.bank import narrative_schema, voice_bank
from tvt.compose.dialogue import Dialogue
from tvt.compose.dialogue_text import lower_first
from tvt.compose.scene import Moment, holds, places_of, scene_bank
from tvt.compose.suds import course_knots, course_levels, course_values, stated_values

Unit = tuple[str, Any]

SENSE_KINDS = ("sight", "sound", "smell", "touch", "body")
SCENE_SENSES = SENSE_KINDS[:4]


def _senses(d: Dialogue) -> list[str]:
    order = list(SENSE_KINDS)
    idx = d.rng.distinct(len(order), len(order))
    return [order[i] for i in idx]


def _arc(d: Dialogue, units: list[Unit]) -> tuple[list[float], dict[int, int], int]:
    """Turn levels (0-10) along the planned SUDS course, the values stated at each check, and
    the unit index of the check that states the session's peak."""
    target = d.case["plan"]["suds"][d.phase]
    course = target.get("course")
    k = len(units)
    pos = [i / (k - 1) for i in range(k)]
    checks = [i for i, u in enumerate(units) if u[0] == "suds"]
    # Where the story reaches a hot spot in this retelling: the course's peaks land there.
    hots = [pos[i] for i, u in enumerate(units) if u[0] != "suds" and u[1] and u[1][0] == "hotspot"]
    if course is not None and course_knots(course, 0.5, 0, 100, 0) is not None:
        values, peak_j = course_values([pos[i] for i in checks], course, target, d.rng, hots)
    else:
        peak_j = next(j for j, i in enumerate(checks) if units[i][1] == "peak")
        values = stated_values([pos[i] for i in checks], peak_j, target, d.rng)
    hot = pos[checks[peak_j]]
    start, peak, end = target["start"], target["peak"], target["end"]
    levels = [lv / 10 for lv in course_levels(pos, course, hot, start, peak, end, hots)]
    stated = {}
    for i, v in zip(checks, values, strict=True):
        levels[i] = v / 10
        stated[i] = v
    return levels, stated, checks[peak_j]


#: How far the average turn intensity of an exposure phase may sit from the phase's planned
#: intensity (the property tests allow one point; the margin covers rounding to tenths).
MAX_ARC_GAP = 0.95


def _keep_to_plan(d: Dialogue, levels: list[float], stated: dict[int, int], n_turns: int) -> None:
    """Pull the levels between SUDS checks toward the phase's planned intensity, only as far as
    needed to keep the turns' average within :data:`MAX_ARC_GAP` of it.

    The plan's intensity is the rounded mean of the three SUDS targets, while the turns follow
    the whole arc: a late hotspot followed by little habituation (start 46, peak 77, end 72)
    spends most turns near the peak and averaged 7.03 against a planned 6. The stated values
    stay as they are; arcs within the bound (nearly all) are not touched.
    """
    want = d.case["plan"]["intensity"][d.phase]
    weights = [2] * len(levels)  # a therapist and a client turn per unit
    if n_turns % 2:
        weights[-1] += 1  # the closing turn at the last level
    total = sum(weights)
    gap = sum(w * x for w, x in zip(weights, levels, strict=True)) / total - want
    if abs(gap) <= MAX_ARC_GAP:
        return
    free = [i for i in range(len(levels)) if i not in stated]
    free_weight = sum(weights[i] for i in free)
    if not free_weight:
        return
    shift = (abs(gap) - MAX_ARC_GAP) * total / free_weight * (1 if gap > 0 else -1)
    for i in free:
        levels[i] = min(10.0, max(1.0, levels[i] - shift))


def _fit(middle: list[Unit], size: int) -> list[Unit]:
    """Cut the middle units to ``size`` without leaving a SUDS check right before the last one."""
    out = middle[:size]
    if out and out[-1][0] == "suds" and out[-1][1] != "peak":
        # Skip this check and take the next unit that is not a check instead.
        nxt = next((u for u in middle[size:] if u[0] != "suds"), None)
        out[-1] = nxt if nxt is not None else out[-2]
    return out


def _beat(d: Dialogue, name: str, p: int) -> str:
    """The beat's next variant the client has not said yet in this conversation; once all are
    said, the retelling marks itself as one ("Again, I hear the lock click.")."""
    return _fresh(d, d.nar.beats[name], p + d.offset)


def _fresh(d: Dialogue, variants: list[str], start: int) -> str:
    for k in range(len(variants)):
        text = variants[(start + k) % len(variants)]
        if not d.already_said(text):
            return text
    return f"{d.pick.pick(_AGAIN)} {lower_first(variants[start % len(variants)])}"


_AGAIN = ("Again,", "And again", "Same as before,", "Once more,", "Then again,")


#: How often one of the client's thoughts is said in a conversation: a thought that comes back
#: at every other turn ("This is serious." three times in one retelling) reads as a loop.
THOUGHT_TIMES = 2


def _thought_line(d: Dialogue) -> str:
    """One of the client's thoughts in a stem ("All I can think is, ..."), or "" when every
    thought was said :data:`THOUGHT_TIMES` times already in this conversation."""
    # The story's thoughts are of the danger ("We're not going to make it."); once it is over
    # (the rescue, the reunion) what goes round is what the client came to believe about it.
    after = d.story_at == "after"
    thought = d.nar.belief if after else d.pick.pick(d.nar.thoughts)
    key = "thought:" + thought
    used = d.voice.named.get(key, 0)
    if used >= THOUGHT_TIMES:
        return ""
    d.voice.named[key] = used + 1
    return d.line(d.ccommon["thought_stem"], {"thought": thought})


def _new_sense(d: Dialogue, kind: str, level: float) -> str:
    """A sentence about one of the client's details of ``kind`` (the body: a body line) not
    said yet in this conversation, if a few tries find one: a turn that is only that sentence
    keeps it even when it was said before, and people rephrase rather than repeat."""
    for _ in range(3):
        text = d.body(level) if kind == "body" else d.sensory(kind)
        if not d.already_said(text):
            break
        if kind == "body":
            d.voice.body_left = 1  # the retry is the same one body line
    return text


_ONE_SENTENCE = re.compile(r"^(I|My) [^.!?\"]*\.$")


def _and_feel(d: Dialogue, parts: list[str], level: float) -> None:
    """Add how it feels to the turn: as a sentence of its own, or run into the sentence
    before it when both are plain ("I can smell candle wax, and my neck is throbbing."), the
    way people say it ("My heart was racing, and I couldn't breathe properly.")."""
    feel = d.reaction(level)
    last = parts[-1] if parts else ""
    if (
        _ONE_SENTENCE.match(feel)
        and last.endswith(".")
        and not last.endswith("..")
        and '"' not in last
        and _SENTENCE_TAIL.split(last)[-1].startswith(_OWN_WORDS)
        and _SENTENCE_TAIL.split(last)[-1].count(" and ") <= 1
        and len(_SENTENCE_TAIL.split(last)[-1].split()) <= 14
        and d.pick.chance(0.75)
    ):
        parts[-1] = f"{last[:-1]}, and {lower_first(feel) if feel.startswith('My ') else feel}"
        return
    parts.append(feel)


_SENTENCE_TAIL = re.compile(r"(?<=[.!?])\s+")
#: How the client's own sentences about the scene start (a feeling runs into those only, never
#: into a beat of the story, which may end in someone else's words).
_OWN_WORDS = ("I can ", "I'm ", "I notice ", "All I ", "My eyes ")


def _react_rate(level: float) -> float:
    """How likely a turn of the retelling ends on how the client feels: now and then while the
    story is calm, about every other turn near the peak (composer 3.0 put a feeling on four
    turns in five near the peak, and the feelings piled up: "I'm petrified... trapped.")."""
    return 0.35 + 0.045 * level


#: Beats that happen away from the scene proper (before it: at home, on the way; after it: the
#: rescue, the hospital), which take no scene detail; the opening also takes no thought of the
#: danger that has not come yet.
_OFF_SCENE = ("opening", "aftermath")


def _narrate(
    d: Dialogue, text: str, level: float, sensory: float = 0.75, beat: str = "", more: float = 0.7
) -> str:
    """A narration turn: one new beat of the story, with at most one thing beside it (a
    sensory detail, a thought or a word about the retelling), and now and then how it feels.
    ``more`` is the chance of a second, different thing beside it (a client reinforced in P7
    takes in more of the scene and of their own mind).

    A turn carries one beat, as people telling a memory do; the feeling comes where the
    distress is, not at the end of every turn, and a turn that already added something of the
    scene or the mind adds a feeling less often (restraint reads as one person talking).
    """
    parts = [d.hesitate(level, text)]
    if beat in _OFF_SCENE:
        sensory = 0.0
    r = d.rng.random()
    rest = 1.0 - sensory
    extra = True
    if beat == "opening":
        # Before the danger: no scene detail, no thought of it; now and then a word about
        # the retelling itself.
        extra = r < 0.3
        if extra:
            parts.append(d.aside(level))
    elif r < sensory:
        parts.append(d.sensory(d.pick.choice(SENSE_KINDS[:4])))
        if d.rng.random() < more:
            parts.append(_thought_line(d))
    elif r < sensory + 0.6 * rest:
        parts.append(_thought_line(d))
    elif r < sensory + 0.85 * rest:
        parts.append(d.aside(level))
    else:
        extra = False
    parts = [p for p in parts if p]
    if d.rng.random() < _react_rate(level) * (0.9 if extra else 1.0):
        _and_feel(d, parts, level)
    return " ".join(parts)


def _client_sense(d: Dialogue, kind: str, level: float) -> str:
    """The answer to a sensory prompt: the detail asked for (one body line and how it feels
    when the body is what was asked about), then a second thing noticed or what it sets off in
    the mind, and sometimes how it feels; never a pile of all of them."""
    if kind == "body":
        text = d.hesitate(level, _new_sense(d, "body", level))
        if d.rng.random() < 0.85:
            text = f"{text} {d.feeling(level)}"
        return text
    text = _new_sense(d, kind, level)
    r = d.rng.random()
    if r < 0.5:
        # People describing a scene move from one thing they notice to the next.
        other = SENSE_KINDS[(SENSE_KINDS.index(kind) + 1) % 4]
        text = f"{text} {_new_sense(d, other, level)}"
    if r >= 0.25:
        # What the detail sets off in the mind, as people do when they describe a scene.
        text = f"{text} {_thought_line(d)}".rstrip()
    parts = [d.hesitate(level, text)]
    if d.rng.random() < _react_rate(level):
        _and_feel(d, parts, level)
    return " ".join(parts)


def _thought(d: Dialogue, level: float) -> str:
    """The answer to "what are you thinking?": the thought, what the client sees or hears as it
    forms, and sometimes how it feels."""
    # Asked for the thought, the client says one, even one said before: then the same
    # thought, and how it feels (a turn is never only a sentence said already).
    text = _thought_line(d)
    # Said before word for word ("I'm thinking, ..." twice): the turn says something new too.
    again = not text or d.already_said(text)
    if not text:
        thought = d.nar.belief if d.story_at == "after" else d.pick.pick(d.nar.thoughts)
        text = f'It\'s the same thought, over and over: "{thought}"'
    if d.rng.random() < 0.6:
        text = f"{text} {_new_sense(d, d.pick.choice(SENSE_KINDS[:4]), level)}"
    # Drawn whatever the words: the structure stream never depends on them (verbal SUDS).
    react = d.rng.random() < _react_rate(level)
    if again or react:
        # How it feels, or (when this turn may not name a feeling) where it shows in the body:
        # the thought may be one said before, and the turn still says something new.
        feel = d.reaction(level) or d.body(level)
        text = f"{text} {feel}"
    return text


def _direction(prev: int | None, value: int, is_peak: bool) -> str:
    if prev is None:
        return "first"
    if is_peak and value > prev:
        return "peak"
    if value != prev and abs(value - prev) <= 2:
        # "Lower. 85" after 86 reads as a contradiction: a point or two is "about the same".
        return "near"
    return "up" if value > prev else "down" if value < prev else "same"


#: Where in the story each beat is, for the feelings that fit it: before the danger, under
#: threat, at the worst moment, after it.
_STAGE = {
    "opening": "before",
    "approach": "before",
    "onset": "threat",
    "escalation": "threat",
    "hotspot": "hot",
    "slow": "hot",
    "aftermath": "after",
}
_LOSS = re.compile(r"\b(loss|die[sd]?|dying|dead|death|killed|body|lost|gone)\b", re.I)


def stage_kinds(case: Mapping[str, Any], stage: str) -> frozenset[str]:
    """The kinds of feeling (voice.json ``feelings.kinds``: anger, shame, grief, horror) that
    fit a beat at ``stage`` of this client's story; fear fits every beat and is not a kind.

    Before the danger the client is only afraid; under threat, fear or horror; at the worst
    moment horror, grief only where that moment is a loss, anger and shame only where someone
    in the scene does the harm; after it, every feeling the story allows (grief, blame, shame).
    "I feel awfully furious" as a shell lands and "awfully sad" as the cyclone hits broke this.
    """
    if stage == "after":
        return frozenset(("anger", "shame", "grief", "horror"))
    if stage == "threat":
        return frozenset(("horror",))
    if stage != "hot":
        return frozenset()
    info = case["trauma_info"]
    return _hot_kinds(info["type"], info["session_topic"])


@cache
def _hot_kinds(trauma_type: str, topic: str) -> frozenset[str]:
    info = {"type": trauma_type, "session_topic": topic}
    schema = narrative_schema(trauma_type, topic)
    kinds = {"horror"}
    story = f"{info['type']} {info['session_topic']} {schema.get('facts', {}).get('hotspot', '')}"
    if _LOSS.search(story):
        kinds.add("grief")
    if {"perpetrator", "violence"} & set(schema.get("scene", ())):
        kinds |= {"anger", "shame"}
    return frozenset(kinds)


def _stage_emotions(d: Dialogue, own: dict[str, list[str]], stage: str) -> dict[str, list[str]]:
    """The client's own feeling words, cut to those that fit ``stage`` (:func:`stage_kinds`); a
    band left empty takes the bank's words of fear for that band."""
    kinds = voice_bank()["feelings"]["kinds"]
    fit = stage_kinds(d.case, stage)
    unfit = {w for kind, words in kinds.items() if kind not in fit for w in words}
    out = {}
    for band, words in own.items():
        keep = [w for w in words if w not in unfit]
        if not keep:
            keep = [w for w in voice_bank()["emotions"][band] if w not in unfit] or words
        out[band] = keep
    return out


def _render(
    d: Dialogue, units: list[Unit], n_turns: int, therapist_for: Any, client_for: Any
) -> None:
    d.voice.start_retelling()
    own = d.voice.emotions
    by_stage = {
        stage: _stage_emotions(d, own, stage) for stage in ("before", "threat", "hot", "after")
    }
    nar = d.nar
    pools = (nar.sensory, nar.sensory_all)
    info = d.case["trauma_info"]
    d.moment = Moment(*story_moment(info["type"], info["session_topic"]))
    try:
        _render_units(d, units, n_turns, therapist_for, client_for, by_stage)
    finally:
        # The voice and the narrative go on to the next phase with their own words and details.
        d.voice.emotions = own
        nar.sensory, nar.sensory_all = pools
        d.moment = None


@cache
def story_moment(trauma_type: str, topic: str) -> tuple[frozenset[str], bool]:
    """The places a story's beats go to (before a beat of a retelling names one, a detail may
    be at any of them), and whether its beats put something in the client's hands."""
    schema = narrative_schema(trauma_type, topic)
    told = [line for variants in schema["beats"].values() for line in variants]
    told += list(schema["slow"])
    return frozenset().union(*(places_of(line) for line in told)), any(map(holds, told))


def _unit_text(d: Dialogue, unit: Unit) -> str:
    """The beat of the story the client is about to tell in ``unit`` ("" for other units): the
    same text the client's turn will take (:func:`_beat` and :func:`_fresh` only read)."""
    kind, arg = unit
    if kind == "slow":
        return _fresh(d, d.nar.slow, arg[0])
    if kind in ("beat", "struggle"):
        if arg[0] == "slow":
            return _fresh(d, d.nar.slow, arg[1])
        return _beat(d, arg[0], arg[1])
    return ""


def _fit_moment(d: Dialogue, pools: tuple[dict[str, list[str]], dict[str, list[str]]]) -> None:
    """Cut the client's scene details to the moment of the retelling (:class:`Moment`): a sense
    left with none takes the scene-free details of scene.json that fit it."""
    moment = d.moment
    assert moment is not None
    key = moment.key()
    if key == d.moment_key:
        return  # the same moment as the last unit: the pools are cut already
    d.moment_key = key
    done = d.moment_cuts.get(key)
    if done is not None:
        d.nar.sensory, d.nar.sensory_all = done
        _fit_ctx(d, moment)
        return
    # The same moment of the same story cuts the same details in each exposure of a client
    # (P10, P6, P7): the cut is worked out once per client (the lists are only read).
    shared = d.nar.moment_cuts.get((key, moment.story_places, moment.story_holds))
    if shared is None or shared[0][0] is not pools[0] or shared[0][1] is not pools[1]:
        fallback = scene_bank()["fallback"]["sensory"]
        kept = []
        for pool in pools:
            senses = []
            for sense, details in pool.items():
                keep = [x for x in details if moment.fits(x)]
                if len(keep) == len(details):
                    keep = details
                keep = keep or [x for x in fallback[sense] if moment.fits(x)] or fallback[sense]
                senses.append((sense, keep, tuple(keep)))
            kept.append(senses)
        shared = (pools, kept)
        d.nar.moment_cuts[(key, moment.story_places, moment.story_holds)] = shared
    cut = []
    for senses in shared[1]:
        out = {}
        for sense, keep, as_tuple in senses:
            # One list per distinct pool, kept for the whole conversation: the picker deals
            # each pool like a deck, keyed by the list itself.
            out[sense] = d.moment_pools.setdefault(as_tuple, keep)
        cut.append(out)
    d.nar.sensory, d.nar.sensory_all = cut[0], cut[1]
    d.moment_cuts[key] = (cut[0], cut[1])
    _fit_ctx(d, moment)


def _fit_ctx(d: Dialogue, moment: Moment) -> None:
    # The scene detail lines name in passing ("even with {sight}", "like {touch}") follows the
    # moment too: no van doors in the cell.
    for sense in SCENE_SENSES:
        if sense in d.ctx and not moment.fits(d.ctx[sense]):
            d.ctx[sense] = d.pick.choice(d.details(sense))


def _render_units(
    d: Dialogue,
    units: list[Unit],
    n_turns: int,
    therapist_for: Any,
    client_for: Any,
    by_stage: dict[str, dict[str, list[str]]],
) -> None:
    stage = "before"
    moment = d.moment
    assert moment is not None
    pools = (d.nar.sensory, d.nar.sensory_all)
    # Where each of the client's beats is, from the bank's lines (the same for every client).
    info = d.case["trauma_info"]
    schema = narrative_schema(info["type"], info["session_topic"])
    beat_places = {
        text: places_of(template)
        for name, variants in d.nar.beats.items()
        for text, template in zip(variants, schema["beats"][name], strict=False)
    }
    beat_places.update(zip(d.nar.slow, map(places_of, schema["slow"]), strict=False))
    levels, stated, peak_at = _arc(d, units)
    _keep_to_plan(d, levels, stated, n_turns)
    prev_unit: Unit | None = None
    history: list[int] = []
    for i, unit in enumerate(units):
        level = levels[i]
        kind, arg = unit
        if kind == "beat" and arg[0] in ("opening", "approach"):
            d.after_hotspot = False
        elif kind == "slow" or (
            kind in ("beat", "struggle") and arg[0] in ("hotspot", "aftermath", "slow")
        ):
            d.after_hotspot = True
        if kind == "final" and len(history) >= 2:
            # Came down: at least ten points under the session's peak and not rising at the end.
            d.came_down = history[-1] <= max(history) - 10 and history[-1] <= history[-2]
        therapist_for(d, unit, prev_unit, level, history)
        if kind in ("beat", "struggle"):
            stage = _STAGE.get(arg[0], stage)
        elif kind == "slow":
            stage = "hot"
        elif kind == "final":
            stage = "after"
        d.voice.emotions = by_stage[stage]
        d.story_at = stage
        if kind in ("beat", "struggle") and arg[0] == "opening":
            moment.restart()
        moment.after = stage == "after"
        told = _unit_text(d, unit)
        moment.tell(told, beat_places.get(told))
        _fit_moment(d, pools)
        drawn = len(d.drawn)
        if unit[0] == "suds":
            value = stated[i]
            # The peak wording goes with the check that states the session's peak, wherever
            # the course puts it, not with the hot-spot position.
            direction = _direction(history[-1] if history else None, value, i == peak_at)
            d.c("suds_report", d.suds_text(value, direction, level, scene=True), level, suds=value)
            d.suds_dir = direction
            history.append(value)
        else:
            client_for(d, unit, level)
        for detail in d.drawn[drawn:]:
            # The details this turn drew hold from now on (a posture, a thing in the hands).
            moment.said(detail)
        prev_unit = unit
    if n_turns % 2:
        d.t("closing", "closing", levels[-1])
