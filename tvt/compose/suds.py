"""Within-phase SUDS arcs: rise to the peak at the hotspot, then partial habituation.

The plan fixes three numbers per exposure phase (start, peak, end). The client states exactly
``start`` at the first check, exactly ``peak`` at the check right after the hotspot and exactly
``end`` at the last check; checks in between follow a smooth curve, rounded to the fives people
tend to answer in, and never leave the [min, peak] corridor.
"""

from __future__ import annotations

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
    positions: list[float], peak_index: int, target: dict[str, int], rng: Stream
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
