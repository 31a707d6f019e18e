"""`make drill` and `make drill-short`: deploy/'s files run on one machine, then broken one fault
at a time (README "The drill").

    .venv/bin/python -m drill            the full drill
    .venv/bin/python -m drill --short    the CI form: routing, read-only mode, a job surviving a
                                         killed worker, a point-in-time restore

Exit 0 when every must-be-zero figure is zero and every proof held; 1 otherwise.
"""

import argparse
import csv
import hashlib
import io
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from drill.clients import BASE, Caseworker, Ledger, Load, Partner, banner_shown
from drill.stack import (
    DB,
    PG_BIN,
    PORTS,
    REPO,
    DrillError,
    Stack,
    log,
    wait_for,
)

# The migrated schema's dumps, kept between runs and clones (DRILL_CACHE names another folder).
CACHE = Path(os.environ.get("DRILL_CACHE") or Path.home() / ".cache" / "powtracker-drill")
SHARED_PARTNER = "Drill shared-case reader"


@dataclass
class Figure:
    name: str
    value: Any
    must_be_zero: bool = False
    note: str = ""

    @property
    def failed(self) -> bool:
        if self.must_be_zero:
            return self.value != 0
        return self.value is False


@dataclass
class Drill:
    stack: Stack
    short: bool
    figures: list[Figure] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    partners: dict[str, Partner] = field(default_factory=dict)
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    captives: list[int] = field(default_factory=list)
    primary_port: int = PORTS["primary"]
    counted: set = field(default_factory=set)

    def figure(self, name: str, value: Any, *, zero: bool = False, note: str = "") -> None:
        self.figures.append(Figure(name, value, zero, note))
        mark = "FAILED" if self.figures[-1].failed else "ok"
        log(f"  {name}: {value}{f'  ({note})' if note else ''}  [{mark}]")

    # --- setting up ---------------------------------------------------------------------------

    def schema(self) -> None:
        """A migrated database. Migrating PostgreSQL from nothing costs about two minutes of
        CPU (Django renders the models' state at each of ~60 migrations); the drill does it
        once per set of migrations and keeps a pg_dump of the result in CACHE,
        keyed by the migrations' and requirements' contents."""
        digest = hashlib.sha256()
        for path in [*sorted(REPO.glob("*/migrations/*.py")), REPO / "requirements.txt"]:
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
        site = Path(
            self.stack.run(
                [
                    str(REPO / ".venv/bin/python"),
                    "-c",
                    "import django, sys; print(django.__path__[0])",
                ],
                quiet=True,
            ).stdout.strip()
        ).parent
        for path in sorted(site.glob("*/migrations/0*.py")):
            digest.update(path.name.encode() + str(path.stat().st_size).encode())
        dump = CACHE / f"schema-{digest.hexdigest()[:16]}.dump"
        started = time.monotonic()
        url = self.stack.direct_url()
        older = sorted(CACHE.glob("schema-*.dump"), key=lambda p: p.stat().st_mtime)
        if dump.exists():
            self.restore_schema(dump, url)
            how = f"restored from {dump}"
        else:
            how = "migrated from nothing"
            if older:
                # The schema of earlier migrations, then only the new ones: seconds, not minutes.
                if self.restore_schema(older[-1], url, check=False):
                    how = f"{older[-1].name} restored, then the newer migrations"
                else:
                    self.stack.sql(self.primary_port, f"DROP DATABASE {DB}", db="postgres")
                    self.stack.sql(
                        self.primary_port, f"CREATE DATABASE {DB} OWNER powtracker", db="postgres"
                    )
            self.stack.manage("migrate", "--noinput", quiet=True)
            CACHE.mkdir(parents=True, exist_ok=True)
            partial = dump.with_suffix(".part")
            self.stack.run([str(PG_BIN / "pg_dump"), "-Fc", "-f", str(partial), url], quiet=True)
            partial.rename(dump)
            how += f"; kept as {dump}"
        seconds = time.monotonic() - started
        self.figure("schema ready (s)", round(seconds, 1), note=how)
        # The drill's view of which server served a read (after the dump: not part of it).
        self.stack.sql(self.primary_port, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def restore_schema(self, dump: Path, url: str, check: bool = True) -> bool:
        """pg_restore as the app's role, without what only a superuser may make (the drill's
        own pg_stat_statements, made afterwards)."""
        listing = self.stack.run([str(PG_BIN / "pg_restore"), "-l", str(dump)], quiet=True)
        toc = self.stack.root / "schema.toc"
        toc.write_text(
            "\n".join(
                line for line in listing.stdout.splitlines() if "pg_stat_statements" not in line
            )
        )
        restored = self.stack.run(
            [
                str(PG_BIN / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "-L",
                str(toc),
                "-d",
                url,
                str(dump),
            ],
            quiet=True,
            check=check,
        )
        return restored.returncode == 0

    def data(self) -> None:
        # The drill partner (UKR) sees every synthetic captive and 38 of the demo: 20,000 in all.
        synthetic = 3000 if self.short else 19_962
        started = time.monotonic()
        self.stack.manage("load_demo", "--force", quiet=True)
        demo = time.monotonic() - started
        self.stack.manage(
            "load_synthetic",
            "--captives",
            str(synthetic),
            "--seed",
            "7",
            "--force",
            "--credentials",
            str(self.stack.root / "synthetic.json"),
            quiet=True,
        )
        self.credentials["partner"] = self.partner_create(
            "Drill UKR partner",
            "UKR",
            "full",
            ["cases:read", "cases:write", "wishes:read", "reports:export"],
        )
        if not self.short:
            # Two more partner systems for the load (a pin is per OAuth client).
            for number in (2, 3):
                self.credentials[f"partner{number}"] = self.partner_create(
                    f"Drill UKR partner {number}",
                    "UKR",
                    "full",
                    ["cases:read", "cases:write", "wishes:read"],
                )
        self.credentials["shared"] = self.partner_create(
            SHARED_PARTNER, None, "case", ["cases:read"], kind="tracing_agency"
        )
        self.figure(
            "demo + synthetic loaded (s)",
            round(time.monotonic() - started, 1),
            note=f"demo {demo:.0f} s, then {synthetic:,} synthetic captives",
        )

    def partner_create(
        self,
        name: str,
        state: str | None,
        level: str,
        scopes: list[str],
        kind: str = "state_agency",
    ) -> tuple[str, str]:
        args = ["partner_create", name, "--kind", kind, "--level", level, "--scopes", *scopes]
        if state:
            args += ["--state", state]
        out = self.stack.manage(*args, quiet=True).stdout
        client_id = re.search(r"Client id:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
        secret = re.search(r"Client secret:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
        return client_id, secret

    def shell(self, code: str, port: int | None = None) -> str:
        return self.stack.manage("shell", "-c", code, port=port, quiet=True).stdout

    def services_up(self) -> None:
        stack = self.stack
        stack.replica_init()
        wait_for("replica streaming", stack.replica_caught_up, timeout=60)
        stack.pgbouncer_start()
        stack.app_start("app1")
        stack.app_start("app2")
        stack.worker_start("worker")
        stack.haproxy_start()
        wait_for(
            "both app servers UP in HAProxy",
            lambda: self.haproxy_up() == {"app1", "app2"},
            timeout=90,
        )

    def haproxy_up(self) -> set[str]:
        response = requests.get(f"http://127.0.0.1:{PORTS['stats']}/;csv", timeout=5)
        up = set()
        for row in csv.reader(io.StringIO(response.text.lstrip("# "))):
            if (
                len(row) > 17
                and row[0] == "app"
                and row[1] in ("app1", "app2")
                and row[17].startswith("UP")
            ):
                up.add(row[1])
        return up

    def clients(self) -> None:
        for number in (1, 2, 3) if not self.short else (1,):
            client_id, secret = self.credentials["partner" if number == 1 else f"partner{number}"]
            partner = Partner(f"partner{number}", self.ledger, client_id, secret)
            partner.token()
            self.partners[partner.name] = partner
        response = self.partners["partner1"].http.get(
            f"{BASE}/api/v1/captives/?custody_status=interned&detaining_power=UKR&page_size=50",
            timeout=20,
        )
        response.raise_for_status()
        self.captives = [row["id"] for row in response.json()["results"]]
        if len(self.captives) < 5:
            raise DrillError(f"the drill partner sees too few captives in custody: {response.text}")
        self.caseworkers = []
        for number, user in enumerate(("caseworker", "supervisor")[: 1 if self.short else 2]):
            worker = Caseworker(f"caseworker{number + 1}", self.ledger, user, "powtracker-drill")
            worker.login()
            self.caseworkers.append(worker)

    def backup(self) -> None:
        started = time.monotonic()
        self.stack.pgbackrest("main", "stanza-create")
        self.stack.pgbackrest("main", "check")
        self.stack.pgbackrest("main", "--type=full", "backup")
        self.figure("pgBackRest full backup (s)", round(time.monotonic() - started, 1))

    # --- what the database holds ------------------------------------------------------------

    def writes_counted(self, label: str) -> None:
        """Every acknowledged write against the rows: 0 lost, 0 duplicated."""
        rows = dict(
            self.stack.sql(
                self.primary_port,
                "SELECT statement, count(*) FROM cases_wishstatement "
                "WHERE statement LIKE 'drill-%' GROUP BY statement",
            )
        )
        with self.ledger.lock:
            acked = dict(self.ledger.acked)
        lost = [tag for tag in acked if rows.get(tag, 0) == 0]
        duplicated = [tag for tag in acked if rows.get(tag, 0) > 1]
        unacked = [tag for tag in rows if tag not in acked]
        self.figure(f"{label}: acknowledged writes", len(acked))
        self.figure(f"{label}: lost", len(lost), zero=True, note=", ".join(lost[:3]))
        self.figure(
            f"{label}: duplicated", len(duplicated), zero=True, note=", ".join(duplicated[:3])
        )
        if unacked:
            log(f"  ({len(unacked)} written without an acknowledgement: in flight at a fault)")

    def stale_counted(self, label: str) -> None:
        with self.ledger.lock:
            stale = list(self.ledger.stale)
        self.figure(f"{label}: stale reads", len(stale), zero=True, note="; ".join(stale[:3]))

    def statement_reads(self, port: int, table: str) -> int:
        rows = self.stack.sql(
            port,
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
            "WHERE query ILIKE 'SELECT%%' AND query LIKE %s",
            [f'%FROM "{table}"%'],
        )
        return int(rows[0][0])

    # --- proofs on the real replica ---------------------------------------------------------

    def prove_routing(self) -> None:
        log("routing: reads from the replica when it is caught up; a writer's reads on the primary")
        stack = self.stack
        wait_for("replica caught up", stack.replica_caught_up, timeout=30)
        partner = self.partners["partner1"]
        # 1. A partner that has not written: its list is read on the replica.
        time.sleep(1)
        before = self.statement_reads(PORTS["replica"], "cases_captive")
        response = partner.http.get(f"{BASE}/api/v1/captives/?page_size=5", timeout=20)
        after = self.statement_reads(PORTS["replica"], "cases_captive")
        self.figure(
            "routing: partner's list read on the replica",
            response.status_code == 200 and after > before,
            note=f"replica captive reads {before} -> {after}",
        )
        # 2. A caseworker who just wrote: his reads go to the primary (pinned), and see it.
        worker = self.caseworkers[0]
        captive = self.captives[0]
        assert worker.write(captive)
        wait_for("replica caught up", stack.replica_caught_up, timeout=30)
        replica_before = self.statement_reads(PORTS["replica"], "cases_wishstatement")
        primary_before = self.statement_reads(self.primary_port, "cases_wishstatement")
        back = worker.http.get(
            f"{BASE}/api/v1/captives/{captive}/wishes/?page_size=100", timeout=20
        )
        replica_after = self.statement_reads(PORTS["replica"], "cases_wishstatement")
        primary_after = self.statement_reads(self.primary_port, "cases_wishstatement")
        self.figure(
            "routing: a writer's next read on the primary (pinned)",
            back.status_code == 200
            and replica_after == replica_before
            and primary_after > primary_before,
            note=f"replica {replica_before}->{replica_after}, "
            f"primary {primary_before}->{primary_after}",
        )
        # 3. A replica whose replay is paused lags: reads go back to the primary.
        stack.sql(PORTS["replica"], "SELECT pg_wal_replay_pause()")
        try:
            self.shell(
                "from django.db import connection; c = connection.cursor(); "
                "c.execute('CREATE TEMP TABLE t (x int)'); c.execute('SELECT 1')"
            )
            stack.sql(self.primary_port, "SELECT pg_switch_wal()")
            time.sleep(7)  # past DATABASE_REPLICA_MAX_LAG (5 s)
            partner2 = Partner("partner-lag", self.ledger, *self.credentials["partner"])
            partner2.token()
            time.sleep(1)
            before = self.statement_reads(PORTS["replica"], "cases_captive")
            response = partner2.http.get(f"{BASE}/api/v1/captives/?page_size=5", timeout=20)
            after = self.statement_reads(PORTS["replica"], "cases_captive")
            self.figure(
                "routing: a lagging replica is not read",
                response.status_code == 200 and after == before,
                note=f"replica captive reads {before} -> {after}",
            )
        finally:
            stack.sql(PORTS["replica"], "SELECT pg_wal_replay_resume()")
        wait_for("replica caught up", stack.replica_caught_up, timeout=30)

    def prove_narrowing(self) -> None:
        """A voided share takes effect at once for a partner reading through any server."""
        log("narrowing: a share voided is not read a moment later")
        captive = self.captives[1]
        self.shell(
            "from django.contrib.auth import get_user_model; "
            "from partners.models import Partner; from cases.models import Captive; "
            "from partners.services import case_share_grant; "
            "u = get_user_model().objects.get(username='supervisor'); "
            f"case_share_grant(acting_user=u, partner=Partner.objects.get(name='{SHARED_PARTNER}'),"
            f" captive=Captive.objects.get(pk={captive}), level='case', reason='drill')"
        )
        reader = Partner("shared-reader", self.ledger, *self.credentials["shared"])
        reader.token()
        wait_for(
            "the shared case read", lambda: reader.read_one(captive).status_code == 200, timeout=30
        )
        time.sleep(16)  # past the pin of its token's issue, if any: a plain reader now
        self.shell(
            "from django.contrib.auth import get_user_model; "
            "from partners.models import CaseShare; from partners.services import case_share_void; "
            "u = get_user_model().objects.get(username='supervisor'); "
            f"s = CaseShare.objects.get(partner__name='{SHARED_PARTNER}', captive_id={captive}); "
            "case_share_void(acting_user=u, share=s, reason='drill: narrowed')"
        )
        seen = 0
        for _ in range(10):
            response = reader.read_one(captive)
            if response is not None and response.status_code == 200:
                seen += 1
                self.ledger.stale_read(
                    f"{reader.name} read captive {captive} after its share was voided"
                )
        self.figure("narrowing: reads after the share was voided", seen, zero=True)

    def prove_read_only(self, *, promote: bool) -> None:
        """Stop the primary: read-only (API writes 503 read_only, admin reads from the replica
        with its banner); then either start it again or promote the replica by the runbook."""
        stack = self.stack
        partner = self.partners["partner1"]
        worker = self.caseworkers[0]
        captive = self.captives[2]
        log("fault: the primary stops (immediate)")
        stopped = time.monotonic()
        stack.pg_stop("primary", mode="immediate")

        def write_refused() -> bool:
            response = partner.http.post(
                f"{BASE}/api/v1/captives/{captive}/wishes/",
                json={
                    "wish": "return",
                    "stated_at": "2025-06-01T10:00:00Z",
                    "mode": "private_interview",
                    "statement": "refused",
                },
                headers={"Idempotency-Key": f"ro-{time.monotonic()}"},
                timeout=20,
            )
            return response.status_code == 503 and response.json()["error"]["code"] == "read_only"

        seconds = wait_for("API writes answer 503 read_only", write_refused, timeout=60)
        self.figure("read-only: seconds until writes answer 503 read_only", round(seconds, 1))
        response = partner.http.post(
            f"{BASE}/api/v1/captives/{captive}/wishes/", json={}, timeout=20
        )
        self.figure(
            "read-only: API write 503 + Retry-After",
            response.status_code == 503 and "Retry-After" in response.headers,
        )
        page = worker.http.get(f"{BASE}/admin/cases/captive/{captive}/change/", timeout=20)
        self.figure(
            "read-only: admin reads from the replica with its banner",
            page.status_code == 200 and banner_shown(page.text),
            note=f"status {page.status_code}",
        )
        form = worker.http.post(
            f"{BASE}/admin/cases/captive/{captive}/case/wish/",
            data={"csrfmiddlewaretoken": worker.csrf(), "wish": "return"},
            timeout=20,
        )
        self.figure("read-only: admin write refused (503)", form.status_code == 503)
        states = partner.http.get(f"{BASE}/api/v1/states/", timeout=20)
        self.figure(
            "read-only: partner's non-ledgered read served",
            states.status_code == 200,
            note=f"status {states.status_code}",
        )
        ledgered = partner.http.get(f"{BASE}/api/v1/captives/{captive}/", timeout=20)
        self.figure(
            "read-only: partner's ledgered read refused (503 read_only)",
            ledgered.status_code == 503,
            note=f"status {ledgered.status_code}",
        )
        if promote:
            self.promote(stopped)
        else:
            stack.pg_start("primary")
            resumed = wait_for(
                "writes resume", lambda: worker.write(self.captives[3]), timeout=90, every=0.5
            )
            self.figure(
                "read-only: seconds until writes resume (primary back)",
                round(time.monotonic() - stopped, 1),
                note=f"{resumed:.1f} s after start",
            )

    def promote(self, stopped: float) -> None:
        """The runbook (README "Deploying"): promote the replica, repoint PgBouncer."""
        stack = self.stack
        log("runbook: pg_ctl promote on the replica, deploy/pgbouncer/repoint.sh")
        started = time.monotonic()
        stack.run(
            [str(PG_BIN / "pg_ctl"), "-D", str(stack.clusters["replica"]), "-w", "promote"],
            as_postgres=True,
            quiet=True,
        )
        env = dict(os.environ, PGBOUNCER_PIDFILE=str(stack.root / "run" / "pgbouncer.pid"))
        stack.run(
            [
                str(REPO / "deploy/pgbouncer/repoint.sh"),
                str(stack.conf / "pgbouncer" / "pgbouncer.ini"),
                DB,
                "127.0.0.1",
                str(PORTS["replica"]),
            ],
            env=env,
            quiet=True,
        )
        self.primary_port = PORTS["replica"]
        worker = self.caseworkers[0]
        wait_for("writes resume", lambda: worker.write(self.captives[3]), timeout=90, every=0.5)
        resumed = time.monotonic()
        self.figure(
            "primary lost: seconds read-only (the stop to writes resumed)",
            round(resumed - stopped, 1),
            note=f"the runbook began {started - stopped:.1f} s after the stop",
        )
        self.figure(
            "primary lost: seconds from promotion to writes resumed", round(resumed - started, 1)
        )

    def prove_job_survives(self, expected_rows: int | None) -> None:
        """A partner's export as a job; its worker killed mid-way; a new worker finishes it,
        once."""
        stack = self.stack
        # A client of its own (the load's partner1 uses the same OAuth client meanwhile).
        partner = Partner("exporter", self.ledger, *self.credentials["partner"])
        partner.token()
        count = partner.http.get(
            f"{BASE}/api/v1/captives/?count=true&page_size=1", timeout=60
        ).json()["count"]
        log(f"fault: the worker is killed during a partner export of {count:,} captives")
        response = partner.http.post(
            f"{BASE}/api/v1/captives/exports/?as=csv",
            headers={"Idempotency-Key": f"drill-export-{time.time()}"},
            timeout=30,
        )
        if response.status_code != 202:
            raise DrillError(f"export refused: {response.status_code} {response.text[:300]}")
        location = response.headers["Location"]
        export_id = int(location.rstrip("/").split("/")[-1])

        def job_row() -> tuple:
            return stack.sql(
                self.primary_port,
                "SELECT j.state, j.attempts, j.progress, j.id FROM reports_exportjob e "
                "JOIN jobs_job j ON j.id = e.job_id WHERE e.id = %s",
                [export_id],
            )[0]

        # Killed while its attempt holds it: on an idle machine a few thousand rows are written
        # within one heartbeat (JOB_HEARTBEAT_SECONDS), so the progress recorded may still be 0.
        wait_for("the export running", lambda: job_row()[0] == "running", timeout=120, every=0.05)
        state, attempts, progress, _ = job_row()
        stack.kill("worker")
        killed = time.monotonic()
        log(f"  worker killed (-9) at {progress:,} rows, attempt {attempts}")

        def done() -> bool:
            return job_row()[0] in ("succeeded", "failed")

        wait_for("the export finished by the new worker", done, timeout=600, every=0.5)
        state, attempts, progress, _ = job_row()
        finished = time.monotonic() - killed
        status = partner.http.get(
            f"{BASE}{location}" if location.startswith("/") else location, timeout=30
        ).json()
        download = partner.http.get(f"{BASE}/api/v1/exports/{export_id}/download/", timeout=300)
        rows = max(0, len(download.content.decode("utf-8-sig").strip().splitlines()) - 1)
        published = stack.sql(
            self.primary_port,
            "SELECT count(*) FROM reports_exportjob WHERE id = %s AND ready_at IS NOT NULL",
            [export_id],
        )[0][0]
        attempt_row = stack.sql(
            self.primary_port,
            "SELECT attempt, row_count FROM reports_exportjob WHERE id = %s",
            [export_id],
        )[0]
        self.figure("job: state after the killed worker", state == "succeeded", note=state)
        self.figure(
            "job: attempts",
            attempts,
            note="the killed one, and any after it; the last one published",
        )
        # Once: one file published, by the job's last attempt, not by the killed one.
        self.figure(
            "job: finished exactly once",
            published == 1 and attempts >= 2 and attempt_row[0] == attempts,
            note=f"published by attempt {attempt_row[0]} of {attempts}",
        )
        self.figure(
            "job: rows in the file = rows the partner sees",
            rows == count and attempt_row[1] == count and status.get("status") == "ready",
            note=f"{rows:,} rows, {count:,} seen, status {status.get('status')}",
        )
        if expected_rows is not None:
            self.figure("job: export of 20,000 captives", count == expected_rows, note=f"{count:,}")
        self.figure(
            "job: seconds from the kill to the file",
            round(finished, 1),
            note="a new worker (Restart=always), then the lease ran out (JOB_LEASE_SECONDS)",
        )

    def prove_restore(self) -> None:
        """A deliberate mistake at a recorded time; the ONE documented command restores the
        moment before it into the 5434 cluster; integrity_check passes there."""
        stack = self.stack
        primary = self.primary_port
        log("fault: a deliberate mistake (a bulk UPDATE in SQL), then a point-in-time restore")
        time.sleep(1)
        target = stack.sql(primary, "SELECT now()::text")[0][0]
        time.sleep(1)
        changed = stack.sql(
            primary,
            "WITH u AS (UPDATE cases_captive SET family_name = "
            "'MISTAKE' RETURNING 1) SELECT count(*) FROM u",
        )[0][0]
        log(f"  recorded time {target}; then {changed:,} captives renamed MISTAKE")
        segment = stack.sql(primary, "SELECT pg_walfile_name(pg_current_wal_lsn())")[0][0]
        stack.sql(primary, "SELECT pg_switch_wal()")
        wait_for(
            "the mistake's WAL archived",
            lambda: (
                (stack.sql(primary, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0] or "")
                >= segment
            ),
            timeout=120,
            every=0.5,
        )
        data = stack.root / "pg" / "restore"
        data.mkdir(mode=0o700)
        stack.run(["chown", "postgres:postgres", str(data)])
        stack.clusters["restore"] = data
        started = time.monotonic()
        # The ONE documented command (README "Deploying", deploy/pgbackrest/pgbackrest.conf).
        command = [
            "--delta",
            "--type=time",
            f"--target={target}",
            "--target-action=promote",
            "restore",
        ]
        log(f"  pgbackrest --stanza={DB} {' '.join(command)}")
        stack.pgbackrest("restore", *command)
        # The copy holds the old host's settings: this cluster's port, and no archiving into
        # the same stanza (a side copy to check, not the new primary).
        stack.pg_start("restore", "-p", str(PORTS["restore"]), "-c", "archive_mode=off")
        wait_for(
            "the restore promoted",
            lambda: not stack.sql(PORTS["restore"], "SELECT pg_is_in_recovery()")[0][0],
            timeout=300,
            every=0.5,
        )
        self.figure("restore: seconds to restore and recover", round(time.monotonic() - started, 1))
        mistaken = stack.sql(
            PORTS["restore"], "SELECT count(*) FROM cases_captive WHERE family_name = 'MISTAKE'"
        )
        self.figure(
            "restore: captives still renamed by the mistake",
            mistaken[0][0],
            zero=True,
            note=f"{changed:,} on the live primary",
        )
        check = stack.manage("integrity_check", port=PORTS["restore"], quiet=True, check=False)
        verdict = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr
        self.figure(
            "restore: integrity_check exit code", check.returncode, zero=True, note=verdict[:80]
        )
        live = stack.manage(
            "integrity_check", "--only", "history", port=primary, quiet=True, check=False
        )
        self.figure(
            "restore: integrity_check on the mistaken primary fails (as it must)",
            live.returncode != 0,
        )

    # --- the full drill's faults under load -------------------------------------------------

    def load(self) -> Load:
        clients = list(self.partners.values()) + list(self.caseworkers)
        load = Load(clients, self.captives)
        load.start()
        return load

    def until_calm(
        self, since: float, quiet: float = 5, timeout: float = 120, allow: tuple = ()
    ) -> float:
        """Seconds from `since` to the last failed request, once `quiet` seconds pass clean."""

        def calm() -> bool:
            failures = self.ledger.failures(since, allow=allow)
            last = failures[-1].at if failures else since
            return time.monotonic() - last >= quiet

        wait_for("requests succeed again", calm, timeout=timeout, every=0.5)
        failures = self.ledger.failures(since, allow=allow)
        return (failures[-1].at - since) if failures else 0.0

    def fault_app_server(self) -> None:
        log("fault 1: kill -9 one app server under load")
        time.sleep(5)
        since = time.monotonic()
        self.stack.kill("app1")
        wait_for("HAProxy takes app1 out", lambda: "app1" not in self.haproxy_up(), timeout=30)
        out = time.monotonic() - since
        recovered = self.until_calm(since)
        errors = self.ledger.failures(since)
        self.figure("1 app server killed: seconds until HAProxy took it out", round(out, 1))
        self.figure("1 app server killed: seconds until no request fails", round(recovered, 1))
        self.figure(
            "1 app server killed: failed requests",
            len(errors),
            note=f"of {self.ledger.count(since)}",
        )
        self.stack.app_start("app1")
        wait_for("app1 back in HAProxy", lambda: "app1" in self.haproxy_up(), timeout=90)
        self.writes_counted("1 app server killed")

    def fault_replica(self) -> None:
        log("fault 3: the replica stops under load")
        since = time.monotonic()
        self.stack.pg_stop("replica", mode="immediate")
        time.sleep(3)
        recovered = self.until_calm(since)
        errors = self.ledger.failures(since)
        self.figure("3 replica stopped: seconds until no request fails", round(recovered, 1))
        self.figure(
            "3 replica stopped: failed requests", len(errors), note=f"of {self.ledger.count(since)}"
        )
        self.stack.pg_start("replica")
        wait_for("replica caught up", self.stack.replica_caught_up, timeout=120)
        self.writes_counted("3 replica stopped")

    def synchronous_on(self) -> None:
        """deploy/postgresql/synchronous.conf on the primary, and a reload."""
        data = self.stack.clusters["primary"]
        target = data / "conf.d" / "synchronous.conf"
        target.write_text((self.stack.conf / "postgresql" / "synchronous.conf").read_text())
        self.stack.run(["chown", "postgres:postgres", str(target)])
        self.stack.sql(self.primary_port, "SELECT pg_reload_conf()")
        wait_for(
            "the replica synchronous",
            lambda: (
                self.stack.sql(
                    self.primary_port,
                    "SELECT sync_state FROM pg_stat_replication "
                    "WHERE application_name = 'replica1'",
                )
                == [("sync",)]
            ),
            timeout=30,
        )
        log("  synchronous replication on (deploy/postgresql/synchronous.conf)")

    def fault_primary(self) -> None:
        log("fault 4: the primary stops under load; the replica is promoted by the runbook")
        self.synchronous_on()
        time.sleep(5)
        since = time.monotonic()
        self.prove_read_only(promote=True)
        recovered = self.until_calm(since, allow=("read_only",))
        errors = self.ledger.failures(since, allow=("read_only",))
        refused = [o for o in self.ledger.failures(since) if o.code == "read_only"]
        self.figure(
            "4 primary lost: failed requests (other than 503 read_only)",
            len(errors),
            note=f"of {self.ledger.count(since)}; {len(refused)} refused read_only; "
            f"calm after {recovered:.1f} s",
        )
        self.writes_counted("4 primary lost")

    # --- the whole drill ---------------------------------------------------------------------

    def run(self) -> None:
        stack = self.stack
        stack.render()
        stack.primary_init()
        self.schema()
        self.data()
        # The first backup runs while the replica, PgBouncer, the app servers and HAProxy start.
        backup_error: list[BaseException] = []

        def backup() -> None:
            try:
                self.backup()
            except BaseException as error:
                backup_error.append(error)

        backing_up = threading.Thread(target=backup, daemon=True)
        backing_up.start()
        self.services_up()
        self.clients()
        backing_up.join()
        if backup_error:
            raise backup_error[0]
        self.prove_routing()
        self.prove_narrowing()
        if self.short:
            self.prove_read_only(promote=False)
            wait_for("replica caught up", stack.replica_caught_up, timeout=60)
            self.prove_job_survives(None)
            self.prove_restore()
            self.writes_counted("short")
            self.stale_counted("short")
            return
        load = self.load()
        try:
            time.sleep(20)
            self.fault_app_server()
            self.prove_job_survives(20_000)
            self.writes_counted("2 worker killed")
            self.fault_replica()
            self.fault_primary()
            time.sleep(10)
        finally:
            load.stop()
        self.writes_counted("after the load")
        self.prove_restore()
        self.stale_counted("whole drill")
        total = self.ledger.count(0)
        self.figure("requests made by the load", total)

    def report(self) -> int:
        failed = [f for f in self.figures if f.failed]
        width = max(len(f.name) for f in self.figures)
        print("\n" + "=" * (width + 40))
        print(f"{'figure':<{width}}  value")
        print("-" * (width + 40))
        for f in self.figures:
            value = f.value if not isinstance(f.value, bool) else ("yes" if f.value else "NO")
            mark = "  <-- FAILED" if f.failed else ""
            note = f"  ({f.note})" if f.note else ""
            print(f"{f.name:<{width}}  {value}{note}{mark}")
        print("=" * (width + 40))
        print("drill: " + ("FAILED: " + ", ".join(f.name for f in failed) if failed else "passed"))
        return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI form (under 5 minutes)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("the drill runs as root (it starts PostgreSQL as the postgres user)", file=sys.stderr)
        return 2

    def stopped(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stopped)
    started = time.monotonic()
    stack = Stack(short=args.short)
    drill = Drill(stack, args.short)
    status = 1
    try:
        drill.run()
        drill.figure("drill wall time (s)", round(time.monotonic() - started, 1))
        status = drill.report()
    except KeyboardInterrupt:
        print("\ndrill interrupted", file=sys.stderr)
        status = 130
    except Exception as error:
        print(f"\ndrill failed: {error}", file=sys.stderr)
        for name in stack.children:
            tail = stack.tail(name, 15)
            if tail:
                print(f"--- {name} (last lines) ---\n{tail}", file=sys.stderr)
        if drill.figures:
            drill.report()
        print(f"drill: FAILED ({error})")
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.close(keep=os.environ.get("DRILL_KEEP") == "1")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return status


if __name__ == "__main__":
    sys.exit(main())
