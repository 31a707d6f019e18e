"""The one place a webhook delivery leaves this server: one HTTP POST, guarded against request
forgery (SSRF).

An endpoint's URL is chosen by a partner, so it could name this server's own network: its
database, the cloud's metadata service, an admin port on loopback. Every URL passes the same
rules (`_target`) when an endpoint subscribes (`url_check`) and again at each delivery (`post`):
https only, no credentials or fragment, and every address its host resolves to must be a public
one. The delivery then connects to exactly the address that was checked, never resolving the
host a second time (a second lookup could answer differently: DNS rebinding), verifies the
certificate against the URL's host name, follows no redirect, and gives up at one deadline for
the whole attempt, so a receiver that trickles its answer cannot hold a worker."""

import email.utils
import http.client
import io
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from powtracker.errors import ErrorCode, RuleError

# How much of an answer's body is read and kept: enough for an error message, never the rest.
WEBHOOK_EXCERPT_BYTES = 1024
URL_MAX_LENGTH = 500
USER_AGENT = "powtracker-webhooks/1"

# The error codes of an attempt that got no HTTP answer.
ADDRESS_REFUSED = "address_refused"
DNS_FAILED = "dns_failed"
TIMEOUT = "timeout"
CONNECTION_FAILED = "connection_failed"
TLS_FAILED = "tls_failed"
INVALID_URL = "invalid_url"

# Headers this module sets itself: a caller's own would contradict the request actually sent.
OWN_HEADERS = {"host", "content-length", "connection", "transfer-encoding"}
SEND_CHUNK_BYTES = 64 * 1024

# A host name: dot-separated labels of letters, digits, hyphens (and underscores, which some
# real names have), an optional final dot. International names come in their xn-- form.
HOST_NAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?"
)
DELTA_SECONDS = re.compile(r"[0-9]{1,10}")
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits, which a NAT64 gateway
# reaches: it is as public as the address it carries.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Answer:
    """What one delivery attempt came to: the receiver's HTTP answer, or why there was none."""

    status: int | None
    excerpt: bytes
    retry_after: float | None
    error_code: str
    error: str
    duration_ms: int
    address: str

    @property
    def ok(self) -> bool:
        return not self.error_code and self.status is not None and 200 <= self.status < 300


