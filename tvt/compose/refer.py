"""Referring expressions: which name of the event and of the hot spot a line says.

People name a thing in full once, when it first comes up, then by a short name, then by a word
that only points back at it ("that part"). Blind readers counted one hot spot named a dozen
times in one session, and the event's long name said word for word again and again; this module
is the policy that :meth:`tvt.compose.dialogue.Dialogue.fill` applies to every line with an
event or hot-spot slot. The names themselves (full, short, pointer) are built per client by
:func:`tvt.compose.narrative.build_narrative`; the count of mentions is kept per conversation in
the voice (``Voice.named``), shared by every speaker.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence

from tvt.compose.dialogue_text import hot_alone
from tvt.compose.language import agreement, name_index, slot_form

#: How many times a conversation names the hot spot by its short name after the full one,
#: before only a pointer ("that moment") refers to it. Each full name is said once a
#: conversation; the event's short names then take turns (see name_index).
REFER_SHORTS = 3
#: The most times a conversation names the hot spot by name at all (its full or short name):
#: past that, the pointer refers to it even in a sentence that says nothing else.
HOT_NAMED_MOST = 7
#: The event named by a pronoun once its full name has been said and no short name fits.
IT_NAME = {
    "event": "it",
    "event_cap": "It",
    "event_t": "it",
    "event_t_cap": "It",
    **agreement("event", "it"),
}

Name = Mapping[str, str]
Typed = tuple[tuple[str, frozenset[str]], ...]


def fitting_name(names: Sequence[Name], chosen: Name, typed: Typed, used: int = 0) -> Name:
    """``chosen`` if its form suits every typed event slot of the frame, else the first short
    name that does ("during that night", not "during losing our village"), else the full name
    the first time and "it" after (the full name is said once a conversation: "all of it", not
    "all of the night I called the police" again), else ``chosen`` (a frame drawn for no name
    at all)."""

    def suits(name: Name) -> bool:
        return all(
            slot_form(name["event"]) in accepted
            for slot, accepted in typed
            if slot.startswith("event")
        )

    if suits(chosen):
        return chosen
    found = next((n for n in names[1:] if suits(n)), None)
    if found is not None:
        return found
    if used == 0:
        return names[0] if suits(names[0]) else chosen
    return {**names[0], **IT_NAME}


def name_for(
    key: str,
    names: Sequence[Name],
    named: MutableMapping[str, int],
    template: str,
    typed: Typed,
) -> Name:
    """The name of ``key`` ("event" or "hot") that ``template`` says now, counting the mention
    in ``named``: in full the first time in a conversation, then by a short name, then by a
    pointer (see :func:`tvt.compose.language.name_index`). A pointer goes only beside something
    else of the client's own, since a sentence that says nothing else would read the same for
    every client, but not past :data:`HOT_NAMED_MOST` mentions."""
    used = named[key] = named.get(key, -1) + 1
    at = name_index(used, len(names), REFER_SHORTS, key == "hot")
    if key == "hot" and at == len(names) - 1 > 1 and used <= HOT_NAMED_MOST and hot_alone(template):
        at = 1
    chosen = names[at]
    if typed and key == "event":
        chosen = fitting_name(names, chosen, typed, used)
    return chosen
