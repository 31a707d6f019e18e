"""Benchmark of reading at scale (issue 9): the partner API's captive list, detail and search, the
admin's captive list and search, `obligations_due` and the front page, each against a plain
psycopg baseline that returns the same page as JSON, in the same run, interleaved, medians.

It reads the database at DATABASE_URL as it is: fill it first with
`manage.py load_synthetic --captives 100000` (PostgreSQL). Requests go through Django's whole
stack in this process (middleware, authentication, disclosure, serialization, SQL) with the
test client: no network, so the figures are the application's own cost. Each partner gets a
fresh access token for its own application; the admin is read as the caseworker.

Usage:
    DATABASE_URL=postgres://…/yours python bench/reads.py [--repeats 15]
Not a test: the figures depend on the machine.
"""

import argparse
import base64
import io
import json
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")
# The test client's host, over plain HTTP, with the production code paths (DEBUG off).
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["HTTPS"] = "false"
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import AccessToken  # noqa: E402

from bench.common import Row, interleaved, median, report  # noqa: E402
from cases.models import Captive  # noqa: E402
from cases.selectors import obligations_open  # noqa: E402
from partners.models import Partner  # noqa: E402
from powtracker.roles import ROLE_CASEWORKER  # noqa: E402

LIST_GOAL_MS = 150.0
DETAIL_GOAL_MS = 15.0
ADMIN_GOAL_MS = 150.0
DUTIES_GOAL_MS = 300.0


def partner_client(state_code: str) -> tuple[Client, Partner] | None:
    partner = (
        Partner.objects.filter(state__code=state_code, revoked_at__isnull=True)
        .select_related("application", "service_user")
        .order_by("id")
        .first()
    )
    if partner is None:
        return None
    token = AccessToken.objects.create(
        user=partner.service_user,
        application=partner.application,
        token=secrets.token_urlsafe(32),
        expires=timezone.now() + timedelta(hours=2),
        scope=partner.scopes,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token.token}"), partner


