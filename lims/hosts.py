"""Is an address loopback? Pure, no Django import.

Used by the system check on LIMS_PUBLIC_URL (lims/checks.py) and by the
development server, which shows debug pages only while it listens on
loopback (lims/management/commands/runserver.py, gunicorn.conf.py)."""

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (with or without brackets or a port)."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:  # 127.0.0.1:8000, localhost:8000
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url_problem(url: str) -> str:
    """Why ``url`` cannot be the public address printed on certificates, or ''."""
    if not url:
        return "LIMS_PUBLIC_URL is not set"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"LIMS_PUBLIC_URL '{url}' is not an http(s) address with a host name"
    if is_loopback(parts.hostname) or parts.hostname in ("0.0.0.0", "::"):
        return f"LIMS_PUBLIC_URL '{url}' points at this machine ({parts.hostname}), not at an address others can reach"
    return ""
