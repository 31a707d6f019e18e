"""On the SQLite file `make run` serves, concurrent writers queue instead of failing with
"database is locked": of six PATCHes naming the same version one wins and five get 412, and six
concurrent wish statements are all recorded.

The suite's own SQLite database is in memory and does not lock like a file, so this test
migrates a real file in a subprocess and serves it with gunicorn (two processes, four threads
each) on a free local port.
"""

import base64
import json
import threading
import urllib.parse

import pytest
from django.db import connection

from tests.served import call, gunicorn, manage, migrated_sqlite, sqlite_env

WORKERS = 6

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="runs once, in the SQLite pass of the suite (it serves its own SQLite file)",
)

SEED = """
import json
from datetime import date
from cases.services import captive_register
from cases.choices import InvolvementRole
from cases.models import Involvement
from states.models import State
from partners.choices import DisclosureLevel, PartnerKind
from partners.services import partner_create

s = {c: State.objects.create(code=c, name=c) for c in ["UKR", "PRK", "KOR"]}
captive = captive_register(
    acting_user=None, detaining_power=s["UKR"], nationality=s["PRK"],
    power_depended_on=s["PRK"], family_name="Pak", captured_on=date(2025, 1, 5),
)
Involvement.objects.create(captive=captive, state=s["KOR"], role=InvolvementRole.RECEIVING_STATE)
partner, secret = partner_create(
    acting_user=None, name="KOR ministry", kind=PartnerKind.STATE_AGENCY, state=s["KOR"],
    default_level=DisclosureLevel.FULL,
    scopes=["cases:read", "cases:write", "wishes:read"],
)
print(json.dumps({"captive": captive.pk, "client_id": partner.application.client_id,
                  "secret": secret}))
"""


def send(method: str, url: str, body=None, headers=None, form=None):
    """One JSON (or form) request; (status, headers, body) whatever the status."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    return call(method, url, data=data, headers=headers)


def all_at_once(task, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def run(n: int) -> None:
        barrier.wait()
        statuses.append(task(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return sorted(statuses)


@pytest.fixture
def served_sqlite_file(tmp_path):
    """A migrated SQLite file with a captive and a partner, served by gunicorn (two processes,
    four threads each)."""
    env = sqlite_env(migrated_sqlite(tmp_path / "powtracker.sqlite3"))
    seed = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    with gunicorn(env, "--workers", "2", "--threads", "4") as base:
        yield base, seed


def test_concurrent_writes_on_the_sqlite_file_queue_instead_of_failing(served_sqlite_file):
    base, seed = served_sqlite_file
    basic = base64.b64encode(f"{seed['client_id']}:{seed['secret']}".encode()).decode()
    status, _, body = send(
        "POST",
        f"{base}/o/token/",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert status == 200, body
    bearer = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
    captive = f"{base}/api/v1/captives/{seed['captive']}/"
    status, headers, _ = send("GET", captive, headers=bearer)
    assert status == 200
    etag = headers["ETag"]

    patches = all_at_once(
        lambda n: send("PATCH", captive, {"rank": f"Rank {n}"}, {**bearer, "If-Match": etag})[0],
        WORKERS,
    )
    wishes = all_at_once(
        lambda n: send(
            "POST",
            f"{captive}wishes/",
            {
                "wish": "remain",
                "stated_at": f"2025-03-0{n + 1}T10:00:00Z",
                "mode": "private_interview",
                "statement": f"Interview {n}",
            },
            bearer,
        )[0],
        WORKERS,
    )

    assert patches == [200] + [412] * (WORKERS - 1)
    assert wishes == [201] * WORKERS
    status, _, body = send("GET", f"{captive}wishes/", headers=bearer)
    assert status == 200 and json.loads(body)["count"] == WORKERS
