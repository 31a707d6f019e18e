"""Real webhook receivers on loopback for the transport's tests: an HTTP(S) server that records
what arrives and answers as told, one that answers too slowly, and a throwaway certificate
authority for the HTTPS ones."""

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Received:
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def fields(self) -> dict[str, str]:
        """The headers by lower-case name (as `standardwebhooks` reads them)."""
        return {name.lower(): value for name, value in self.headers}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class _Server(ThreadingHTTPServer):
    """Counts every connection it accepts (a TLS one only once its handshake succeeded), whether
    or not a request follows."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], family: int, reply: Reply | Callable[[Received], Reply]
    ):
        self.address_family = family
        self.reply = reply
        self.received: list[Received] = []
        self.connections = 0
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        received = Received(self.path, list(self.headers.items()), body)
        self.server.received.append(received)
        reply = self.server.reply
        if callable(reply):
            reply = reply(received)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if not {"Content-Length", "Transfer-Encoding"} & set(reply.headers):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def receiver(
    host: str = "127.0.0.1",
    port: int = 0,
    reply: Reply | Callable[[Received], Reply] | None = None,
    tls: ssl.SSLContext | None = None,
) -> Iterator[_Server]:
    """An HTTP server (HTTPS with `tls`) on a loopback address, serving in a thread; `reply`
    is the answer to every request, or a function choosing each one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = _Server((host, port), family, reply or Reply())
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class SlowServer:
    """Accepts connections and answers them too slowly: `behaviour` is "silent" (reads the
    request, never answers), "headers" (a status line, then a header one byte a second,
    forever) or "body" (status and headers at once, then the body one byte a second). It gives
    up after `patience` seconds, so a client without a deadline fails its test instead of
    hanging it."""

    def __init__(self, behaviour: str, patience: float = 10):
        self.behaviour = behaviour
        self.patience = patience
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> "SlowServer":
        accepting = threading.Thread(target=self._accept)
        accepting.start()
        self.threads.append(accepting)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            answering = threading.Thread(target=self._answer, args=(conn,))
            answering.start()
            self.threads.append(answering)

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1)
            try:
                conn.recv(65536)
                if self.behaviour == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                elif self.behaviour == "body":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                given_up = time.monotonic() + self.patience
                while not self.stop.wait(1) and time.monotonic() < given_up:
                    if self.behaviour != "silent":
                        conn.sendall(b"x")
            except OSError:
                return  # the client gave up and closed the connection: what the test wants


@dataclass
class Authority:
    """A throwaway certificate authority and, in its directory, server certificates it signed."""

    directory: Path
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> Path:
        return self.directory / "ca.pem"

    def server_context(self, name: str) -> ssl.SSLContext:
        """A server's TLS context presenting a certificate for `name`, signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            _builder(name, self.certificate.subject, key)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        chain = self.directory / f"{name}.pem"
        chain.write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


def authority_create(directory: Path) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "powtracker test CA")])
    certificate = (
        _builder("powtracker test CA", name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    authority = Authority(directory, key, certificate)
    authority.pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return authority


def _builder(common_name: str, issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> Any:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def elapsed(since: float) -> float:
    return time.monotonic() - since
