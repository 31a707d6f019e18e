"""A webhook delivery over real connections on loopback: what the receiver gets, what its answer
becomes, the deadline a slow receiver cannot stretch, certificates checked against the URL's
host, and every address that may not receive webhooks refused before any connection."""

import email.utils
import io
import ipaddress
import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.core.management import call_command

from powtracker.errors import ErrorCode, RuleError
from tests.webhooks.receivers import (
    Authority,
    Reply,
    SlowServer,
    authority_create,
    elapsed,
    receiver,
)
from webhooks.transport import Answer, address_refusal, post, url_check

BODY = json.dumps(
    {"type": "captive.updated", "name": "Кім Чоль", "이름": "김철"}, ensure_ascii=False
).encode()
SIGNED = {
    "webhook-id": "msg_2mVxQ1",
    "webhook-timestamp": "1767225600",
    "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
}


@pytest.fixture
def open_network(settings: Any) -> Any:
    """Loopback and plain http allowed, as in tests and closed networks."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_CA_FILE = ""
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def guarded(settings: Any) -> Any:
    """The defaults: public https addresses only."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_CA_FILE = ""
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return authority_create(tmp_path_factory.mktemp("ca"))


# --- what arrives, and what the answer becomes --------------------------------------------------


def test_the_body_and_headers_arrive_exactly_and_a_2xx_is_ok(open_network: Any) -> None:
    with receiver(reply=Reply(204)) as server:
        port = server.server_address[1]
        answer = post(f"http://127.0.0.1:{port}/hooks/pow?tenant=7", BODY, SIGNED)

    assert answer == Answer(
        status=204,
        excerpt=b"",
        retry_after=None,
        error_code="",
        error="",
        duration_ms=answer.duration_ms,
        address="127.0.0.1",
    )
    assert answer.ok
    [received] = server.received
    assert received.path == "/hooks/pow?tenant=7"
    assert received.body == BODY
    assert received.headers == [
        ("Host", f"127.0.0.1:{port}"),
        *SIGNED.items(),
        ("Content-Type", "application/json"),
        ("User-Agent", "powtracker-webhooks/1"),
        ("Content-Length", str(len(BODY))),
        ("Connection", "close"),
    ]


def test_given_headers_replace_the_defaults_but_not_the_framing(open_network: Any) -> None:
    with receiver() as server:
        answer = post(
            f"http://127.0.0.1:{server.server_address[1]}/",
            BODY,
            {
                "content-type": "application/webhook+json",
                "User-Agent": "partner-relay/2",
                "Content-Length": "1",
                "Host": "elsewhere.example",
            },
        )

    assert answer.ok
    [received] = server.received
    names = [name.lower() for name, _ in received.headers]
    assert sorted(names) == sorted(set(names))  # none sent twice
    headers = {name.lower(): value for name, value in received.headers}
    assert headers["content-type"] == "application/webhook+json"
    assert headers["user-agent"] == "partner-relay/2"
    assert headers["content-length"] == str(len(BODY))
    assert headers["host"] == f"127.0.0.1:{server.server_address[1]}"
    assert received.body == BODY


def test_a_server_error_with_retry_after_in_seconds(open_network: Any) -> None:
    reply = Reply(500, {"Retry-After": "7"}, b'{"error": "database down"}')
    with receiver(reply=reply) as server:
        answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert (answer.status, answer.retry_after, answer.error_code) == (500, 7, "")
    assert answer.excerpt == b'{"error": "database down"}'
    assert not answer.ok


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # Dates relative to the test's own moment (made when it runs, not when collected).
        (+120, (115, 120)),
        (-3600, (0, 0)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", (0, 0)),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_retry_after_as_an_http_date_never_negative(
    open_network: Any, header: str | int, expected: tuple[int, int] | None
) -> None:
    if isinstance(header, int):
        header = email.utils.formatdate(time.time() + header, usegmt=True)
    with receiver(reply=Reply(503, {"Retry-After": header})) as server:
        answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert answer.status == 503
    if expected is None:
        assert answer.retry_after is None
    else:
        assert answer.retry_after is not None
        assert expected[0] <= answer.retry_after <= expected[1]


def test_a_redirect_is_an_answer_not_followed(open_network: Any) -> None:
    with receiver() as target:
        elsewhere = f"http://127.0.0.1:{target.server_address[1]}/stolen"
        with receiver(reply=Reply(302, {"Location": elsewhere})) as server:
            answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert (answer.status, answer.error_code, answer.ok) == (302, "", False)
    assert server.connections == 1
    assert target.connections == 0