def fetch(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return response


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch(client, path)
    return len(captured)


def sql_json(sql: str, params: list[Any]) -> Any:
    """The baseline: one query, the page as JSON, as a plain psycopg client would get it."""

    def run() -> Any:
        with connection.cursor() as cursor:
            # The SQL is this script's own, never input.
            cursor.execute(f"SELECT coalesce(json_agg(t), '[]') FROM ({sql}) t", params)  # noqa: S608
            return cursor.fetchone()[0]

    return run


VISIBLE = """
    SELECT c.id FROM cases_captive c
    WHERE EXISTS (SELECT 1 FROM diplomacy_involvement i
                  WHERE i.captive_id = c.id AND i.state_id = %s)
       OR EXISTS (SELECT 1 FROM partners_caseshare s
                  WHERE s.captive_id = c.id AND s.partner_id = %s AND s.voided_at IS NULL)
"""
PAGE = """
    SELECT c.id, c.case_number, c.family_name, c.given_names, c.name_original, c.rank,
           c.service_number, c.captured_on, c.custody_status, c.health, n.code AS nationality,
           d.code AS detaining_power, c.updated_at,
           (SELECT json_agg(json_build_object('system', m.system, 'full_name', m.full_name))
              FROM cases_captivename m WHERE m.captive_id = c.id) AS names
    FROM cases_captive c
    LEFT JOIN diplomacy_state n ON n.id = c.nationality_id
    JOIN diplomacy_state d ON d.id = c.detaining_power_id
    WHERE c.id IN ({visible}) {where}
    ORDER BY c.case_number LIMIT %s OFFSET %s
"""


def deep_cursor(visible: list[Any], offset: int) -> str | None:
    """The cursor a client holds after following `next` to row `offset` of the list (in its
    default order: case number, then id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.case_number, c.id FROM cases_captive c WHERE c.id IN ({VISIBLE}) "  # noqa: S608
            "ORDER BY c.case_number, c.id LIMIT 1 OFFSET %s",
            [*visible, offset - 1],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    payload = {"o": ["case_number", "pk"], "v": list(found), "b": False}
    encoded = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return encoded.decode().rstrip("=")


def api_rows(repeats: int) -> list[Row]:
    rows: list[Row] = []
    for code in ("UKR", "KOR", "PRK"):
        made = partner_client(code)
        if made is None:
            print(f"(no {code} partner: load_synthetic makes one)")
            continue
        client, partner = made
        visible = [partner.state_id, partner.pk]
        cases = [
            (f"API list, first page, {code} partner", "", [], 0),
            (
                f"API list filtered (interned), {code} partner",
                "&custody_status=interned",
                ["AND c.custody_status = 'interned'"],
                0,
            ),
            (f"API list, page 1000 by page number, {code} partner", "&page=1000", [], 99_900),
        ]
        deep = deep_cursor(visible, 99_900)
        if deep:
            cases.append(
                (f"API list, 1000th page by cursor, {code} partner", f"&cursor={deep}", [], 99_900)
            )
        for title, query, where, offset in cases:
            path = f"/api/v1/captives/?page_size=100{query}"
            baseline = sql_json(
                PAGE.format(visible=VISIBLE, where=" ".join(where)), [*visible, 100, offset]
            )
            if offset and not baseline():
                continue  # fewer than 1,000 pages visible to this partner
            ours, theirs = interleaved(
                lambda p=path, c=client: fetch(c, p), baseline, repeats=repeats
            )
            count = queries(client, path)
            value, base = median(ours), median(theirs)
            rows.append(
                Row(
                    title,
                    value,
                    baseline=base,
                    goal=f"≤ 2× baseline and < {LIST_GOAL_MS:.0f} ms",
                    passed=value <= 2 * base and value < LIST_GOAL_MS,
                    note=f"{count} queries",
                )
            )
        captive_id = (
            Captive.objects.filter(involvements__state_id=partner.state_id)
            .order_by("case_number")
            .values_list("pk", flat=True)
            .first()
        )
        if captive_id is not None and code == "UKR":
            path = f"/api/v1/captives/{captive_id}/"
            baseline = sql_json(
                PAGE.format(visible=VISIBLE, where="AND c.id = %s"),
                [*visible, captive_id, 1, 0],
            )
            ours, theirs = interleaved(
                lambda p=path, c=client: fetch(c, p), baseline, repeats=repeats
            )
            rows.append(
                Row(
                    f"API captive detail, {code} partner",
                    median(ours),
                    baseline=median(theirs),
                    goal=f"< {DETAIL_GOAL_MS:.0f} ms",
                    passed=median(ours) < DETAIL_GOAL_MS,
                    note=f"{queries(client, path)} queries",
                )
            )
    return rows


ADMIN_PAGE = """
    SELECT c.id, c.case_number, c.family_name, c.given_names, c.name_original,
           n.code AS nationality, d.code AS detaining_power, c.custody_status, c.effective_wish,
           c.health, c.captured_on
    FROM cases_captive c
    LEFT JOIN diplomacy_state n ON n.id = c.nationality_id
    JOIN diplomacy_state d ON d.id = c.detaining_power_id
    WHERE TRUE {where}
    ORDER BY c.case_number DESC LIMIT 50
"""


def admin_rows(repeats: int) -> list[Row]:
    user, made = get_user_model().objects.get_or_create(
        username="bench-caseworker", defaults={"is_staff": True}
    )
    if made:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=ROLE_CASEWORKER))
    client = Client()
    client.force_login(user)
    year = Captive.objects.order_by("-captured_on").values_list("captured_on", flat=True).first()
    cases = [
        ("admin captive list", "", ""),
        (
            "admin captive list, custody filter",
            "?custody_status__exact=interned",
            "AND c.custody_status = 'interned'",
        ),
    ]
    if year is not None:
        cases.append(
            (
                "admin captive list, year drill-down",
                f"?captured_on__year={year.year}",
                f"AND c.captured_on >= '{year.year}-01-01' "
                f"AND c.captured_on < '{year.year + 1}-01-01'",
            )
        )
    rows = []
    for title, query, where in cases:
        path = f"/admin/cases/captive/{query}"
        baseline = sql_json(ADMIN_PAGE.format(where=where), [])
        ours, theirs = interleaved(lambda p=path, c=client: fetch(c, p), baseline, repeats=repeats)
        rows.append(
            Row(
                title,
                median(ours),
                baseline=median(theirs),
                goal=f"< {ADMIN_GOAL_MS:.0f} ms",
                passed=median(ours) < ADMIN_GOAL_MS,
                note=f"{queries(client, path)} queries",
            )
        )
    duties_baseline = sql_json(
        """SELECT o.id, o.kind, o.due_on, c.case_number FROM cases_obligation o
           JOIN cases_captive c ON c.id = o.captive_id
           WHERE o.fulfilled_on IS NULL AND o.voided_at IS NULL AND o.due_on <= %s
           ORDER BY o.due_on""",
        [timezone.localdate() + timedelta(days=7)],
    )
    ours, theirs = interleaved(
        lambda: call_command("obligations_due", days=7, stdout=io.StringIO()),
        duties_baseline,
        repeats=max(5, repeats // 3),
    )
    lines = obligations_open(within_days=7).count()
    rows.append(
        Row(
            f"manage.py obligations_due ({lines:,} lines)",
            median(ours),
            baseline=median(theirs),
            goal=f"< {DUTIES_GOAL_MS:.0f} ms",
            passed=median(ours) < DUTIES_GOAL_MS,
        )
    )
    ours, _ = interleaved(lambda: fetch(client, "/admin/"), None, repeats=max(5, repeats // 3))
    rows.append(
        Row(
            "front page (dashboard)",
            median(ours),
            goal=f"< {DUTIES_GOAL_MS:.0f} ms",
            passed=median(ours) < DUTIES_GOAL_MS,
            note=f"{queries(client, '/admin/')} queries",
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/reads.py measures PostgreSQL (its baselines are PostgreSQL's JSON).")
    total = Captive.objects.count()
    print(f"database: {connection.vendor}, {total:,} captives")
    rows = api_rows(options.repeats) + admin_rows(options.repeats)
    report(rows, f"Reads at {total:,} captives ({connection.vendor})")


if __name__ == "__main__":
    main()
