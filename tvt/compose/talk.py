"""The phases outside exposure: P5 (orientation), P8 (eliciting thoughts and feelings) and P11
(processing). They are built from *moves* (one therapist turn and the client's answer); the
required moves come first in protocol order and optional ones fill the conversation to its
planned length. SUDS, when asked, is derived from the phase intensity."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tvt.compose.dialogue import Dialogue, turn_count
from tvt.compose.language import derived_suds

Move = Callable[[Dialogue, int], None]


def _fit(required: list[Move], optional: list[list[Move]], k: int, insert_at: int) -> list[Move]:
    """Required moves in order, with as many optional groups as fit inserted at ``insert_at``.

    A group (a concern and its answer) is taken whole or not at all.
    """
    room = k - len(required)
    extra: list[Move] = []
    for group in optional:
        if len(group) <= room:
            extra += group
            room -= len(group)
    return required[:insert_at] + extra + required[insert_at:]


def _reason(d: Dialogue, level: int) -> str:
    """Why the SUDS is where it is (often), graded so it never contradicts the number."""
    return d.maybe(0.8, d.cb["suds_reason"]["high" if level >= 6 else "low"])


def _suds_move(d: Dialogue, level: int) -> None:
    d.t("suds_request", "suds_request", level)
    value = derived_suds(level, d.rng)
    text = f"{d.suds_text(value, 'first', level)} {d.after(level)}"
    # Why the number is where it is, in the client's own terms (fuller than a bare rating).
    d.c("suds_report", text + _reason(d, level), level, suds=value)


def _applicable(d: Dialogue, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Profile-specific items first (in random order), then general ones (in random order)."""
    profile = d.case["client_profile"]
    own, general = [], []
    for item in items:
        when = item.get("when", {})
        if not when:
            general.append(item)
        elif (
            when.get("behavior") in profile["exhibited_behaviors"]
            or when.get("condition") == profile["co_occurring_condition"]
        ):
            own.append(item)
    shuffle = d.rng.distinct
    return [own[i] for i in shuffle(len(own), len(own))] + [
        general[i] for i in shuffle(len(general), len(general))
    ]


def belief_kind(belief: str) -> str:
    """The hot-spot belief a stuck point expresses: ``guilt``, ``danger`` or ``incompetence``."""
    low = belief.lower()
    if re.search(r"can't cope|can't handle|weak|fall apart|useless|pathetic|failure|broken", low):
        return "incompetence"
    if re.search(r"safe|danger|trust|anywhere|again|nobody|no one|everyone|the world", low):
        if not re.search(r"fault|should|blame|deserve", low):
            return "danger"
    return "guilt"


def lv_of(d: Dialogue) -> int:
    """The phase's planned intensity (talk phases keep one level throughout)."""
    return int(d.case["plan"]["intensity"][d.phase])


def uses_substances(case: dict[str, Any]) -> bool:
    """Whether the profile has substance use (a behaviour or the co-occurring condition)."""
    profile = case["client_profile"]
    return (
        "substance abuse" in profile["exhibited_behaviors"]
        or profile["co_occurring_condition"] == "Substance Use Disorder"
    )


def _peak_words(value: int) -> str:
    """The therapist's words for a peak distress level (verbal SUDS)."""
    if value >= 86:
        return "about as bad as it gets"
    if value >= 71:
        return "very strong"
    return "strong" if value >= 56 else "noticeable"


def _end_words(value: int) -> str:
    """The therapist's words for where distress ended (verbal SUDS)."""
    if value <= 25:
        return "fairly low"
    if value <= 45:
        return "much milder"
    return "noticeably lower" if value <= 65 else "a little lower"


