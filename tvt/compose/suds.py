"""Within-phase SUDS arcs: rise to the peak at the hotspot, then partial habituation.

The plan fixes three numbers per exposure phase (start, peak, end). The client states exactly
``start`` at the first check, exactly ``peak`` at the check right after the hotspot and exactly
``end`` at the last check; checks in between follow a smooth curve, rounded to the fives people
tend to answer in, and never leave the [min, peak] corridor.
"""

from __future__ import annotations

from collections.abc import Sequence

from tvt.records import PhaseSuds, SudsCourse
from tvt.rng import Stream


def arc_level(pos: float, hot: float, start: float, peak: float, end: float) -> float:
    """Distress (0-100) at relative position ``pos`` in [0, 1] with the hotspot at ``hot``."""
    if pos <= hot:
        frac = pos / hot if hot > 0 else 1.0
        # Distress climbs slowly at first and steeply as the hotspot approaches.
        return start + (peak - start) * frac**1.4
    frac = (pos - hot) / (1.0 - hot) if hot < 1 else 1.0
    # Habituation: the steepest fall comes soon after the peak, then it levels off.
    return peak - (peak - end) * (1.0 - (1.0 - frac) ** 1.6)


def stated_values(
    positions: list[float], peak_index: int, target: PhaseSuds, rng: Stream
) -> list[int]:
    """SUDS the client states at checks placed at ``positions`` (first = start, last = end).

    ``peak_index`` is the check that follows the hotspot narration and states the peak.
    """
    start, peak, end = target["start"], target["peak"], target["end"]
    hot = positions[peak_index]
    out: list[int] = []
    last = len(positions) - 1
    for i, pos in enumerate(positions):
        if i == 0 and i != peak_index:
            out.append(start)
        elif i == peak_index:
            out.append(peak)
        elif i == last:
            out.append(end)
        else:
            level = arc_level(pos, hot, start, peak, end) + rng.uniform(-3.0, 3.0)
            value = int(5 * round(level / 5)) if rng.random() < 0.7 else int(round(level))
            if i < peak_index:
                # Before the hotspot the peak is never reached, so it is first stated there.
                out.append(max(start, min(peak - 1, value)) if peak > start else peak)
            else:
                out.append(max(min(end, peak), min(peak, value)))
    return out


# -- within-session courses ------------------------------------------------------------------------
#: How a session's distress can run (the plan draws one per exposure phase, tvt.plan). Real
#: exposures do not all rise to the hot spot and habituate: the peak may come early or late, two
#: hot spots may give two peaks, distress may plateau, may not come down within the session, or
#: may rise again after a dip (Foa et al., 2019, ch. 8 on SUDS patterns during imaginal exposure).
COURSES = ("hotspot", "early", "late", "two-peaks", "plateau", "no-come-down", "rise-after-dip")


def _ease(a: float, b: float, frac: float) -> float:
    """Smooth (cosine) interpolation from a to b."""
    import math

    return a + (b - a) * (1.0 - math.cos(math.pi * frac)) / 2.0


#: How far (relative position) a planned peak may move to land on a hot spot of the retelling.
SNAP = 0.2


def _snap(at: float, hots: Sequence[float]) -> float:
    """``at`` moved onto the nearest hot spot of the retelling within :data:`SNAP`, if any.

    A peak at the very start or end of the session stays there: it is the dread before the
    retelling or the distress that has not come down, not a moment of the story.
    """
    if at <= 0.0 or at >= 1.0 or not hots:
        return at
    near = min(hots, key=lambda h: abs(h - at))
    return near if abs(near - at) <= SNAP and 0.0 < near < 1.0 else at


