"""A partner's receiver for the webhooks' tests: the server of tests.webhooks.receivers on
127.0.0.1, each answer chosen by a function of the request (a status, and perhaps a Retry-After),
which a test may swap while it runs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.webhooks.receivers import Received, Reply, receiver

__all__ = ["Received", "Receiver", "receiving"]

Answer = Callable[[Received], tuple[int, dict[str, str]]]


def no_content(received: Received) -> tuple[int, dict[str, str]]:
    return 204, {}


@dataclass
class Receiver:
    answer: Answer = no_content
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextmanager
def receiving(answer: Answer | None = None) -> Iterator[Receiver]:
    """A receiver answering `answer(request)` (204 by default); `.requests` is what came."""
    kept = Receiver(answer=answer or no_content)

    def reply(received: Received) -> Reply:
        status, headers = kept.answer(received)
        return Reply(status, headers, b"ok")

    with receiver(reply=reply) as server:
        kept.port = server.server_address[1]
        kept.requests = server.received
        yield kept
