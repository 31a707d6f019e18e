"""Exports as jobs: POST /api/v1/captives/exports/ answers 202 at once, a worker writes the file
into the database, GET /api/v1/exports/{id}/ shows its progress, and the download is the same
file the stream would give — ledgered once, at the first download, and refused once the partner
may see less than it shows."""

import csv
import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
import pyzipper
from django.test import Client
from django.utils import timezone

from cases.choices import InvolvementRole
from cases.services import involvement_record
from jobs.models import Job, JobState
from partners.choices import DisclosureLevel
from partners.models import DisclosureRecord
from partners.services import partner_level_set
from reports.exports import export_bytes
from reports.models import ExportChunk, ExportJob, ExportRecord, ExportSubject
from reports.services import exports_purge
from tests.factories import CaptiveFactory
from tests.helpers import jobs_drain
from tests.partners.api.conftest import ALL_SCOPES, Api, make_partner

EXPORTS = "/api/v1/captives/exports/"
EXPORTING = [*ALL_SCOPES, "reports:export"]


@pytest.fixture
def kor(client: Client, world: dict[str, Any]) -> Api:
    return make_partner(
        client,
        "KOR ministry",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=EXPORTING,
    )


def ask(api: Api, export_format: str = "csv", headers: dict[str, str] | None = None, **params: Any):
    query = "&".join(f"{k}={v}" for k, v in {"as": export_format, **params}.items())
    return api.post(f"{EXPORTS}?{query}", headers=headers)


def asked(api: Api, export_format: str = "csv", **params: Any) -> dict[str, Any]:
    response = ask(api, export_format, **params)
    assert response.status_code == 202, response.content
    return response.json()


