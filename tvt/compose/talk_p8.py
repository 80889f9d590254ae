"""P8, eliciting thoughts and feelings about the trauma. Built from moves (see
:mod:`tvt.compose.talk`).
"""

from __future__ import annotations

from tvt.compose.dialogue import Dialogue
from tvt.compose.length import turn_count
from tvt.compose.talk import (
    _suds_move,
    answered,
    belief_kind,
    distress_now,
    risk_block,
)

#: Answers that tell an episode of the client's week (see tvt.compose.world), by kind.
_EPISODE = {"lately": "trigger", "missing_out": "invite"}

#: Answers that say something the client did well or found out (that they stayed, chose, got
#: through): the therapist's next turn takes that up (``<style>_positive``) instead of meeting
#: it with validation of distress ("That's a human reaction" to "I'm stronger than I thought").
#: The lines of the therapist's ``belief_probe`` that fit each kind of stuck belief (see
#: :func:`tvt.compose.talk.belief_kind`): "what did you actually know?" examines blame, not a
#: belief that the world is dangerous.
_PROBES = {"guilt": (0, 1, 2), "danger": (0, 3), "incompetence": (0, 4)}

#: Answers after which the therapist marks the belief just voiced (``belief_noted``) rather
#: than validating it: the hot spot's thought, and why the belief feels true when no question
#: about it follows.
_NOTED = ("thought_hotspot", "belief_open")

