"""Shared fixtures: the states of the Kursk case and a user for each role."""

from typing import Any

import pytest

from powtracker.roles import ROLE_ANALYST, ROLE_CASEWORKER, ROLE_SUPERVISOR
from tests.factories import StateFactory, UserFactory


@pytest.fixture
def states(db: Any) -> dict[str, Any]:
    return {
        code: StateFactory(code=code, name=name)
        for code, name in [
            ("UKR", "Ukraine"),
            ("RUS", "Russian Federation"),
            ("PRK", "Democratic People's Republic of Korea"),
            ("KOR", "Republic of Korea"),
        ]
    }


@pytest.fixture
def caseworker(db: Any) -> Any:
    return UserFactory(username="cw", role=ROLE_CASEWORKER)


@pytest.fixture
def supervisor(db: Any) -> Any:
    return UserFactory(username="sup", role=ROLE_SUPERVISOR)


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory(username="an", role=ROLE_ANALYST)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash passwords and client secrets cheaply in tests; production keeps PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
