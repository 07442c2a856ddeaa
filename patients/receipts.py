"""Receipt issues (領収書の発行): each print or download of a payment's receipt is a
`ReceiptIssue` row. The first one is the original; every later one is a reissue (再発行), and
the receipt says so. The document itself is rendered by assessments/receipts.py from the
payment's frozen snapshot.

Two prints at the same moment cannot both be the original: the payment's row is locked while
the earlier issues are counted and the new one is written. The issue is committed before the
PDF is rendered (the lock is held for two short queries, not for a render): should the render
then fail, the next print says 再発行, which is the safe side (never two originals)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clinic.access import roles_of
from clinic.models import Role
from patients.models import Payment, ReceiptIssue

DESK_ROLES = frozenset({Role.FRONT_DESK, Role.ADMIN})


@dataclass(frozen=True)
class Issued:
    issue: ReceiptIssue
    copy: int  # 1 for the original, 2 for the first reissue ...

    @property
    def is_reissue(self) -> bool:
        return self.copy > 1


def may_issue(by, payment: Payment) -> bool:
    """The clinic's front desk and admins; a patient, for their own payments only.
    Practitioners do not print receipts."""
    if by.clinic_id != payment.clinic_id:
        return False
    roles = roles_of(by)
    if roles & DESK_ROLES:
        return True
    return Role.PATIENT in roles and payment.patient.portal_user_id == by.pk


def issue_receipt(*, payment: Payment, by, now=None) -> Issued:
    """Record one print of `payment`'s receipt by `by` and say which copy it is."""
    if not may_issue(by, payment):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        Payment.objects.select_for_update(no_key=True).filter(pk=payment.pk).values_list("pk").get()
        earlier = ReceiptIssue.objects.filter(payment_id=payment.pk).count()
        issue = ReceiptIssue.objects.create(payment=payment, issued_at=now, issued_by=by)
    return Issued(issue=issue, copy=earlier + 1)
