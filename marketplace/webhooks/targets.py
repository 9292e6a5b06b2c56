"""Which URLs an endpoint may have (SSRF): https only in production, and never an address in a
private, loopback, link-local or otherwise reserved range there. Development and tests may
use http and loopback, so a local receiver can be tested."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedTarget(ValueError):
    """The URL may not receive webhooks; the message says why (English, for the API)."""


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def check(url: str, *, production: bool, resolve=socket.getaddrinfo) -> str:
    """Return the URL if it may receive webhooks, else raise RefusedTarget."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedTarget("Not a valid URL.") from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedTarget("The URL must be an absolute https:// address.")
    if parts.username or parts.password:
        raise RefusedTarget("The URL must not carry credentials.")
    if not production:
        return url
    if parts.scheme != "https":
        raise RefusedTarget("Only https:// URLs receive webhooks in production.")
    try:
        addresses = {info[4][0] for info in resolve(parts.hostname, port or 443, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as error:
        raise RefusedTarget("The host name does not resolve.") from error
    if not addresses or any(_forbidden(address) for address in addresses):
        raise RefusedTarget("The host resolves to a private, loopback or reserved address; it cannot receive webhooks.")
    return url
