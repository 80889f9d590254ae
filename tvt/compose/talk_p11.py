"""P11, processing after exposure: what was learned, links to the client's own symptoms,
balanced beliefs, homework. Built from moves (see :mod:`tvt.compose.talk`).
"""

from __future__ import annotations

from typing import Any

from tvt.compose.dialogue import Dialogue
from tvt.compose.length import turn_count
from tvt.compose.talk import (
    P11_ROOM,
    Move,
    _end_words,
    _fit,
    _peak_words,
    _suds_move,
    answered,
    belief_kind,
    distress_now,
    risk_block,
    uses_substances,
)


# -- P11 -------------------------------------------------------------------------------------
def tier_of(level: int) -> str:
    """How far the client has come by the final session, read from its planned intensity:
    ``high`` (8-10, still overwhelmed: the memory floods, the therapist plans more work),
    ``mid`` (4-7, mixed gains) or ``low`` (1-3, settled). From :data:`STILL_HIGH` on, the
    session also ends with a SUDS check that reads high and a plan for more work."""
    return "high" if level >= 8 else "mid" if level >= 4 else "low"


#: The planned P11 intensity from which the memory still needs more sessions.
STILL_HIGH = 7


#: How far SUDS must fall from the peak for the client to say it came down.
CAME_DOWN = 12
#: The client pools that answer each line of the therapist's ``before_leaving`` pool.
LEAVING_ANSWERS = ("leaving_feel", "leaving_feel", "leaving_plan")


