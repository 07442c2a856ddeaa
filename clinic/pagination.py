"""Keyset pagination and capped counts for the long lists (patients, audit trail).

A page is found from a cursor, the id of a row (`?after=<id>` for the next page, `?before=<id>`
for the previous one), never from an OFFSET: the database seeks the list's index to the cursor's
row and reads one page, however deep the page is, and a link keeps pointing at the same place as
rows are added before it. The count is capped: counting stops at COUNT_CAP + 1 rows, so a list
of a million rows says "1,000+" without reading them.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from clinic.access import parse_id

COUNT_CAP = 1000


@dataclass
class Count:
    value: int
    capped: bool


def capped_count(queryset, cap: int | None = None) -> Count:
    """How many rows, up to `cap` (COUNT_CAP); `capped` when there are more."""
    cap = COUNT_CAP if cap is None else cap
    counted = queryset.order_by()[: cap + 1].count()
    return Count(min(counted, cap), counted > cap)


@dataclass
class KeysetPage:
    object_list: list
    count: Count
    has_next: bool = False
    has_previous: bool = False
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_after(self):
        return self.object_list[-1].pk if self.has_next and self.object_list else None

    @property
    def previous_before(self):
        return self.object_list[0].pk if self.has_previous and self.object_list else None


def _row_compare(model, order, operator, values) -> RawSQL:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        f"{table}.{connection.ops.quote_name(model._meta.get_field(name).column)}" for name in order
    )
    marks = ", ".join(["%s"] * len(values))
    return RawSQL(f"({columns}) {operator} ({marks})", list(values), output_field=BooleanField())


def keyset_page(
    queryset, *, order, per_page, after=None, before=None, anchors=None, count=None
) -> KeysetPage:
    """One page of `queryset` in `order` (field names, all ascending or all descending with "-",
    the last one unique), after or before the row whose id is the cursor. `anchors` is where the
    cursor's row is looked up (the list without its search filter, so a link stays valid while the
    row still belongs to the clinic); a cursor not found there gives the first page."""
    descending = order[0].startswith("-")
    if any(name.startswith("-") != descending for name in order):
        raise ValueError("keyset order must run in one direction")
    names = [name.lstrip("-") for name in order]
    anchors = queryset if anchors is None else anchors
    cursor = after if after is not None else before
    anchor = anchors.filter(pk=cursor).values_list(*names).first() if cursor else None
    forward = before is None or anchor is None
    model = queryset.model
    rows = queryset
    if anchor is not None:
        later = ">" if not descending else "<"
        earlier = "<" if not descending else ">"
        rows = rows.filter(_row_compare(model, names, later if forward else earlier, anchor))
    if forward:
        found = list(rows.order_by(*order)[: per_page + 1])
        if anchor is not None and not found:  # past the end (rows archived since): the start
            return keyset_page(queryset, order=order, per_page=per_page, count=count)
        page = KeysetPage(found[:per_page], count or capped_count(queryset))
        page.has_next = len(found) > per_page
        page.has_previous = anchor is not None
        return page
    reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in order]
    found = list(rows.order_by(*reverse)[: per_page + 1])
    if len(found) <= per_page:  # back at the start: the first page, full
        return keyset_page(queryset, order=order, per_page=per_page, count=count)
    page = KeysetPage(found[:per_page][::-1], count or capped_count(queryset))
    page.has_previous = page.has_next = True
    return page


def keys_page(queryset, keys, *, per_page, after=None, before=None) -> KeysetPage:
    """One page of a short list whose ordering keys (tuples ending with the id) are already in
    hand: ordered and cut here, then the page's rows read by id from `queryset`. Where the
    cursor's row is not among the keys, the first page."""
    keys = sorted(keys)
    position = {key[-1]: index for index, key in enumerate(keys)}
    cursor = after if after is not None else before
    start = 0
    if cursor in position:
        start = position[cursor] + 1 if after is not None else position[cursor] - per_page
        if start <= 0 or start >= len(keys):  # back at the start, or past the end: the start
            start = 0
    chosen = keys[start : start + per_page]
    rows = queryset.in_bulk([key[-1] for key in chosen])
    page = KeysetPage([rows[key[-1]] for key in chosen if key[-1] in rows], Count(len(keys), False))
    page.has_previous = start > 0
    page.has_next = start + per_page < len(keys)
    return page


@dataclass
class TrailPage:
    rows: list
    newer: int | None  # the cursor for `?after=`, or None on the newest page
    older: int | None  # the cursor for `?before=`, or None when nothing is older

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def newest_first_page(queryset, params, size: int = 50) -> TrailPage:
    """A list newest first by id (the audit trail): the page `params` (a QueryDict) asks for,
    `?before=<id>` older and `?after=<id>` newer; a cursor that is no id, or one past either end
    of the list, gives the newest page. At most two queries, both bounded by `size`."""
    before, after = parse_id(params.get("before")), parse_id(params.get("after"))
    newest_first = queryset.order_by("-pk")
    if after is not None:
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])[::-1]
        if rows:
            newer = rows[1].pk if len(rows) > size else None
            rows = rows[-size:]
            older = rows[-1].pk if newest_first.filter(pk__lt=rows[-1].pk).exists() else None
            return TrailPage(rows, newer, older)
    elif before is not None:
        rows = list(newest_first.filter(pk__lt=before)[: size + 1])
        if rows:
            newer = rows[0].pk if newest_first.filter(pk__gt=rows[0].pk).exists() else None
            return TrailPage(rows[:size], newer, rows[size - 1].pk if len(rows) > size else None)
    rows = list(newest_first[: size + 1])
    return TrailPage(rows[:size], None, rows[size - 1].pk if len(rows) > size else None)
