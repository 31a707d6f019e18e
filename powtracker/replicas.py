"""Where a read goes: the primary, or a streaming replica that cannot give a stale answer.

`DATABASE_REPLICA_URLS` names the replicas (aliases replica1, replica2…). A read goes to the
primary when any of these holds, else to a replica (`read_alias`):
- no request is being served (a management command, a worker): commands read what they wrote;
- it is inside a transaction or under a lock (the router sees the atomic block);
- it reads who is asking (sessions, users, OAuth tokens and clients, partners, the sign-in
  audit): a token just issued, or just revoked, is known at once;
- the same person or OAuth client wrote in the last DATABASE_PIN_SECONDS (a pin in the shared
  cache, so that the next request may reach any app server);
- the replica lags more than DATABASE_REPLICA_MAX_LAG seconds;
- the replica has not yet replayed the last change that could narrow what a partner may see.
  Every service's commit (and every change of an OAuth token or client) records the primary's
  WAL position in the shared cache (`disclosure_lsn_record`, an atomic maximum); a replica serves
  a read only once `pg_last_wal_replay_lsn()` has passed it. A missing position (the cache was
  emptied) is taken as "now", so a lost cache sends reads to the primary, never to a stale
  replica.

When the primary does not answer but a replica does, the site is **read-only**: reads go to the
replica however far it lags, every write is refused with 503 `read_only` (`ReadOnly`). A partner's
read writes the disclosure ledger, which cannot be written then, so it is refused alike: nothing is
disclosed without its record.
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger("powtracker.replicas")

PRIMARY = "default"
# Models read from the primary while it answers: who is asking, decided at once everywhere.
IDENTITY_APPS = frozenset({"auth", "sessions", "oauth2_provider", "axes", "django_cache"})
IDENTITY_MODELS = frozenset({"partners.partner"})
DISCLOSURE_LSN_KEY = "powtracker:disclosure-lsn"
# How long this process trusts what it learned of a replica, and waits before asking a database
# it found down again.
STATUS_SECONDS = 1.0
PROBE_SECONDS = 5.0


class ReadOnly(DatabaseError):
    """The primary does not answer: nothing can be written (503 read_only)."""


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def lsn_number(text: str | None) -> int | None:
    """A WAL position (`16/B374D848`) as a number that compares as positions do."""
    if not text:
        return None
    high, _slash, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


# --- what this process knows of the databases --------------------------------------------------


@dataclass
class ReplicaStatus:
    alias: str
    replay_lsn: int | None = None
    lag_seconds: float | None = None
    up: bool = False
    checked: float = 0.0


@dataclass
class _Known:
    primary_down_until: float = 0.0
    primary_down: bool = False
    replicas: dict[str, ReplicaStatus] = field(default_factory=dict)


_known = _Known()


def _probe(alias: str) -> bool:
    """Whether `alias` answers a trivial query now (its connection made afresh if broken)."""
    connection = connections[alias]
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        connection.close()
        return False


def primary_mark_down() -> None:
    """The primary failed a query or a connection: believe it down for PROBE_SECONDS."""
    if not _known.primary_down:
        logger.error("The primary database does not answer: read-only if a replica does")
    _known.primary_down = True
    _known.primary_down_until = time.monotonic() + PROBE_SECONDS


def primary_available() -> bool:
    """Whether the primary answers, asking it again at most every PROBE_SECONDS once it failed."""
    if not _known.primary_down:
        return True
    if time.monotonic() < _known.primary_down_until:
        return False
    if _probe(PRIMARY):
        logger.warning("The primary database answers again")
        _known.primary_down = False
        return True
    primary_mark_down()
    return False


def _primary_lsn() -> int | None:
    """The primary's WAL position now; None when it cannot be known (the primary is down, or is
    not PostgreSQL: then no replica can prove it has replayed it, and reads stay on the primary)."""
    if connections[PRIMARY].vendor != "postgresql":
        return None
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return lsn_number(cursor.fetchone()[0])
    except DatabaseError:
        primary_mark_down()
        return None


def replica_status(alias: str, *, primary_up: bool = True) -> ReplicaStatus:
    """How far `alias` has replayed the primary's WAL, and how many seconds it lags (0 when it
    has replayed all the primary has written), learned at most every STATUS_SECONDS."""
    known = _known.replicas.get(alias)
    now = time.monotonic()
    if known is not None and now - known.checked < (STATUS_SECONDS if known.up else PROBE_SECONDS):
        return known
    status = ReplicaStatus(alias=alias, checked=now)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )
            in_recovery, replay, since_replay = cursor.fetchone()
        status.up = True
        status.replay_lsn = lsn_number(replay)
        primary = _primary_lsn() if primary_up and in_recovery else None
        if not in_recovery or (primary is not None and status.replay_lsn >= primary):
            status.lag_seconds = 0.0
        else:
            status.lag_seconds = float(since_replay) if since_replay is not None else None
    except DatabaseError:
        connections[alias].close()
        if known is None or known.up:
            logger.error("The replica %s does not answer", alias)
    _known.replicas[alias] = status
    return status


def known_reset() -> None:
    """Forget what this process learned (tests; a promotion)."""
    global _known
    _known = _Known()


# --- the position of the last change that may narrow what a partner sees ----------------------

_MAX_SCRIPT = """
local now = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > now then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