# -- P5 --------------------------------------------------------------------------------------
def compose_p5(d: Dialogue) -> None:
    """Orientation: rationale, what will happen, concerns answered, SUDS anchored, courage validated."""
    level = d.case["plan"]["intensity"]["P5"]
    cb = d.cb
    concerns = _applicable(d, cb["concerns"])
    questions = _applicable(d, cb["questions"])
    n = turn_count("P5", d.rng)
    k = n // 2

    def greeting(d: Dialogue, lv: int) -> None:
        d.t("greeting", "greeting", lv)
        text = f"{d.anticipation(lv)} {d.line(cb['dread'])}"
        d.c("concern", text + d.maybe(0.5, cb["tie_in"]), lv)

    def said(d: Dialogue, act: str, *pools: str, ack: bool = False) -> None:
        """A therapist turn composed of one line from each of ``pools`` (one rationale element
        each), optionally after a short acknowledgement of what the client just said."""
        parts = [d.line(d.tb[p]) for p in pools]
        if ack and d.pick.chance(0.35):
            parts.insert(0, d.line(d.tb["el_ack"]))
        d.add("therapist", act, " ".join(parts), lv_of(d))

    def rationale(d: Dialogue, lv: int) -> None:
        # Avoidance keeps PTSD going.
        said(d, "rationale", "el_avoidance", ack=True)
        text = d.hesitate(lv, d.line(cb["rationale_response"]))
        d.c("response", f"{text} {d.line(cb['tie_in'])}" + d.maybe(0.5, cb["reflection"]), lv)

    def psychoeducation(d: Dialogue, lv: int) -> None:
        # Distress rises then comes down; the story is repeated; about how long.
        said(d, "psychoeducation", "el_rise_fall", "el_repeat", "el_duration")
        text = d.hesitate(lv, d.line(cb["rise_fall_response"]))
        d.c("response", text + d.maybe(0.5, cb["reflection"]), lv)

    def procedure(d: Dialogue, lv: int) -> None:
        # Eyes closed; first person, present tense, out loud.
        said(d, "procedure", "el_eyes", "el_tense")
        d.c("response", d.hesitate(lv, d.line(cb["procedure_response"])), lv)

    def question(d: Dialogue, lv: int) -> None:
        q = questions.pop(0) if questions else None
        d.t("open_question", "ask_concern", lv)
        d.pending = q
        text = d.line(q["client"]) if q else d.line(cb["rationale_response"])
        if d.rng.random() < 0.5:
            text = f"{d.line(cb['question_lead'])} {text}"
        d.c("question", text, lv)

    def substance(d: Dialogue, lv: int) -> None:
        # Intoxication is checked before any exposure when the profile has substance use.
        d.t("substance_check", "substance_check", lv)
        d.c("response", d.line(cb["substance_answer"]), lv)
        d.t("substance_check", "substance_plan", lv)
        d.c("agreement", d.line(cb["substance_plan_answer"]), lv)

    def answer(d: Dialogue, lv: int) -> None:
        q = d.pending
        d.add(
            "therapist",
            "reassurance",
            d.line(q["therapist"]) if q else d.line(d.tb["reassure_general"]),
            lv,
        )
        text = d.line(cb["answer_response"]) + d.maybe(0.6, cb["motivation"])
        d.c("response", text + d.maybe(0.6, cb["reflection"]), lv)

    def concern(d: Dialogue, lv: int) -> None:
        c = concerns.pop(0)
        d.t("open_question", "ask_concern", lv)
        d.pending = c
        text = d.hesitate(lv, d.line(c["client"])) + d.maybe(0.5, cb["tie_in"])
        d.c("concern", text + d.maybe(0.4, cb["reflection"]), lv)

    def suds(d: Dialogue, lv: int) -> None:
        d.t("suds_request", "suds_anchor", lv)
        value = derived_suds(lv, d.rng)
        text = f"{d.suds_text(value, 'first', lv)} {d.anticipation(lv)}"
        d.c("suds_report", text + _reason(d, lv), lv, suds=value)

    def courage(d: Dialogue, lv: int) -> None:
        d.t("validation", "courage", lv)
        d.c("agreement", f"{d.line(cb['agreement'])} {d.line(cb['motivation'])}", lv)

    def recording(d: Dialogue, lv: int) -> None:
        d.t("procedure", "recording", lv)
        text = d.line(cb["recording_response"]) + d.maybe(0.5, cb["tie_in"])
        d.c("response", text + d.maybe(0.5, cb["reflection"]), lv)

    def expectations(d: Dialogue, lv: int) -> None:
        d.t("open_question", "ask_expectation", lv)
        d.c("response", f"{d.line(cb['expectation'])} {d.anticipation(lv)}", lv)

    def life(d: Dialogue, lv: int) -> None:
        d.t("open_question", "ask_life", lv)
        d.c("daily_life", f"{d.nar.work} {d.line(cb['life_tail'])}", lv)

    # Every element of the rationale is in every P5: avoidance (rationale), eyes closed and
    # first person, present tense, out loud (procedure), distress rises then falls, repetition
    # and duration (psychoeducation), SUDS with both anchors (suds), recording.
    required: list[Move] = [greeting, rationale, procedure, psychoeducation, concern, answer]
    required += [suds, recording]
    if uses_substances(d.case):
        required.insert(1, substance)
    optional: list[list[Move]] = [
        [question, answer],
        [expectations],
        [concern, answer],
        [life],
        [concern, answer],
    ]
    required.append(courage)
    moves = _fit(required, optional, k, insert_at=len(required) - 3)
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "closing", level)


