"""The client's address behind our reverse proxies, for the log-in lockout (django-axes).

Each proxy appends the address it received the request from to X-Forwarded-For (nginx:
`$proxy_add_x_forwarded_for`), so with N trusted proxies in front the client is the N-th entry
from the right; whatever stands further left was typed by the client and is never believed.
"""

from django.conf import settings


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
    return forwarded[-count] if len(forwarded) >= count else remote