def course_knots(
    course: SudsCourse | None,
    hot: float,
    start: float,
    peak: float,
    end: float,
    hots: Sequence[float] = (),
) -> list[tuple[float, float]] | None:
    """The (position, SUDS) knots of a course; ``None`` for the hot-spot arc (:func:`arc_level`).

    ``hots`` are the positions of the story's hot spots in this retelling (the composer passes
    them): a course's peaks move onto the nearest one (:data:`SNAP`), so distress peaks where
    the story does, and which hot spot that is (the first retelling's, a later one's, the first
    and the last) is what the course decides.
    """
    kind = course["kind"] if course else "hotspot"
    if course is None or kind == "hotspot":
        return None  # the classic arc
    at = _snap(float(course.get("at", 0.5)), hots)
    if kind in ("early", "late", "no-come-down"):
        return [(0.0, start), (at, peak), (1.0, end)]
    if kind == "two-peaks":
        other, dip = float(course["first"]), float(course["dip"])
        if at > 0.5:  # the lower peak first, then the higher one
            o = _snap(at * 0.45, [h for h in hots if h < at - 0.15])
            d = (o + at) / 2
            return [(0.0, start), (o, other), (d, dip), (at, peak), (1.0, end)]
        o = _snap(at + (1.0 - at) * 0.65, [h for h in hots if h > at + 0.15])
        d = (o + at) / 2
        return [(0.0, start), (at, peak), (d, dip), (o, other), (1.0, end)]
    if kind == "plateau":
        return [(0.0, start), (at, peak), (0.85, peak - float(course.get("sag", 3))), (1.0, end)]
    if kind == "rise-after-dip":
        dip = float(course["dip"])
        return [(0.0, start), (at, peak), (at + (1.0 - at) * 0.5, dip), (1.0, end)]
    raise ValueError(f"unknown SUDS course {kind!r}")


def course_level(
    pos: float,
    course: SudsCourse | None,
    hot: float,
    start: float,
    peak: float,
    end: float,
    hots: Sequence[float] = (),
) -> float:
    """Distress (0-100) at ``pos`` along the session's planned course (see :data:`COURSES`)."""
    return course_levels([pos], course, hot, start, peak, end, hots)[0]


def course_levels(
    positions: Sequence[float],
    course: SudsCourse | None,
    hot: float,
    start: float,
    peak: float,
    end: float,
    hots: Sequence[float] = (),
) -> list[float]:
    """:func:`course_level` at each of ``positions`` (the course's knots worked out once)."""
    knots = course_knots(course, hot, start, peak, end, hots)
    if knots is None:
        return [arc_level(pos, hot, start, peak, end) for pos in positions]
    out = []
    for pos in positions:
        level = knots[-1][1]
        for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
            if pos <= x1:
                level = _ease(y0, y1, (pos - x0) / (x1 - x0) if x1 > x0 else 1.0)
                break
        out.append(min(max(level, 0.0), float(peak)))  # never below 0 or above the peak
    return out


def course_values(
    positions: list[float],
    course: SudsCourse,
    target: PhaseSuds,
    rng: Stream,
    hots: Sequence[float] = (),
) -> tuple[list[int], int]:
    """SUDS stated at checks placed at ``positions`` along a non-hot-spot course, and the index of
    the check that states the session's peak (the check nearest the course's maximum).

    The first check states ``start`` and the last ``end``; the peak check states ``peak`` (the
    first or the last check when the course peaks there, where start or end is the peak); the
    others follow the course with the same rounding habits as :func:`stated_values`, inside
    [0, peak].
    """
    start, peak, end = target["start"], target["peak"], target["end"]
    knots = course_knots(course, 0.5, start, peak, end, hots) or []
    top_pos = max(knots, key=lambda k: k[1])[0] if knots else 0.5
    last = len(positions) - 1
    if top_pos <= 0.0 and start == peak:
        peak_index = 0
    elif top_pos >= 1.0 and end == peak:
        peak_index = last
    else:
        inner = range(1, last) if len(positions) > 2 else range(len(positions))
        peak_index = min(inner, key=lambda i: abs(positions[i] - top_pos))
    out: list[int] = []
    for i, pos in enumerate(positions):
        if i == peak_index:
            out.append(peak)
        elif i == 0:
            out.append(start)
        elif i == last:
            out.append(end)
        else:
            level = course_level(pos, course, 0.5, start, peak, end, hots)
            level += rng.uniform(-3.0, 3.0)
            value = int(5 * round(level / 5)) if rng.random() < 0.7 else int(round(level))
            out.append(max(0, min(peak - 1 if peak > 0 else 0, value)))
    return out, peak_index
