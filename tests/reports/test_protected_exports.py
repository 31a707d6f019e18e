"""Password-protected exports: an AES-256 ZIP, and a setting that makes full-level exports need
one."""

import csv
import hashlib
import io
from typing import Any

import pytest
import pyzipper
from django.core.management import CommandError, call_command
from django.test import Client

from partners.choices import DisclosureLevel
from partners.services import case_share_grant
from reports.exports import export_bytes
from reports.models import ExportRecord
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import ALL_SCOPES, make_partner

PASSWORD = "correct horse battery"
EXPORT_URL = "/admin/cases/captive/export/"


def unzipped(body: bytes, password: str = PASSWORD) -> tuple[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        archive.setpassword(password.encode())
        (member,) = archive.infolist()
        assert member.compress_type == pyzipper.ZIP_DEFLATED
        return member.filename, archive.read(member.filename)


def test_a_protected_admin_export_is_an_aes_zip_of_the_file(
    caseworker: Any, states: dict[str, Any]
) -> None:
    CaptiveFactory(family_name="Pak", name_original="박철", nationality=states["PRK"])
    client = Client()
    client.force_login(caseworker)

    response = client.post(f"{EXPORT_URL}?q=Pak", {"as": "csv", "password": PASSWORD})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = export_bytes(response.streaming_content)
    name, inner = unzipped(body)
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(inner.decode("utf-8-sig"))))
    assert [(row["family_name"], row["name_original"]) for row in rows] == [("Pak", "박철")]
    with pytest.raises(RuntimeError):
        unzipped(body, "wrong password!!")
    record = ExportRecord.objects.get()
    assert record.filters == "q=Pak"  # the password is nowhere in the audit
    assert record.sha256 == hashlib.sha256(body).hexdigest()


def test_when_the_setting_says_so_a_staff_export_without_a_password_is_refused(
    caseworker: Any, states: dict[str, Any], settings: Any
) -> None:
    settings.EXPORT_FULL_LEVEL_REQUIRES_PASSWORD = True
    CaptiveFactory(nationality=states["RUS"])
    client = Client()
    client.force_login(caseworker)

    refused = client.get(EXPORT_URL, {"as": "csv", "q": "x"})
    page = client.get("/admin/cases/captive/").content.decode()

    assert refused.status_code == 302
    assert refused["Location"] == "/admin/cases/captive/?q=x"
    assert not ExportRecord.objects.exists()
    assert 'name="password" autocomplete="new-password" minlength="12" required' in page
    assert 'class="export-link" download' not in page  # no unprotected links
    assert client.post(EXPORT_URL, {"as": "csv", "password": PASSWORD}).status_code == 200


def test_a_short_password_is_refused(caseworker: Any, states: dict[str, Any]) -> None:
    client = Client()
    client.force_login(caseworker)
    assert client.post(EXPORT_URL, {"as": "csv", "password": "short"}).status_code == 302
    assert not ExportRecord.objects.exists()


def test_a_partners_full_level_export_needs_a_password_only_when_the_setting_says_so(
    client: Client, world: dict[str, Any], settings: Any
) -> None:
    settings.EXPORT_FULL_LEVEL_REQUIRES_PASSWORD = True
    scopes = [*ALL_SCOPES, "reports:export"]
    full = make_partner(
        client,
        "KOR",
        state=world["states"]["KOR"],
        default_level=DisclosureLevel.FULL,
        scopes=scopes,
    )
    identity = make_partner(client, "ICRC", kind="tracing_agency", scopes=scopes)
    case_share_grant(
        acting_user=None,
        partner=identity.partner,
        captive=world["first"],
        level=DisclosureLevel.IDENTITY,
        reason="Tracing request",
    )

    refused = full.get("/api/v1/captives/export/", **{"as": "csv"})
    protected = full.get(
        "/api/v1/captives/export/", headers={"X-Export-Password": PASSWORD}, **{"as": "csv"}
    )
    plain = identity.get("/api/v1/captives/export/", **{"as": "csv"})

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "export_password_required"
    assert protected.status_code == 200
    assert unzipped(export_bytes(protected.streaming_content))[0].endswith(".csv")
    assert plain.status_code == 200
    assert plain["Content-Type"].startswith("text/csv")


def test_the_command_protects_the_file_with_the_password_from_a_file(
    tmp_path: Any, states: dict[str, Any], settings: Any
) -> None:
    settings.EXPORT_FULL_LEVEL_REQUIRES_PASSWORD = True
    CaptiveFactory(family_name="Ivanov", nationality=states["RUS"])
    out = tmp_path / "captives.zip"
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")

    with pytest.raises(CommandError):
        call_command("export", "captives", "--format", "jsonl", "--out", str(out))
    call_command(
        "export",
        "captives",
        "--format",
        "jsonl",
        "--out",
        str(out),
        "--password-file",
        str(secret),
    )

    name, inner = unzipped(out.read_bytes())
    assert name == "captives.jsonl"
    assert b'"family_name":"Ivanov"' in inner
