"""Settings: production values pass Django's deployment checks; a missing secret is refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the test run sets for itself and a deployment would not.
STRIPPED = {"SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x8Jq2vN0pL5tR9wY3zB7cF1hK4mQ6sU8eG2iO0aD5jT7nV9rX1",
        ALLOWED_HOSTS="powtracker.example.org",
        PUBLIC_URL="https://powtracker.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_is_refused_when_serving_with_debug_off():
    deploy = manage("check", "--deploy", DEBUG="false", ALLOWED_HOSTS="powtracker.example.org")
    serving = subprocess.run(
        [sys.executable, "-c", "import powtracker.wsgi"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in STRIPPED}, "DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert deploy.returncode != 0
    assert "powtracker.E001" in deploy.stderr + deploy.stdout
    assert serving.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in serving.stderr


def test_maintenance_commands_run_without_a_secret_key():
    result = manage("makemigrations", "--check", "--dry-run", DEBUG="false")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_replicas_are_refused_without_a_shared_cache_and_ignored_on_sqlite():
    replica = "postgres://postgres@127.0.0.1:5432/replica"
    no_cache = manage(
        "check",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        DATABASE_REPLICA_URLS=replica,
        CACHE_URL="",
    )
    on_sqlite = manage(
        "check",
        DATABASE_URL="",
        DATABASE_REPLICA_URLS=replica,
        CACHE_URL="redis://127.0.0.1:6379/0",
    )

    assert no_cache.returncode != 0
    assert "powtracker.E010" in no_cache.stderr
    assert on_sqlite.returncode == 0, on_sqlite.stderr
    assert "powtracker.W011" in on_sqlite.stderr


def test_a_mistyped_proxy_or_rate_stops_the_start_instead_of_failing_every_request():
    proxy = manage("check", TRUSTED_PROXIES="10.0.0.1, notanip")
    rate = manage("check", API_RATE="5/fortnight")

    assert proxy.returncode != 0
    assert (
        "TRUSTED_PROXIES: 'notanip' does not appear to be an IPv4 or IPv6 network" in proxy.stderr
    )
    assert rate.returncode != 0
    assert "API_RATE must read like 600/minute, not '5/fortnight'" in rate.stderr


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("WEBHOOK_TIMEOUT_SECONDS", "0", "WEBHOOK_TIMEOUT_SECONDS must be more than 0"),
        ("WEBHOOK_TIMEOUT_SECONDS", "-3", "WEBHOOK_TIMEOUT_SECONDS must be more than 0"),
        ("WEBHOOK_RETRY_SCHEDULE", "abc", "WEBHOOK_RETRY_SCHEDULE must list whole seconds"),
        ("WEBHOOK_RETRY_SCHEDULE", "5,-1", "WEBHOOK_RETRY_SCHEDULE must list whole seconds"),
        ("WEBHOOK_SECRET_OVERLAP_HOURS", "500", "WEBHOOK_SECRET_OVERLAP_HOURS must be from 0"),
        ("WEBHOOK_CA_FILE", "/nonexistent.pem", "WEBHOOK_CA_FILE names no file"),
    ],
)
def test_a_webhook_setting_that_would_fail_every_delivery_stops_the_start(variable, value, said):
    started = manage("check", **{variable: value})
    assert started.returncode != 0
    assert said in started.stderr
