"""The database router (DATABASE_ROUTERS): writes to the primary, reads where
powtracker.replicas says they cannot be stale."""

from typing import Any

from django.db import connections

from powtracker.replicas import (
    IDENTITY_APPS,
    IDENTITY_MODELS,
    PRIMARY,
    ReadOnly,
    current_route,
    read_alias,
    replica_aliases,
)


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        route = current_route.get()
        if route is None or not replica_aliases():
            return PRIMARY
        if route.read_only:
            return read_alias(route)
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a transaction (and a lock) reads what it is about to write
        meta = model._meta
        if meta.app_label in IDENTITY_APPS or meta.label_lower in IDENTITY_MODELS:
            return PRIMARY
        return read_alias(route)

    def db_for_write(self, model: Any, **hints: Any) -> str:
        route = current_route.get()
        if route is not None and route.read_only:
            raise ReadOnly("The primary database does not answer; nothing can be written.")
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied: every object is in every alias

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
