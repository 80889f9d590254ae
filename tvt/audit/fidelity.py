"""PE-fidelity checks: the P5 rationale, the exposure phases (P10, P6, P7) and processing (P8, P11).

Each function audits one conversation and records into :class:`~tvt.audit.findings.Findings`.
The rules (patterns, thresholds) come from the rules file; docs/audit.md explains every check.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from tvt.audit.findings import Findings
from tvt.audit.lexicon import Lexicon, tokens_of, words_of
from tvt.audit.load import ConversationView, TurnView
from tvt.audit.rules import BELIEF_KINDS, RATIONALE_ELEMENTS, Rules
from tvt.audit.suds import SudsTrace, trace
from tvt.diversity import sentences, words

_LEAD_RE = re.compile(r"^(?:(?:so|and|okay|ok|now|well|then|but|right)\b[,\s]*)+", re.IGNORECASE)


def rationale(conv: ConversationView, rules: Rules, found: Findings) -> None:
    """P5: which elements of the rationale the therapist covers."""
    therapist = " \n ".join(t.text for t in conv.turns if t.speaker == "therapist")
    # its words and lower case once for all the elements (find would compute them per call)
    tokens, lower = tokens_of(therapist), therapist.lower()
    covered = 0
    for element in RATIONALE_ELEMENTS:
        check = f"rationale.missing_{element}"
        found.eligible(check)
        if rules.lex(f"rationale.{element}").find(therapist, tokens, lower) is None:
            found.flag(check, conv, [], rules.lex(f"rationale.{element}").about)
        else:
            covered += 1
    found.measure("rationale.coverage", covered / len(RATIONALE_ELEMENTS))


_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*")  # the sentence split of tvt.diversity
_WORD_RE = re.compile(r"\w+(?:'\w+)*")


def tense_counts(text: str, rules: Rules) -> tuple[int, int]:
    """(present, past) sentences of ``text``: a sentence counts for the tense of most of its verbs.

    Each tense's expression runs once over the turn; its matches are counted per sentence.
    """
    starts = [m.start() for m in _SENTENCE_RE.finditer(text)]
    if not starts:
        return 0, 0
    tally: list[list[int]] = [[0, 0] for _ in starts]
    lower = text.lower()
    for k, name in ((0, "tense.present"), (1, "tense.past")):
        rx, searched = rules.lex(name).pattern_for(text, lower)
        for m in rx.finditer(searched):
            tally[bisect_right(starts, m.start()) - 1][k] += 1
    present = sum(1 for p, q in tally if p > q)
    past = sum(1 for p, q in tally if q > p)
    return present, past


def exposure(conv: ConversationView, rules: Rules, found: Findings) -> SudsTrace:
    """P10, P6, P7: tense, SUDS cadence and scale, therapist talk, relaxation, grounding, topic."""
    t = rules.t
    suds = trace(conv, rules)
    rated = {i for i, _, _ in suds.ratings}
    # -- present tense of the narration (client turns that are not ratings)
    present = past = 0
    for i, turn in enumerate(conv.turns):
        if turn.speaker == "client" and i not in rated:
            p, q = tense_counts(turn.text, rules)
            present += p
            past += q
    found.eligible("exposure.past_tense_narration")
    if present + past >= t("present_tense_min_sentences"):
        share = present / (present + past)
        found.measure("exposure.present_tense_share", share)
        if share < t("present_tense_min_share"):
            found.flag(
                "exposure.past_tense_narration",
                conv,
                [],
                f"{present} of {present + past} narration sentences in the present tense",
            )
    # -- SUDS cadence and scale
    found.eligible("exposure.suds_sparse")
    if suds.client_turns >= t("suds_min_client_turns"):
        gap = suds.largest_gap()
        checks = len(set(suds.checked_ordinals))
        if checks:
            found.measure("exposure.client_turns_per_suds_check", suds.client_turns / checks)
        if not checks or gap > t("suds_max_client_turns_between_checks"):
            detail = (
                f"no SUDS check in {suds.client_turns} client turns"
                if not checks
                else f"{gap} client turns in a row without a SUDS check"
            )
            found.flag("exposure.suds_sparse", conv, [], detail)
    found.eligible("exposure.suds_0_10")
    found.eligible("exposure.suds_mixed")
    tens = [i for i, _, s in suds.ratings if s == 10]
    if tens:
        found.flag("exposure.suds_0_10", conv, tens, f"{len(tens)} rating(s) on 0-10")
        if 100 in suds.scales:
            hundreds = [i for i, _, s in suds.ratings if s == 100]
            found.flag(
                "exposure.suds_mixed",
                conv,
                sorted(tens + hundreds),
                f"{len(tens)} rating(s) on 0-10, {len(hundreds)} on 0-100",
            )
    # -- therapist talk
    words_by = {"therapist": 0, "client": 0}
    turns_by = {"therapist": 0, "client": 0}
    for turn in conv.turns:
        words_by[turn.speaker] += len(words(turn.text))
        turns_by[turn.speaker] += 1
    total = words_by["therapist"] + words_by["client"]
    found.eligible("exposure.therapist_talks_too_much")
    if total and turns_by["therapist"]:
        share = words_by["therapist"] / total
        per_turn = words_by["therapist"] / turns_by["therapist"]
        found.measure("exposure.therapist_word_share", share)
        found.measure("exposure.therapist_words_per_turn", per_turn)
        if share > t("therapist_max_word_share") or per_turn > t("therapist_max_words_per_turn"):
            found.flag(
                "exposure.therapist_talks_too_much",
                conv,
                [],
                f"therapist {share:.0%} of the words, {per_turn:.1f} words per turn",
            )
    # -- relaxation, grounding without a sign, topic change after a rise
    relax = rules.lex("exposure.relaxation")
    ground = rules.lex("exposure.grounding")
    sign = rules.lex("exposure.overwhelm_sign")
    rise = rules.lex("exposure.distress_rise")
    topic = rules.lex("exposure.topic_change")
    therapist_text, therapist_tokens, therapist_lower = conv.text("therapist")
    therapist_turns = [x for x in conv.turns if x.speaker == "therapist"]
    can_relax, can_ground, can_topic = (
        lex.possible_in(therapist_turns, therapist_text, therapist_tokens, therapist_lower)
        for lex in (relax, ground, topic)
    )
    relaxation: list[int] = []
    grounding: list[int] = []
    topic_turns: list[int] = []
    last_rating: float | None = None
    ratings = {i: v for i, v, _ in suds.ratings}
    prev_client: int | None = None
    rising = False
    start, end = exposure_span(conv, rules)
    for i, turn in enumerate(conv.turns[:end]):
        if turn.speaker == "client":
            prev_client = i
            value = ratings.get(i)
            rising = (can_topic and rise.find_in(turn) is not None) or (
                value is not None and last_rating is not None and value > last_rating
            )
            if value is not None:
                last_rating = value
            continue
        # Relaxation is flagged from the first turn: breathing as the lead-in to the memory is
        # the pattern the PE guide leaves out. Grounding and reassurance only count once the
        # exposure has begun (the orientation may remind the client that the office is safe).
        if can_relax and relax.find_in(turn) is not None:
            relaxation.append(i)
        if (
            i > start
            and can_ground
            and ground.find_in(turn) is not None
            and (prev_client is None or sign.find_in(conv.turns[prev_client]) is None)
        ):
            grounding.append(i)
        if rising and can_topic and topic.find_in(turn) is not None:
            topic_turns.append(i)
        rising = False
    for check, hits in (
        ("exposure.relaxation", relaxation),
        ("exposure.unprompted_grounding", grounding),
        ("exposure.topic_change", topic_turns),
    ):
        found.eligible(check)
        if hits:
            found.flag(check, conv, hits)
    return suds


def exposure_span(conv: ConversationView, rules: Rules) -> tuple[int, int]:
    """Where the imaginal exposure runs, read from the dialogue: (index of the therapist turn
    that begins it, or -1 when none does; index of the first therapist turn after it that ends
    it, or the number of turns). The closing turn and what follows are not during exposure."""
    opening, closing = rules.lex("exposure.opening"), rules.lex("exposure.closing")
    asks_rating = rules.lex("suds.question")
    therapist = [(i, t) for i, t in enumerate(conv.turns) if t.speaker == "therapist"]
    # "Let's start with your SUDS level" asks for the rating before the memory: not the start.
    start = next(
        (
            i
            for i, t in therapist
            if opening.find_in(t) is not None and asks_rating.find_in(t) is None
        ),
        -1,
    )
    end = next(
        (i for i, t in therapist if i > max(start, 0) and closing.find_in(t) is not None),
        len(conv.turns),
    )
    return start, end


def question_kind(sentence: str, rules: Rules) -> str | None:
    """'open', 'closed' or None for a therapist question (a sentence ending in '?')."""
    body = _LEAD_RE.sub("", sentence.strip())
    # a name or "you" addressed first: "Maria, what ..." -> "what ..."
    body = re.sub(r"^[A-Z][a-z]+,\s*", "", body)
    if rules.lex("processing.open_question").rx.match(body):
        return "open"
    if rules.lex("processing.closed_question").rx.match(body):
        return "closed"
    return None


def processing(conv: ConversationView, rules: Rules, found: Findings) -> None:
    """P8, P11: open questions, homework (P11), stated beliefs taken up."""
    open_n = closed_n = 0
    closed_turns: list[int] = []
    # A safety assessment asks closed questions on purpose ("Do you have a plan?").
    assess = [rules.lex(f"safety.assess_{p}") for p in ("thoughts", "plan", "intent", "resources")]
    for i, turn in enumerate(conv.turns):
        if turn.speaker != "therapist" or any(a.find_in(turn) for a in assess):
            continue
        for sent in sentences(turn.text):
            if not sent.endswith("?"):
                continue
            kind = question_kind(sent, rules)
            if kind == "open":
                open_n += 1
            elif kind == "closed":
                closed_n += 1
                closed_turns.append(i)
    found.eligible("processing.few_open_questions")
    if open_n + closed_n:
        share = open_n / (open_n + closed_n)
        found.measure("processing.open_question_share", share)
    else:
        share = 0.0
    if share < rules.t("open_question_min_share"):
        found.flag(
            "processing.few_open_questions",
            conv,
            sorted(set(closed_turns)),
            f"{open_n} open and {closed_n} closed questions",
        )
    if conv.phase == "P11":
        therapist = " \n ".join(t.text for t in conv.turns if t.speaker == "therapist")
        tokens, lower = tokens_of(therapist), therapist.lower()
        for check, lex in (
            ("processing.no_recording_homework", "processing.recording_homework"),
            ("processing.no_in_vivo_homework", "processing.in_vivo_homework"),
        ):
            found.eligible(check)
            if rules.lex(lex).find(therapist, tokens, lower) is None:
                found.flag(check, conv, [], rules.lex(lex).about)
    beliefs(conv, rules, found)


def stated(lex: Lexicon, turn: TurnView, rules: Rules) -> bool:
    """Does ``turn`` state the belief of ``lex`` (a match in a sentence no exclusion of the
    lexicon matches, not inside an indirect question: "what I should have done differently",
    lexicon ``belief.embedded``)?"""
    if lex.find_in(turn) is None:
        return False
    embedding = rules.lex("belief.embedded").literal
    for sent in sentences(turn.text) or [turn.text]:
        if lex.exclude is not None and lex.exclude.search(sent):
            continue
        rx, searched = lex.pattern_for(sent)
        for m in rx.finditer(searched):
            before = _WORD_RE.findall(sent[: m.start()].lower())
            if not before or before[-1] not in embedding:
                return True
    return False


def is_probe(turn: TurnView, rules: Rules) -> bool:
    """Is ``turn`` an open probe of what the client just said: its last sentence a question
    (or "tell me"/"say" request) made only of the words of lexicon ``belief.probe`` and
    referring to the statement (``belief.probe_refers``: "that", "this", "it", "more")?
    "Tell me a bit more.", "What do you make of that now?" are; "How does feeling powerless
    affect you?" brings a new topic and is not."""
    sents = sentences(turn.text)
    if not sents:
        return False
    words = words_of(sents[-1])
    probe, refers = rules.lex("belief.probe").literal, rules.lex("belief.probe_refers").literal
    return bool(words) and all(w in probe for w in words) and not refers.isdisjoint(words)


