"""The phases outside exposure: P5 (orientation), P8 (eliciting thoughts and feelings) and P11
(processing). They are built from *moves* (one therapist turn and the client's answer); the
required moves come first in protocol order and optional ones fill the conversation to its
planned length. SUDS, when asked, is derived from the phase intensity."""

from __future__ import annotations

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
    text = f"{d.suds_text(value, 'first', level)} {d.line(d.band(level)['after'])}"
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
    band = d.band(level)
    cb = d.cb
    concerns = _applicable(d, cb["concerns"])
    questions = _applicable(d, cb["questions"])
    n = turn_count("P5", d.rng)
    k = n // 2

    def greeting(d: Dialogue, lv: int) -> None:
        d.t("greeting", "greeting", lv)
        text = f"{d.line(band['anticipation'])} {d.line(cb['dread'])}"
        d.c("concern", text + d.maybe(0.5, cb["tie_in"]), lv)

    def rationale(d: Dialogue, lv: int) -> None:
        d.t("rationale", "rationale", lv)
        text = d.hesitate(lv, d.line(cb["rationale_response"]))
        d.c("response", f"{text} {d.line(cb['tie_in'])}" + d.maybe(0.5, cb["reflection"]), lv)

    def psychoeducation(d: Dialogue, lv: int) -> None:
        d.t("psychoeducation", "psychoeducation", lv)
        text = f"{d.line(cb['expectation_response'])} {d.line(band['anticipation'])}"
        d.c("response", text + d.maybe(0.6, cb["reflection"]), lv)

    def procedure(d: Dialogue, lv: int) -> None:
        q = questions.pop(0) if questions else None
        d.t("procedure", "procedure", lv)
        d.pending = q
        text = d.line(q["client"]) if q else d.line(cb["rationale_response"])
        if d.rng.random() < 0.5:
            text = f"{d.line(cb['question_lead'])} {text}"
        d.c("question", f"{d.line(band['anticipation'])} {text}", lv)

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
        text = f"{d.suds_text(value, 'first', lv)} {d.line(band['anticipation'])}"
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
        d.c("response", f"{d.line(cb['expectation'])} {d.line(band['anticipation'])}", lv)

    def life(d: Dialogue, lv: int) -> None:
        d.t("open_question", "ask_life", lv)
        d.c("daily_life", f"{d.nar.work} {d.line(cb['life_tail'])}", lv)

    required: list[Move] = [greeting, rationale, psychoeducation, procedure, answer, suds, courage]
    optional: list[list[Move]] = [
        [concern, answer],
        [recording],
        [concern, answer],
        [expectations],
        [life],
        [concern, answer],
        [concern, answer],
    ]
    moves = _fit(required, optional, k, insert_at=5)
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "closing", level)


# -- P8 --------------------------------------------------------------------------------------
def compose_p8(d: Dialogue) -> None:
    """After exposure: open questions about thoughts and feelings, reflected and validated."""
    level = d.case["plan"]["intensity"]["P8"]
    band = d.band(level)
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
    text = f"{d.line(band['after'])} {d.line(cb['how_was_it'])}"
    d.c("feeling", text + d.maybe(0.6, cb["aside"]), level)
    _suds_move(d, level)
    styles = ["validation", "reflection"] + [
        d.pick.choice(("reflection", "validation", "open_question")) for _ in range(k)
    ]
    for i in range(k - 2):
        topic = order[i % len(order)]
        answer = cb["answers"][topic]
        style = styles[i]
        question = d.line(d.tb["ask_" + topic])
        if style == "open_question":
            text = question
        else:
            text = f"{d.line(d.tb[style])} {question}"
        d.add("therapist", style, text, level)
        detail = d.pick.pick(d.details(d.pick.choice(("sight", "sound", "smell", "touch"))))
        extra = {"detail": detail, "detail_cap": detail[:1].upper() + detail[1:]}
        extra["thought"] = d.pick.pick(d.nar.thoughts)
        core = d.line(answer["client"], extra)
        tail = d.line(band[answer["tail"]])
        aside = d.maybe(0.8, cb["aside"])
        d.c(answer["act"], f"{d.hesitate(level, core)}{aside} {tail}", level)
    if n % 2:
        d.t("closing", "closing", level)


# -- P11 -------------------------------------------------------------------------------------
def compose_p11(d: Dialogue) -> None:
    """Processing: what was learned, links to the client's own symptoms, balanced beliefs, homework."""
    level = d.case["plan"]["intensity"]["P11"]
    band = d.band(level)
    cb = d.cb
    pb = d.case["plan"]["suds"]["P10"]
    profile = d.case["client_profile"]
    n = turn_count("P11", d.rng)
    k = n // 2
    from tvt.compose.bank import profile_bank

    bank = profile_bank()

    def opening(d: Dialogue, lv: int) -> None:
        d.t("open_question", "opening", lv)
        text = d.line(cb["habituation"]) + d.maybe(0.6, cb["insight_tie"])
        d.c("insight", f"{text} {d.line(band['after'])}", lv)

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

    def belief(d: Dialogue, lv: int) -> None:
        d.t("open_question", "belief", lv)
        text = f"{d.hesitate(lv, d.line(cb['belief_stem']))} {d.nar.balanced}"
        d.c("insight", text + d.maybe(0.6, cb["insight_tie"]), lv)

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
    # Short conversations link fewer symptoms (at least one) rather than overrun their length.
    middle = middle[: max(1, k - 7)]
    required: list[Move] = [
        opening,
        numbers,
        *middle,
        belief,
        learned,
        homework_recording,
        homework_in_vivo,
        closing,
    ]
    optional: list[list[Move]] = [[suds], [summary], [strength], [daily], [support]]
    moves = _fit(required, optional, k, insert_at=2 + len(middle))
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "farewell", level)
