"""P5, orientation to imaginal exposure: the rationale, the client's concerns and questions, the
plan. Built from moves (see :mod:`tvt.compose.talk`).
"""

from __future__ import annotations

from tvt.compose.dialogue import Dialogue
from tvt.compose.language import derived_suds
from tvt.compose.length import turn_count
from tvt.compose.talk import (
    Move,
    _applicable,
    _fit,
    _reason,
    answered,
    lv_of,
    uses_substances,
)
from tvt.compose.voice import band_name

#: What each line of the client's ``substance_answer`` says (none, last night, an urge
#: resisted): the therapist's next turn takes it up first (``ack_<kind>`` in the common bank)
#: rather than going straight on to the rationale.
SUBSTANCE_TAKE_UP = ("sober", "drank", "urge")


# -- P5 --------------------------------------------------------------------------------------
def compose_p5(d: Dialogue) -> None:
    """Orientation: rationale, what will happen, concerns answered, SUDS anchored, courage validated."""
    level = d.case["plan"]["intensity"]["P5"]
    cb = d.cb
    concerns = _applicable(d, cb["concerns"])
    questions = _applicable(d, cb["questions"])
    n = turn_count("P5", d.rng)
    k = n // 2

    distress_said = [0]

    def distress(d: Dialogue, lv: int, p: float) -> str:
        """How the days before this session have been, at the phase's planned distress (a
        readiness of 80 must be in the client's words, not only in the number): at most
        twice a session."""
        if distress_said[0] >= 2 or not d.pick.chance(p):
            return ""
        distress_said[0] += 1
        return " " + d.line(cb["distress_" + band_name(lv)])

    def greeting(d: Dialogue, lv: int) -> None:
        d.t("greeting", "greeting", lv)
        text = f"{d.anticipation(lv)} {d.line(cb['dread'])}"
        d.c("concern", text + d.maybe(0.5, cb["tie_in"]), lv)
        answered(d, "greeting", "dread")

    def said(d: Dialogue, act: str, *pools: str, ack: bool = False) -> None:
        """A therapist turn composed of one line from each of ``pools`` (one rationale element
        each), optionally after a short acknowledgement of what the client just said."""
        parts = [d.line(d.tb[p]) for p in pools]
        if ack and not d.answer_due and not d.ack_due and d.pick.chance(0.35):
            parts.insert(0, d.line(d.tb["el_ack"]))
        d.add("therapist", act, " ".join(parts), lv_of(d))

    def rationale(d: Dialogue, lv: int) -> None:
        # Avoidance keeps PTSD going.
        said(d, "rationale", "el_avoidance", ack=True)
        text = d.hesitate(lv, d.asking("rationale_response"))
        # The client recognises the avoidance in their own week.
        example = d.episode("invite")
        if example:
            head = example.split(" ", 1)[0].rstrip(",")
            low = head in ("Last", "On", "The", "A", "Yesterday", "Earlier", "Over", "At")
            text = f"{text} Like {example[:1].lower() if low else example[0]}{example[1:]}"
        d.c("response", text + d.maybe(0.7, cb["tie_in"]), lv)

    def psychoeducation(d: Dialogue, lv: int) -> None:
        # Distress rises then comes down; the story is repeated; about how long.
        said(d, "psychoeducation", "el_rise_fall", "el_repeat", "el_duration")
        text = d.hesitate(lv, d.asking("rise_fall_response"))
        d.c("response", text + d.maybe(0.5, cb["reflection"]), lv)

    def procedure(d: Dialogue, lv: int) -> None:
        # Eyes closed; first person, present tense, out loud.
        said(d, "procedure", "el_eyes", "el_tense")
        d.c("response", d.hesitate(lv, d.asking("procedure_response")), lv)

    def question(d: Dialogue, lv: int) -> None:
        q = questions.pop(0) if questions else None
        # Asked for a question, the client asks one (a "what worries you?" answered with a
        # question read as not following).
        d.t("open_question", "ask_question", lv)
        d.pending = q
        text = d.line(q["client"]) if q else d.line(cb["rationale_response"])
        if d.rng.random() < 0.5:
            text = f"{d.line(cb['question_lead'])} {text}"
        d.c("question", text, lv)
        answered(d, "ask_question", "questions" if q else "rationale_response")

    def substance(d: Dialogue, lv: int) -> None:
        # Intoxication is checked before any exposure when the profile has substance use.
        # One exchange: the check and the promise to come back to it (P11) in one turn.
        d.t("substance_check", "substance_check_once", lv)
        said = int(d.pick.choice(range(len(cb["substance_answer"]))))
        d.c("response", d.fill(cb["substance_answer"][said]), lv)
        answered(d, "substance_check_once", "substance_answer")
        # What the client said (nothing, last night, an urge resisted) is taken up before the
        # rationale: an admission of drinking never gets an avoidance lecture for its answer.
        d.ack_due = SUBSTANCE_TAKE_UP[said % len(SUBSTANCE_TAKE_UP)]

    def answer(d: Dialogue, lv: int) -> None:
        q = d.pending
        d.add(
            "therapist",
            "reassurance",
            d.line(q["therapist"]) if q else d.line(d.tb["reassure_general"]),
            lv,
        )
        # The answer is taken up, and now and then why the client is doing this: one thing at
        # a time, not a new worry tacked on.
        if q and q.get("response"):
            # The answer asked for a plan (what the client will do tonight): the client makes
            # it, and the therapist's next turn confirms it before going on.
            d.c("response", d.line(q["response"]), lv)
            answered(d, "plan", "plan_response")
            d.ack_due = "plan"
            return
        told = distress(d, lv, 0.6)
        motivation = "" if told else d.maybe(0.4, cb["motivation"])
        d.c("response", d.line(cb["answer_response"]) + told + motivation, lv)

    def concern(d: Dialogue, lv: int) -> None:
        c = concerns.pop(0)
        d.t("open_question", "ask_concern", lv)
        d.pending = c
        text = d.hesitate(lv, d.line(c["client"])) + d.maybe(0.5, cb["tie_in"])
        d.c("concern", text + d.maybe(0.3, cb["reflection"]), lv)
        answered(d, "ask_concern", "concerns")

    def suds(d: Dialogue, lv: int) -> None:
        d.t("suds_request", "suds_anchor", lv)
        value = derived_suds(lv, d.rng)
        text = f"{d.suds_text(value, 'first', lv)} {d.anticipation(lv)}"
        d.c("suds_report", text + _reason(d, lv), lv, suds=value)
        answered(d, "suds_anchor", "suds_report")

    def courage(d: Dialogue, lv: int) -> None:
        d.t("validation", "courage", lv)
        d.c("agreement", f"{d.line(cb['agreement'])} {d.line(cb['motivation'])}", lv)

    def recording(d: Dialogue, lv: int) -> None:
        d.t("procedure", "recording", lv)
        d.c("response", d.line(cb["recording_response"]) + d.maybe(0.5, cb["tie_in"]), lv)

    def expectations(d: Dialogue, lv: int) -> None:
        d.t("open_question", "ask_expectation", lv)
        text = f"{d.line(cb['expectation'])} {d.anticipation(lv)}"
        d.c("response", text + distress(d, lv, 0.8), lv)
        answered(d, "ask_expectation", "expectation")

    def life(d: Dialogue, lv: int) -> None:
        d.t("open_question", "ask_life", lv)
        d.c("daily_life", f"{d.nar.work} {d.line(cb['life_tail'])}", lv)
        answered(d, "ask_life", "life")

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
