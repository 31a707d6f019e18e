# TEMPORARY placeholder (uncommitted) until the wh-transport branch is merged.
import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from powtracker.errors import ErrorCode, RuleError


@dataclass(frozen=True)
class Answer:
    status: int | None
    excerpt: bytes
    retry_after: float | None
    error_code: str
    error: str
    duration_ms: int
    address: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def url_check(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise RuleError(ErrorCode.INVALID, "bad url")


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    start = time.monotonic()
    parts = urlsplit(url)
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        conn.request(
            "POST", parts.path or "/", body, {**headers, "Content-Type": "application/json"}
        )
        r = conn.getresponse()
        ra = r.getheader("Retry-After")
        return Answer(
            r.status,
            r.read(1024),
            float(ra) if ra else None,
            "",
            "",
            int((time.monotonic() - start) * 1000),
            parts.hostname,
        )
    except OSError as e:
        return Answer(None, b"", None, "connection_failed", str(e), 0, "")
