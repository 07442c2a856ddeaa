"""The staff session's absolute lifetime, beside the idle timeout (clinic/middleware.py).

Ending every session of an account at once is the `session_epoch` on the user, which is part of
each session's auth hash (`User._get_session_auth_hash`): deactivating an account moves it
(`User.save`), so its sessions stay dead when it is active again.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

LOGGED_IN_AT = "logged_in_at"


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
