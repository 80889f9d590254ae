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
