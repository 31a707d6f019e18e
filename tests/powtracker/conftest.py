"""Fixtures shared by tests/powtracker: a partner reading through a real server process."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import global_settings
from django.db import connection

from partners.choices import DisclosureLevel, PartnerKind
from partners.services import case_share_grant, partner_create
from tests.factories import CaptiveFactory
from tests.served import suite_database_url

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def reader(transactional_db: Any, states: dict[str, Any], settings: Any) -> dict[str, Any]:
    """A partner that may read one case: its client id and secret, hashed as a server process
    checks it (production's hasher, not the suite's cheap one)."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    captive = CaptiveFactory()
    partner, secret = partner_create(
        acting_user=None,
        name="KOR ministry",
        kind=PartnerKind.STATE_AGENCY,
        scopes=["cases:read"],
        state=states["KOR"],
    )
    case_share_grant(
        acting_user=None,
        partner=partner,
        captive=captive,
        level=DisclosureLevel.CASE,
        reason="Tracing request",
    )
    return {"client_id": partner.application.client_id, "secret": secret}


@pytest.fixture
def live_database(reader: Any, tmp_path: Path) -> str:
    """The URL of the test database as a server process sees it (on SQLite, a file copy)."""
    if ON_POSTGRES:
        return suite_database_url()
    copy = tmp_path / "live.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    return f"sqlite:///{copy}"
