"""Importing a list in the admin: upload, map, progress, preview, decide, confirm, write."""

import json
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import Captive
from imports.choices import BatchStatus, RowStatus
from imports.models import ImportBatch

LIST = (
    "Прізвище,Ім'я,Оригінал,Дата народження,Дата полону,Місце полону\n"
    "Kim,Chol-su,김철수,1998-03-02,2025-01-05,Kursk\n"
    "Ivanov,Petr,Иванов Петр,1990-04-12,2025-02-01,Kursk\n"
    "Pak,Min,박민,31.02.1998,2025-01-05,Kursk\n"
)


def upload(client: Any, states: dict[str, Any], data: str = LIST) -> ImportBatch:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("admin:imports_importbatch_upload"),
        {
            "file": SimpleUploadedFile("list.csv", data.encode(), content_type="text/csv"),
            "source": "NIB Ukraine, list 14",
            "detaining_power": states["UKR"].pk,
            "encoding": "utf-8",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("id")


def step_until_done(client: Any, batch: ImportBatch) -> list[dict[str, Any]]:
    url = reverse("admin:imports_importbatch_step", args=[batch.pk])
    answers = []
    for _ in range(50):
        response = client.post(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        answers.append(json.loads(response.content))
        if not answers[-1]["running"]:
            return answers
    raise AssertionError("the import never finished")


def test_a_caseworker_imports_a_list_from_upload_to_written(
    client: Any, states: dict[str, Any], caseworker: Any
) -> None:
    kept = case_services.captive_register(
        acting_user=caseworker,
        detaining_power=states["UKR"],
        captured_on=date(2025, 1, 5),
        family_name="Ivanov",
        given_names="Petr",
        name_original="Иванов Петр",
    )
    client.force_login(caseworker)
    listing = client.get(reverse("admin:imports_importbatch_changelist"))
    assert "Import a list" in listing.content.decode()

    batch = upload(client, states)
    page = client.get(reverse("admin:imports_importbatch_change", args=[batch.pk])).content.decode()
    # The mapping was guessed from the Ukrainian headers and is offered for correction.
    assert '<option value="family_name" selected>' in page
    assert '<option value="captured_on" selected>' in page
    assert "Kursk" in page  # the first values of each column

    mapping = {f"column-{column}": field for column, field in batch.mapping.items()}
    response = client.post(reverse("admin:imports_importbatch_map", args=[batch.pk]), mapping)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "data-import-step" in page
    answers = step_until_done(client, batch)
    assert answers[-1]["status"] == BatchStatus.PREVIEW
    assert answers[-1]["done"] == answers[-1]["total"] == 3
    assert Captive.objects.count() == 1  # nothing written yet

    page = client.get(reverse("admin:imports_importbatch_change", args=[batch.pk])).content.decode()
    assert "Confirm and write" in page
    assert "<strong>Дата народження</strong>: “31.02.1998” is not a date" in page
    assert kept.case_number in page  # the Ivanov Petr of the list may be the one registered

    ivanov = batch.rows.get(number=3)
    response = client.post(
        reverse("admin:imports_importbatch_decide", args=[batch.pk]),
        {f"decision-{ivanov.pk}": f"same:{kept.pk}", "back": "rows=candidates&page=1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?rows=candidates&page=1")
    client.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    answers = step_until_done(client, batch)
    assert answers[-1]["status"] == BatchStatus.DONE
    batch.refresh_from_db()
    assert batch.written_count == 2
    assert batch.rows.get(number=3).captive.duplicate_of == kept
    assert batch.rows.get(number=4).status == RowStatus.INVALID

    page = client.get(reverse("admin:imports_importbatch_change", args=[batch.pk])).content.decode()
    kim = batch.rows.get(number=2).captive
    assert reverse("admin:cases_captive_change", args=[kim.pk]) in page
    assert "Confirm and write" not in page
    # Who did what, on the page.
    history = page[page.index("History of this import") :]
    for reason in ("Uploaded", "Columns mapped", "Confirmed", "Written"):
        assert f"<td>cw</td><td>{reason}</td>" in history, reason
    # Nothing is deleted, by any door.
    delete = reverse("admin:imports_importbatch_delete", args=[batch.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_an_analyst_reads_an_import_and_may_do_nothing_with_it(
    client: Any, states: dict[str, Any], caseworker: Any, analyst: Any
) -> None:
    client.force_login(caseworker)
    batch = upload(client, states)
    client.force_login(analyst)
    listing = client.get(reverse("admin:imports_importbatch_changelist")).content.decode()
    assert batch.reference in listing and "Import a list" not in listing
    page = client.get(reverse("admin:imports_importbatch_change", args=[batch.pk])).content.decode()
    assert batch.file_name in page
    for word in ("Analyse the rows", "Cancel this import", '<select name="column-'):
        assert word not in page
    assert client.get(reverse("admin:imports_importbatch_upload")).status_code == 403
    assert client.get(reverse("admin:imports_importbatch_add")).status_code == 403
    history = client.get(reverse("admin:imports_importbatch_history", args=[batch.pk]))
    assert history.status_code == 200 and "Uploaded" in history.content.decode()
    for name in ("map", "step", "decide", "confirm", "cancel"):
        response = client.post(reverse(f"admin:imports_importbatch_{name}", args=[batch.pk]))
        assert response.status_code == 403, name
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UPLOADED


@pytest.mark.parametrize("name", ["map", "step", "decide", "confirm", "cancel"])
def test_the_steps_are_posts(
    client: Any, states: dict[str, Any], caseworker: Any, name: str
) -> None:
    client.force_login(caseworker)
    batch = upload(client, states)
    assert (
        client.get(reverse(f"admin:imports_importbatch_{name}", args=[batch.pk])).status_code == 405
    )


def test_a_bad_file_says_why_on_the_form(
    client: Any, states: dict[str, Any], caseworker: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(caseworker)
    response = client.post(
        reverse("admin:imports_importbatch_upload"),
        {
            "file": SimpleUploadedFile("list.csv", "Прізвище\nКим\n".encode("cp1251")),
            "source": "x",
            "detaining_power": states["UKR"].pk,
            "encoding": "utf-8",
        },
    )
    assert response.status_code == 200
    assert "The file is not UTF-8" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_junk_decisions_and_filters_are_refused(
    client: Any, states: dict[str, Any], caseworker: Any
) -> None:
    client.force_login(caseworker)
    batch = upload(client, states)
    page = reverse("admin:imports_importbatch_change", args=[batch.pk])
    assert client.get(page + "?rows=nonsense").status_code == 400
    assert client.get(page + "?page=x").status_code == 200
    decide = reverse("admin:imports_importbatch_decide", args=[batch.pk])
    for junk in ({"decision-x": "same:1"}, {"decision-99999999999999999999": "new"}):
        response = client.post(decide, junk)
        assert response.status_code == 302
        assert "could not be read" in client.get(page).content.decode()
    response = client.post(decide, {"best": "1", "min_score": "abc"})
    assert response.status_code == 400
