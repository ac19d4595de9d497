"""Login throttling for the web login: failures are counted per username and
client address in the cache; after LOGIN_FAILURE_LIMIT failures the pair is
locked for LOGIN_LOCKOUT_SECONDS, and the login form says so."""
import hashlib

from django.conf import settings
from django.core.cache import cache

FAILURE_LIMIT = getattr(settings, "LOGIN_FAILURE_LIMIT", 5)
LOCKOUT_SECONDS = getattr(settings, "LOGIN_LOCKOUT_SECONDS", 300)


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(username, ip):
    raw = f"{(username or '').strip().lower()}|{ip}".encode()
    return "web-login-failures:" + hashlib.sha256(raw).hexdigest()


def is_locked(username, ip):
    return cache.get(_key(username, ip), 0) >= FAILURE_LIMIT


def record_failure(username, ip):
    key = _key(username, ip)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, LOCKOUT_SECONDS)
        return 1
    cache.touch(key, LOCKOUT_SECONDS)  # the lock lasts from the last failure
    return count


def reset(username, ip):
    cache.delete(_key(username, ip))


def lockout_minutes():
    return max(1, round(LOCKOUT_SECONDS / 60))
