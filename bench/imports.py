"""Benchmark of importing a list of names in the admin (imports), on the register at DATABASE_URL.

An XLSX of BENCH_IMPORT_ROWS names (10,000 by default) is built: half are spelling variants of
captives already registered (another rendering of the name — McCune–Reischauer, a passport's
Latin, hyphens dropped — with the name in its original script and the year of birth), half new
fictional names. It goes through the admin as a caseworker's browser would send it (the Django
test client, in this process): upload, the guessed mapping, the progress page's slices of
analysis, the decisions (same person, for the variants whose registered captive was proposed),
confirmation and the slices of writing. Then the same file again, which must add nothing.

Figures: the time of each phase and of one slice (what a progress bar waits for), how many of
the variants were proposed their registered captive (recall), how many new names were proposed
anyone, and how many captives the second upload added. Everything is rolled back at the end.

Usage: DATABASE_URL=postgres://…/yours python bench/imports.py [rows]
Not a test: the timings depend on the machine. Exit status 1 if a target is missed.
"""

import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")
os.environ.setdefault("HTTPS", "false")  # in this process, over no network

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.messages import get_messages  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.common import Row, median, report  # noqa: E402
from cases.models import Captive, CaptiveName  # noqa: E402
from imports.choices import BatchStatus, RowStatus  # noqa: E402
from imports.models import ImportBatch  # noqa: E402
from powtracker.roles import ROLE_CASEWORKER  # noqa: E402
from states.models import State  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))
RECALL_GOAL = 0.95
HEADERS = ["Surname", "Given names", "Name in original script", "Year of birth", "Captured on"]
SYLLABLES = ["zor", "val", "mek", "tis", "bru", "dan", "quo", "lef", "rix", "nau", "pel", "sto"]


class Rollback(Exception):
    pass


def _latin_variant(rng: random.Random, captive: dict, renderings: list[str]) -> tuple[str, str]:
    """Family and given names as another list might write them."""
    latin = [r for r in renderings if r.isascii() and " " in r]
    if latin and rng.random() < 0.6:
        words = rng.choice(latin).split()
        return words[0], " ".join(words[1:])
    given = captive["given_names"]
    given = given.replace("-", "") if "-" in given else given
    return captive["family_name"], given


