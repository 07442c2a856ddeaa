"""gunicorn settings for Hikagami: `gunicorn -c clinic/gunicorn.conf.py` (see README, Production).

Read from the environment like clinic/settings.py. gunicorn stands behind the README's nginx,
which terminates TLS, buffers slow clients and keeps their connections alive, so plain sync
workers (one request at a time each) are enough: the heavy requests (a first PDF render, password
hashing at log-in) are CPU-bound, and threads would only queue on the GIL.
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not the host's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "clinic.wsgi:application"
proc_name = "hikagami"
# 127.0.0.1 or a unix socket (`unix:/run/hikagami/gunicorn.sock`): only the proxy may talk to
# gunicorn, since Django trusts its X-Forwarded-Proto. gunicorn's own default would be
# 0.0.0.0:$PORT whenever PORT is in the environment.
bind = [os.getenv("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.getenv("WEB_CONCURRENCY", str(2 * _cores() + 1)))
worker_class = "sync"
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Replace each worker after about 1,000 requests (jittered so they do not all restart at once):
# bounds any slow memory growth, e.g. from WeasyPrint.
max_requests = 1000
max_requests_jitter = 100
# Not preloaded: each worker imports the app itself, so `systemctl reload` (HUP) brings in new code
# without dropping a request; preloading would save some memory but need a full restart.
preload_app = False
# gunicorn >= 25.1 opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl), and
# a second instance takes it over from the first. systemd controls ours.
control_socket_disable = True

accesslog = "-"  # stdout (journald under systemd)
errorlog = "-"  # stderr
# The path without its query string: a search query is a patient's name or phone number, and a
# referrer would carry one too. The client's address is the one nginx saw.
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
