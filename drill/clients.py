"""The drill's clients, through HAProxy: partners (OAuth client credentials, the API) and
caseworkers (an admin session: reads and the wish form). Every write they get a 2xx for is
recorded with its id, and read back at once by the same client (a read that misses it is a
stale read).

A write is a wish statement whose text carries a unique tag (`drill-…`): counting the rows that
hold each tag finds a lost write (0 rows) or a duplicated one (2 or more).
"""

import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from drill.stack import HOST, PORTS

BASE = f"http://{HOST}:{PORTS['front']}"
TIMEOUT = 20


@dataclass
class Outcome:
    at: float
    client: str
    action: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    code: str = ""


@dataclass
class Ledger:
    """What every client saw, shared by the load's threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: list[Outcome] = field(default_factory=list)
    # tag -> (client, captive id, the id the API answered, when)
    acked: dict[str, tuple[str, int, int | None, float]] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)

    def note(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def ack(self, tag: str, client: str, captive: int, row_id: int | None) -> None:
        with self.lock:
            self.acked[tag] = (client, captive, row_id, time.monotonic())

    def stale_read(self, what: str) -> None:
        with self.lock:
            self.stale.append(what)

    def failures(self, since: float, until: float | None = None, *, allow: tuple = ()) -> list:
        """Requests that failed (no answer, or 5xx other than the codes allowed)."""
        with self.lock:
            return [
                o
                for o in self.outcomes
                if o.at >= since
                and (until is None or o.at <= until)
                and (o.status == 0 or o.status >= 500)
                and o.code not in allow
            ]

    def count(self, since: float, until: float | None = None) -> int:
        with self.lock:
            return sum(
                1 for o in self.outcomes if o.at >= since and (until is None or o.at <= until)
            )


def tag_new(kind: str) -> str:
    return f"drill-{kind}-{secrets.token_hex(6)}"


def error_code(response: requests.Response) -> str:
    """The API's error code; for the admin's plain 503 page, `read_only` when it says so."""
    try:
        return response.json().get("error", {}).get("code", "")
    except ValueError:
        if response.status_code == 503 and banner_shown(response.text):
            return "read_only"
        return ""


class Client:
    name = "client"

    def __init__(self, name: str, ledger: Ledger):
        self.name = name
        self.ledger = ledger
        self.http = requests.Session()

    def call(self, action: str, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        try:
            response = self.http.request(method, BASE + path, **kwargs)
        except requests.RequestException:
            self.ledger.note(Outcome(time.monotonic(), self.name, action, 0))
            return None
        code = error_code(response) if response.status_code >= 400 else ""
        self.ledger.note(Outcome(time.monotonic(), self.name, action, response.status_code, code))
        return response


class Partner(Client):
    """A partner system: a token by the client-credentials grant, then the API."""

    def __init__(self, name: str, ledger: Ledger, client_id: str, secret: str):
        super().__init__(name, ledger)
        self.client_id, self.secret = client_id, secret

    def token(self) -> None:
        response = requests.post(
            f"{BASE}/o/token/",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.secret),
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def read_list(self) -> None:
        self.call("partner list", "GET", "/api/v1/captives/?page_size=20")

    def read_one(self, captive: int) -> requests.Response | None:
        return self.call("partner read", "GET", f"/api/v1/captives/{captive}/")

    def write(self, captive: int) -> bool:
        """A wish heard (POST …/wishes/, with an Idempotency-Key), then read back."""
        tag = tag_new("p")
        stated = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        body = {
            "wish": "return",
            "stated_at": stated,
            "mode": "private_interview",
            "statement": tag,
        }
        headers = {"Idempotency-Key": tag}
        response = self.call(
            "partner write",
            "POST",
            f"/api/v1/captives/{captive}/wishes/",
            json=body,
            headers=headers,
        )
        if response is None or response.status_code >= 500:
            # Unknown outcome: the same key again (a retry creates nothing new).
            time.sleep(0.5)
            response = self.call(
                "partner write retry",
                "POST",
                f"/api/v1/captives/{captive}/wishes/",
                json=body,
                headers=headers,
            )
        if response is None or not 200 <= response.status_code < 300:
            return False
        row_id = response.json().get("id")
        self.ledger.ack(tag, self.name, captive, row_id)
        back = self.call("partner read-back", "GET", f"/api/v1/captives/{captive}/wishes/{row_id}/")
        if back is not None and (
            back.status_code == 404
            or (back.status_code == 200 and back.json().get("statement") != tag)
        ):
            self.ledger.stale_read(f"{self.name}: its wish {row_id} ({tag}) not read back")
        return True


class Caseworker(Client):
    """A caseworker in the admin: reads, and the case page's wish form."""

    def __init__(self, name: str, ledger: Ledger, username: str, password: str):
        super().__init__(name, ledger)
        self.username, self.password = username, password

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def login(self) -> None:
        page = self.http.get(f"{BASE}/admin/login/", timeout=TIMEOUT)
        page.raise_for_status()
        response = self.http.post(
            f"{BASE}/admin/login/?next=/admin/",
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": self.csrf(),
                "next": "/admin/",
            },
            headers={"Referer": f"{BASE}/admin/login/"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username}: sign-in refused ({response.status_code})")

    def read_list(self) -> requests.Response | None:
        return self.call("admin list", "GET", "/admin/cases/captive/")

    def read_one(self, captive: int) -> requests.Response | None:
        return self.call("admin read", "GET", f"/admin/cases/captive/{captive}/change/")

    def write(self, captive: int) -> bool:
        """The wish form of his case page; read back through the API with the same session."""
        tag = tag_new("c")
        when = datetime.now(UTC) - timedelta(minutes=5)
        path = f"/admin/cases/captive/{captive}/case/wish/"
        form = self.call("admin form", "GET", path)
        if form is None or form.status_code != 200:
            return False
        response = self.call(
            "admin write",
            "POST",
            path,
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "wish": "return",
                "stated_at_0": f"{when:%Y-%m-%d}",
                "stated_at_1": f"{when:%H:%M:%S}",
                "mode": "private_interview",
                "statement": tag,
            },
            headers={"Referer": BASE + path},
        )
        if (
            response is None
            or response.status_code != 302
            or "/case/" in response.headers.get("Location", "/case/")
        ):
            return False
        self.ledger.ack(tag, self.name, captive, None)
        back = self.call(
            "admin read-back", "GET", f"/api/v1/captives/{captive}/wishes/?page_size=100"
        )
        if back is not None and back.status_code == 200 and tag not in back.text:
            self.ledger.stale_read(f"{self.name}: its wish {tag} not read back")
        return True