def compose_p11(d: Dialogue) -> None:
    """Processing: what was learned, links to the client's own symptoms, balanced beliefs, homework.

    The client speaks at the planned intensity: a P11 planned at 9 is a client still
    overwhelmed at the end of the session, not a relieved one (see :func:`tier_of`)."""
    level = d.case["plan"]["intensity"]["P11"]
    tier = tier_of(level)
    # The pool of how the client is now: a mid-band session has its own mixed one.
    now_band = "mid" if tier == "mid" else None
    cb = d.cb
    # P11 processes the exposure of its own session, P7's (see tvt.plan.treatment_sessions).
    pb = d.case["plan"]["suds"]["P7"]
    came_down = pb["peak"] - pb["end"] >= CAME_DOWN
    profile = d.case["client_profile"]
    n = turn_count("P11", d.rng)
    k = n // 2
    from tvt.compose.bank import profile_bank

    bank = profile_bank()

    def pool(name: str) -> list[str]:
        """The client's lines of ``name`` for this session: after an exposure that did not come
        down its ``_flat`` lines (nothing "came down" or "was fainter by the end"), else this
        tier's, else the general ones."""
        lines: list[str] = (
            (None if came_down else cb.get(f"{name}_flat")) or cb.get(f"{name}_{tier}") or cb[name]
        )
        return lines

    def tpool(name: str) -> str:
        """The therapist's pool ``name`` for this tier, where it has one."""
        return f"{name}_{tier}" if f"{name}_{tier}" in d.tb else name

    def opening(d: Dialogue, lv: int) -> None:
        d.t("open_question", "opening", lv)
        text = d.line(pool("habituation")) + d.maybe(0.85, pool("insight_tie"))
        # Still overwhelmed, the client's feeling does not settle as they speak.
        feel = d.feeling(level) if tier == "high" else d.after(level)
        # A mid-band session still says what is left (what spikes, what is still avoided):
        # always here, in the client's first answer (blind readers took the mixed session for
        # a settled one when it did not).
        now = distress_now(
            d, level, 1.0 if tier == "mid" else 0.8, f"{text} {feel}", room=P11_ROOM, band=now_band
        )
        d.c("insight", f"{text} {feel}{now}", lv)
        answered(d, "opening", "habituation")

    def numbers(d: Dialogue, lv: int) -> None:
        if not came_down:
            # A session that did not come down is named as such, and as expected early on.
            d.t("reflection", "numbers_flat", lv)
            d.c("insight", d.line(cb["numbers_response_flat"]), lv)
            answered(d, "numbers", "numbers_response")
            return
        d.t(
            "reflection",
            "numbers",
            lv,
            peak=pb["peak"],
            end=pb["end"],
            peak_t=_peak_words(pb["peak"]),
            end_t=_end_words(pb["end"]),
        )
        text = d.hesitate(lv, d.line(pool("numbers_response")))
        # Still overwhelmed, the client says how it feels now; otherwise what changed.
        text += f" {d.reaction(lv)}" if tier == "high" else d.maybe(0.7, pool("insight_tie"))
        d.c("insight", text, lv)
        answered(d, "numbers", "numbers_response")

    def gain(entry: dict[str, Any]) -> str:
        """What today shows about a symptom: an insight, or (still overwhelmed) no gain yet."""
        return d.line(cb["link_high"] if tier == "high" else entry["insight"])

    def behaviour_move(name: str) -> Move:
        def move(d: Dialogue, lv: int) -> None:
            entry = bank["behaviours"][name]
            d.add("therapist", "link", d.line(entry["link"]), lv)
            text = f"{d.nar.behaviours[name]} {gain(entry)}"
            p = 0.5 if tier == "mid" else 0.3
            tie = distress_now(d, level, p, text, room=P11_ROOM, band=now_band) or d.maybe(
                0.5, pool("response_tie")
            )
            d.c("daily_life", text + tie, lv)
            answered(d, "link", "behaviour")

        return move

    def condition(d: Dialogue, lv: int) -> None:
        entry = bank["conditions"][profile["co_occurring_condition"]]
        d.add("therapist", "link", d.line(entry["link"]), lv)
        text = f"{d.nar.condition} {gain(entry)}"
        d.c("daily_life", text + d.maybe(0.5, pool("response_tie")), lv)
        answered(d, "link", "condition")

    kind = belief_kind(d.nar.belief)

    # The stuck point, worked by questions over three exchanges; the client reaches the
    # balanced view in their own words (a client still overwhelmed says it without feeling it).
    def belief(d: Dialogue, lv: int) -> None:
        d.t("open_question", "belief", lv)
        # Where the belief shows up, in the client's own story (a story of the week with no
        # word of the thought in it read as not answering the question).
        more = d.line(cb.get(f"stuck_example_{tier}") or cb["stuck_example"])
        d.c("thought", f"{d.hesitate(lv, d.line(pool('stuck_state')))} {more}", lv)
        answered(d, "belief", "stuck_state")

    def belief_question(d: Dialogue, lv: int) -> None:
        # Each Socratic question has its own answers: the client answers what was asked.
        asked = int(d.pick.choice(range(len(d.tb["stuck_" + kind]))))
        d.t("open_question", "stuck_" + kind, lv, index=asked)
        answers = cb[f"stuck_answer_{kind}_{asked}"]
        still = tier == "high" or (tier == "mid" and d.pick.chance(0.4))
        # Still stuck, the client goes on about what holds them; otherwise about what changed.
        text = d.fill(answers[-1] if still else answers[0])
        # The short answer goes on with where the client sees it in their own story.
        more = d.line(cb["stuck_answer_more_high" if still else "stuck_answer_more"])
        d.c(
            "thought",
            f"{text} {more}"
            + d.maybe(0.3, cb["insight_tie_high"] if still else pool("insight_tie")),
            lv,
        )
        answered(d, "stuck_" + kind, "stuck_answer_" + kind)

    def belief_balance(d: Dialogue, lv: int) -> None:
        d.t("open_question", "stuck_balance", lv)
        text = f"{d.line(pool('belief_stem'))} {d.nar.balanced}"
        tail = (
            " " + d.line(cb["belief_tie_high"])
            if tier == "high"
            else d.maybe(0.7, pool("insight_tie"))
        )
        d.c("insight", text + tail, lv, run_on=False)
        answered(d, "stuck_balance", "belief_stem")

    def contact(d: Dialogue, lv: int) -> None:
        d.t("contact", "contact", lv)
        d.c("response", d.line(pool("contact_ack")) + d.maybe(0.5, pool("response_tie")), lv)

    def substance(d: Dialogue, lv: int) -> None:
        # The plan promised in P5: the drinking or using is taken up again after the exposure.
        # Sleeping tablets, where the client spoke of them, are asked about in the same turn
        # (two substance questions in a row read as a checklist).
        if "take something to sleep" in d.nar.behaviours.get("substance abuse", ""):
            asked = f"{d.line(d.tb['substance_follow'])} {d.line(d.tb['sedative_also'])}"
            d.add("therapist", "substance_check", asked, lv)
            answer = f"{d.line(cb['substance_answer'])} {d.line(cb['sedative_answer'])}"
            d.c("daily_life", answer, lv)
            answered(d, "substance_follow", "substance_answer")
            return
        d.t("substance_check", "substance_follow", lv)
        d.c("daily_life", d.line(cb["substance_answer"]), lv)
        answered(d, "substance_follow", "substance_answer")

    def risk(d: Dialogue, lv: int) -> None:
        risk_block(d, lv)

    def learned(d: Dialogue, lv: int) -> None:
        d.t("open_question", "learned", lv)
        text = f"{d.line(pool('learned'))} {d.line(pool('learned_tail'))}"
        # Why it matters to this client: what they have avoided, or believed, until today.
        if tier != "high":
            text += f" {d.line(cb['learned_why'])}"
        d.c("insight", text + d.maybe(0.4, pool("insight_tie")), lv)
        answered(d, "learned", "learned")

    def summary(d: Dialogue, lv: int) -> None:
        # Still overwhelmed: the therapist names it and plans more work on the memory.
        d.t("reflection", "summary_high" if level >= STILL_HIGH else "summary", lv)
        if level >= STILL_HIGH:
            answer, tie = cb["summary_response_high"], cb["response_tie_high"]
        else:
            answer, tie = pool("summary_response"), pool("response_tie")
        d.c("response", d.line(answer) + d.maybe(0.7, tie), lv)

    def suds(d: Dialogue, lv: int) -> None:
        _suds_move(d, lv)

    def homework_recording(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_recording", lv)
        text = f"{d.line(pool('recording_agreement'))} {d.line(pool('agreement_tie'))}"
        d.c("agreement", text + d.maybe(0.7, cb["plan"]), lv)

    def homework_in_vivo(d: Dialogue, lv: int) -> None:
        d.t("homework", "homework_in_vivo", lv)
        text = f"{d.line(pool('in_vivo_agreement'))} {d.line(pool('agreement_tie'))}"
        d.c("agreement", text + d.maybe(0.8, pool("in_vivo_plan")), lv)

    def daily(d: Dialogue, lv: int) -> None:
        d.t("link", "daily", lv)
        # What it looks like now, told as something that happened this week.
        shown = d.episode("trigger")
        now = f"{d.line(cb['daily_lead'])} {shown}" if shown else d.nar.home
        d.c("daily_life", f"{now} {d.line(pool('daily_tail'))}", lv)
        answered(d, "daily", "daily")

    def strength(d: Dialogue, lv: int) -> None:
        d.t("open_question", "strength", lv)
        text = d.line(pool("strength"))
        if tier != "high":
            # What the client did at the hard moment, in their own story.
            text += f" {d.line(cb['strength_more'])}"
        d.c("insight", text + d.maybe(0.3, pool("insight_tie")), lv)
        answered(d, "strength", "strength")

    def support(d: Dialogue, lv: int) -> None:
        d.t("open_question", "support", lv)
        # Someone who already helped, this week, is the evidence that support is there.
        shown = d.episode("support")
        first = f"{d.line(cb['support'])} {shown}" if shown else d.line(cb["support"])
        d.c("response", f"{first} {d.line(cb['support_tail'])}", lv)
        answered(d, "support", "support")

    def closing(d: Dialogue, lv: int) -> None:
        d.t("closing", tpool("closing"), lv)
        d.c("response", d.line(pool("goodbye")) + d.maybe(0.6, pool("response_tie")), lv)

    def before_leaving(d: Dialogue, lv: int) -> None:
        # The question is answered as asked: how they feel, or what they will do.
        asked = int(d.pick.choice(range(len(d.tb["before_leaving"]))))
        d.t("open_question", "before_leaving", lv, index=asked)
        text = d.line(pool(LEAVING_ANSWERS[asked])) + d.maybe(0.6, pool("response_tie"))
        d.c("response", text, lv)
        answered(d, "before_leaving", LEAVING_ANSWERS[asked])

    middle: list[Move] = [behaviour_move(b) for b in profile["exhibited_behaviors"]]
    if profile["co_occurring_condition"] != "None":
        middle.append(condition)
    # Short conversations link fewer symptoms (at least one); a risk moment takes four
    # exchanges and a substance follow-up up to two.
    k -= (3 if d.risk == "P11" else 0) + (1 if uses_substances(d.case) else 0)
    middle = middle[: max(1, k - 10 - (2 if level >= STILL_HIGH else 0))]
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
    if level >= STILL_HIGH:
        # Still overwhelmed: the SUDS is checked before the homework (and reads high), and the
        # therapist says the memory needs more sessions.
        required[-4:-4] = [suds, summary]
        optional: list[list[Move]] = [[learned], [strength], [daily], [support]]
    else:
        optional = [[learned], [suds], [summary], [strength], [daily], [support]]
    moves = _fit(required, optional, k, insert_at=2 + len(middle))
    if n % 2:
        # The therapist has the last word: the goodbye exchange is a question about the rest
        # of the day, and the session closes once, after the client's answer.
        moves[-1] = before_leaving
    for move in moves:
        move(d, level)
    if n % 2:
        d.t("closing", "farewell", level)
