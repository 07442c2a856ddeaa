"""The visit record's rules: the red-flag re-check asked at every visit, what its answers open,
whether the record may be signed, and where a ticked in-clinic item may have been done.

Pure: plain values in, a frozen result out; no database, no clock.

The re-check is three yes/no questions. A "yes" is never a note: it opens the assessment's
red-flag path (the red-flag section of an assessment, started or continued for this visit), and
the record cannot be signed as a routine visit. Once that assessment is signed (its red-flag
section saved and every current flag acknowledged, as the assessment's own signing requires),
the record may be signed as a visit that followed the red-flag path. What the practitioner finds
there, whom the patient is sent to and what care is held, is decided by the assessment's screen
(`redflags.screen`) and hazards, never here.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .facts import Side
from .redflags import SAME_DAY, SOON, URGENCY_ORDER

SWELLING_OR_HEAT = "new_swelling_or_heat"
NUMBNESS = "new_numbness"
MUCH_WORSE_PAIN = "much_worse_pain"


@dataclass(frozen=True)
class Question:
    """One re-check question: its code, what the practitioner asks, how soon a "yes" must be
    looked at, and the assessment sections where it is examined."""

    code: str
    label: str
    urgency: str
    sections: tuple[str, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(
        SWELLING_OR_HEAT,
        _("New swelling or heat in a leg"),
        SAME_DAY,
        ("red_flags", "measurements", "palpation"),
    ),
    Question(NUMBNESS, _("New numbness"), SOON, ("red_flags", "complaint")),
    Question(MUCH_WORSE_PAIN, _("Pain much worse than before"), SOON, ("red_flags", "complaint")),
)
QUESTION_BY_CODE = {question.code: question for question in QUESTIONS}


@dataclass(frozen=True)
class Recheck:
    """The answers as given: True (yes), False (no) or None (not answered)."""

    new_swelling_or_heat: bool | None = None
    new_numbness: bool | None = None
    much_worse_pain: bool | None = None

    def answer(self, code: str) -> bool | None:
        return getattr(self, code)


@dataclass(frozen=True)
class RecheckOutcome:
    unanswered: tuple[str, ...]  # question codes with no answer
    raised: tuple[str, ...]  # question codes answered "yes", in QUESTIONS order
    urgency: str | None  # the most urgent of the raised questions
    sections: tuple[str, ...]  # the assessment sections to examine, red flags first

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def opens_red_flag_path(self) -> bool:
        """Any "yes", even with another question unanswered: a yes is never held back."""
        return bool(self.raised)

    @property
    def routine(self) -> bool:
        return self.complete and not self.raised


def recheck(answers: Recheck) -> RecheckOutcome:
    """What the three answers mean: which are missing, which open the red-flag path."""
    unanswered = tuple(q.code for q in QUESTIONS if answers.answer(q.code) is None)
    raised = tuple(q for q in QUESTIONS if answers.answer(q.code) is True)
    urgency = min((q.urgency for q in raised), key=URGENCY_ORDER.index, default=None)
    sections = tuple(dict.fromkeys(s for q in raised for s in q.sections))
    return RecheckOutcome(unanswered, tuple(q.code for q in raised), urgency, sections)


def kept_yes(before: Recheck, after: Recheck) -> tuple[str, ...]:
    """The questions answered "yes" before that `after` no longer answers "yes": a change that
    would lose a red flag (refused by the service)."""
    return tuple(
        q.code
        for q in QUESTIONS
        if before.answer(q.code) is True and after.answer(q.code) is not True
    )


# Signing ---------------------------------------------------------------------------------

SIGN_ROUTINE = "routine"  # all three "no"
SIGN_AFTER_RED_FLAG_PATH = "after_red_flag_path"  # a "yes", and its assessment is signed
BLOCK_UNANSWERED = "unanswered"  # a question is not answered
BLOCK_RED_FLAG_PATH_OPEN = "red_flag_path_open"  # a "yes", its assessment not yet signed


@dataclass(frozen=True)
class SignVerdict:
    code: str

    @property
    def allowed(self) -> bool:
        return self.code in (SIGN_ROUTINE, SIGN_AFTER_RED_FLAG_PATH)


def sign_verdict(outcome: RecheckOutcome, *, red_flag_path_signed: bool) -> SignVerdict:
    """May the record be signed, and as what. A "yes" blocks signing until the assessment it
    opened is signed; an unanswered question always blocks."""
    if not outcome.complete:
        return SignVerdict(BLOCK_UNANSWERED)
    if outcome.raised:
        return SignVerdict(
            SIGN_AFTER_RED_FLAG_PATH if red_flag_path_signed else BLOCK_RED_FLAG_PATH_OPEN
        )
    return SignVerdict(SIGN_ROUTINE)


# Where a ticked in-clinic item was done -------------------------------------------------


def allowed_sides(plan_side: str) -> tuple[str, ...]:
    """The sides an in-clinic item may be recorded on, from the side the published plan gives it:
    an item given on both legs may be done on either or both; one given on one leg (the other
    held by a hazard, or the complaint's side) on that leg only; one not done on a leg on none."""
    if plan_side == Side.BOTH:
        return (Side.LEFT, Side.RIGHT, Side.BOTH)
    if plan_side in (Side.LEFT, Side.RIGHT):
        return (plan_side,)
    return (Side.NONE,)


def next_visit(visit_day: date, interval_days: int | None) -> date | None:
    """The next visit the plan's interval suggests (None when the plan states no interval)."""
    if not interval_days:
        return None
    return visit_day + timedelta(days=interval_days)