# -- P8 --------------------------------------------------------------------------------------
def compose_p8(d: Dialogue) -> None:
    """After exposure: open questions about thoughts and feelings, reflected and validated."""
    level = d.case["plan"]["intensity"]["P8"]
    cb = d.cb
    n = turn_count("P8", d.rng)
    k = n // 2
    topics = list(cb["answers"])
    order = [topics[i] for i in d.rng.distinct(len(topics), len(topics))]
    # The first questions are fixed by the protocol: how was it, then the SUDS with eyes open.
    for first in ("hardest", "thought_hotspot"):
        order.remove(first)
    order = ["hardest", *order[:2], "thought_hotspot", *order[2:]]
    d.t("open_question", "how_was_it", level)
    text = f"{d.after(level)} {d.line(cb['how_was_it'])}"
    d.c("feeling", text + d.maybe(0.6, cb["aside"]), level)
    _suds_move(d, level)
    kinds = ("reflection", "validation", "open_question")
    styles = ["validation", "reflection"] + [kinds[d.rng.integer(0, 2)] for _ in range(k)]
    # Clients with flashbacks (and a few others) are flooded by the memory once in P8: "it
    # feels like it's happening again". The therapist attends to that before asking anything.
    flashes = "flashbacks" in d.case["client_profile"]["exhibited_behaviors"]
    flash_at = d.rng.integer(1, 4) if d.rng.random() < (0.5 if flashes else 0.08) else -1
    slots, asked = k - 2, 0
    while slots > 0:
        if asked == flash_at and d.turns[-1]["speaker"] == "client" and slots >= 2:
            flash_at = -1
            d.t("open_question", "follow_up", level)
            d.c("struggle", d.hesitate(level + 2, d.line(cb["flashback"])), level)
            d.t("validation", "attend", level)
            d.c("grounding_response", d.line(cb["attend_response"]), level)
            slots -= 2
            continue
        if d.risk == "P8" and slots >= 4 and asked >= 3:
            risk_block(d, level)
            slots -= 4
            continue
        if asked < len(order):
            topic = order[asked]
            answer = cb["answers"][topic]
            style = styles[asked]
            asked += 1
            question = d.line(d.tb["ask_" + topic])
            mirror = d.mirror() if style == "reflection" and d.pick.chance(0.75) else None
            if style == "open_question":
                text = question
            else:
                text = f"{mirror or d.line(d.tb[style])} {question}"
            d.add("therapist", style, text, level)
            detail = d.pick.pick(d.details(d.pick.choice(("sight", "sound", "smell", "touch"))))
            extra = {"detail": detail, "detail_cap": detail[:1].upper() + detail[1:]}
            extra["thought"] = d.pick.pick(d.nar.thoughts)
            core = d.line(answer["client"], extra)
            tail = {"after": d.after, "body": d.body}.get(answer["tail"], d.feeling)(level)
            aside = d.maybe(0.6, cb["aside"])
            d.c(answer["act"], f"{d.hesitate(level, core)}{aside} {tail}", level)
        else:
            # Every question has been asked once: follow the client's answer instead of
            # asking one of them again in other words.
            d.t("open_question", "follow_up", level)
            d.c("thought", f"{d.line(cb['follow_up'])} {d.feeling(level)}", level)
        slots -= 1
    if n % 2:
        d.t("closing", "closing", level)


