"""WSGI entry point (gunicorn powtracker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")
application = get_wsgi_application()

from powtracker.checks import secret_key_require  # noqa: E402 — needs the settings loaded

secret_key_require()
