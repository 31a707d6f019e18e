"""System checks of the project's own settings."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def secret_key_require() -> None:
    """Refuse to serve with DEBUG off and no SECRET_KEY (the WSGI and ASGI entry points)."""
    if not settings.DEBUG and not settings.SECRET_KEY_IS_SET:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")


@checks.register(checks.Tags.security, deploy=True)
def secret_key_set(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        secret_key_require()
    except ImproperlyConfigured as missing:
        return [checks.Error(str(missing), id="powtracker.E001")]
    return []