def status_of(api: Api, export_id: int) -> dict[str, Any]:
    response = api.get(f"/api/v1/exports/{export_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def downloaded(api: Api, export_id: int) -> bytes:
    response = api.get(f"/api/v1/exports/{export_id}/download/")
    assert response.status_code == 200, response.content
    return export_bytes(response.streaming_content)


def streamed(api: Api, export_format: str = "csv", **params: Any) -> bytes:
    response = api.get("/api/v1/captives/export/", **{"as": export_format, **params})
    assert response.status_code == 200, response.content
    return export_bytes(response.streaming_content)


def test_an_export_job_is_accepted_at_once_and_shows_where_to_follow_it(kor: Api) -> None:
    response = ask(kor)

    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == f"/api/v1/exports/{body['id']}/"
    assert body["status"] == "queued"
    assert body["download"] is None
    assert status_of(kor, body["id"])["status"] == "queued"
    # Nothing is disclosed by asking.
    assert not DisclosureRecord.objects.exists()


@pytest.mark.parametrize("export_format", ["csv", "jsonl", "xlsx"])
def test_the_jobs_file_is_the_streamed_files_rows_and_its_progress_is_shown(
    kor: Api, world: dict[str, Any], export_format: str
) -> None:
    export_id = asked(kor, export_format)["id"]
    jobs_drain()

    status = status_of(kor, export_id)
    assert status["status"] == "ready"
    assert status["rows_written"] == status["rows_total"] == status["row_count"] == 2
    assert status["download"].endswith(f"/api/v1/exports/{export_id}/download/")
    body = downloaded(kor, export_id)
    assert status["size"] == len(body)
    assert status["sha256"] == hashlib.sha256(body).hexdigest()
    if export_format == "xlsx":
        import openpyxl

        rows = lambda data: list(  # noqa: E731
            openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.values
        )
        assert rows(body) == rows(streamed(kor, export_format))
    else:
        assert body == streamed(kor, export_format)


def test_the_ledger_records_each_captive_at_the_first_download_only(
    kor: Api, world: dict[str, Any]
) -> None:
    export_id = asked(kor, search="Pak")["id"]
    jobs_drain()
    # Written, not yet read: nothing in the ledger.
    assert not DisclosureRecord.objects.exists()

    downloaded(kor, export_id)
    downloaded(kor, export_id)

    ledgered = DisclosureRecord.objects.filter(partner=kor.partner)
    assert list(ledgered.values_list("captive_id", "level")) == [
        (world["first"].pk, DisclosureLevel.FULL)
    ]
    assert ledgered.get().path == f"/api/v1/exports/{export_id}/download/"
    # Each copy that left is in the export audit.
    records = ExportRecord.objects.filter(list_name="api.captives.job")
    assert records.count() == 2
    assert all(r.completed and r.row_count == 1 and r.partner == kor.partner for r in records)


def test_another_partner_neither_sees_nor_downloads_an_export(
    kor: Api, client: Client, world: dict[str, Any]
) -> None:
    export_id = asked(kor)["id"]
    jobs_drain()
    other = make_partner(client, "UKR ministry", state=world["states"]["UKR"], scopes=EXPORTING)
    assert other.get(f"/api/v1/exports/{export_id}/").status_code == 404
    assert other.get(f"/api/v1/exports/{export_id}/download/").status_code == 404
    assert other.get("/api/v1/exports/").json()["results"] == []
    assert not DisclosureRecord.objects.exists()


def test_a_file_showing_more_than_the_partner_may_now_see_is_not_served(
    kor: Api, world: dict[str, Any]
) -> None:
    export_id = asked(kor)["id"]
    jobs_drain()
    partner_level_set(acting_user=None, partner=kor.partner, default_level=DisclosureLevel.CASE)

    response = kor.get(f"/api/v1/exports/{export_id}/download/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_outdated"
    assert not DisclosureRecord.objects.exists()


def test_a_file_made_before_its_reader_became_hostile_is_not_served(
    kor: Api, world: dict[str, Any]
) -> None:
    s = world["states"]
    captive = CaptiveFactory(
        family_name="Kim",
        detaining_power=s["UKR"],
        nationality=s["PRK"],
        power_depended_on=s["PRK"],
    )
    involvement_record(
        acting_user=None, captive=captive, state=s["KOR"], role=InvolvementRole.RECEIVING_STATE
    )
    export_id = asked(kor, search="Kim")["id"]
    jobs_drain()
    assert status_of(kor, export_id)["row_count"] == 1
    # KOR is now recorded as his power's ally: hostile to him, it may no longer read his wishes.
    involvement_record(
        acting_user=None, captive=captive, state=s["KOR"], role=InvolvementRole.ALLIED_POWER
    )

    response = kor.get(f"/api/v1/exports/{export_id}/download/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_outdated"


def test_a_download_before_the_file_is_ready_is_refused(kor: Api) -> None:
    export_id = asked(kor)["id"]
    response = kor.get(f"/api/v1/exports/{export_id}/download/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_not_ready"


def test_an_expired_export_is_gone_and_its_file_is_removed_but_not_its_record(
    kor: Api, settings: Any
) -> None:
    export_id = asked(kor)["id"]
    jobs_drain()
    assert ExportChunk.objects.exists() and ExportSubject.objects.exists()
    ExportJob.objects.filter(pk=export_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = kor.get(f"/api/v1/exports/{export_id}/download/")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "export_expired"
    assert exports_purge() == 1

    assert not ExportChunk.objects.exists() and not ExportSubject.objects.exists()
    assert ExportJob.objects.get(pk=export_id).file_purged_at is not None
    assert status_of(kor, export_id)["status"] == "expired"
    assert exports_purge() == 0


def test_a_file_expires_after_export_file_hours(kor: Api, settings: Any) -> None:
    settings.EXPORT_FILE_HOURS = 3
    export_id = asked(kor)["id"]
    jobs_drain()
    export = ExportJob.objects.get(pk=export_id)
    assert export.expires_at - export.ready_at == timedelta(hours=3)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"as": "pdf"}, "as"), ({"as": "csv", "password": "ApiUrlSecret-999"}, "password")],
)
def test_a_bad_request_is_refused_at_once_and_queues_nothing(
    kor: Api, params: dict[str, str], field: str
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = kor.post(f"{EXPORTS}?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Job.objects.exists() and not ExportJob.objects.exists()


def test_without_the_export_scope_nothing_is_queued(client: Client, world: dict[str, Any]) -> None:
    reader = make_partner(client, "KOR reader", state=world["states"]["KOR"])
    assert ask(reader).status_code == 403
    assert reader.get("/api/v1/exports/").status_code == 403
    assert not Job.objects.exists()


def test_a_protected_export_is_an_encrypted_zip_and_its_password_is_not_kept(kor: Api) -> None:
    password = "correct horse battery"
    export_id = asked_with_password(kor, password)
    assert ExportJob.objects.get(pk=export_id).password_sealed != b""
    assert password.encode() not in bytes(ExportJob.objects.get(pk=export_id).password_sealed)
    jobs_drain()

    body = downloaded(kor, export_id)
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        archive.setpassword(password.encode())
        (name,) = archive.namelist()
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert bytes(ExportJob.objects.get(pk=export_id).password_sealed) == b""


def asked_with_password(api: Api, password: str) -> int:
    response = ask(api, headers={"X-Export-Password": password})
    assert response.status_code == 202, response.content
    return response.json()["id"]


def test_a_short_password_is_refused_before_anything_is_queued(kor: Api) -> None:
    response = ask(kor, headers={"X-Export-Password": "short"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "export_password_required"
    assert not Job.objects.exists()


def test_the_same_idempotency_key_queues_one_export(kor: Api) -> None:
    first = ask(kor, headers={"Idempotency-Key": "export-1"})
    again = ask(kor, headers={"Idempotency-Key": "export-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert ExportJob.objects.count() == 1


def test_the_same_idempotency_key_with_other_filters_is_refused(kor: Api) -> None:
    assert ask(kor, headers={"Idempotency-Key": "export-2"}).status_code == 202
    other = ask(kor, "jsonl", headers={"Idempotency-Key": "export-2"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert ExportJob.objects.count() == 1


def test_the_same_idempotency_key_with_another_password_is_refused(kor: Api) -> None:
    first = ask(kor, headers={"Idempotency-Key": "k3", "X-Export-Password": "first password 1"})
    assert first.status_code == 202
    other = ask(kor, headers={"Idempotency-Key": "k3", "X-Export-Password": "other password 2"})
    assert other.status_code == 422
    assert ask(kor, headers={"Idempotency-Key": "k3"}).status_code == 422


def test_a_head_of_a_download_is_refused_and_records_nothing(kor: Api) -> None:
    export_id = asked(kor)["id"]
    jobs_drain()
    response = kor.client.head(
        f"/api/v1/exports/{export_id}/download/", HTTP_AUTHORIZATION=f"Bearer {kor.token}"
    )
    assert response.status_code == 405
    assert not DisclosureRecord.objects.exists()
    assert not ExportRecord.objects.exists()


def test_the_stream_refuses_a_list_longer_than_its_limit_and_names_the_job(
    kor: Api, settings: Any
) -> None:
    settings.EXPORT_STREAM_MAX_ROWS = 1
    response = kor.get("/api/v1/captives/export/", **{"as": "csv"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "export_too_large"
    assert EXPORTS in response.json()["error"]["message"]
    assert not DisclosureRecord.objects.exists()
    settings.EXPORT_STREAM_MAX_ROWS = 2
    assert kor.get("/api/v1/captives/export/", **{"as": "csv"}).status_code == 200


def test_a_revoked_partner_downloads_nothing(kor: Api, world: dict[str, Any]) -> None:
    from partners.services import partner_revoke

    export_id = asked(kor)["id"]
    jobs_drain()
    partner_revoke(acting_user=None, partner=kor.partner, reason="Agreement ended")
    assert kor.get(f"/api/v1/exports/{export_id}/download/").status_code == 401
    assert not DisclosureRecord.objects.exists()


def test_staff_export_as_a_job_and_see_only_their_own(
    client: Client, caseworker: Any, analyst: Any, world: dict[str, Any]
) -> None:
    client.force_login(caseworker)
    response = client.post(f"{EXPORTS}?as=jsonl")
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    jobs_drain()

    body = export_bytes(client.get(f"/api/v1/exports/{export_id}/download/").streaming_content)
    assert len(body.decode().splitlines()) == 3  # staff see every captive
    assert ExportRecord.objects.get(list_name="api.captives.job").user == caseworker
    assert not DisclosureRecord.objects.exists()  # the ledger is of partners' reads
    client.force_login(analyst)
    assert client.get(f"/api/v1/exports/{export_id}/").status_code == 404


def test_a_job_whose_exporter_lost_the_right_to_export_fails_without_retrying(
    client: Client, caseworker: Any, world: dict[str, Any]
) -> None:
    client.force_login(caseworker)
    export_id = client.post(f"{EXPORTS}?as=csv").json()["id"]
    caseworker.groups.clear()

    jobs_drain()

    job = ExportJob.objects.get(pk=export_id).job
    assert (job.state, job.attempts, job.error_code) == (JobState.FAILED, 1, "permission_denied")
    assert not ExportChunk.objects.exists()