def build(rng: random.Random) -> tuple[bytes, dict[int, int]]:
    """The XLSX, and for each variant's row number the captive it is a variant of."""
    ids = list(
        Captive.objects.filter(duplicate_of__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(ids, min(len(ids), ROWS // 2))
    captives = {
        c["pk"]: c
        for c in Captive.objects.filter(pk__in=chosen).values(
            "pk",
            "family_name",
            "given_names",
            "name_original",
            "birth_date",
            "birth_year",
            "captured_on",
        )
    }
    renderings: dict[int, list[str]] = {}
    for captive_id, full_name in CaptiveName.objects.filter(captive_id__in=chosen).values_list(
        "captive_id", "full_name"
    ):
        renderings.setdefault(captive_id, []).append(full_name)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("list")
    sheet.append(HEADERS)
    truth: dict[int, int] = {}
    lines = []
    for captive_id in chosen:
        c = captives[captive_id]
        family, given = _latin_variant(rng, c, renderings.get(captive_id, []))
        born = c["birth_date"].year if c["birth_date"] else c["birth_year"]
        lines.append(
            ([family, given, c["name_original"], born or "", c["captured_on"]], captive_id)
        )
    for _ in range(ROWS - len(lines)):
        family = "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
        given = "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
        lines.append(([family, given, "", rng.randint(1970, 2004), "2025-03-01"], None))
    rng.shuffle(lines)
    for number, (cells, captive_id) in enumerate(lines, start=2):
        sheet.append(cells)
        if captive_id is not None:
            truth[number] = captive_id
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), truth


def drive(client: Client, batch: ImportBatch) -> tuple[float, list[float]]:
    """Post the progress page's slices until the batch stops running: the total and each."""
    url = reverse("admin:imports_importbatch_step", args=[batch.pk])
    slices = []
    began = time.perf_counter()
    while True:
        start = time.perf_counter()
        answer = json.loads(client.post(url, HTTP_ACCEPT="application/json").content)
        slices.append(time.perf_counter() - start)
        if not answer["running"]:
            return time.perf_counter() - began, slices


def upload_and_analyse(
    client: Client, data: bytes, power: State
) -> tuple[ImportBatch, float, float, list[float]]:
    began = time.perf_counter()
    response = client.post(
        reverse("admin:imports_importbatch_upload"),
        {
            "file": SimpleUploadedFile("list.xlsx", data),
            "source": "Benchmark list (fictional)",
            "detaining_power": power.pk,
            "encoding": "utf-8",
        },
    )
    uploaded = time.perf_counter() - began
    if response.status_code != 302 or "/login/" in response["Location"]:
        raise SystemExit(f"the upload was refused: {response.status_code} {response.content[:500]}")
    batch = ImportBatch.objects.latest("id")
    mapping = {f"column-{column}": field for column, field in batch.mapping.items()}
    client.post(reverse("admin:imports_importbatch_map", args=[batch.pk]), mapping)
    analysed, slices = drive(client, batch)
    batch.refresh_from_db()
    return batch, uploaded, analysed, slices


def main() -> int:
    rng = random.Random(9)  # noqa: S311 - fictional data
    if Captive.objects.count() < 1000:
        print("bench/imports.py needs a register to import into: run bench/search.py first")
        return 1
    # The test client comes as a browser on this machine would.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    data, truth = build(rng)
    print(f"{ROWS} rows ({len(truth)} variants of registered captives), {len(data) / 1e6:.1f} MB")
    rows: list[Row] = []
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user("bench-importer", is_staff=True)
            user.groups.add(Group.objects.get(name=ROLE_CASEWORKER))
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            power = State.objects.get(code="UKR")
            before = Captive.objects.count()

            batch, uploaded, analysed, slices = upload_and_analyse(client, data, power)
            assert batch.status == BatchStatus.PREVIEW, batch.status
            proposed = 0
            decisions = {}
            for number, row_id, candidates in batch.rows.values_list("number", "pk", "candidates"):
                if number in truth:
                    ids = [c["id"] for c in candidates]
                    if truth[number] in ids:
                        proposed += 1
                        decisions[f"decision-{row_id}"] = f"same:{truth[number]}"
            new_rows = [
                n for n in batch.rows.values_list("number", "candidates") if n[0] not in truth
            ]
            strangers = sum(1 for _, candidates in new_rows if candidates)
            recall = proposed / max(1, len(truth))
            # Posted a page (100 rows) at a time, as the preview's pages send them.
            decided = time.perf_counter()
            pairs = list(decisions.items())
            for start in range(0, len(pairs), 100):
                response = client.post(
                    reverse("admin:imports_importbatch_decide", args=[batch.pk]),
                    dict(pairs[start : start + 100]),
                )
                said = [str(m) for m in get_messages(response.wsgi_request)]
                if response.status_code != 302 or not any("recorded" in m for m in said):
                    raise SystemExit(f"decisions refused: {response.status_code} {said}")
            decided = time.perf_counter() - decided
            client.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
            written, write_slices = drive(client, batch)
            batch.refresh_from_db()
            added = Captive.objects.count() - before
            held = batch.rows.filter(status=RowStatus.HELD).count()

            again, _uploaded2, analysed2, _slices2 = upload_and_analyse(client, data, power)
            client.post(reverse("admin:imports_importbatch_confirm", args=[again.pk]))
            drive(client, again)
            again.refresh_from_db()
            added_again = Captive.objects.count() - before - added
            imported_before = again.rows.filter(status=RowStatus.IMPORTED_BEFORE).count()
            raise Rollback
    except Rollback:
        pass
    every_slice = slices + write_slices
    rows = [
        Row(f"import {ROWS:,}: upload and read the XLSX", uploaded, "s"),
        Row(
            f"import {ROWS:,}: analyse (checks, repeats, duplicates)",
            analysed,
            "s",
            note=f"{len(slices)} slices, {ROWS / analysed:.0f} rows/s",
        ),
        Row(f"import {ROWS:,}: decisions for {len(decisions):,} rows", decided, "s"),
        Row(
            f"import {ROWS:,}: write {batch.written_count:,} (held {held:,})",
            written,
            "s",
            note=f"{len(write_slices)} slices, {batch.written_count / written:.0f} rows/s",
        ),
        Row("import: one slice of the progress bar, p50", median(every_slice), "s"),
        Row(
            "import: one slice of the progress bar, max",
            max(every_slice),
            "s",
            goal="< 10 s (a request)",
            passed=max(every_slice) < 10,
        ),
        Row(
            "import: variants proposed their captive (recall)",
            recall,
            "",
            goal=f"≥ {RECALL_GOAL}",
            passed=recall >= RECALL_GOAL,
            note=f"{proposed} of {len(truth)}",
        ),
        Row(
            "import: new names proposed anyone",
            strangers / max(1, len(new_rows)),
            "",
            note=f"{strangers} of {len(new_rows)}",
        ),
        Row(
            "import: the same file again, analysed",
            analysed2,
            "s",
            note=f"{imported_before} rows imported before",
        ),
        Row(
            "import: captives the same file adds again",
            added_again,
            "",
            goal="0",
            passed=added_again == 0,
            note=f"first upload added {added}",
        ),
    ]
    report(rows, "Import")
    return 0 if all(row.passed is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
