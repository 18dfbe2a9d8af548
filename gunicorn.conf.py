"""gunicorn's settings for production. gunicorn reads ./gunicorn.conf.py by itself, so from the
project folder `gunicorn` alone serves the app (see docs/production.md)."""

import multiprocessing
import os

wsgi_app = "groups_site.wsgi:application"
# Behind a reverse proxy on the same machine by default; GUNICORN_BIND=0.0.0.0:8000 in a container.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's own rule of thumb; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
# Restart workers now and then so a slow leak never grows.
max_requests = 1000
max_requests_jitter = 100

accesslog = "-"
errorlog = "-"
# The path as it was sent (still percent-encoded, so %0D%0A cannot start a forged line) and
# without its query string: searches (?q=...) may hold words from people's records.
logger_class = "groups_site.gunicorn_logging.AccessLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