def risk_block(d: Dialogue, level: int) -> None:
    """A risk moment: passive suicidal ideation voiced once; the therapist pauses, asks about
    thoughts, plan and intent, names crisis resources, and agrees whether to go on."""
    cb = d.cb
    d.t("open_question", "follow_up", level)
    d.c("thought", d.line(cb["risk_disclose"]), level)
    d.t("risk_assessment", "risk_pause", level)
    d.c("response", d.line(cb["risk_confirm"]), level)
    d.t("risk_assessment", "risk_plan", level)
    d.c("response", d.line(cb["risk_no_plan"]), level)
    d.t("risk_assessment", "risk_resources", level)
    d.c("agreement", d.line(cb["risk_accept"]), level)
    d.risk_done = True


# -- P11 -------------------------------------------------------------------------------------
def compose_p11(d: Dialogue) -> None:
    """Processing: what was learned, links to the client's own symptoms, balanced beliefs, homework."""
    level = d.case["plan"]["intensity"]["P11"]
    cb = d.cb
    # P11 processes the exposure of its own session, P7's (see tvt.plan.treatment_sessions).
    pb = d.case["plan"]["suds"]["P7"]
    profile = d.case["client_profile"]
    n = turn_count("P11", d.rng)
    k = n // 2
    from tvt.compose.bank import profile_bank

    bank = profile_bank()

    def opening(d: Dialogue, lv: int) -> None:
        d.t("open_question", "opening", lv)
        text = d.line(cb["habituation"]) + d.maybe(0.6, cb["insight_tie"])
        d.c("insight", f"{text} {d.after(level)}", lv)

    def numbers(d: Dialogue, lv: int) -> None:
        d.t(
            "reflection",
            "numbers",
            lv,
            peak=pb["peak"],
            end=pb["end"],
            peak_t=_peak_words(pb["peak"]),
            end_t=_end_words(pb["end"]),
        )
        text = d.hesitate(lv, d.line(cb["numbers_response"]))
        d.c("insight", f"{text} {d.line(cb['insight_tie'])}", lv)

    def behaviour_move(name: str) -> Move:
        def move(d: Dialogue, lv: int) -> None:
            entry = bank["behaviours"][name]
            d.add("therapist", "link", d.line(entry["link"]), lv)
            d.c("daily_life", f"{d.nar.behaviours[name]} {d.line(entry['insight'])}", lv)

        return move

    def condition(d: Dialogue, lv: int) -> None:
        entry = bank["conditions"][profile["co_occurring_condition"]]
        d.add("therapist", "link", d.line(entry["link"]), lv)
        d.c("daily_life", f"{d.nar.condition} {d.line(entry['insight'])}", lv)

    kind = belief_kind(d.nar.belief)

    # The stuck point, worked by questions over three exchanges; the client reaches the
    # balanced view in their own words.
    def belief(d: Dialogue, lv: int) -> None:
        d.t("open_question", "belief", lv)
        d.c("thought", d.hesitate(lv, d.line(cb["stuck_state"], {"belief": d.nar.belief})), lv)

    def belief_question(d: Dialogue, lv: int) -> None:
        d.t("open_question", "stuck_" + kind, lv)
        d.c("thought", d.hesitate(lv, d.line(cb["stuck_doubt"])), lv)

    def belief_balance(d: Dialogue, lv: int) -> None:
        d.t("open_question", "stuck_balance", lv)
        text = f"{d.hesitate(lv, d.line(cb['belief_stem']))} {d.nar.balanced}"
        d.c("insight", text + d.maybe(0.6, cb["insight_tie"]), lv, run_on=False)

    def contact(d: Dialogue, lv: int) -> None:
        d.t("contact", "contact", lv)
        d.c("response", d.line(cb["contact_ack"]), lv)

    def substance(d: Dialogue, lv: int) -> None:
        # The plan promised in P5: the drinking or using is taken up again after the exposure.
        d.t("substance_check", "substance_follow", lv)
        d.c("daily_life", d.line(cb["substance_answer"]), lv)
        if "take something to sleep" in d.nar.behaviours.get("substance abuse", ""):
            d.t("substance_check", "sedative_follow", lv)
            d.c("response", d.line(cb["sedative_answer"]), lv)

    def risk(d: Dialogue, lv: int) -> None:
        risk_block(d, lv)

    def learned(d: Dialogue, lv: int) -> None:
        d.t("open_question", "learned", lv)
        text = f"{d.line(cb['learned'])} {d.line(cb['learned_tail'])}"
        d.c("insight", text + d.maybe(0.5, cb["insight_tie"]), lv)

    def summary(d: Dialogue, lv: int) -> None:
        d.t("reflection", "summary", lv)
        text = f"{d.line(cb['summary_response'])} {d.line(cb['response_tie'])}"
        d.c("response", text + d.maybe(0.5, cb["insight_tie"]), lv)

    def suds(d: Dialogue, lv: int) -> None:
        _suds_move(d, lv)

    def homework_recording(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_recording", lv)
        text = f"{d.line(cb['recording_agreement'])} {d.line(cb['agreement_tie'])}"
        d.c("agreement", text + d.maybe(0.7, cb["plan"]), lv)

    def homework_in_vivo(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_in_vivo", lv)
        text = f"{d.line(cb['in_vivo_agreement'])} {d.line(cb['agreement_tie'])}"
        d.c("agreement", text + d.maybe(0.7, cb["in_vivo_plan"]), lv)

    def daily(d: Dialogue, lv: int) -> None:
        d.t("link", "daily", lv)
        d.c("daily_life", f"{d.nar.home} {d.line(cb['daily_tail'])}", lv)

    def strength(d: Dialogue, lv: int) -> None:
        d.t("open_question", "strength", lv)
        d.c("insight", d.line(cb["strength"]) + d.maybe(0.6, cb["insight_tie"]), lv)

    def support(d: Dialogue, lv: int) -> None:
        d.t("open_question", "support", lv)
        d.c("response", f"{d.line(cb['support'])} {d.line(cb['support_tail'])}", lv)

    def closing(d: Dialogue, lv: int) -> None:
        d.t("closing", "closing", lv)
        d.c("response", d.line(cb["goodbye"]) + d.maybe(0.5, cb["response_tie"]), lv)

    middle: list[Move] = [behaviour_move(b) for b in profile["exhibited_behaviors"]]
    if profile["co_occurring_condition"] != "None":
        middle.append(condition)
    # Short conversations link fewer symptoms (at least one); a risk moment takes four
    # exchanges and a substance follow-up up to two.
    k -= (3 if d.risk == "P11" else 0) + (1 if uses_substances(d.case) else 0)
    middle = middle[: max(1, k - 10)]
    extra: list[Move] = []
    if uses_substances(d.case):
        extra.append(substance)
    if d.risk == "P11":
        extra.append(risk)
    required: list[Move] = [
        opening,
        numbers,
        *middle,
        *extra,
        belief,
        belief_question,
        belief_balance,
        homework_recording,
        homework_in_vivo,
        contact,
        closing,
    ]
    optional: list[list[Move]] = [[learned], [suds], [summary], [strength], [daily], [support]]
    moves = _fit(required, optional, k, insert_at=2 + len(middle))
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "farewell", level)
