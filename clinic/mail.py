"""Every e-mail the system sends goes through `send()`: what reaches a header is one line.

A header with a line break in it is refused by Django (BadHeaderError), so a clinic or person
name with a line break in it would make every message naming it fail. `header_line()` folds every
line break, control and format character (zero-width, direction marks) of a text into one space,
so a subject shows what a person would read, and cannot carry a second header.
"""

import logging
import unicodedata

from django.core.mail import EmailMessage

log = logging.getLogger("hikagami.mail")

SUBJECT_MAX = 200


def header_line(text, *, limit: int = SUBJECT_MAX) -> str:
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        # Cc: controls (CR, LF, tab); Cf: format (zero-width, bidi); Zl/Zp: line/paragraph
        # separators; Cs/Co/Cn: surrogates, private use, unassigned.
        kept.append(" " if category[0] in "CZ" else char)
    line = " ".join("".join(kept).split())
    return line[:limit].rstrip()


def _address_ok(address: str) -> bool:
    return bool(address) and header_line(address) == address and "," not in address


def send(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    """Send one message; returns how many were sent (0 when no recipient can take one)."""
    recipients = [address for address in to if _address_ok(address)]
    if len(recipients) != len(to):
        log.warning("mail: %d recipient address(es) refused", len(to) - len(recipients))
    if not recipients:
        return 0
    message = EmailMessage(header_line(subject), body, from_email, recipients)
    return message.send()
