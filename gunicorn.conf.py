"""gunicorn configuration, read automatically by `gunicorn lims.wsgi` started
from the project folder (or give it with `-c /path/to/gunicorn.conf.py`).

- Listens on GUNICORN_BIND (default 127.0.0.1:8000): put a TLS proxy (nginx,
  Caddy) in front that sets `X-Forwarded-Proto: https` (settings trust that
  header in production).
- GUNICORN_WORKERS processes (default 2 × CPU cores + 1), GUNICORN_TIMEOUT
  seconds per request (default 60).
- On start (LIMS_MODE=production) runs `manage.py collectstatic --noinput`, so
  WhiteNoise serves the hashed, compressed static files without a manual step.
- Django's debug pages never reach the network: on a non-loopback bind,
  DJANGO_DEBUG is forced off for the workers.
"""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

wsgi_app = "lims.wsgi:application"
chdir = str(BASE_DIR)
bind = [b for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b]
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# X-Forwarded-* are believed only from these proxy addresses (gunicorn's own default is 127.0.0.1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def _bind_is_loopback(address):
    sys.path.insert(0, str(BASE_DIR))
    from lims.hosts import is_loopback

    if address.startswith("unix:"):
        return True  # a socket file is reached only through the proxy on this machine
    return is_loopback(address.rsplit(":", 1)[0] if not address.startswith("[") else address)


def on_starting(server):
    if not all(_bind_is_loopback(b) for b in server.cfg.bind):
        os.environ["DJANGO_DEBUG"] = "0"
    if os.environ.get("LIMS_MODE") == "production":
        server.log.info("collectstatic (WhiteNoise serves the collected files)")
        subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            check=True,
        )
