"""Small assertions shared by the tests."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import translation

# A text in Korean or in Ukrainian (or Russian) letters.
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Cheap password hashing in tests (tests.conftest.fast_password_hashing); production: PBKDF2.
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def error_codes(error: ValidationError) -> list[str]:
    """Every code carried by a validation error, whether keyed by field or not."""
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


def violates(constraint: str, make: Callable[[], object]) -> bool:
    """Whether `make()` is refused by the database because of the named constraint."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make()
    message = str(error.value)
    if connection.vendor == "sqlite" and message.startswith("UNIQUE constraint failed"):
        return True  # SQLite names the columns of a unique constraint, not the constraint.
    return constraint in message


def loaded_once(django_db_blocker: Any, load: Callable[[], Any]) -> Iterator[Any]:
    """For a module- or class-scoped fixture: `load()` once, inside a transaction that stays open
    while the scope's tests run and is rolled back after the last one. Each test still runs in
    its own savepoint (pytest-django's), so its writes are rolled back at its end and the next
    test sees the data as loaded; the next module finds the database as it was. Hashes passwords
    cheaply, and speaks English, as the tests' own autouse fixtures do.

    Not for transactional tests (`transaction=True`, `live_server`): they flush the database."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with (
                override_settings(PASSWORD_HASHERS=[MD5_HASHER]),
                translation.override("en"),
            ):
                loaded = load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield loaded
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def jobs_drain(*, worker_id: str = "test-worker") -> int:
    """Run every job that is due, in this process and this test's transaction, as
    `manage.py db_worker --batch` would (its loop, without closing the test's connection).
    Returns how many tasks ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            task = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if task is not None:
                task.claim(worker_id)
        if task is None:
            return ran
        worker.run_task(task)
        ran += 1