class _Refusal(Exception):
    """The URL or its addresses broke a rule, or its host could not be resolved."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class _Target:
    """A URL that passed every rule, with the addresses that were checked: the only ones a
    delivery may connect to."""

    scheme: str
    hostname: str
    port: int
    host_header: str
    path: str
    addresses: tuple[tuple[socket.AddressFamily, tuple[Any, ...]], ...]


def url_check(url: str) -> None:
    """Refuse a URL an endpoint may not have, at subscription time: raises
    RuleError(WEBHOOK_URL_REFUSED) saying why. A host that does not resolve is refused too: a
    delivery could not be checked, let alone sent."""
    try:
        _target(url, time.monotonic() + float(settings.WEBHOOK_TIMEOUT_SECONDS))
    except _Refusal as refusal:
        raise RuleError(ErrorCode.WEBHOOK_URL_REFUSED, _partner_message(url, refusal)) from None


def _partner_message(url: str, refusal: _Refusal) -> str:
    """What the subscriber is told: for a name that resolves to a refused address, or does not
    resolve, only that (which address, or the resolver's words, would map this server's own
    network for whoever subscribes); an attempt's record keeps the details for supervisors."""
    hostname = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(hostname.strip("[]"))
        literal = True
    except ValueError:
        literal = False
    if refusal.code == ADDRESS_REFUSED and not literal:
        return _(
            "%(host)s does not resolve to public addresses only: webhooks go only to public "
            "addresses."
        ) % {"host": hostname}
    if refusal.code in (DNS_FAILED, TIMEOUT):
        return _("%(host)s could not be resolved.") % {"host": hostname}
    return refusal.message


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Send one delivery. Never raises for network trouble: every failure is an Answer with an
    error_code. The URL is checked again (the rules or the host's addresses may have changed
    since it subscribed), and WEBHOOK_TIMEOUT_SECONDS bounds the whole attempt, from resolving
    the host to the last byte of the excerpt. A refusal's `error` is the sentence url_check
    gives; a network failure's is a technical detail in English, like the errors it quotes.
    A header that cannot be sent (a line break in its value) raises ValueError: that is the
    caller's mistake, not the network's."""
    started = time.monotonic()
    deadline = started + float(settings.WEBHOOK_TIMEOUT_SECONDS)

    def answer(
        code: str,
        error: str,
        connection: "_Connection | None" = None,
        status: int | None = None,
        excerpt: bytes = b"",
        retry_after: float | None = None,
    ) -> Answer:
        return Answer(
            status=status,
            excerpt=excerpt,
            retry_after=retry_after,
            error_code=code,
            error=error,
            duration_ms=round((time.monotonic() - started) * 1000),
            address=connection.address if connection else "",
        )

    try:
        target = _target(url, deadline)
    except _Refusal as refusal:
        return answer(refusal.code, refusal.message)

    if target.scheme == "https":
        try:
            context = _tls_context()
        except OSError as unreadable:  # WEBHOOK_CA_FILE
            return answer(TLS_FAILED, f"WEBHOOK_CA_FILE could not be loaded: {unreadable}")
        connection: _Connection = _SecureConnection(target, deadline, context=context)
    else:
        connection = _Connection(target, deadline)
    status: int | None = None
    response = None
    try:
        connection.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
        given = {name.lower() for name in headers}
        connection.putheader("Host", target.host_header)
        for name, value in headers.items():
            if name.lower() not in OWN_HEADERS:
                connection.putheader(name, value)
        if "content-type" not in given:
            connection.putheader("Content-Type", "application/json")
        if "user-agent" not in given:
            connection.putheader("User-Agent", USER_AGENT)
        connection.putheader("Content-Length", str(len(body)))
        connection.putheader("Connection", "close")
        connection.endheaders(body)
        connection.stage = "waiting for the answer"
        response = connection.getresponse()
        status = response.status
        retry_after = _retry_after(response.getheader("Retry-After"))
        connection.stage = "reading the answer's body"
        try:
            excerpt = response.read(WEBHOOK_EXCERPT_BYTES)
        except http.client.IncompleteRead as cut:
            excerpt = cut.partial[:WEBHOOK_EXCERPT_BYTES]
        return answer("", "", connection, status, excerpt, retry_after)
    except TimeoutError:
        return answer(
            TIMEOUT,
            f"No complete answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s (stopped while "
            f"{connection.stage}).{_status_note(status)}",
            connection,
        )
    except ssl.SSLError as broken:
        reason = getattr(broken, "verify_message", "") or str(broken)
        return answer(TLS_FAILED, f"TLS failed: {reason}", connection)
    except (OSError, http.client.HTTPException) as broken:
        reason = str(broken) or type(broken).__name__
        return answer(
            CONNECTION_FAILED,
            f"The connection failed while {connection.stage}: {reason}{_status_note(status)}",
            connection,
        )
    finally:
        if response is not None:
            response.close()
        connection.close()


def address_refusal(address: Address) -> str | None:
    """Why an address may not receive webhooks (the kind of address it is, translated), or None
    for a public one. An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64) is
    judged by the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64_PREFIX:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return address_refusal(inner)
        if address.teredo is not None:
            return _("%(name)s tunnel") % {"name": "Teredo"}
        if address.is_site_local:
            return _("site-local")
    if address.is_unspecified:
        return _("unspecified address")
    if address.is_loopback:
        return _("loopback")
    if address.is_link_local:
        return _("link-local")
    if address.is_multicast:
        return _("multicast")
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_ADDRESS_SPACE:
        return _("shared address space %(network)s") % {"network": SHARED_ADDRESS_SPACE}
    if address.is_private:
        return _("private or special-purpose network")
    if address.is_reserved:
        return _("reserved range")
    if not address.is_global:
        return _("not publicly routable")
    return None


