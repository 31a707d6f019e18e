"""GET /api/v1/captives/export/: redacted like the list, ledgered, streamed."""

import csv
import hashlib
import io
import json
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.choices import DisclosureLevel
from partners.models import DisclosureRecord
from partners.services import case_share_grant
from reports.exports import export_bytes
from reports.models import ExportRecord
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import ALL_SCOPES, Api, defect, make_partner

EXPORT = "/api/v1/captives/export/"
EXPORTING = [*ALL_SCOPES, "reports:export"]


def export(api: Api, export_format: str = "csv", **params: Any) -> bytes:
    response = api.get(EXPORT, **{"as": export_format, **params})
    assert response.status_code == 200, response.content
    return export_bytes(response.streaming_content)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def prk(client: Client, world: dict[str, Any]) -> Api:
    """The power the Kursk soldiers depend on: hostile to both, whatever its level."""
    return make_partner(
        client,
        "PRK agency",
        state=world["states"]["PRK"],
        default_level=DisclosureLevel.FULL,
        scopes=EXPORTING,
    )


@pytest.fixture
def kor(client: Client, world: dict[str, Any]) -> Api:
    return make_partner(
        client,
        "KOR ministry",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=EXPORTING,
    )


def test_a_hostile_partners_export_after_a_defect_statement_is_byte_for_byte_the_same(
    prk: Api, world: dict[str, Any]
) -> None:
    """The PRK partner sees both soldiers' identity, no wish column, and nothing moves when
    one of them says he wants to go to Korea."""
    before = export(prk)
    defect(world["first"], world["states"]["KOR"])
    after = export(prk)

    assert after == before
    rows = csv_rows(after)
    assert sorted(row["family_name"] for row in rows) == ["Pak", "Ri"]
    assert not [header for header in rows[0] if "wish" in header]
    for trace in [b"defect", b"KOR", b"remain", b"return"]:
        assert trace not in after.lower()


@pytest.mark.parametrize("export_format", ["csv", "jsonl", "xlsx"])
def test_every_captive_in_the_export_is_written_to_the_ledger(
    prk: Api, world: dict[str, Any], export_format: str
) -> None:
    export(prk, export_format)

    ledgered = DisclosureRecord.objects.filter(partner=prk.partner, path__contains="/export/")
    assert sorted(ledgered.values_list("captive_id", flat=True)) == sorted(
        [world["first"].pk, world["second"].pk]
    )


def test_the_export_reads_back_as_the_list(kor: Api, world: dict[str, Any]) -> None:
    """The JSON Lines file holds exactly the list's representations; CSV and XLSX the same rows."""
    listed = kor.get("/api/v1/captives/").json()["results"]
    lines = [json.loads(line) for line in export(kor, "jsonl").decode().splitlines()]
    csv_read = csv_rows(export(kor, "csv"))
    sheet = openpyxl.load_workbook(io.BytesIO(export(kor, "xlsx")), read_only=True).active
    xlsx_read = list(sheet.values)

    assert lines == listed
    assert [row["case_number"] for row in csv_read] == [c["case_number"] for c in listed]
    assert [row[0] for row in xlsx_read[1:]] == [c["id"] for c in listed]
    # A partner that may read his wishes gets the wish columns.
    assert "effective_wish" in csv_read[0]
    assert csv_read[0]["latest_wish.wish"] == "return"


def test_the_export_follows_the_lists_filters(kor: Api, world: dict[str, Any]) -> None:
    rows = csv_rows(export(kor, "csv", search="Ri"))
    assert [row["family_name"] for row in rows] == ["Ri"]


def test_each_api_export_is_recorded_for_the_partner(prk: Api, world: dict[str, Any]) -> None:
    body = export(prk, "csv", search="Pak")

    record = ExportRecord.objects.get()
    assert record.partner == prk.partner
    assert record.user is None
    assert record.list_name == "api.captives"
    assert record.filters == "search=Pak"
    assert record.row_count == 1
    assert record.sha256 == hashlib.sha256(body).hexdigest()


def test_without_the_export_scope_the_export_is_refused(
    client: Client, world: dict[str, Any]
) -> None:
    reader = make_partner(
        client, "PRK reader", state=world["states"]["PRK"], default_level=DisclosureLevel.FULL
    )
    assert reader.get(EXPORT, **{"as": "csv"}).status_code == 403
    assert not DisclosureRecord.objects.filter(path__contains="/export/").exists()


def test_an_unknown_format_is_a_400(prk: Api) -> None:
    response = prk.get(EXPORT, **{"as": "pdf"})
    assert response.status_code == 400
    assert "as" in response.content.decode()


def test_queries_do_not_grow_with_the_rows(kor: Api, world: dict[str, Any]) -> None:
    s = world["states"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(kor, "csv")
        return len(captured)

    def add(count: int) -> None:
        for _ in range(count):
            captive = CaptiveFactory(nationality=s["PRK"], power_depended_on=s["PRK"])
            case_share_grant(
                acting_user=None,
                partner=kor.partner,
                captive=captive,
                level=DisclosureLevel.FULL,
                reason="Tracing request",
            )

    add(10)
    few = queries()
    add(200)
    # SQLite splits the ledger's one bulk insert every 166 rows (its 999-variable limit):
    # at most one more query there, never one a row.
    assert queries() - few <= (0 if connection.vendor == "postgresql" else 1)


@pytest.mark.parametrize("name", ["password", "Password", "export_password"])
def test_a_password_in_the_url_is_refused_and_nothing_is_recorded(prk: Api, name: str) -> None:
    """It would be logged, ledgered and audited, and the file would go out unprotected."""
    response = prk.get(EXPORT, **{"as": "csv", name: "ApiUrlSecret-999"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"]
    assert not ExportRecord.objects.exists()
    assert not DisclosureRecord.objects.filter(path__contains="ApiUrlSecret").exists()


def test_a_head_request_exports_nothing_and_records_nothing(prk: Api) -> None:
    response = prk.client.head(EXPORT, {"as": "csv"}, HTTP_AUTHORIZATION=f"Bearer {prk.token}")

    assert response.status_code == 405
    assert not ExportRecord.objects.exists()
    assert not DisclosureRecord.objects.filter(method="HEAD").exists()
