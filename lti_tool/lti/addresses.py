"""Which network addresses the tool may call on a stranger's word, and what an origin is.

Dynamic registration fetches a URL that anyone can hand the tool. Only addresses on the public
internet qualify: never loopback, private, link-local (cloud metadata at 169.254.169.254),
shared/CGNAT (100.64.0.0/10, also Alibaba's metadata), multicast, reserved or documentation
ranges, in IPv4 or IPv6, and never an IPv6 address that embeds one of those (IPv4-mapped,
NAT64, 6to4, Teredo).
"""
import ipaddress
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(address: str) -> bool:
    """Whether address (an IP literal) is a unicast address on the public internet."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public(str(embedded))
        if ip in _NAT64_LOCAL or ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private or ip.is_unspecified)


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, with the default port filled in; None otherwise.

    A URL with user information (`https://moodle.school.nl@evil.example/`) has no origin here:
    it reads as one host and goes to another.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (compared as origins, never as string prefixes)."""
    mine = origin(url)
    return mine is not None and mine == origin(other)
