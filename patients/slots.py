"""Free slots: where in a day a visit of a given length can still start.

Pure: no Django imports, tested without a database. Times are minutes after midnight (local
wall-clock), so a day is 0-1440; `minute_of` and `time_of` convert. The bookable stretches come
from `patients.hours.bookable_intervals`; the busy stretches are the visits that hold the
practitioner's time (cancelled and missed visits do not).

A slot starts on the calendar's step (SLOT_MINUTES from midnight: 09:00, 09:15, ...), fits whole
inside one bookable stretch and overlaps no busy one: exactly the visits `hours.refusal` and the
booking's overlap check would accept, so a free slot clicked is a booking that succeeds unless
someone took it meanwhile.
"""

from collections.abc import Iterable
from datetime import time

SLOT_MINUTES = 15  # the calendar's step
ROW_MINUTES = 5  # the grid's row: visits start and end on 5-minute marks
DAY_MINUTES = 24 * 60


def minute_of(value: time) -> int:
    return value.hour * 60 + value.minute


def time_of(minute: int) -> time:
    """The time of day `minute` minutes after midnight (1440, the end of the day, is 23:59:59)."""
    if minute >= DAY_MINUTES:
        return time(23, 59, 59)
    return time(minute // 60, minute % 60)


def free_starts(
    *,
    bookable: Iterable[tuple[int, int]],
    busy: Iterable[tuple[int, int]],
    minutes: int,
    step: int = SLOT_MINUTES,
    not_before: int = 0,
) -> list[int]:
    """The starts (minutes after midnight, on multiples of `step`, not before `not_before`) of
    a visit lasting `minutes` that fits inside one `bookable` stretch and overlaps no `busy`
    one (touching ends do not overlap)."""
    if minutes <= 0 or step <= 0:
        raise ValueError("a visit and a step last at least a minute")
    taken = sorted(busy)
    found = []
    for low, high in sorted(bookable):
        first = max(low, not_before)
        start = -(-first // step) * step  # the first step at or after `first`
        while start + minutes <= high:
            end = start + minutes
            clash = next((b for b in taken if b[0] < end and start < b[1]), None)
            if clash is None:
                found.append(start)
                start += step
            else:
                start = max(start + step, -(-clash[1] // step) * step)
    return found


def closed_stretches(*, window: tuple[int, int], bookable: Iterable[tuple[int, int]]):
    """The parts of `window` outside every bookable stretch (what the calendar greys out)."""
    low, high = window
    gaps, cursor = [], low
    for start, end in sorted(bookable):
        start, end = max(start, low), min(end, high)
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < high:
        gaps.append((cursor, high))
    return gaps


def window_of(spans: Iterable[tuple[int, int]], *, default=(9 * 60, 20 * 60)) -> tuple[int, int]:
    """The hours a calendar shows: from the earliest start to the latest end of `spans`, widened
    to whole hours; `default` when there are none (a closed week)."""
    spans = list(spans)
    if not spans:
        return default
    low = min(start for start, _end in spans) // 60 * 60
    high = -(-max(end for _start, end in spans) // 60) * 60
    return low, min(high, DAY_MINUTES)


def rows(start: int, end: int, *, window_start: int) -> tuple[int, int]:
    """The grid rows (first row, how many) a stretch from `start` to `end` takes in a calendar
    whose first row is `window_start`: one row per ROW_MINUTES, the first row numbered 1."""
    first = (start - window_start) // ROW_MINUTES + 1
    last = -(-(end - window_start) // ROW_MINUTES)
    return max(first, 1), max(last - first + 1, 1)
