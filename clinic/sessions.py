"""Ending a person's sessions, and the staff session's absolute lifetime.

`end_sessions()` moves the account's `session_epoch`, which is part of every session's auth hash
(`User._get_session_auth_hash`): every session logged in before stops at its next request, and
stays stopped when the account is active again, without walking the session table. The session
of the request that did it may be kept (a person changing their own password stays logged in).
"""

import time

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.db.models import F

LOGGED_IN_AT = "logged_in_at"


def end_sessions(*, user, keep_request=None) -> None:
    from clinic.models import User

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    if keep_request is not None and keep_request.user.pk == user.pk:
        update_session_auth_hash(keep_request, user)


def start_clock(session) -> None:
    session[LOGGED_IN_AT] = int(time.time())


def past_lifetime(request) -> bool:
    """A staff session older than STAFF_SESSION_HOURS ends, however active it has been. A
    session from before this rule gets its clock started now."""
    started = request.session.get(LOGGED_IN_AT)
    if started is None:
        start_clock(request.session)
        return False
    return time.time() - started > settings.STAFF_SESSION_HOURS * 3600


def end_this_session(request) -> None:
    logout(request)
