"""Every export is recorded before its first byte leaves (not completed), and completed with
its rows and hash when the stream ends: a stream that dies leaves its record, not completed —
at every door (admin, partner API, command line), in every format."""

import hashlib
import os
import threading
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from cases.models import Captive
from partners.choices import DisclosureLevel
from powtracker.roles import ROLE_CASEWORKER, roles_sync
from reports.models import ExportRecord
from tests.factories import UserFactory
from tests.partners.api.conftest import ALL_SCOPES, Api, make_partner

pytestmark = pytest.mark.django_db

ADMIN_EXPORT = "/admin/cases/captive/export/"
API_EXPORT = "/api/v1/captives/export/"
FORMATS = ["csv", "xlsx", "jsonl"]
PASSWORD = "a long enough password"


@pytest.fixture
def caseworker_client(caseworker: Any) -> Client:
    client = Client()
    client.force_login(caseworker)
    return client


@pytest.fixture
def kor(client: Client, world: dict[str, Any]) -> Api:
    return make_partner(
        client,
        "KOR ministry",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "reports:export"],
    )


def started(door: str, export_format: str, *, who: Any, password: str = "") -> Any:
    """The export's response, not yet read."""
    if door == "admin":
        if password:
            return who.post(f"{ADMIN_EXPORT}?as={export_format}", {"password": password})
        return who.get(ADMIN_EXPORT, {"as": export_format})
    headers = {"X-Export-Password": password} if password else None
    return who.get(API_EXPORT, headers=headers, **{"as": export_format})


def reader(door: str, caseworker_client: Client, kor: Api) -> Any:
    return caseworker_client if door == "admin" else kor


@pytest.mark.parametrize("password", ["", PASSWORD])
@pytest.mark.parametrize("export_format", FORMATS)
@pytest.mark.parametrize("door", ["admin", "api"])
def test_the_record_exists_after_the_first_chunk_and_an_abandoned_stream_stays_incomplete(
    door, export_format, password, caseworker_client, kor, world
):
    response = started(
        door, export_format, who=reader(door, caseworker_client, kor), password=password
    )
    assert response.status_code == 200
    assert not ExportRecord.objects.exists()  # nothing has left yet
    content = iter(response.streaming_content)

    first = next(content)

    record = ExportRecord.objects.get()
    assert not record.completed
    assert record.export_format == export_format
    assert record.list_name == ("cases.captive" if door == "admin" else "api.captives")
    response._iterator.close()  # the client has gone: the stream ends mid-way
    record.refresh_from_db()
    assert not record.completed
    assert record.sha256 == hashlib.sha256(first).hexdigest()
    assert ExportRecord.objects.count() == 1


@pytest.mark.parametrize("export_format", FORMATS)
@pytest.mark.parametrize("door", ["admin", "api"])
def test_a_whole_stream_completes_its_one_record_with_rows_and_hash(
    door, export_format, caseworker_client, kor, world
):
    response = started(door, export_format, who=reader(door, caseworker_client, kor))
    body = b"".join(response.streaming_content)

    record = ExportRecord.objects.get()
    assert record.completed
    # Staff export every captive; KOR the two Kursk soldiers its state is involved with.
    assert record.row_count == (3 if door == "admin" else 2)
    assert record.sha256 == hashlib.sha256(body).hexdigest()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second live connection")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("door", "export_format"),
    # The database's COPY (a transaction open while the file leaves) and the partner's JSON Lines.
    [("admin", "csv"), ("api", "jsonl"), ("admin", "xlsx")],
)
def test_the_record_is_committed_before_the_first_byte_leaves(door, export_format, client, world):
    """What a worker killed mid-file leaves: the record is already in the database, visible to
    any other connection, while the file is still being sent."""
    roles_sync(apps)  # a transactional test before this one may have flushed the groups away
    staff = Client()
    staff.force_login(UserFactory(username="cw", role=ROLE_CASEWORKER))
    partner = make_partner(
        client,
        "KOR ministry",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "reports:export"],
    )
    response = started(door, export_format, who=staff if door == "admin" else partner)
    content = iter(response.streaming_content)
    next(content)
    seen: list[Any] = []

    def look_elsewhere() -> None:
        try:
            seen.extend(ExportRecord.objects.values_list("completed", "export_format"))
        finally:
            connections.close_all()

    elsewhere = threading.Thread(target=look_elsewhere)
    elsewhere.start()
    elsewhere.join(30)
    response._iterator.close()

    assert seen == [(False, export_format)]


def bulk_captives(world: dict[str, Any], count: int) -> None:
    Captive.objects.bulk_create(
        Captive(
            case_number=f"FICT-{number:06d}",
            fictional=True,
            family_name=f"Pak{number}",
            given_names="Chol " * 20,
            nationality=world["states"]["PRK"],
            power_depended_on=world["states"]["PRK"],
            detaining_power=world["states"]["UKR"],
            captured_on=date(2025, 1, 5),
        )
        for number in range(count)
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("export_format", FORMATS)
def test_a_command_whose_file_cannot_be_written_leaves_its_record_incomplete(export_format, world):
    bulk_captives(world, 500)  # far more than a write buffer holds

    with pytest.raises(OSError, match="No space left"):
        call_command("export", "captives", "--format", export_format, "--out", "/dev/full")

    record = ExportRecord.objects.get()
    assert record.list_name == "command.captives"
    assert not record.completed


def test_the_command_completes_its_record(tmp_path, world):
    out = tmp_path / "captives.jsonl"

    call_command("export", "captives", "--format", "jsonl", "--out", str(out))

    record = ExportRecord.objects.get()
    assert record.completed and record.row_count == 3
    assert record.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
