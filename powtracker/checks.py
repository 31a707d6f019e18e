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


@checks.register(checks.Tags.database)
def replicas_need_a_shared_cache(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """With replicas, the pins and the position of the last change of who may see what live in
    the shared cache; the database cache lives on the primary, so it would be gone exactly when
    read-only mode needs it."""
    from django.conf import settings

    if not getattr(settings, "DATABASE_REPLICAS", []):
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" in backend.lower():
        return []
    return [
        checks.Error(
            "DATABASE_REPLICA_URLS needs CACHE_URL to name a Redis server (the shared cache).",
            hint="Set CACHE_URL=redis://host:6379/0.",
            id="powtracker.E010",
        )
    ]


@checks.register(checks.Tags.database)
def replicas_need_postgresql(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Replicas are PostgreSQL streaming replicas: a replica proves it is not stale by the
    primary's WAL position. On another primary no read can go to them."""
    from django.db import connections

    if not getattr(settings, "DATABASE_REPLICAS", []):
        return []
    if connections["default"].vendor == "postgresql":
        return []
    return [
        checks.Warning(
            "DATABASE_REPLICA_URLS is ignored unless DATABASE_URL names PostgreSQL: every read "
            "goes to the primary.",
            id="powtracker.W011",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def webhooks_reach_only_public_https(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """The two switches that lift webhooks' guard against request forgery: with them a partner's
    endpoint could name this server's own network, or be read on the way."""
    warnings: list[checks.CheckMessage] = []
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        warnings.append(
            checks.Warning(
                "WEBHOOK_ALLOW_PRIVATE_NETWORKS is on: webhooks may be delivered to loopback, "
                "private, link-local (cloud metadata) and other non-public addresses, so an "
                "endpoint can reach this server's own network. For tests and closed networks "
                "only.",
                id="powtracker.W012",
            )
        )
    if settings.WEBHOOK_ALLOW_HTTP:
        warnings.append(
            checks.Warning(
                "WEBHOOK_ALLOW_HTTP is on: webhooks may be delivered over plain http, readable "
                "and alterable on the way. For tests and closed networks only.",
                id="powtracker.W013",
            )
        )
    return warnings


@checks.register(checks.Tags.security, deploy=True)
def public_url_is_https(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Partners follow the links a notification holds: they must lead to this server over
    https."""
    if settings.PUBLIC_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            f"PUBLIC_URL is {settings.PUBLIC_URL!r}, not an https:// address: notifications "
            "name records at PUBLIC_URL, so partners would follow those links over plain http.",
            hint="Set PUBLIC_URL to the https:// address partners reach this server at.",
            id="powtracker.W014",
        )
    ]
