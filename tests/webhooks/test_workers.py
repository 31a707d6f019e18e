"""Deliveries by real workers (`manage.py db_worker` processes) to real receivers on loopback:
within seconds of the change, in order for each endpoint, at least once when a worker is killed
mid-send (the same `webhook-id` again), and a failing receiver holding back only itself."""

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.served import ROOT, database_copy, manage
from tests.webhooks.receiver import Received, Receiver, receiving

SETTINGS = {
    "WEBHOOK_ALLOW_HTTP": "true",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    "JOB_LEASE_SECONDS": "3",
    "JOB_REAP_SECONDS": "1",
    "JOB_RETRY_SECONDS": "1",
    # A failed attempt is tried again after 2 s, then after 60 s.
    "WEBHOOK_RETRY_SCHEDULE": "2,60",
}


@pytest.fixture
def worker_env(
    django_db_setup: object, django_db_blocker: object, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """Workers' environment on a fresh copy of the migrated test database (each test its own)."""
    with database_copy(django_db_blocker, tmp_path) as env:
        yield env


def env_of(worker_env: dict[str, str]) -> dict[str, str]:
    return {**worker_env, **SETTINGS}


def shell(env: dict[str, str], code: str) -> Any:
    out = manage(env, "shell", "--no-imports", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


def start_worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"),
            *("--interval", "0.2", "--worker-id", name),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError("timed out")
        time.sleep(0.05)
    return time.monotonic() - started


def setup(env: dict[str, str], urls: list[str], captives: int = 3) -> dict[str, Any]:
    return shell(
        env,
        f"from tests.webhooks.scenario import setup; setup({urls!r}, captives={captives})",
    )


def change(env: dict[str, str], count: int) -> None:
    shell(env, f"from tests.webhooks.scenario import change; change({count})")


def events(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """Every request verified with standardwebhooks, parsed."""
    return [Webhook(secret).verify(r.body, r.fields) for r in receiver.requests]


def test_a_change_reaches_the_receiver_within_seconds_in_order_verified(
    worker_env: dict[str, str],
) -> None:
    env = env_of(worker_env)
    with receiving() as receiver:
        world = setup(env, [receiver.url])
        # The registrations were told already, before any worker ran: each is waiting.
        workers = [start_worker(env, "first"), start_worker(env, "second")]
        try:
            wait_until(lambda: len(receiver.requests) == 3)
            change(env, 12)
            took = wait_until(lambda: len(receiver.requests) == 15, seconds=30)
        finally:
            for worker in workers:
                stop(worker)
    secret = world["endpoints"][0]["secret"]
    told = events(receiver, secret)
    assert [e["type"] for e in told] == ["captive.registered"] * 3 + ["captive.changed"] * 12
    # In order: the versions of each captive arrive oldest first, each once.
    for captive_id in world["captives"]:
        times = [e["timestamp"] for e in told if e["data"]["id"] == captive_id]
        assert times == sorted(times) and len(set(times)) == len(times) == 5
    assert len({r.fields["webhook-id"] for r in receiver.requests}) == 15
    assert took < 15, took


def test_a_worker_killed_mid_send_delivers_again_with_the_same_webhook_id(
    worker_env: dict[str, str],
) -> None:
    env = env_of(worker_env)
    held = threading.Event()
    release = threading.Event()

    def answer(received: Received) -> tuple[int, dict[str, str]]:
        if not held.is_set():
            held.set()
            release.wait(30)  # the first request hangs until its worker is dead
        return 204, {}

    with receiving(answer) as receiver:
        world = setup(env, [receiver.url], captives=1)
        first = start_worker(env, "first")
        try:
            wait_until(held.is_set)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        release.set()
        second = start_worker(env, "second")
        try:
            wait_until(lambda: len(receiver.requests) >= 2, seconds=60)
            time.sleep(1)
        finally:
            stop(second)
    ids = [r.fields["webhook-id"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1], ids
    assert [e["type"] for e in events(receiver, world["endpoints"][0]["secret"])] == [
        "captive.registered"
    ] * 2
    state = shell(
        env,
        "import json; from webhooks.models import WebhookDelivery as D;"
        "d = D.objects.get(); print(json.dumps([d.state, d.attempts]))",
    )
    # The killed attempt left no record; the second is recorded once, delivered.
    assert state == ["delivered", 1]


def test_a_failing_receiver_holds_back_only_itself(
    worker_env: dict[str, str],
) -> None:
    env = env_of(worker_env)
    with ExitStack() as stack:
        failing = stack.enter_context(receiving(lambda r: (500, {})))
        good = [stack.enter_context(receiving()) for _ in range(2)]
        world = setup(env, [failing.url, *(r.url for r in good)], captives=2)
        workers = [start_worker(env, "first"), start_worker(env, "second")]
        try:
            change(env, 10)
            wait_until(lambda: all(len(r.requests) == 12 for r in good), seconds=40)
            # Its first notification, tried at once and again 2 s later, waits for the third
            # attempt (60 s); nothing after it was tried.
            wait_until(lambda: len(failing.requests) == 2, seconds=20)
            time.sleep(2)
        finally:
            for worker in workers:
                stop(worker)
    assert len(failing.requests) == 2
    assert failing.requests[0].fields["webhook-id"] == failing.requests[1].fields["webhook-id"]
    for receiver, endpoint in zip(good, world["endpoints"][1:], strict=True):
        assert len(events(receiver, endpoint["secret"])) == 12
    pending = shell(
        env,
        "import json; from webhooks.models import WebhookDelivery as D;"
        f"print(json.dumps(D.objects.filter(endpoint_id={world['endpoints'][0]['id']},"
        " state='pending').count()))",
    )
    assert pending == 12
