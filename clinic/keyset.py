"""Keyset pages of a long list, newest first by id: `?before=<id>` (older) and `?after=<id>`
(newer) links that show the same rows however many arrive meanwhile, where an OFFSET page would
shift and walk every row before it; and a count that stops at a cap instead of counting a whole
table on every request."""

from dataclasses import dataclass

from clinic.access import parse_id

COUNT_CAP = 1000


@dataclass
class KeysetPage:
    rows: list
    newer: int | None  # the cursor for `?after=`, or None on the newest page
    older: int | None  # the cursor for `?before=`, or None when nothing is older

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def page_of(queryset, params, size: int = 50) -> KeysetPage:
    """The page `params` (a QueryDict) asks for; a cursor that is no id, or one past either end
    of the list, gives the newest page. At most two queries, both bounded by `size`."""
    before, after = parse_id(params.get("before")), parse_id(params.get("after"))
    newest_first = queryset.order_by("-pk")
    if after is not None:
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])[::-1]
        if rows:
            newer = rows[1].pk if len(rows) > size else None
            rows = rows[-size:]
            older = rows[-1].pk if newest_first.filter(pk__lt=rows[-1].pk).exists() else None
            return KeysetPage(rows, newer, older)
    elif before is not None:
        rows = list(newest_first.filter(pk__lt=before)[: size + 1])
        if rows:
            newer = rows[0].pk if newest_first.filter(pk__gt=rows[0].pk).exists() else None
            return KeysetPage(rows[:size], newer, rows[size - 1].pk if len(rows) > size else None)
    rows = list(newest_first[: size + 1])
    return KeysetPage(rows[:size], None, rows[size - 1].pk if len(rows) > size else None)


def capped_count(queryset, cap: int) -> int:
    """How many rows, counted up to `cap + 1` (a LIMIT'd subquery): more than `cap` means "cap+"."""
    return queryset.order_by()[: cap + 1].count()
