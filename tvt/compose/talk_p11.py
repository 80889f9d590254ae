"""P11, processing after exposure: what was learned, links to the client's own symptoms,
balanced beliefs, homework. Built from moves (see :mod:`tvt.compose.talk`).
"""

from __future__ import annotations

from tvt.compose.dialogue import Dialogue
from tvt.compose.length import turn_count
from tvt.compose.talk import (
    Move,
    _end_words,
    _fit,
    _peak_words,
    _suds_move,
    belief_kind,
    risk_block,
    uses_substances,
)


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
        text = d.line(cb["habituation"]) + d.maybe(0.85, cb["insight_tie"])
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
            text = f"{d.nar.behaviours[name]} {d.line(entry['insight'])}"
            d.c("daily_life", text + d.maybe(0.5, cb["response_tie"]), lv)

        return move

    def condition(d: Dialogue, lv: int) -> None:
        entry = bank["conditions"][profile["co_occurring_condition"]]
        d.add("therapist", "link", d.line(entry["link"]), lv)
        text = f"{d.nar.condition} {d.line(entry['insight'])}"
        d.c("daily_life", text + d.maybe(0.5, cb["response_tie"]), lv)

    kind = belief_kind(d.nar.belief)

    # The stuck point, worked by questions over three exchanges; the client reaches the
    # balanced view in their own words.
    def belief(d: Dialogue, lv: int) -> None:
        d.t("open_question", "belief", lv)
        d.c("thought", d.hesitate(lv, d.line(cb["stuck_state"], {"belief": d.nar.belief})), lv)

    def belief_question(d: Dialogue, lv: int) -> None:
        d.t("open_question", "stuck_" + kind, lv)
        d.c(
            "thought",
            d.hesitate(lv, d.line(cb["stuck_doubt"])) + d.maybe(0.5, cb["insight_tie"]),
            lv,
        )

    def belief_balance(d: Dialogue, lv: int) -> None:
        d.t("open_question", "stuck_balance", lv)
        text = f"{d.hesitate(lv, d.line(cb['belief_stem']))} {d.nar.balanced}"
        d.c("insight", text + d.maybe(0.85, cb["insight_tie"]), lv, run_on=False)

    def contact(d: Dialogue, lv: int) -> None:
        d.t("contact", "contact", lv)
        d.c("response", d.line(cb["contact_ack"]) + d.maybe(0.7, cb["response_tie"]), lv)

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
        d.c("insight", text + d.maybe(0.85, cb["insight_tie"]), lv)

    def summary(d: Dialogue, lv: int) -> None:
        d.t("reflection", "summary", lv)
        text = f"{d.line(cb['summary_response'])} {d.line(cb['response_tie'])}"
        d.c("response", text + d.maybe(0.85, cb["insight_tie"]), lv)

    def suds(d: Dialogue, lv: int) -> None:
        _suds_move(d, lv)

    def homework_recording(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_recording", lv)
        text = f"{d.line(cb['recording_agreement'])} {d.line(cb['agreement_tie'])}"
        d.c("agreement", text + d.maybe(0.85, cb["plan"]), lv)

    def homework_in_vivo(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_in_vivo", lv)
        text = f"{d.line(cb['in_vivo_agreement'])} {d.line(cb['agreement_tie'])}"
        d.c("agreement", text + d.maybe(0.85, cb["in_vivo_plan"]), lv)

    def daily(d: Dialogue, lv: int) -> None:
        d.t("link", "daily", lv)
        # What it looks like now, told as something that happened this week.
        shown = d.episode("trigger")
        now = f"{d.line(cb['daily_lead'])} {shown}" if shown else d.nar.home
        d.c("daily_life", f"{now} {d.line(cb['daily_tail'])}", lv)

    def strength(d: Dialogue, lv: int) -> None:
        d.t("open_question", "strength", lv)
        d.c("insight", d.line(cb["strength"]) + d.maybe(0.85, cb["insight_tie"]), lv)

    def support(d: Dialogue, lv: int) -> None:
        d.t("open_question", "support", lv)
        # Someone who already helped, this week, is the evidence that support is there.
        shown = d.episode("support")
        first = f"{d.line(cb['support'])} {shown}" if shown else d.line(cb["support"])
        d.c(
            "response",
            f"{first} {d.line(cb['support_tail'])}" + d.maybe(0.6, cb["response_tie"]),
            lv,
        )

    def closing(d: Dialogue, lv: int) -> None:
        d.t("closing", "closing", lv)
        d.c("response", d.line(cb["goodbye"]) + d.maybe(0.85, cb["response_tie"]), lv)

    def before_leaving(d: Dialogue, lv: int) -> None:
        d.t("open_question", "before_leaving", lv)
        d.c("response", d.line(cb["goodbye"]) + d.maybe(0.85, cb["response_tie"]), lv)

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
    if n % 2:
        # The therapist has the last word: the goodbye exchange is a question about the rest
        # of the day, and the session closes once, after the client's answer.
        moves[-1] = before_leaving
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "farewell", level)
