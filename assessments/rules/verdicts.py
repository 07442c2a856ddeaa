"""May this item be given, on which side, and if not, which hazard stops it?

One function, `check`, answers it for the generator (which may narrow a two-sided item to its
safe side), for the editor (an item added or changed by hand) and at publishing (every item as
it would be given). A left-side hazard never reaches right-side care; a hazard on both legs, or
on no known side, reaches both. An item done with both legs at once (a pelvic adjustment, both
knees tipped together) cannot be split: a hazard on either leg holds it whole.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .facts import Side
from .hazards import ABSOLUTE, RELATIVE, SEVERITY_ORDER, Hazard

LEGS = (Side.LEFT, Side.RIGHT)


@dataclass(frozen=True)
class CareItem:
    """What the check reads about an item: its care tags and where it is given.

    `side`: LEFT or RIGHT (one leg), BOTH (each leg in turn) or NONE (not on one leg: both legs
    at once, or nowhere in particular). `splittable`: a BOTH item that can be done on one leg.
    """

    kind: str
    code: str
    tags: frozenset[str]
    side: str = Side.NONE
    splittable: bool = False


@dataclass(frozen=True)
class Block:
    """A hazard that stops an item on one leg; `tag` is the item's care it blocks (the wording
    key). `leg` is LEFT or RIGHT, or BOTH for an item that cannot be split."""

    hazard: Hazard
    tag: str
    leg: str

    @property
    def severity(self) -> str:
        return self.hazard.severity


@dataclass(frozen=True)
class Verdict:
    """`side` is where the item may be given without a reason (the item's own side, or the safe
    leg of a split item), or None when it may not be given at all."""

    item: CareItem
    side: str | None
    blocks: tuple[Block, ...]

    @property
    def clear(self) -> bool:
        return not self.blocks

    @property
    def held(self) -> bool:
        return self.side is None

    @property
    def narrowed(self) -> bool:
        return self.side is not None and self.side != self.item.side

    @property
    def held_leg(self) -> str | None:
        """The leg on hold when the item was narrowed to the other one."""
        if not self.narrowed:
            return None
        return Side.RIGHT if self.side == Side.LEFT else Side.LEFT

    @property
    def severity(self) -> str | None:
        """The most serious severity among the blocks (absolute before relative)."""
        if not self.blocks:
            return None
        return min((block.severity for block in self.blocks), key=SEVERITY_ORDER.index)

    @property
    def absolute(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.severity == ABSOLUTE)

    @property
    def relative(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.severity == RELATIVE)

    def hazard_codes(self) -> list[str]:
        """Each blocking hazard once, most serious first (table order within a severity)."""
        return list(dict.fromkeys(block.hazard.code for block in self.blocks))


def _legs_of(item: CareItem) -> tuple[str, ...]:
    return (item.side,) if item.side in LEGS else LEGS


def _blocks_on(leg: str, item: CareItem, hazards: Iterable[Hazard]) -> list[Block]:
    found = []
    for hazard in hazards:
        tag = hazard.rule.blocked_tag(item.tags)
        if tag is not None and hazard.covers(leg):
            found.append(Block(hazard, tag, leg))
    return found


def check(item: CareItem, hazards: Iterable[Hazard]) -> Verdict:
    """The verdict for `item` under `hazards` (precautions block nothing)."""
    hazards = tuple(hazards)
    if not item.tags:
        return Verdict(item, item.side, ())
    per_leg = {leg: _blocks_on(leg, item, hazards) for leg in _legs_of(item)}
    blocks = tuple(block for leg_blocks in per_leg.values() for block in leg_blocks)
    free = [leg for leg, leg_blocks in per_leg.items() if not leg_blocks]
    if len(free) == len(per_leg):
        side = item.side
    elif item.side == Side.BOTH and item.splittable and free:
        side = free[0]
    else:
        side = None
    return Verdict(item, side, _ordered(_once_per_hazard(blocks)))


def _once_per_hazard(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Each hazard once: on its one leg, or BOTH when it stops the item on both."""
    legs: dict[str, set[str]] = {}
    first: dict[str, Block] = {}
    for block in blocks:
        first.setdefault(block.hazard.code, block)
        legs.setdefault(block.hazard.code, set()).add(block.leg)
    return tuple(
        Block(block.hazard, block.tag, legs[code].pop() if len(legs[code]) == 1 else Side.BOTH)
        for code, block in first.items()
    )


def _ordered(blocks: Iterable[Block]) -> tuple[Block, ...]:
    return tuple(sorted(blocks, key=lambda block: SEVERITY_ORDER.index(block.severity)))


def as_given(item: CareItem, hazards: Iterable[Hazard]) -> Verdict:
    """The verdict for the item exactly as it would be given (never narrowed): what publishing
    and the editor check."""
    return check(replace(item, splittable=False), hazards)


def unmet(
    verdict: Verdict, overridden: Iterable[str]
) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
    """What still stops an item given as it is: (absolute blocks, relative blocks whose hazard
    the practitioner's written reason does not cover)."""
    covered = set(overridden)
    return verdict.absolute, tuple(b for b in verdict.relative if b.hazard.code not in covered)
