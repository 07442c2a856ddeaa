import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from clinic import sessions
from clinic.models import STAFF_ROLES

# The session is written at most once a minute, not on every request (a write costs queries).
TOUCH_EVERY_SECONDS = 60


def _touch(session):
    session["staff_touched"] = int(time.time())
    session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)


@receiver(user_logged_in)
def start_idle_clock(sender, request, user, **kwargs):
    if request is None:
        return
    if getattr(user, "role", None) in STAFF_ROLES:
        _touch(request.session)
        sessions.start_clock(request.session)
    else:
        # The default age, not the short one of an anonymous session that kept a post
        # (clinic/resume.py): login() keeps the anonymous session's data, its expiry included.
        request.session.set_expiry(None)


class StaffIdleTimeout:
    """Staff sessions expire after STAFF_IDLE_MINUTES without a request (Django has no idle
    timeout of its own): activity pushes the expiry forward, at most once a minute. And they end
    STAFF_SESSION_HOURS after the log-in, however active (clinic/sessions.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role in STAFF_ROLES:
            if sessions.past_lifetime(request):
                sessions.end_this_session(request)
                messages.info(
                    request, _("Your session reached its time limit. Please log in again.")
                )
                return redirect_to_login(request.get_full_path())
            last = request.session.get("staff_touched", 0)
            if time.time() - last > TOUCH_EVERY_SECONDS:
                _touch(request.session)
        return self.get_response(request)


class NoStore:
    """Cache-Control: no-store, private on every response Django itself produces: patient pages,
    the portal, PDFs, CSV exports, log-in pages and errors alike, so no browser, proxy or shared
    computer keeps a copy of a page that may hold health data. It sits below WhiteNoise, which
    answers /static/ before it (static files stay cacheable: hashed names are cached for good)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