def banner_shown(html: str) -> bool:
    return "read-only for now" in html


def page_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return match.group(1).strip() if match else ""


class Load:
    """A bounded mixed load: each client acts, then pauses; `stop()` ends it."""

    def __init__(
        self,
        clients: list[Client],
        captives: list[int],
        *,
        pause: float = 0.25,
        write_share: float = 0.3,
    ):
        self.clients = clients
        self.captives = captives
        self.pause = pause
        self.write_share = write_share
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for client in self.clients:
            thread = threading.Thread(target=self.loop, args=(client,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def loop(self, client: Client) -> None:
        chooser = random.Random(client.name)  # noqa: S311 (a load pattern, not a secret)
        while not self.stopping.is_set():
            captive = chooser.choice(self.captives)
            roll = chooser.random()
            try:
                if roll < self.write_share:
                    client.write(captive)  # type: ignore[attr-defined]
                elif roll < 0.65:
                    client.read_one(captive)  # type: ignore[attr-defined]
                else:
                    client.read_list()  # type: ignore[attr-defined]
            except Exception as error:  # a client's own bug must not stop the drill silently
                client.ledger.note(Outcome(time.monotonic(), client.name, f"error {error}", 0))
            self.stopping.wait(self.pause * (0.5 + chooser.random()))

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(TIMEOUT + 5)
