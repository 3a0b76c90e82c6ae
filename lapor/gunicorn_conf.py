"""gunicorn's settings for LAPOR's web process (the Dockerfile and docker-compose.yml start it
with ``--config python:lapor.gunicorn_conf``).

The access log records the path without its query string, and not the Referer: a reporter's
key (``?k=``) or any token in a query string must never reach a log (issue 14). gunicorn's
default format logs the whole request line (``%(r)s``) and the referring URL (``%(f)s``), which
carries the key of the page a visitor came from. Tested in tests/browser/test_production.py."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
