"""How often a link may be e-mailed: per address and per client address, in the database (so
every worker process counts the same requests).

Every request counts, whether or not the address belongs to anyone: the answer then says nothing
about which addresses exist. Rows older than a day are removed as new ones are written.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from clinic.models import SentMail

KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    per_address: int  # requests for one address in the window
    per_client: int  # requests from one client address in the window
    window: dt.timedelta


def limits() -> dict[str, Limit]:
    hour = dt.timedelta(hours=1)
    return {
        "reset": Limit(settings.RESET_MAILS_PER_ADDRESS, settings.RESET_MAILS_PER_CLIENT, hour),
        "invitation": Limit(
            settings.INVITATION_MAILS_PER_ADDRESS, settings.INVITATION_MAILS_PER_CLIENT, hour
        ),
    }


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"hikagami.throttle.{kind}", value.strip().lower()).hexdigest()


@transaction.atomic
def allow(*, kind: str, address: str, client: str | None, now=None) -> bool:
    """Count this request and say whether a mail may go out for it."""
    now = now or timezone.now()
    limit = limits()[kind]
    address_key = _key(kind, address)
    client_key = _key(kind, client) if client else ""
    since = now - limit.window
    recent = SentMail.objects.filter(kind=kind, created_at__gt=since)
    allowed = recent.filter(address_key=address_key).count() < limit.per_address and (
        not client_key or recent.filter(client_key=client_key).count() < limit.per_client
    )
    SentMail.objects.filter(created_at__lt=now - KEEP).delete()
    SentMail.objects.create(
        kind=kind, address_key=address_key, client_key=client_key, created_at=now
    )
    return allowed


def minutes_to_wait(*, kind: str, address: str, now=None) -> int:
    """When the next mail to this address may go out (for the desk's message)."""
    now = now or timezone.now()
    limit = limits()[kind]
    rows = SentMail.objects.filter(
        kind=kind, address_key=_key(kind, address), created_at__gt=now - limit.window
    ).order_by("-created_at")
    times = list(rows.values_list("created_at", flat=True)[: limit.per_address])
    if len(times) < limit.per_address:
        return 0
    free_at = times[-1] + limit.window
    return max(1, int((free_at - now).total_seconds() // 60) + 1)
