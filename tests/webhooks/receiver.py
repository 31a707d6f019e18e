"""A partner's receiver for the tests: a real HTTP server on 127.0.0.1 that records every
request it gets and answers as it is told (a status, and perhaps a Retry-After)."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """`answer(received) -> (status, headers)` decides each answer (204 by default)."""

    answer: Callable[[Received], tuple[int, dict[str, str]]] = lambda received: (204, {})
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[bytes]:
        return [r.body for r in self.requests]


@contextmanager
def receiving(
    answer: Callable[[Received], tuple[int, dict[str, str]]] | None = None,
) -> Iterator[Receiver]:
    receiver = Receiver() if answer is None else Receiver(answer=answer)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            with lock:
                receiver.requests.append(received)
            status, headers = receiver.answer(received)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