def _target(url: str, deadline: float) -> _Target:
    """Every rule a webhook URL must pass, and its host's addresses, each checked. Raises
    _Refusal with the error code a delivery reports and a message saying why."""
    if len(url) > URL_MAX_LENGTH:
        raise _Refusal(
            INVALID_URL,
            _("The address is longer than %(limit)d characters.") % {"limit": URL_MAX_LENGTH},
        )
    if not url or any(not "!" <= character <= "~" for character in url):
        raise _Refusal(
            INVALID_URL,
            _(
                "The address may hold only unaccented Latin letters, digits and punctuation, "
                "without spaces: write an international host name in its %(form)s form and "
                "percent-encode the path."
            )
            % {"form": "xn--"},
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _Refusal(INVALID_URL, _("The address is not a valid URL.")) from None
    try:
        port = parts.port
    except ValueError:
        port = -1  # not a number, or above 65535
    schemes = ("http", "https") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes:
        raise _Refusal(
            INVALID_URL,
            _("Webhooks are sent only to %(schemes)s addresses.")
            % {"schemes": ", ".join(f"{scheme}://" for scheme in schemes)},
        )
    if "@" in parts.netloc:
        raise _Refusal(
            INVALID_URL,
            _(
                "The address may not hold a user name or password: deliveries are "
                "authenticated by their signature."
            ),
        )
    if "#" in url:
        raise _Refusal(INVALID_URL, _("The address may not have a fragment (#…)."))
    hostname = parts.hostname or ""
    if not hostname:
        raise _Refusal(INVALID_URL, _("The address names no host."))
    if port is not None and not 1 <= port <= 65535:
        raise _Refusal(INVALID_URL, _("The port must be a number from 1 to 65535."))

    literal: Address | None
    try:
        literal = ipaddress.ip_address(hostname)
    except ValueError:
        literal = None
        if not HOST_NAME.fullmatch(hostname):
            raise _Refusal(
                INVALID_URL, _("%(host)s is not a valid host name.") % {"host": hostname}
            ) from None
    if isinstance(literal, ipaddress.IPv6Address) and literal.scope_id:
        raise _Refusal(
            INVALID_URL,
            _("The address may not name a network interface (a zone such as %(zone)s).")
            % {"zone": "%25eth0"},
        )

    port = port or (443 if parts.scheme == "https" else 80)
    if literal is not None:
        _address_check(hostname, literal, literal=True)
        if literal.version == 6:
            addresses = ((socket.AF_INET6, (str(literal), port, 0, 0)),)
        else:
            addresses = ((socket.AF_INET, (str(literal), port)),)
    else:
        addresses = _resolve(hostname, port, deadline)
        for _family, resolved in addresses:
            _address_check(hostname, ipaddress.ip_address(resolved[0]), literal=False)

    bracketed = f"[{hostname}]" if ":" in hostname else hostname
    return _Target(
        scheme=parts.scheme,
        hostname=hostname,
        port=port,
        host_header=bracketed if parts.port is None else f"{bracketed}:{parts.port}",
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        addresses=addresses,
    )


def _address_check(hostname: str, address: Address, literal: bool) -> None:
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return
    kind = address_refusal(address)
    if kind is None:
        return
    shown = str(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        shown = f"{address} ({address.ipv4_mapped})"
    if literal:
        message = _(
            "%(address)s is not a public address (%(kind)s): webhooks go only to public addresses."
        )
    else:
        message = _(
            "%(host)s resolves to %(address)s, which is not a public address (%(kind)s): "
            "webhooks go only to public addresses."
        )
    raise _Refusal(ADDRESS_REFUSED, message % {"host": hostname, "address": shown, "kind": kind})


def _resolve(
    hostname: str, port: int, deadline: float
) -> tuple[tuple[socket.AddressFamily, tuple[Any, ...]], ...]:
    """The host's addresses, looked up once. The lookup runs in a thread of its own so that a
    slow name server counts against the attempt's deadline like everything else (getaddrinfo
    itself has no timeout); a lookup still running then ends on its own, at the resolver's."""
    found: dict[str, Any] = {}

    def lookup() -> None:
        try:
            found["addresses"] = socket.getaddrinfo(
                hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as failed:
            found["error"] = failed

    thread = threading.Thread(target=lookup, name="webhook-dns", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        raise _Refusal(
            TIMEOUT,
            _("%(host)s could not be resolved in time.") % {"host": hostname},
        )
    if "error" in found:
        raise _Refusal(
            DNS_FAILED,
            _("%(host)s could not be resolved: %(reason)s")
            % {"host": hostname, "reason": found["error"]},
        )
    addresses = tuple(
        (family, sockaddr)
        for family, _type, _proto, _name, sockaddr in found["addresses"]
        if family in (socket.AF_INET, socket.AF_INET6)
    )
    if not addresses:
        raise _Refusal(DNS_FAILED, _("%(host)s has no IP address.") % {"host": hostname})
    return addresses


def _remaining(deadline: float) -> float:
    """The time left before the deadline, for the next blocking step; TimeoutError when none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


class _DeadlineSocketIO(socket.SocketIO):
    """A socket's reading side whose every read may wait only for what is left of the deadline:
    a socket's own timeout restarts at each byte, so one that trickles would never trip it."""

    def __init__(self, sock: socket.socket, deadline: float):
        super().__init__(sock, "rb")
        self._deadline = deadline

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(_remaining(self._deadline))  # type: ignore[attr-defined]
        return super().readinto(buffer)


class _Response(http.client.HTTPResponse):
    """An HTTP answer read under the attempt's deadline."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: float, **kwargs: Any):
        super().__init__(sock, *args, **kwargs)
        self.fp.close()
        # Counted as socket.makefile() counts its readers: http.client closes the connection's
        # socket as soon as the headers say `Connection: close`, and the socket must stay open
        # until this reader of the body is done with it.
        sock._io_refs += 1  # type: ignore[attr-defined]
        self.fp = io.BufferedReader(_DeadlineSocketIO(sock, deadline))


class _Connection(http.client.HTTPConnection):
    """Plain HTTP to the checked addresses only: connect() never resolves the host again."""

    def __init__(self, target: _Target, deadline: float, **kwargs: Any):
        super().__init__(target.hostname, target.port, **kwargs)
        self.target = target
        self.deadline = deadline
        self.address = ""
        self.stage = "connecting"
        self.response_class = partial(_Response, deadline=deadline)  # type: ignore[assignment]

    def connect(self) -> None:
        self.sock = self._socket_open()

    def _socket_open(self) -> socket.socket:
        """A TCP connection to the first of the checked addresses that accepts one."""
        self.stage = "connecting"
        failure: OSError | None = None
        for family, sockaddr in self.target.addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(_remaining(self.deadline))
                sock.connect(sockaddr)
            except TimeoutError:
                sock.close()
                raise
            except OSError as refused:
                sock.close()
                failure = refused
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.address = sockaddr[0]
            return sock
        assert failure is not None
        raise failure

    def send(self, data: Any) -> None:
        """Send under the deadline, a slice at a time: sendall's own timeout restarts at each
        slice a slow reader takes."""
        if self.sock is None:
            self.connect()
        if not isinstance(data, bytes | bytearray | memoryview):
            super().send(data)
            return
        self.stage = "sending the request"
        view = memoryview(data).cast("B")
        for start in range(0, len(view), SEND_CHUNK_BYTES):
            self.sock.settimeout(_remaining(self.deadline))
            self.sock.sendall(view[start : start + SEND_CHUNK_BYTES])


class _SecureConnection(_Connection, http.client.HTTPSConnection):
    """HTTPS to the checked addresses only, the certificate verified against the URL's host."""

    def connect(self) -> None:
        sock = self._socket_open()
        self.stage = "the TLS handshake"
        try:
            sock.settimeout(_remaining(self.deadline))
            self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
                sock, server_hostname=self.target.hostname.rstrip(".")
            )
        except BaseException:
            sock.close()
            raise


def _tls_context() -> ssl.SSLContext:
    """The system's certificate authorities, and WEBHOOK_CA_FILE's when set; the host name is
    checked (create_default_context's defaults, spelled out)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if settings.WEBHOOK_CA_FILE:
        context.load_verify_locations(cafile=settings.WEBHOOK_CA_FILE)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP-date (a past date is 0)."""
    if value is None:
        return None
    value = value.strip()
    if DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def _status_note(status: int | None) -> str:
    if status is None:
        return ""
    return f" (The receiver had answered {status}.)"