def test_the_excerpt_is_cut_at_1024_bytes(open_network: Any) -> None:
    body = bytes(range(256)) * 20
    with receiver(reply=Reply(400, body=body)) as server:
        answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert answer.status == 400
    assert answer.excerpt == body[:1024]


def test_the_rest_of_a_long_body_is_never_waited_for(open_network: Any) -> None:
    """The receiver announces 10 MB and sends 2 KB, then nothing: the excerpt is all there is
    to read, and the answer comes at once, not at the deadline."""
    open_network.WEBHOOK_TIMEOUT_SECONDS = 3
    reply = Reply(200, {"Content-Length": str(10_000_000)}, b"a" * 2048)
    with receiver(reply=reply) as server:
        started = time.monotonic()
        answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)
        took = elapsed(started)

    assert answer.ok
    assert answer.excerpt == b"a" * 1024
    assert took < 1


def test_a_chunked_body_is_excerpted_decoded(open_network: Any) -> None:
    body = bytes(range(256)) * 8
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 500]), body[i : i + 500])
        for i in range(0, len(body), 500)
    )
    reply = Reply(200, {"Transfer-Encoding": "chunked"}, chunks + b"0\r\n\r\n")
    with receiver(reply=reply) as server:
        answer = post(f"http://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert answer.ok
    assert answer.excerpt == body[:1024]


# --- the deadline -------------------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["silent", "headers", "body"])
def test_a_slow_receiver_cannot_hold_the_worker_past_the_deadline(
    open_network: Any, behaviour: str
) -> None:
    open_network.WEBHOOK_TIMEOUT_SECONDS = 2
    with SlowServer(behaviour) as slow:
        started = time.monotonic()
        answer = post(f"http://127.0.0.1:{slow.port}/", BODY, SIGNED)
        took = elapsed(started)
        print(f"{behaviour}: returned after {took:.2f} s")  # the figure the README quotes

    assert slow.connections == 1
    assert answer.error_code == "timeout"
    assert answer.status is None
    assert not answer.ok
    assert "2 s" in answer.error
    assert 1.9 <= took < 3
    assert 1900 <= answer.duration_ms < 3000


def test_nobody_listening_is_a_failed_connection(open_network: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    answer = post(f"http://127.0.0.1:{port}/", BODY, SIGNED)

    assert (answer.status, answer.error_code) == (None, "connection_failed")
    assert answer.error


# --- https --------------------------------------------------------------------------------------


def test_https_to_a_certificate_for_the_urls_host(open_network: Any, authority: Authority) -> None:
    open_network.WEBHOOK_ALLOW_HTTP = False
    open_network.WEBHOOK_CA_FILE = str(authority.pem)
    with receiver(tls=authority.server_context("localhost"), reply=Reply(202)) as server:
        port = server.server_address[1]
        answer = post(f"https://localhost:{port}/hook", BODY, SIGNED)

    assert (answer.status, answer.error_code, answer.address) == (202, "", "127.0.0.1")
    [received] = server.received
    assert received.body == BODY
    assert ("Host", f"localhost:{port}") in received.headers


def test_https_to_a_certificate_for_another_name_fails(
    open_network: Any, authority: Authority
) -> None:
    open_network.WEBHOOK_CA_FILE = str(authority.pem)
    with receiver(tls=authority.server_context("other.example")) as server:
        answer = post(f"https://localhost:{server.server_address[1]}/", BODY, SIGNED)

    assert (answer.status, answer.error_code) == (None, "tls_failed")
    assert "localhost" in answer.error
    assert server.received == []


def test_https_from_an_unknown_authority_fails(open_network: Any, authority: Authority) -> None:
    with receiver(tls=authority.server_context("localhost")) as server:
        answer = post(f"https://localhost:{server.server_address[1]}/", BODY, SIGNED)

    assert (answer.status, answer.error_code) == (None, "tls_failed")
    assert "certificate" in answer.error
    assert server.received == []


def test_https_to_a_plain_http_server_fails(open_network: Any) -> None:
    """The control of the refusals below: allowed, an https URL on a listening loopback port
    does connect (and fails TLS), so their `connections == 0` means no connection was tried."""
    with receiver() as server:
        answer = post(f"https://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert answer.error_code == "tls_failed"
    assert server.connections == 1


def test_an_unreadable_ca_file_fails_the_delivery_not_the_worker(
    open_network: Any, tmp_path: Any
) -> None:
    open_network.WEBHOOK_CA_FILE = str(tmp_path / "missing.pem")
    with receiver() as server:
        answer = post(f"https://127.0.0.1:{server.server_address[1]}/", BODY, SIGNED)

    assert (answer.status, answer.error_code) == (None, "tls_failed")
    assert "WEBHOOK_CA_FILE" in answer.error
    assert server.connections == 0


# --- refusals -----------------------------------------------------------------------------------


@pytest.fixture
def listening() -> Iterator[tuple[Any, Any]]:
    """Receivers on 127.0.0.1 and ::1 at one port: what a forged request would reach."""
    with ExitStack() as stack:
        v4 = stack.enter_context(receiver("127.0.0.1"))
        try:
            v6 = stack.enter_context(receiver("::1", v4.server_address[1]))
        except OSError:
            pytest.skip("no IPv6 loopback")
        yield v4, v6


REFUSED_ADDRESSES = [
    "https://127.0.0.1:{port}/",
    "https://127.1:{port}/",
    "https://2130706433:{port}/",
    "https://[::1]:{port}/",
    "https://[::ffff:127.0.0.1]:{port}/",
    "https://0.0.0.0:{port}/",
    "https://localhost:{port}/",
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/",
    "https://[fd00:ec2::254]/",
    "https://[fe80::1]/",
    "https://[2002:7f00:1::]/",
    "https://224.0.0.1/",
    "https://192.0.2.10/",
]


@pytest.mark.parametrize("url", REFUSED_ADDRESSES)
def test_a_non_public_address_is_refused_before_any_connection(
    guarded: Any, listening: tuple[Any, Any], url: str
) -> None:
    v4, v6 = listening
    url = url.format(port=v4.server_address[1])

    with pytest.raises(RuleError) as refused:
        url_check(url)
    answer = post(url, BODY, SIGNED)

    assert refused.value.error_code == ErrorCode.WEBHOOK_URL_REFUSED
    assert refused.value.code == "webhook_url_refused"
    assert "webhooks go only to public addresses" in refused.value.message
    assert (answer.status, answer.error_code, answer.address) == (None, "address_refused", "")
    # The attempt's record (for supervisors) names the address; the subscriber is told as much
    # only of an address it wrote itself.
    assert "webhooks go only to public addresses" in answer.error
    assert ("is not a public address" in refused.value.message) == (
        "resolves to" not in answer.error
    )
    assert v4.connections == v6.connections == 0


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.org/", "only to https://"),
        ("http://127.0.0.1:{port}/", "only to https://"),
        ("ftp://example.org/", "only to https://"),
        ("https://user:pw@example.org/", "user name or password"),
        ("https://user:pw@127.0.0.1:{port}/", "user name or password"),
        ("https://example.org/#top", "fragment"),
        ("https:///hooks", "no host"),
        ("https://example.org:0/", "1 to 65535"),
        ("https://example.org:70000/", "1 to 65535"),
        ("https://example.org/" + "a" * 481, "longer than 500"),
        ("https://example.org/a b", "without spaces"),
        ("https://bücher.example/", "xn--"),
        ("https://exa$mple.org/", "not a valid host name"),
        ("https://[fe80::1%25eth0]/", "zone"),
    ],
)
def test_a_malformed_url_is_refused(
    guarded: Any, listening: tuple[Any, Any], url: str, why: str
) -> None:
    v4, v6 = listening
    url = url.format(port=v4.server_address[1])

    with pytest.raises(RuleError) as refused:
        url_check(url)
    answer = post(url, BODY, SIGNED)

    assert refused.value.error_code == ErrorCode.WEBHOOK_URL_REFUSED
    assert why in refused.value.message
    assert (answer.status, answer.error_code) == (None, "invalid_url")
    assert v4.connections == v6.connections == 0


def test_plain_http_is_allowed_only_when_switched_on(guarded: Any) -> None:
    guarded.WEBHOOK_ALLOW_HTTP = True
    with pytest.raises(RuleError) as refused:
        url_check("http://127.0.0.1/")

    assert "loopback" in refused.value.message
    url_check("http://8.8.8.8/")
    url_check("https://[2606:4700:4700::1111]:8443/hooks")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private or special-purpose network"),
        ("172.31.255.255", "private or special-purpose network"),
        ("192.168.0.1", "private or special-purpose network"),
        ("fc00::1", "private or special-purpose network"),
        ("fd12:3456::1", "private or special-purpose network"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private or special-purpose network"),
        ("255.255.255.255", "private or special-purpose network"),
        ("0.0.0.0", "unspecified address"),  # noqa: S104 (an address judged, not bound)
        ("::", "unspecified address"),
        ("100.64.0.1", "shared address space 100.64.0.0/10"),
        ("100.127.255.254", "shared address space 100.64.0.0/10"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private or special-purpose network"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
        ("64:ff9b::a00:1", "private or special-purpose network"),  # NAT64 of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel"),
        ("fec0::1", "site-local"),
        ("::127.0.0.1", "reserved range"),  # IPv4-compatible, long deprecated
        ("2001:db8::1", "private or special-purpose network"),
        ("192.0.2.1", "private or special-purpose network"),
        ("198.18.0.1", "private or special-purpose network"),
        ("8.8.8.8", None),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("2002:808:808::1", None),  # 6to4 of a public address
        ("64:ff9b::808:808", None),  # NAT64 of a public address
    ],
)
def test_the_kinds_of_address_refused(address: str, kind: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == kind


def test_a_rebound_name_is_resolved_once_and_the_checked_address_connected(
    open_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name answers 127.0.0.1 when checked, 127.0.0.2 to any later lookup.
    The delivery goes to 127.0.0.1, the address that was checked, and looks the name up once."""
    with receiver("127.0.0.1") as checked:
        port = checked.server_address[1]
        with receiver("127.0.0.2", port) as rebound:
            lookups: list[str] = []

            def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
                lookups.append(host)
                address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

            monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
            answer = post(f"http://rebind.example:{port}/", BODY, SIGNED)

    assert (answer.status, answer.address) == (200, "127.0.0.1")
    assert lookups == ["rebind.example"]
    assert checked.connections == 1
    assert rebound.connections == 0
    assert ("Host", f"rebind.example:{port}") in checked.received[0].headers


# --- check --deploy -----------------------------------------------------------------------------


def deploy_check() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_deploy_warns_of_each_switch_that_lifts_the_guard(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.PUBLIC_URL = "http://powtracker.example.org"
    switched_on = deploy_check()

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.PUBLIC_URL = "https://powtracker.example.org"
    switched_off = deploy_check()

    assert "powtracker.W012" in switched_on
    assert "powtracker.W013" in switched_on
    assert "powtracker.W014" in switched_on
    assert "tests and closed networks only" in switched_on
    for warning in ("powtracker.W012", "powtracker.W013", "powtracker.W014"):
        assert warning not in switched_off


def test_a_body_sent_after_the_headers_is_read_although_the_connection_closes(
    open_network: Any,
) -> None:
    """The answer's body arriving apart from its headers, on a connection that closes after it
    (`Connection: close`), is read whole: http.client closes its socket once the headers are in,
    and the reader of the body must keep it open (it once failed with EBADF)."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        for _ in range(20):
            peer, _address = listener.accept()
            with peer:
                peer.recv(65536)
                peer.sendall(b"HTTP/1.1 410 Gone\r\nContent-Length: 9\r\nConnection: close\r\n\r\n")
                time.sleep(0.05)
                peer.sendall(b"gone away")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        answers = [post(f"http://127.0.0.1:{port}/", BODY, SIGNED) for _ in range(20)]
    finally:
        listener.close()
    assert {(a.status, a.excerpt, a.error_code) for a in answers} == {(410, b"gone away", "")}


def test_a_refused_name_does_not_tell_the_subscriber_what_it_resolves_to(guarded: Any) -> None:
    """The subscriber learns that the name is refused, not which private address it names (nor
    the resolver's own words): that would map this server's network."""
    with pytest.raises(RuleError) as refused:
        url_check("https://localhost/hook")
    message = " ".join(refused.value.messages)
    assert "localhost" in message and "127.0.0.1" not in message and "loopback" not in message
    with pytest.raises(RuleError) as unknown:
        url_check("https://no-such-host.invalid/hook")
    assert " ".join(unknown.value.messages) == "no-such-host.invalid could not be resolved."
