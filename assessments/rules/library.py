"""The home-exercise library as the plan rules read it, and the dose an exercise is given.

The library is clinic data (the clinic adds its own exercises); an exercise says which findings it
targets and what kind of care it is (its care tags, which the hazard table reads). Both use fixed
vocabularies, so a typo in a clinic's entry fails loudly instead of never matching (or, worse,
never being withheld).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .care import known_tags
from .facts import Side

TARGET_LABELS = {
    "tight_hamstring": _("Tight hamstring"),
    "knee_back_pain": _("Pain behind the knee"),
    "knee_back_tension": _("Tension behind the knee"),
    "stiff_ankle": _("Stiff ankle"),
    "stiff_hip": _("Stiff hip"),
    "calf_tension": _("Calf tension or cramping"),
    "posture_kyphosis": _("Rounded upper body"),
    "posture_lordosis": _("Arched lower back or forward-tilted pelvis"),
    "desk_work": _("Long hours sitting"),
    "cold_extremities": _("Cold hands and feet"),
    "night_cramps": _("Cramps at night"),
}


def _vocabulary_set(values: Iterable[str], known, what: str, code: str) -> frozenset[str]:
    values = frozenset(values)
    unknown = sorted(values - set(known))
    if unknown:
        raise ValueError(f"exercise {code!r}: unknown {what} {', '.join(unknown)}")
    return values


@dataclass(frozen=True)
class LibraryExercise:
    code: str
    name: str
    targets: frozenset[str]
    care_tags: frozenset[str]
    hold_seconds: int | None
    reps: int | None
    sets: int | None
    times_per_day: int
    duration_minutes: int | None
    per_side: bool
    retired: bool = False

    def __post_init__(self):
        # Accept any iterable (a JSON list from a row), keep a frozenset, refuse unknown codes.
        targets = _vocabulary_set(self.targets, TARGET_LABELS, "targets", self.code)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "care_tags", known_tags(self.care_tags, f"exercise {self.code!r}"))


@dataclass(frozen=True)
class Dose:
    """How much of an item: every field optional. `side` is where it is done ("both" for an
    exercise done per side); `extra_sets_side` is the tighter side, which gets one more set."""

    hold_seconds: int | None = None
    reps: int | None = None
    sets: int | None = None
    times_per_day: int | None = None
    duration_minutes: int | None = None
    side: str = Side.NONE
    extra_sets_side: str = Side.NONE

    def as_dict(self) -> dict[str, object]:
        return {
            "hold_seconds": self.hold_seconds,
            "reps": self.reps,
            "sets": self.sets,
            "times_per_day": self.times_per_day,
            "duration_minutes": self.duration_minutes,
            "side": self.side,
            "extra_sets_side": self.extra_sets_side,
        }


def exercise_dose(exercise: LibraryExercise, tighter_side: str) -> Dose:
    """The library's dose; a per-side exercise is done on both sides, with one more set on the
    tighter side when one side is known to be tighter and the exercise is counted in sets."""
    per_side = exercise.per_side
    extra = per_side and exercise.sets is not None and tighter_side in (Side.LEFT, Side.RIGHT)
    return Dose(
        hold_seconds=exercise.hold_seconds,
        reps=exercise.reps,
        sets=exercise.sets,
        times_per_day=exercise.times_per_day,
        duration_minutes=exercise.duration_minutes,
        side=Side.BOTH if per_side else Side.NONE,
        extra_sets_side=tighter_side if extra else Side.NONE,
    )
