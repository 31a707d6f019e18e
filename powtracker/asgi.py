"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")
application = get_asgi_application()

from powtracker.checks import secret_key_require  # noqa: E402 — needs the settings loaded

secret_key_require()