def beliefs(conv: ConversationView, rules: Rules, found: Findings) -> None:
    """Stated beliefs (self-blame, danger, incompetence) and whether the therapist takes them up."""
    taken = rules.lex("belief.taken_up")
    revised = rules.lex("belief.revised")
    window = rules.t("followup_therapist_turns")
    missed: list[int] = []
    details: list[str] = []
    client_text, client_tokens, client_lower = conv.text("client")
    client_turns = [x for x in conv.turns if x.speaker == "client"]
    kinds_here = [
        k
        for k in BELIEF_KINDS
        if rules.lex(f"belief.{k}").possible_in(
            client_turns, client_text, client_tokens, client_lower
        )
    ]
    for i, turn in enumerate(conv.turns):
        if turn.speaker != "client" or not kinds_here:
            continue
        kinds = [k for k in kinds_here if stated(rules.lex(f"belief.{k}"), turn, rules)]
        if not kinds or revised.find_in(turn) is not None:
            continue  # no belief, or one the client has already revised in this turn
        found.eligible("processing.belief_not_taken_up")
        following = [t for t in conv.turns[i + 1 :] if t.speaker == "therapist"][:window]
        if following and conv.turns[i + 1] is following[0] and is_probe(following[0], rules):
            continue  # the next turn asks the client to go on with what they just said
        if not any(taken.find_in(t) is not None for t in following):
            missed.append(i)
            details.append("/".join(k.replace("_", "-") for k in kinds))
    if missed:
        found.flag(
            "processing.belief_not_taken_up",
            conv,
            missed,
            ", ".join(sorted(set(details))),
            units=len(missed),
        )
