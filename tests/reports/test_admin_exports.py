"""The admin's Export button: the list as filtered and searched, in every format, audited."""

import csv
import hashlib
import io
import json
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.choices import Health, NameSystem, Script
from partners.services import disclosure_record, partner_create
from reports.exports import export_bytes
from reports.models import ExportRecord
from tests.factories import CaptiveFactory

EXPORT_URL = "/admin/cases/captive/export/"
LIST_URL = "/admin/cases/captive/"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client: Client, export_format: str, **filters: Any) -> bytes:
    response = client.get(EXPORT_URL, {**filters, "as": export_format})
    assert response.status_code == 200, response.content
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    return export_bytes(response.streaming_content)


def read(export_format: str, body: bytes) -> list[dict[str, Any]]:
    """The rows of a file, read back with a reader that is not ours."""
    if export_format == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    if export_format == "jsonl":
        return [json.loads(line) for line in body.decode().splitlines()]
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.values]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def kursk(states: dict[str, Any]) -> dict[str, Any]:
    pak = CaptiveFactory(
        family_name="Pak",
        given_names="Chol",
        name_original="박철",
        original_script=Script.HANGUL,
        names=[(NameSystem.CYRILLIC, "Пак Чхоль")],
        nationality=states["PRK"],
        detaining_power=states["UKR"],
        health=Health.SERIOUSLY_WOUNDED,
        captured_on=date(2025, 1, 5),
    )
    ivanov = CaptiveFactory(
        family_name="Ivanov",
        given_names='=HYPERLINK("http://x")',
        name_original="Іванов Ґеоргій",
        original_script=Script.CYRILLIC,
        nationality=states["RUS"],
        detaining_power=states["UKR"],
        captured_on=date(2025, 3, 1),
    )
    return {"pak": pak, "ivanov": ivanov}


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "jsonl"])
def test_each_format_reads_back_as_the_list(
    caseworker: Any, kursk: dict[str, Any], export_format: str
) -> None:
    """Every row of the list comes back, Hangul and Cyrillic intact, dates ISO 8601."""
    rows = read(export_format, download(signed_in(caseworker), export_format))

    assert [row["case_number"] for row in rows] == [
        kursk["ivanov"].case_number,
        kursk["pak"].case_number,
    ][:: 1 if kursk["ivanov"].case_number < kursk["pak"].case_number else -1]
    pak = next(row for row in rows if row["family_name"] == "Pak")
    assert pak["name_original"] == "박철"
    assert pak["other_names"] == "Пак Чхоль (cyrillic)"
    assert pak["captured_on"] == "2025-01-05"
    assert pak["nationality"] == "PRK"
    ivanov = next(row for row in rows if row["family_name"] == "Ivanov")
    assert ivanov["name_original"] == "Іванов Ґеоргій"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_cell_that_would_be_a_formula_is_shown_as_text(
    caseworker: Any, kursk: dict[str, Any], export_format: str
) -> None:
    rows = read(export_format, download(signed_in(caseworker), export_format))

    ivanov = next(row for row in rows if row["family_name"] == "Ivanov")
    assert ivanov["given_names"] == '\'=HYPERLINK("http://x")'


