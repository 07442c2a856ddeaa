"""The receipt (領収書) of a payment, as a PDF, in Japanese always.

What the receipt says comes from `Payment.receipt`, the snapshot frozen at checkout (clinic name,
address, phone and registration number; the patient's name; the lines; the totals): a later
change of the clinic's settings, a menu's price or the patient's name never rewrites a receipt
already given. Only three things are read live, and none of them changes what was paid:
- whether this print is the original or a reissue (the `ReceiptIssue` rows, patients/receipts.py);
- whether the payment was voided (取消): a void receipt may still be printed, for the file, and
  says 取消 across the top;
- refunds, appended below the total as notes (返金 ¥… and the day). The receipt stays what was
  paid; a reissue after a refund must not pass as proof of the full amount, so the note is there.

Never the wording of the medical-expense deduction: seitai fees do not qualify, so the receipt
says 施術代 and nothing of 医療費 (tests/assessments/test_receipts.py reads the PDF for it).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import translation

from assessments import pdf
from patients.models import Payment
from patients.receipts import Issued, issue_receipt

# The receipt is a Japanese document in fixed wording (templates/assessments/receipt_pdf.html);
# the payment methods are named here the same way, not through the UI's translations.
METHOD_WORDS = {
    "cash": "現金",
    "card": "クレジットカード",
    "qr": "QRコード決済",
    "ticket": "回数券",
}

# 但し書き: what the money was for, by the kinds of lines on the receipt.
PURPOSE_WORDS = {
    "treatment": "施術代",
    "ticket_use": "施術代",
    "item": "物品代",
    "ticket_sale": "回数券代",
}


def purpose_of(lines: list[dict]) -> str:
    """施術代, 物品代, 回数券代 or several of them joined by ・ (in the order of the lines)."""
    words = [PURPOSE_WORDS[line["kind"]] for line in lines if line["kind"] in PURPOSE_WORDS]
    return "・".join(dict.fromkeys(words)) or "施術代"


@dataclass(frozen=True)
class ReceiptFile:
    content: bytes
    filename: str


def filename_of(payment: Payment) -> str:
    return f"receipt-{payment.number_display}.pdf"


def receipt_pdf(*, payment: Payment, by) -> ReceiptFile:
    """Record this print (patients.receipts.issue_receipt) and render the receipt. `payment`
    comes from a scoped selector; `by` must be allowed to print it (PermissionDenied if not)."""
    issued = issue_receipt(payment=payment, by=by)
    refunds = list(
        payment.refunds.filter(amount__gt=0)
        .order_by("refunded_at", "id")
        .values("amount", "business_day")
    )
    content = render_receipt(
        payment.receipt, issued=issued, voided=payment.is_void, refunds=refunds
    )
    return ReceiptFile(content=content, filename=filename_of(payment))


def render_receipt(snapshot: dict, *, issued: Issued, voided: bool, refunds: list[dict]) -> bytes:
    context = receipt_context(snapshot, issued=issued, voided=voided, refunds=refunds)
    with translation.override("ja"):
        return pdf.render_pdf("assessments/receipt_pdf.html", context)


# 収入印紙: a receipt of ¥50,000 or more (before tax, when the tax is shown on it) takes a
# revenue stamp, except one for a card payment (it says so). The receipt leaves a box for it;
# whether one is due is the clinic's call, the box only keeps its place.
STAMP_FROM_YEN = 50_000


def needs_stamp_box(snapshot: dict) -> bool:
    base = snapshot["total"] - (snapshot["tax"] if snapshot["tax_rate"] else 0)
    return base >= STAMP_FROM_YEN and snapshot["method"] != "card"


def yen(amount: int) -> str:
    """¥6,600; a discount -¥600."""
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,}"


def receipt_context(snapshot: dict, *, issued: Issued, voided: bool, refunds: list[dict]) -> dict:
    """What the template prints: every figure from the snapshot, formatted here (the template
    only places them)."""
    lines = [
        {
            "description": line["description"],
            "unit_price": yen(line["unit_price"]),
            "quantity": line["quantity"],
            "amount": yen(line["amount"]),
        }
        for line in snapshot["lines"]
    ]
    rate = snapshot["tax_rate"]
    return {
        "number": f"{snapshot['number']:06d}",
        "day": dt.date.fromisoformat(snapshot["day"]),
        "clinic": snapshot["clinic"],
        "patient_name": snapshot["patient"]["name"],
        "lines": lines,
        "purpose": purpose_of(snapshot["lines"]),
        "total": yen(snapshot["total"]),
        # 適格請求書: the amount at each rate and the tax inside it (one rate per receipt here);
        # none for a tax-exempt clinic, nor on a visit paid wholly with a prepaid ticket (¥0).
        "tax": {"rate": rate, "base": yen(snapshot["total"]), "tax": yen(snapshot["tax"])}
        if rate and snapshot["total"]
        else None,
        "method": METHOD_WORDS.get(snapshot["method"], snapshot["method"]),
        "stamp_box": needs_stamp_box(snapshot),
        "reissue": issued.is_reissue,
        "copy": issued.copy,
        "issued_on": issued.issue.issued_at,
        "voided": voided,
        "refunds": [
            {"amount": yen(refund["amount"]), "day": refund["business_day"]} for refund in refunds
        ],
    }
