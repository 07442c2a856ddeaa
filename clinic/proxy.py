"""The client's address behind our reverse proxies, for the log-in lockout (django-axes).

Each proxy appends the address it received the request from to X-Forwarded-For (nginx:
`$proxy_add_x_forwarded_for`), so with N trusted proxies in front the client is the N-th entry
from the right; whatever stands further left was typed by the client and is never believed.
"""

import ipaddress

from django.conf import settings


def _valid(address: str | None) -> str | None:
    # "unknown", "1.2.3.4:5678" or "fe80::1%eth0" in a header must not reach the database's
    # address column (a 500 there would stop every audited request).
    if not address or "%" in address:  # Python takes an IPv6 zone, the database does not
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request) -> str | None:
    # None, like django-axes's own fallback, when there is no socket (force_login's bare request).
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    # Fewer entries than proxies: the request did not come through them; keep the socket's address.
    client = _valid(forwarded[-count]) if len(forwarded) >= count else None
    return client or remote