_POSITIVE = frozenset({"self", "control", "surprised", "then_vs_now", "compare"})


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
    # How the retelling went, in the client's own story: where it got hard.
    text += d.maybe(0.7, cb["how_more"])
    now = distress_now(d, level, 0.8, text)
    d.c("feeling", text + (now or d.maybe(0.5, cb["aside"])), level)
    answered(d, "how_was_it", "how_was_it")
    _suds_move(d, level)
    kinds = ("reflection", "validation", "open_question")
    styles = ["validation", "reflection"] + [kinds[d.rng.integer(0, 2)] for _ in range(k)]
    # Clients with flashbacks (and a few others) are flooded by the memory once in P8: "it
    # feels like it's happening again". The therapist attends to that before asking anything.
    flashes = "flashbacks" in d.case["client_profile"]["exhibited_behaviors"]
    flash_at = d.rng.integer(1, 4) if d.rng.random() < (0.5 if flashes else 0.08) else -1
    slots, asked = k - 2, 0
    last_topic = ""  # the question the client's last turn answered ("" after anything else)
    belief_asked = False  # whether the therapist has asked about the stuck belief yet
    while slots > 0:
        if asked == flash_at and d.turns[-1]["speaker"] == "client" and slots >= 2:
            flash_at = -1
            d.t("open_question", "follow_up", level)
            d.c("struggle", d.hesitate(level + 2, d.line(cb["flashback"])), level)
            answered(d, "follow_up", "flashback")
            d.t("validation", "attend", level)
            d.c("grounding_response", d.line(cb["attend_response"]), level)
            answered(d, "attend", "attend_response")
            slots -= 2
            last_topic = ""
            continue
        if d.risk == "P8" and not d.risk_done and slots >= 4 and asked >= 3:
            risk_block(d, level)
            slots -= 4
            last_topic = ""
            continue
        if not belief_asked and last_topic in ("thought_hotspot", "meaning"):
            # The client just voiced the hot thought or the stuck point: the therapist takes
            # it up with an open question about it, once, rather than naming it and moving on
            # ("We'll look at it" read to a PE supervisor as a belief put off). The answer is
            # paired with the question and does not quote the belief again. (Decided by the
            # question answered, not the text: acts are the same in numeric and verbal SUDS.)
            belief_asked = True
            i = d.rng.integer(0, len(d.tb["belief_open"]) - 1)
            d.t("open_question", "belief_open", level, index=i)
            core = d.line([d.cb["belief_answer"][i]])
            d.c("thought", d.hesitate(level, core), level)
            answered(d, "belief_open", "belief_answer")
            # What the belief has come to mean is what was just asked: not asked again.
            order = order[:asked] + [x for x in order[asked:] if x != "meaning"]
            last_topic = "belief_open"
            slots -= 1
            if slots >= 2:
                # The belief is examined, not validated: one Socratic question (does it fit
                # everything that happened, or only how it felt?), answered in the client's
                # own words; a PE supervisor read "It makes sense that it still feels like
                # that" after self-blame as agreeing with it. P11 works it to a balanced view.
                fits = _PROBES[belief_kind(d.nar.belief)]
                j = fits[d.rng.integer(0, len(fits) - 1)]
                d.t("open_question", "belief_probe", level, index=j)
                answers = d.cb[f"belief_probe_answer_{j}"]
                # Its last line is the answer of a client the question has not moved yet.
                stuck = level >= 7 and not d.pick.chance(0.3)
                pick = len(answers) - 1 if stuck else int(d.pick.choice(range(len(answers) - 1)))
                line = d.fill(answers[pick])
                d.c("thought", d.hesitate(level, line), level)
                answered(d, "belief_probe", "belief_probe_answer")
                last_topic = "probe_stuck" if stuck else "probe_shifted"
                slots -= 1
            continue
        if asked < len(order):
            topic = order[asked]
            answer = cb["answers"][topic]
            style = styles[asked]
            asked += 1
            question = d.line(d.tb["ask_" + topic])
            mirror = d.mirror() if style == "reflection" and d.pick.chance(0.75) else None
            if d.nar.belief in d.turns[-1]["text"] or last_topic in _NOTED:
                # The client just voiced the stuck point (or the hot spot's thought): the
                # therapist marks it to look at together (P11 works it) before the next
                # question, instead of passing it by. (The act stays the one drawn: acts are
                # the same in numeric and verbal SUDS.)
                text = f"{d.line(d.tb['belief_noted'])} {question}"
            elif d.ack_due:
                # The client asked for something: the therapist gives it first (see below).
                text = question
            elif style == "open_question":
                text = question
            elif last_topic.startswith("probe_"):
                # The answer to the Socratic question is taken up as such: a fairer view held
                # on to, or a feeling that has not caught up yet (never "You did that yourself").
                text = f"{d.line(d.tb[last_topic])} {question}"
            elif last_topic in _POSITIVE:
                # What the client did or found out is taken up as that, not as distress.
                text = f"{mirror or d.line(d.tb[style + '_positive'])} {question}"
            else:
                text = f"{mirror or d.line(d.tb[style])} {question}"
            d.add("therapist", style, text, level)
            detail = d.detail(d.pick.choice(("sight", "sound", "smell", "touch")))
            extra = {"detail": detail, "detail_cap": detail[:1].upper() + detail[1:]}
            extra["thought"] = d.pick.pick(d.nar.thoughts)
            if topic in _EPISODE:
                extra["episode"] = d.episode(_EPISODE[topic])
            said = int(d.pick.choice(range(len(answer["client"]))))
            core = d.fill(answer["client"][said], extra)
            if f"ack_{topic}_{said}" in d.tcommon:
                # A request ("just to hear it wasn't pointless") has its own answer in the
                # common bank, which the therapist's next turn gives first, whatever it is.
                d.ack_due = f"{topic}_{said}"
            # The answer is the news of the turn; how the client feels comes with it when the
            # question asked about feelings, and only now and then otherwise.
            tail = ""
            if answer["act"] == "feeling" or d.rng.random() < 0.3:
                tail = " " + {"after": d.after, "body": d.body}.get(answer["tail"], d.feeling)(
                    level
                )
            # An episode of the client's week is a long answer already: no aside after it.
            # Now and then one thought leads to the next; mostly the answer is the turn (a
            # string of asides after every answer reads as not answering the question).
            # Most answers go on to say why, or what it connects to in the client's own
            # story (the hot spot, the thought, the people in it), as the release's clients
            # do: two or three connected sentences rather than a bare reply.
            more = ""
            if answer.get("more") and d.rng.random() < 0.95:
                more = " " + d.line(answer["more"], extra)
                # A talkative client goes on to a second connection (the release's P8 clients
                # reflect at length: 54 words a turn against 40 here with one).
                if len(answer["more"]) > 1 and d.rng.random() < 0.8 * d.voice.talk:
                    second = d.line(answer["more"], extra)
                    if second != more[1:]:
                        more += " " + second
            aside = d.maybe(0.0 if topic in _EPISODE else (0.3 if more else 0.9), cb["aside"])
            # The feeling goes with the answer it belongs to, not at the end of the turn
            # after the asides (a feeling tag ending every turn read as bolted on).
            if not aside and not tail:
                aside = distress_now(d, level, 0.25, f"{core}{tail}{more}")
            d.c(answer["act"], f"{d.hesitate(level, core)}{tail}{more}{aside}", level)
            answered(d, "ask_" + topic, "answers." + topic)
            last_topic = topic
            slots -= 1
            continue
        else:
            # Every question has been asked once: follow the client's answer instead of
            # asking one of them again in other words.
            if d.nar.belief in d.turns[-1]["text"] or last_topic in _NOTED:
                # The stuck point just voiced is marked before the client is followed on.
                noted = d.line(d.tb["belief_noted"])
                d.add(
                    "therapist",
                    "open_question",
                    f"{noted} {d.line(d.tb.get('follow_up') or d.tcommon['follow_up'])}",
                    level,
                )
            else:
                d.t("open_question", "follow_up", level)
            # An example from the client's week, while there is one left to tell.
            example = d.episode("trigger")
            text = f"{d.line(cb['follow_up'])} {example}" if example else d.line(cb["follow_up"])
            feel = f" {d.feeling(level)}" if d.rng.random() < 0.2 else ""
            d.c("thought", f"{text}{feel}", level)
            answered(d, "follow_up", "follow_up")
            last_topic = ""
        slots -= 1
    if n % 2:
        if d.nar.belief in d.turns[-1]["text"] or last_topic in _NOTED:
            noted = d.line(d.tb["belief_noted"])
            d.add("therapist", "closing", f"{noted} {d.line(d.tb['closing'])}", level)
        else:
            d.t("closing", "closing", level)