def test_csv_starts_with_a_byte_order_mark(caseworker: Any, kursk: dict[str, Any]) -> None:
    """Excel reads a CSV without a BOM as ANSI and garbles Hangul."""
    body = download(signed_in(caseworker), "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    assert "박철".encode() in body


def test_the_export_is_the_list_as_filtered_and_searched(
    caseworker: Any, kursk: dict[str, Any], states: dict[str, Any]
) -> None:
    client = signed_in(caseworker)
    filtered = read("csv", download(client, "csv", health__exact=Health.SERIOUSLY_WOUNDED))
    searched = read("csv", download(client, "csv", q="Іванов"))
    by_nationality = read(
        "csv", download(client, "csv", nationality__id__exact=str(states["RUS"].pk))
    )

    assert [row["family_name"] for row in filtered] == ["Pak"]
    assert [row["family_name"] for row in searched] == ["Ivanov"]
    assert [row["family_name"] for row in by_nationality] == ["Ivanov"]


def test_every_page_is_exported(caseworker: Any, states: dict[str, Any]) -> None:
    for _ in range(60):  # the list shows 50 a page
        CaptiveFactory(nationality=states["RUS"], detaining_power=states["UKR"])

    assert len(read("jsonl", download(signed_in(caseworker), "jsonl"))) == 60


def test_each_export_is_recorded_with_the_hash_of_the_file(
    supervisor: Any, kursk: dict[str, Any]
) -> None:
    body = download(signed_in(supervisor), "csv", q="Pak")

    record = ExportRecord.objects.get()
    assert record.user == supervisor
    assert record.list_name == "cases.captive"
    assert record.filters == "q=Pak"
    assert record.export_format == "csv"
    assert record.row_count == 1
    assert record.completed
    assert record.sha256 == hashlib.sha256(body).hexdigest()


def test_an_abandoned_download_is_recorded_as_such(caseworker: Any, kursk: dict[str, Any]) -> None:
    response = signed_in(caseworker).get(EXPORT_URL, {"as": "jsonl"})
    content = iter(response.streaming_content)
    first = next(content)
    # The client goes away: the test client's wrapper closes the response as a server would.
    response._iterator.close()

    record = ExportRecord.objects.get()
    assert not record.completed
    assert record.sha256 == hashlib.sha256(first).hexdigest()


def test_supervisors_read_the_export_audit_and_caseworkers_do_not(
    supervisor: Any, caseworker: Any, kursk: dict[str, Any]
) -> None:
    download(signed_in(caseworker), "csv")

    assert signed_in(supervisor).get("/admin/reports/exportrecord/").status_code == 200
    assert signed_in(caseworker).get("/admin/reports/exportrecord/").status_code == 403
    record = ExportRecord.objects.get()
    change = signed_in(supervisor).get(f"/admin/reports/exportrecord/{record.pk}/change/")
    assert change.status_code == 200
    assert b'name="sha256"' not in change.content  # read-only


def test_a_role_without_the_export_permission_is_refused_and_sees_no_button(
    caseworker: Any, kursk: dict[str, Any]
) -> None:
    from django.contrib.auth.models import Permission

    caseworker.groups.first().permissions.remove(
        Permission.objects.get(codename="export", content_type__app_label="reports")
    )
    client = signed_in(caseworker)

    assert client.get(EXPORT_URL, {"as": "csv"}).status_code == 403
    assert b"export-link" not in client.get(LIST_URL).content
    assert not ExportRecord.objects.exists()


def test_the_button_keeps_the_lists_filters(caseworker: Any, kursk: dict[str, Any]) -> None:
    page = signed_in(caseworker).get(LIST_URL, {"q": "Pak"}).content.decode()

    assert 'action="/admin/cases/captive/export/?q=Pak"' in page


def test_a_list_has_one_export_control_with_its_format_and_password(
    caseworker: Any, kursk: dict[str, Any]
) -> None:
    """One way to export: a form naming the format, a password field, one Export button; no
    separate buttons for each format beside it."""
    import re

    page = signed_in(caseworker).get(LIST_URL).content.decode()
    content = page[page.index('id="content"') :]

    assert content.count('class="export-form"') == 1
    form = content[content.index('class="export-form"') : content.index("</form>")]
    assert re.findall(r'<option value="(\w+)"', form) == ["csv", "xlsx", "jsonl"]
    assert form.count('type="password" name="password"') == 1
    # Every control that exports, links included: the form's one button.
    exporting = re.findall(r"<(?:a|button)\b[^>]*>\s*(Export[^<]*)<", content)
    assert exporting == ["Export"]


def test_an_unknown_format_is_refused(caseworker: Any, kursk: dict[str, Any]) -> None:
    assert signed_in(caseworker).get(EXPORT_URL, {"as": "pdf"}).status_code == 400


def test_the_export_is_read_lazily_in_a_fixed_number_of_queries(
    caseworker: Any, states: dict[str, Any]
) -> None:
    """Queries do not grow with the rows: 30 rows and 300 rows cost the same."""
    client = signed_in(caseworker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client, "csv")
        return len(captured)

    for _ in range(30):
        CaptiveFactory(nationality=states["RUS"], detaining_power=states["UKR"])
    few = queries()
    for _ in range(270):
        CaptiveFactory(nationality=states["RUS"], detaining_power=states["UKR"])
    many = queries()

    assert many == few


LISTS = [
    ("cases", "custodyevent"),
    ("cases", "wishstatement"),
    ("cases", "obligation"),
    ("diplomacy", "exchangeproposal"),
    ("diplomacy", "transferrequest"),
    ("partners", "disclosurerecord"),
]


@pytest.mark.parametrize(("app_label", "model_name"), LISTS)
def test_every_list_a_caseworker_works_from_exports_all_its_rows(
    supervisor: Any, world: dict[str, Any], app_label: str, model_name: str
) -> None:
    partner, _secret = partner_create(
        acting_user=None, name="ICRC CTA", kind="tracing_agency", scopes=["cases:read"]
    )
    disclosure_record(
        partner=partner, reads=[(world["first"].pk, "identity")], method="GET", path="/api/"
    )
    client = signed_in(supervisor)
    url = f"/admin/{app_label}/{model_name}/"
    assert b"export-link" in client.get(url).content
    response = client.get(f"{url}export/", {"as": "csv"})
    assert response.status_code == 200
    rows = read("csv", export_bytes(response.streaming_content))

    assert len(rows) == apps.get_model(app_label, model_name).objects.count()


def test_a_proposal_is_exported_with_its_offered_captives(
    caseworker: Any, world: dict[str, Any]
) -> None:
    rows = read("csv", download_from(signed_in(caseworker), "/admin/diplomacy/exchangeproposal/"))

    offered = rows[0]["offered_captives"]
    assert world["first"].case_number in offered
    assert world["second"].case_number in offered
    assert "(included)" in offered


def download_from(client: Client, list_url: str, **filters: Any) -> bytes:
    response = client.get(f"{list_url}export/", {**filters, "as": "csv"})
    assert response.status_code == 200, response.content
    return export_bytes(response.streaming_content)


@pytest.mark.parametrize("method", ["head", "options", "put", "delete"])
def test_only_get_and_post_export_and_nothing_else_records_anything(
    caseworker: Any, kursk: dict[str, Any], method: str
) -> None:
    """A HEAD or an OPTIONS would run the export and audit it as sent, sending nothing: the
    API's rule too."""
    response = getattr(signed_in(caseworker), method)(f"{EXPORT_URL}?as=csv")

    assert response.status_code == 405
    assert not ExportRecord.objects.exists()


# An id past any integer column's range (PostgreSQL's bigint ends at 9223372036854775807).
OUT_OF_RANGE = "99999999999999999999"
JUNK_FILTERS = [
    {"nationality__id__exact": OUT_OF_RANGE},
    {"nationality__id__exact": "-" + OUT_OF_RANGE},
    {"id__exact": OUT_OF_RANGE},
    {"nationality__id__exact": "not-a-number"},
]


@pytest.mark.parametrize("query", JUNK_FILTERS)
def test_a_filter_out_of_range_answers_every_format_as_the_list_answers(
    caseworker: Any, kursk: dict[str, Any], query: dict[str, str]
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    listed = client.get(LIST_URL, query)
    assert listed.status_code in {200, 302, 400}

    for export_format in ["csv", "xlsx", "jsonl"]:
        response = client.get(EXPORT_URL, {**query, "as": export_format})
        if listed.status_code == 200:  # the list shows none: the export holds none
            assert response.status_code == 200, (export_format, response.status_code)
            assert read(export_format, export_bytes(response.streaming_content)) == []
        else:  # the list refuses the query: so does the export, and records nothing
            assert response.status_code == 400, (export_format, response.status_code)
    if listed.status_code != 200:
        assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("query", JUNK_FILTERS)
def test_a_filter_out_of_range_is_never_a_500_with_a_password(
    caseworker: Any, kursk: dict[str, Any], query: dict[str, str]
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    for export_format in ["csv", "xlsx", "jsonl"]:
        response = client.post(
            f"{EXPORT_URL}?{'&'.join(f'{k}={v}' for k, v in query.items())}",
            {"as": export_format, "password": "a long enough password"},
        )
        assert response.status_code in {200, 400}, (export_format, response.status_code)
        if response.status_code == 200:
            export_bytes(response.streaming_content)
