"""Judgements of the health check (pure: no Django import)."""


def worker_state(last_heartbeat, now, stale_after_seconds):
    """'ok' if a worker consumed the scheduled heartbeat within ``stale_after_seconds``,
    'stopped' if the last one is older, 'never_seen' if there is none."""
    if last_heartbeat is None:
        return "never_seen"
    return "ok" if (now - last_heartbeat).total_seconds() <= stale_after_seconds else "stopped"
