"""The client's address behind a load balancer: `X-Forwarded-For` believed only from a proxy that
`TRUSTED_PROXIES` names.

HAProxy appends the address it received a request from to `X-Forwarded-For`. Anyone can send
that header too, so it is read from the right: each hop that is a trusted proxy is passed over,
and the first address that is not one is the client. A request that did not arrive from a trusted
proxy is its own client, whatever it says it forwards. `TrustedProxyMiddleware` puts the address
in `REMOTE_ADDR` before anything reads it, so the sign-in lockouts (django-axes), the sign-in
audit, the throttles and the logs all see one address.
"""

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The address the request came from (the proxy's, when it came through one), kept for the logs.
PROXY_KEY = "powtracker.PROXY_ADDR"


@lru_cache(maxsize=8)
def trusted_networks(names: tuple[str, ...]) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES`' addresses and ranges (`10.0.1.0/24`, `127.0.0.1`)."""
    return tuple(ipaddress.ip_network(name, strict=False) for name in names)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Any, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent `request` (django-axes' AXES_CLIENT_IP_CALLABLE too)."""
    meta = request.META
    if PROXY_KEY in meta:  # already resolved by the middleware
        return meta.get("REMOTE_ADDR")
    return resolve(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))


def resolve(remote: str | None, forwarded: str | None) -> str | None:
    """The client among the peer `remote` and the hops `forwarded` names, trusting only what the
    trusted proxies added."""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(remote or "")
    if peer is None or not networks or not _trusted(peer, networks):
        return remote
    client = peer
    for hop in reversed((forwarded or "").split(",")):
        address = _address(hop)
        if address is None:
            # Not an address: a trusted proxy passed on what its client wrote. Stop at the last
            # hop the proxies vouch for.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


class TrustedProxyMiddleware:
    """Put the client's address in REMOTE_ADDR (the peer's is kept under PROXY_KEY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if PROXY_KEY not in meta:
            peer = meta.get("REMOTE_ADDR")
            meta["REMOTE_ADDR"] = resolve(peer, meta.get("HTTP_X_FORWARDED_FOR"))
            meta[PROXY_KEY] = peer
        return self.get_response(request)
