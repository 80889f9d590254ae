"""The dialogue-act labels the composer writes into each turn's ``act`` field."""

from __future__ import annotations

#: Therapist acts and what they mean.
THERAPIST_ACTS: dict[str, str] = {
    "greeting": "opens the phase, checks in, addresses the client by name",
    "open_question": "open question about thoughts, feelings or experience",
    "rationale": "why imaginal exposure helps (avoidance maintains PTSD; approaching lets distress fall)",
    "psychoeducation": "what to expect: distress rises then falls, remembering is not danger, symptoms explained",
    "procedure": "how the exposure works: eyes closed, first person, present tense, out loud, SUDS, recording",
    "reassurance": "answers a concern specifically and truthfully (safety, control, pacing)",
    "validation": "acknowledges and normalises what the client feels or says",
    "suds_request": "asks for the current SUDS rating (0-100)",
    "instruction": "starts, restarts or ends a retelling, or focuses it on the hotspot",
    "prompt": "short prompt to continue the narration (what happens next)",
    "sensory_prompt": "asks for sensory, bodily or thought detail in the moment",
    "present_tense": "reminds the client to stay in the first person and present tense",
    "grounding": "brief orientation to the room, only when the client loses contact with it (over-engaged or dissociating), then back to the memory",
    "risk_assessment": "pauses on a risk disclosure: asks directly about thoughts, plan and intent, names crisis resources, agrees whether to go on",
    "contact": "between-session contact details: how to reach the clinic, and crisis lines out of hours",
    "substance_check": "checks intoxication before exposure, or follows up substance use",
    "reinforcement": "short praise for staying with the memory ('You're doing well. Stay with it.')",
    "empathic_response": "responds to a change in SUDS with empathy and encouragement",
    "reflection": "reflects back what the client said, in the therapist's words",
    "link": "links what surfaced to the client's own symptoms, behaviours or condition",
    "homework": "agrees homework: listening to the recording, in-vivo exercises",
    "closing": "ends the phase, praises the work done",
}

#: Client acts and what they mean.
CLIENT_ACTS: dict[str, str] = {
    "concern": "a worry or doubt about exposure",
    "question": "asks the therapist something",
    "response": "answers a question or responds to an explanation",
    "suds_report": "states a SUDS rating; the number is in the text and in the turn's suds field",
    "narration": "first-person, present-tense retelling of part of the trauma memory",
    "sensory_detail": "what they see, hear, smell or feel in the remembered scene",
    "struggle": "wants to stop, open the eyes, skip ahead, or feels overwhelmed",
    "detachment": "flat, distant, 'watching a movie' (under-engagement)",
    "grounding_response": "re-orients to the room after grounding",
    "feeling": "names feelings or body sensations after the exposure",
    "thought": "thoughts, beliefs or meanings that surfaced",
    "insight": "a new or more balanced understanding in their own words",
    "daily_life": "how symptoms, behaviours or the condition show in everyday life",
    "agreement": "agrees to begin, continue or do the homework",
}

#: Acts every conversation of a phase contains (checked by the tests).
REQUIRED_ACTS: dict[str, tuple[str, ...]] = {
    "P5": (
        "greeting",
        "rationale",
        "procedure",
        "psychoeducation",
        "concern",
        "reassurance",
        "suds_request",
        "suds_report",
        "validation",
        "agreement",
    ),
    "P10": (
        "instruction",
        "narration",
        "sensory_prompt",
        "suds_request",
        "suds_report",
        "reinforcement",
    ),
    "P6": ("instruction", "narration", "suds_request", "suds_report", "empathic_response"),
    "P7": ("instruction", "narration", "struggle", "reinforcement", "suds_request", "suds_report"),
    "P8": ("open_question", "feeling", "thought", "reflection", "validation", "suds_report"),
    "P11": (
        "open_question",
        "reflection",
        "link",
        "daily_life",
        "insight",
        "homework",
        "agreement",
        "closing",
    ),
}

ACTS: dict[str, str] = {**THERAPIST_ACTS, **CLIENT_ACTS}

#: The question-answer contract of the talk phases: for each therapist question
#: (``<phase>.<pool it is drawn from>``), the client pools whose lines answer it. The composer
#: pairs only these (:func:`tvt.compose.talk.answered` raises on any other pairing), and the
#: tests walk every talk-phase conversation of two seeds to check that each client turn after a
#: therapist question is one of them. A client line that would not answer the question (a story
#: about the week when asked about a thought) has no place in the pool the question lists.
ANSWERS: dict[str, tuple[str, ...]] = {
    # P5, orientation.
    "P5.greeting": ("dread",),
    "P5.substance_check_once": ("substance_answer",),
    "P5.ask_concern": ("concerns",),
    "P5.ask_question": ("questions", "rationale_response"),
    "P5.plan": ("plan_response",),
    "P5.suds_anchor": ("suds_report",),
    "P5.ask_expectation": ("expectation",),
    "P5.ask_life": ("life",),
    # P8, processing after the exposure: each ask_<topic> has its own answers.
    "P8.how_was_it": ("how_was_it",),
    "P8.suds_request": ("suds_report",),
    **{
        f"P8.ask_{topic}": (f"answers.{topic}",)
        for topic in (
            "hardest",
            "stood_out",
            "body_now",
            "thought_hotspot",
            "feelings_now",
            "people",
            "compare",
            "self",
            "meaning",
            "surprised",
            "needs_now",
            "then_vs_now",
            "anger",
            "control",
            "lately",
            "missing_out",
        )
    },
    "P8.belief_open": ("belief_answer",),
    "P8.belief_probe": ("belief_probe_answer",),
    "P8.follow_up": ("follow_up", "flashback", "risk_disclose"),
    "P8.attend": ("attend_response",),
    "P8.risk_pause": ("risk_confirm",),
    "P8.risk_plan": ("risk_no_plan",),
    "P8.risk_resources": ("risk_accept",),
    # P11, final processing and homework.
    "P11.opening": ("habituation",),
    "P11.numbers": ("numbers_response",),
    "P11.link": ("behaviour", "condition"),
    "P11.belief": ("stuck_state",),
    **{
        f"P11.stuck_{kind}": (f"stuck_answer_{kind}",)
        for kind in (
            "guilt",
            "danger",
            "incompetence",
        )
    },
    "P11.stuck_balance": ("belief_stem",),
    "P11.learned": ("learned",),
    "P11.suds_request": ("suds_report",),
    "P11.daily": ("daily",),
    "P11.strength": ("strength",),
    "P11.support": ("support",),
    "P11.substance_follow": ("substance_answer",),
    "P11.before_leaving": ("leaving_feel", "leaving_plan"),
    "P11.follow_up": ("risk_disclose",),
    "P11.risk_pause": ("risk_confirm",),
    "P11.risk_plan": ("risk_no_plan",),
    "P11.risk_resources": ("risk_accept",),
}
