"""A form posted after the session ended comes back after the log-in, unsaved.

A practitioner types a long form, leaves the tablet past STAFF_IDLE_MINUTES and presses Save: the
POST arrives anonymous. `access.allow()` keeps its fields in the new anonymous session (`keep`)
and sends the person to log in with `next=` that page; Django's `login()` and the second-factor
step both keep an anonymous session's data (they change its key, not its contents). The first
page a fully logged-in user then opens takes the kept post out of the session (`take`); only when
that page is the one it was posted to, asked for with GET within MAX_AGE_SECONDS, is it put on the
request, and `access.form_data()` hands it to the view to bind its form.

Why this shows nobody what they may not see, and saves nothing for anyone: the person logging in
may not be the one who typed (a shared tablet). The kept fields reach the page only through the
view itself, after `access.allow()` has checked the role and second factor of whoever logged in
and the view has fetched its object through the `access.get_*` helpers (403 or 404 before any
form is built). And the request stays a GET: the view renders the bound form, with its errors,
and saves only when someone presses Save, so the audit trail's "who saved it" is always the
person who pressed it.

What is kept is bounded: one post (the newest), only from a request that passed the CSRF check,
its text fields only (uploaded files are never kept), never a password, token or the CSRF token,
and nothing at all when the text is over MAX_BYTES. The anonymous session carrying it expires
after MAX_AGE_SECONDS; the log-in gives the session its usual age again (clinic/middleware.py).
"""

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

SESSION_KEY = "resume_post"
MAX_AGE_SECONDS = 2 * 60 * 60
MAX_BYTES = 64 * 1024
# The names Django's and django-otp's forms give secrets; `_is_secret` also catches any other name
# with "password" in it or ending in "token" (a prefixed form's, say).
NEVER_KEPT = frozenset(
    {
        "csrfmiddlewaretoken",
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password1",
        "new_password2",
        "otp_token",
        "token",
    }
)


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in NEVER_KEPT or "password" in lowered or lowered.endswith("token")


def _fields(request) -> list[list] | None:
    """The post's text fields as [name, [values]], or None when there is nothing to keep or it
    is too large."""
    try:
        posted = request.POST  # text fields only: uploaded files are in request.FILES
    except (SuspiciousOperation, MultiPartParserError):  # too large or malformed for Django
        return None
    fields, size = [], 0
    for name, values in posted.lists():
        if _is_secret(name):
            continue
        size += len(name.encode()) + sum(len(value.encode()) for value in values)
        if size > MAX_BYTES:
            return None
        fields.append([name, values])
    return fields or None


def keep(request):
    """Keep an anonymous POST's fields in the session for `take` after the log-in; the newest
    replaces any older one, and one that cannot be kept removes it."""
    request.session.pop(SESSION_KEY, None)
    if not getattr(request, "csrf_processing_done", False):  # a csrf_exempt view: not ours
        return
    fields = _fields(request)
    if fields is None:
        return
    request.session[SESSION_KEY] = {
        "path": request.get_full_path(),
        "at": int(time.time()),
        "fields": fields,
    }
    request.session.set_expiry(MAX_AGE_SECONDS)


def take(request):
    """Take the kept post out of the session (at most once); put it on the request as
    `resumed_post` only for a GET of the page it was posted to, within MAX_AGE_SECONDS."""
    kept = request.session.pop(SESSION_KEY, None)  # marks the session changed only if it was there
    if not isinstance(kept, dict) or request.method != "GET":
        return
    age = time.time() - kept.get("at", 0)
    if kept.get("path") == request.get_full_path() and 0 <= age <= MAX_AGE_SECONDS:
        pairs = [(name, value) for name, values in kept["fields"] for value in values]
        request.resumed_post = QueryDict(urlencode(pairs))


def resumed(request) -> QueryDict | None:
    """The kept post put on this request by `take`, with a message saying it was not saved."""
    data = getattr(request, "resumed_post", None)
    if data is not None and not getattr(request, "resumed_post_told", False):
        request.resumed_post_told = True
        messages.warning(
            request,
            _(
                "The log-in had expired, so nothing was saved. What was typed is back in the "
                "form below: check it, then save again."
            ),
        )
    return data
