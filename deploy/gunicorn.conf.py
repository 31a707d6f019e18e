"""gunicorn's settings for powtracker's app servers (deploy/systemd/powtracker-web@.service).

Threaded workers: each process serves GUNICORN_THREADS requests at once, each thread with its
own database connection (through PgBouncer, or psycopg's pool with DATABASE_POOL=true, which
then needs at most DATABASE_POOL_MAX_SIZE connections a process). The bind address comes from
the command line (the unit's instance). Long work (exports of any size) runs in the worker, so
GUNICORN_TIMEOUT bounds every request.
"""

import multiprocessing
import os

worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker is replaced after this many requests (a slow leak never grows without bound).
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn believes X-Forwarded-Proto only from these (Django reads the client's address from
# X-Forwarded-For itself, behind the same TRUSTED_PROXIES: powtracker.proxies).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1") or "127.0.0.1,::1"
proc_name = "powtracker"
# gunicorn's control socket (gunicorn 27 here) defaults to one path per user
# ($HOME/.gunicorn/gunicorn.ctl): two app servers of one machine would take each other's, and
# ProtectHome= hides $HOME. Unused here.
control_socket_disable = True
