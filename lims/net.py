"""The client's address, trusting proxy headers only from configured proxies.

``X-Forwarded-For`` is read only when the direct peer (REMOTE_ADDR) is one of
``LIMS_TRUSTED_PROXIES`` (addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``);
then the right-most address that is not itself a trusted proxy is the client.
Anyone else's header is ignored, so changing it changes nothing (login
throttles, lockouts and the verification page's guess limit key on this)."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec):
    nets = []
    for item in (spec or "").replace(";", ",").split(","):
        item = item.strip()
        if item:
            nets.append(ipaddress.ip_network(item, strict=False))
    return tuple(nets)


def trusted_networks():
    return _networks(getattr(settings, "LIMS_TRUSTED_PROXIES", ""))


def _address(text):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _trusted(addr, nets):
    return addr is not None and any(addr.version == n.version and addr in n for n in nets)


def client_address(remote_addr, forwarded_for, nets):
    """Pure: the client address from the peer address and its X-Forwarded-For header (None when the
    peer's address is missing or not an IP address, e.g. a Unix socket)."""
    peer = _address(remote_addr)
    if peer is None:
        return None
    if not _trusted(peer, nets) or not forwarded_for:
        return str(peer)
    hops = [h.strip() for h in forwarded_for.split(",")]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:
            return str(peer)  # a malformed hop: do not guess past it
        if not _trusted(addr, nets):
            return str(addr)
    return str(peer)


def client_ip(request):
    """The client address of a Django or DRF request, or None."""
    meta = request.META
    return client_address(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), trusted_networks())
