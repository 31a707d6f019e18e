"""Benchmark of the partner API under load (issue 9): 50 concurrent clients over loopback against
gunicorn, for 60 seconds, each waiting for its answer before it asks again (a bounded, closed
loop), asking for a mix of list pages (first pages and pages by cursor), details and searches as
the UKR, KOR and PRK partners. Prints p50, p95 and p99 latency, throughput and errors against
the target (p99 ≤ 250 ms, no errors).

It serves the database at DATABASE_URL (fill it first with `manage.py load_synthetic`) with
gunicorn (`--workers`, default 2 × cores + 1) and DEBUG off; the throttle is lifted for the run
(API_RATE), since 50 clients of three partners would otherwise be refused by design.

Usage:
    DATABASE_URL=postgres://…/yours python bench/load.py [--clients 50] [--seconds 60]
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import AccessToken  # noqa: E402

from bench.common import Row, percentile, report  # noqa: E402
from cases.models import Captive  # noqa: E402
from partners.models import Partner  # noqa: E402

P99_GOAL_MS = 250.0
SEARCHES = ["김철", "Kim", "Kovalenko", "Чхоль", "Ch'ŏl", "UKR-2025", "SYN-1-00012"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tokens() -> list[tuple[str, list[int]]]:
    """An access token for each benchmark partner, with ids of captives it may see."""
    made = []
    for code in ("UKR", "KOR", "PRK"):
        partner = (
            Partner.objects.filter(state__code=code, revoked_at__isnull=True)
            .select_related("application", "service_user")
            .order_by("id")
            .first()
        )
        if partner is None:
            continue
        token = AccessToken.objects.create(
            user=partner.service_user,
            application=partner.application,
            token=secrets.token_urlsafe(32),
            expires=timezone.now() + timedelta(hours=2),
            scope=partner.scopes,
        )
        ids = list(
            Captive.objects.filter(involvements__state_id=partner.state_id)
            .order_by("?")
            .values_list("pk", flat=True)[:500]
        )
        made.append((token.token, ids))
    return made


def client_loop(
    port: int,
    credentials: list[tuple[str, list[int]]],
    until: float,
    seed: int,
    latencies: list[float],
    errors: list[str],
) -> None:
    rng = random.Random(seed)  # noqa: S311 - a request mix, not a secret
    cursors: list[str] = []
    while time.perf_counter() < until:
        token, ids = rng.choice(credentials)
        roll = rng.random()
        if roll < 0.3:
            path = "/api/v1/captives/?page_size=50"
        elif roll < 0.45 and cursors:
            path = rng.choice(cursors)
        elif roll < 0.8 and ids:
            path = f"/api/v1/captives/{rng.choice(ids)}/"
        else:
            path = f"/api/v1/captives/?search={quote(rng.choice(SEARCHES))}&page_size=50"
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
            conn.close()
        except OSError as error:
            errors.append(f"{path}: {error}")
            continue
        latencies.append((time.perf_counter() - began) * 1000)
        if response.status != 200:
            errors.append(f"{path}: {response.status}")
        elif "?page_size=50" in path and "search" not in path and len(cursors) < 200:
            following = json.loads(body).get("next")
            if following:
                parts = urlsplit(following)
                cursors.append(f"{parts.path}?{parts.query}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/load.py measures PostgreSQL.")
    credentials = tokens()
    if not credentials:
        sys.exit("No benchmark partners: run manage.py load_synthetic first.")
    connection.close()
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE": "100000000/minute",
        # A server with DEBUG off refuses to start without a key; this one lives for the run.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own server
        [
            *(sys.executable, "-m", "gunicorn", "powtracker.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(options.workers)),
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            if server.poll() is not None:
                sys.exit(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm every worker before measuring.
        warm_until = time.perf_counter() + 5
        warm: list[float] = []
        threads = [
            threading.Thread(target=client_loop, args=(port, credentials, warm_until, n, warm, []))
            for n in range(options.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies: list[float] = []
        errors: list[str] = []
        began = time.perf_counter()
        until = began + options.seconds
        threads = [
            threading.Thread(
                target=client_loop, args=(port, credentials, until, 1000 + n, latencies, errors)
            )
            for n in range(options.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not latencies:
        sys.exit(f"No request was answered: {errors[:5]}")
    p50, p95, p99 = (percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    print(
        f"{len(latencies)} requests in {elapsed:.0f} s ({len(latencies) / elapsed:.1f}/s), "
        f"{options.clients} clients, {options.workers} workers; "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; {len(errors)} errors"
    )
    for error in errors[:10]:
        print("  error:", error)
    report(
        [
            Row(
                f"{options.clients} clients × {options.seconds} s, p99",
                p99,
                goal=f"p99 ≤ {P99_GOAL_MS:.0f} ms, no errors",
                passed=p99 <= P99_GOAL_MS and not errors,
                note=(
                    f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, {len(latencies) / elapsed:.1f} req/s, "
                    f"{len(errors)} errors"
                ),
            )
        ],
        "Load",
    )


if __name__ == "__main__":
    main()