def disclosure_lsn_record() -> None:
    """After a commit on the primary: its WAL position now is past that change. Stored as an
    atomic maximum in the shared cache (Redis, which a deployment with replicas uses)."""
    if not replica_aliases():
        return
    position = _primary_lsn()
    if position is None:
        return
    client = _redis_client()
    if client is not None:
        client.eval(_MAX_SCRIPT, 1, cache.make_and_validate_key(DISCLOSURE_LSN_KEY), position)
        return
    # Another cache (one server, tests): not atomic between processes, but never lowered here.
    if (cache.get(DISCLOSURE_LSN_KEY) or 0) < position:
        cache.set(DISCLOSURE_LSN_KEY, position, timeout=None)


def _redis_client() -> Any:
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    if get_client is None or "redis" not in type(cache).__module__:
        return None
    return get_client(write=True)


def disclosure_lsn() -> int | None:
    """The position a replica must have replayed before it serves a read; None when it cannot be
    known (the cache does not answer and the primary is down)."""
    try:
        value = cache.get(DISCLOSURE_LSN_KEY)
    except Exception:  # the cache is down: fail closed
        logger.exception("The shared cache does not answer")
        return None
    if value is None:
        # Emptied (a restart): every change so far counts.
        position = _primary_lsn()
        if position is None:
            return None
        try:
            cache.add(DISCLOSURE_LSN_KEY, position, timeout=None)
        except Exception:
            return position
        return int(cache.get(DISCLOSURE_LSN_KEY) or position)
    return int(value)


# --- pins: a writer reads its own writes -------------------------------------------------------


def pin_keys(request: Any) -> list[str]:
    """Who wrote: the OAuth client, and the person (or the client's service account)."""
    keys = []
    auth = getattr(request, "auth", None)
    application_id = getattr(auth, "application_id", None)
    if application_id is not None:
        keys.append(f"powtracker:pin:client:{application_id}")
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        keys.append(f"powtracker:pin:user:{user.pk}")
    return keys


def pin(request: Any) -> None:
    keys = pin_keys(request)
    if keys:
        try:
            cache.set_many(dict.fromkeys(keys, 1), timeout=settings.DATABASE_PIN_SECONDS)
        except Exception:
            logger.exception("The shared cache does not answer: no pin set")


def pinned(request: Any) -> bool:
    keys = pin_keys(request)
    if not keys:
        return False
    try:
        return bool(cache.get_many(keys))
    except Exception:  # unknown: the primary, which cannot be stale
        return True


# --- the request being served, as the router sees it ------------------------------------------


@dataclass
class Route:
    """One request's reads: where they go once decided."""

    request: Any
    read_only: bool = False
    alias: str | None = None
    wrote: bool = False


current_route: ContextVar[Route | None] = ContextVar("powtracker_route", default=None)


def in_read_only_mode() -> bool:
    """Whether the request being served is in read-only mode (the primary does not answer)."""
    route = current_route.get()
    return route is not None and route.read_only


def read_alias(route: Route) -> str:
    """Where this request's reads go (decided at its first read that is not of who is asking,
    when the reader is known, and kept for the rest of the request)."""
    if route.alias is not None:
        return route.alias
    replicas = replica_aliases()
    if route.read_only:
        for alias in replicas:
            status = replica_status(alias, primary_up=False)
            if status.up:
                if getattr(getattr(route.request, "auth", None), "partner", None) is not None:
                    # A partner reads from a replica only once it has replayed every change of
                    # who may see what (else it could read what it may no longer).
                    needed = disclosure_lsn()
                    if needed is None or status.replay_lsn is None or status.replay_lsn < needed:
                        raise ReadOnly("The replica has not replayed who may see what.")
                route.alias = alias
                return alias
        raise ReadOnly("No database answers.")
    route.alias = PRIMARY
    if not replicas or pinned(route.request):
        return PRIMARY
    needed = disclosure_lsn()
    if needed is None:
        return PRIMARY
    for alias in replicas:
        status = replica_status(alias)
        if (
            status.up
            and status.lag_seconds is not None
            and status.lag_seconds <= settings.DATABASE_REPLICA_MAX_LAG
            and status.replay_lsn is not None
            and status.replay_lsn >= needed
        ):
            route.alias = alias
            return alias
    return PRIMARY
