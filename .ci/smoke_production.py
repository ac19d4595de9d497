"""Production smoke test: the app as README's "Production" section runs it.

gunicorn (with the project's gunicorn.conf.py) in LIMS_MODE=production on a
fresh PostgreSQL database, Redis as the broker and a real Celery worker.
Requests go to gunicorn as the TLS proxy would send them (Host: the public
name, X-Forwarded-Proto: https). Checked, each must answer 200:

- every role's start page after a web login, the login page, the API docs
  and schema, a static file (the hashed name the pages link to);
- one certificate end to end: requested through the API, rendered by the
  worker, downloaded (SHA-256 as recorded), its QR code decoded
  (pdftoppm + zbarimg) pointing at LIMS_PUBLIC_URL, and that verification
  page answering.

Its own database (dropped and created fresh), Redis DB and port; gunicorn and
the worker are stopped and the database dropped at the end, pass or fail.

    .venv/bin/python .ci/smoke_production.py
    SMOKE_DB=lims_smoke SMOKE_REDIS_DB=14 SMOKE_PORT=8765 (defaults)
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("SMOKE_DB", "lims_smoke")
REDIS_DB = os.environ.get("SMOKE_REDIS_DB", "14")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379")
PORT = int(os.environ.get("SMOKE_PORT", "8765"))
PUBLIC_HOST = "lims.smoke.example"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
PASSWORD = "smoke-Pw-" + hashlib.sha256(str(time.time()).encode()).hexdigest()[:12]
ROLES_START = {
    "technician": "/lab/",
    "reviewer": "/review/",
    "manufacturer": "/portal/",
    "regulator": "/regulator/",
    "labadmin": "/lab/",
}


def log(msg):
    print(f"[smoke] {msg}", flush=True)


class Client:
    """HTTP to gunicorn as the TLS proxy sends it; keeps cookies (they are Secure, so by hand)."""

    def __init__(self):
        self.cookies = {}
        self.headers = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        h = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https", **self.headers, **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)


def expect(status, want, what, body=b""):
    if status != want:
        raise SystemExit(f"[smoke] FAIL {what}: {status}, expected {want}\n{body[:800].decode('utf-8', 'replace')}")
    log(f"ok   {status} {what}")


def web_login(username):
    c = Client()
    status, _, _ = c.get("/accounts/login/")
    expect(status, 200, "GET /accounts/login/")
    status, headers, body = c.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": c.cookies.get("csrftoken", "")},
        headers={"Referer": f"{PUBLIC_URL}/accounts/login/", "Origin": PUBLIC_URL},
    )
    expect(status, 302, f"web login {username}", body)
    return c


def api_client(username):
    c = Client()
    status, _, body = c.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    expect(status, 200, f"API token {username}", body)
    c.headers["Authorization"] = "Token " + json.loads(body)["token"]
    return c


def run_checks():
    anon = Client()
    status, headers, body = anon.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    expect(status, 301, "plain http (X-Forwarded-Proto: http) is redirected to https", body)
    if not headers.get("location", "").startswith(f"https://{PUBLIC_HOST}/"):
        raise SystemExit(f"[smoke] FAIL redirect to {headers.get('location')}, expected https://{PUBLIC_HOST}/...")
    status, _, body = anon.get("/accounts/login/")
    expect(status, 200, "login page", body)
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]+\.css)"', body)
    if not css:
        raise SystemExit("[smoke] FAIL the login page does not link the hashed stylesheet (collectstatic not run?)")
    status, headers, data = anon.get(css.group(1).decode())
    expect(status, 200, f"static file {css.group(1).decode()}", data)
    if b"{" not in data:
        raise SystemExit("[smoke] FAIL the stylesheet is empty")

    for username, start in ROLES_START.items():
        c = web_login(username)
        status, headers, body = c.get("/")
        expect(status, 302, f"{username}: / redirects to the start page", body)
        target = urllib.parse.urlsplit(headers["location"]).path
        if target != start:
            raise SystemExit(f"[smoke] FAIL {username} lands on {target}, expected {start}")
        status, _, body = c.get(start)
        expect(status, 200, f"{username}: start page {start}", body)
        if username == "labadmin":
            status, _, body = c.get("/admin/")
            expect(status, 200, "labadmin: /admin/", body)

    regulator = api_client("regulator")
    status, _, body = regulator.get("/api/v1/docs/")
    expect(status, 200, "API docs /api/v1/docs/", body)
    asset = re.search(rb'src="(/static/drf_spectacular_sidecar/[^"]+\.js)"', body)
    if not asset:
        raise SystemExit("[smoke] FAIL the API docs page does not load swagger-ui from the collected static files")
    status, _, data = anon.get(asset.group(1).decode())
    expect(status, 200, f"API docs script {asset.group(1).decode()}", data)
    status, _, body = regulator.get("/api/v1/schema/")
    expect(status, 200, "API schema /api/v1/schema/", body)

    reviewer = api_client("reviewer")
    status, _, body = reviewer.get("/api/v1/samples/?status=verified")
    expect(status, 200, "verified samples", body)
    samples = json.loads(body)["results"]
    if not samples:
        raise SystemExit("[smoke] FAIL the demo has no verified sample")
    status, _, body = reviewer.post(
        "/api/v1/certificates/", json.dumps({"sample": samples[0]["id"]}), headers={"Content-Type": "application/json"}
    )
    expect(status, 202, "certificate requested", body)
    doc = json.loads(body)
    t0 = time.monotonic()
    while doc["status"] not in ("ready", "failed") and time.monotonic() - t0 < 180:
        time.sleep(0.5)
        status, _, body = reviewer.get(f"/api/v1/certificates/{doc['id']}/")
        doc = json.loads(body)
    if doc["status"] != "ready":
        raise SystemExit(f"[smoke] FAIL certificate not rendered by the worker: {doc}")
    log(f"ok   certificate {doc['number']} rendered by the worker in {time.monotonic() - t0:.1f} s")
    download = urllib.parse.urlsplit(doc["download_url"])
    if f"{download.scheme}://{download.netloc}" != PUBLIC_URL:
        raise SystemExit(f"[smoke] FAIL download URL {doc['download_url']} is not under {PUBLIC_URL}")
    status, headers, pdf = reviewer.get(download.path)
    expect(status, 200, f"certificate download {download.path}", pdf)
    if hashlib.sha256(pdf).hexdigest() != doc["sha256"]:
        raise SystemExit("[smoke] FAIL the downloaded PDF's SHA-256 differs from the recorded one")
    log("ok   downloaded PDF's SHA-256 equals the recorded one")

    qr = decode_qr(pdf)
    if not qr.startswith(f"{PUBLIC_URL}/verify/"):
        raise SystemExit(f"[smoke] FAIL the QR code says {qr!r}, not an address under {PUBLIC_URL}/verify/")
    log(f"ok   QR code points at {qr}")
    if not doc["verification_url"].startswith(PUBLIC_URL):
        raise SystemExit(f"[smoke] FAIL verification_url {doc['verification_url']} is not under {PUBLIC_URL}")
    status, _, body = anon.get(
        urllib.parse.urlsplit(qr).path
        + ("?" + urllib.parse.urlsplit(qr).query if urllib.parse.urlsplit(qr).query else "")
    )
    expect(status, 200, "verification page of the QR code", body)
    if doc["number"].encode() not in body:
        raise SystemExit("[smoke] FAIL the verification page does not name the certificate")


def decode_qr(pdf):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        raise SystemExit("[smoke] FAIL pdftoppm and zbarimg are needed to read the QR code (poppler-utils, zbar-tools)")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "c.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "c.pdf", "page"], cwd=tmp, check=True)
        page = next(Path(tmp).glob("page*.png"))
        r = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)], capture_output=True, text=True
        )
    codes = [line for line in r.stdout.splitlines() if line.strip()]
    if not codes:
        raise SystemExit("[smoke] FAIL no QR code found on the certificate's first page")
    return codes[0].strip()


def wait_http(proc, what, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"[smoke] FAIL {what} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/accounts/login/", headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"[smoke] FAIL {what} did not answer within {timeout} s")


def main():
    var = Path(tempfile.mkdtemp(prefix="lims-smoke-"))
    env = dict(
        os.environ,
        LIMS_MODE="production",
        DJANGO_SETTINGS_MODULE="lims.settings",
        DJANGO_SECRET_KEY="smoke-" + hashlib.sha256(os.urandom(32)).hexdigest(),
        DJANGO_ALLOWED_HOSTS=PUBLIC_HOST,
        LIMS_PUBLIC_URL=PUBLIC_URL,
        DATABASE_URL=f"{PG}/{DB}",
        CELERY_BROKER_URL=f"{REDIS}/{REDIS_DB}",
        LIMS_VAR_DIR=str(var),
        LIMS_CELERY_QUEUE=f"lims-smoke-{os.getpid()}",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_WORKERS="2",
        PYTHONUNBUFFERED="1",
    )
    for k in ("LIMS_TEST_DATABASE_NAME", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_DEBUG", "LIMS_MEDIA_ROOT"):
        env.pop(k, None)
    host = urllib.parse.urlsplit(PG)
    pg_args = ["-h", host.hostname, "-p", str(host.port or 5432), "-U", host.username or "postgres"]
    procs = []

    def cleanup(*_):
        for p in procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        subprocess.run(["dropdb", *pg_args, "--if-exists", DB], check=False)
        shutil.rmtree(var, ignore_errors=True)
        try:  # the queue of this run and its bindings, so the Redis DB does not collect them run after run
            import redis

            r = redis.Redis.from_url(f"{REDIS}/{REDIS_DB}")
            keys = [k for pattern in (f"*{env['LIMS_CELERY_QUEUE']}*",) for k in r.scan_iter(pattern)]
            if keys:
                r.delete(*keys)
        except Exception as e:  # cleanup only: never hide the test's own result
            log(f"could not clean Redis DB {REDIS_DB}: {e}")

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    try:
        subprocess.run(["dropdb", *pg_args, "--if-exists", DB], check=True)
        subprocess.run(["createdb", *pg_args, DB], check=True)
        manage = [str(BIN / "python"), "manage.py"]
        r = subprocess.run([*manage, "check", "--deploy", "--fail-level", "ERROR"], cwd=ROOT, env=env)
        if r.returncode:
            raise SystemExit("[smoke] FAIL check --deploy")
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "load_demo", "--password", PASSWORD], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        logs = var / "logs"
        logs.mkdir()
        worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "lims",
                "worker",
                "--concurrency",
                "1",
                "-n",
                f"smoke{os.getpid()}@%h",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=open(logs / "worker.log", "w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(worker)
        # started exactly as README says: `gunicorn lims.wsgi` from the project folder
        web = subprocess.Popen(
            [str(BIN / "gunicorn"), "lims.wsgi"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=open(logs / "gunicorn.log", "w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(web)
        wait_http(web, "gunicorn")
        log(f"gunicorn up on 127.0.0.1:{PORT} (LIMS_MODE=production, {DB}, Redis DB {REDIS_DB})")
        try:
            run_checks()
        except SystemExit:
            for name in ("gunicorn.log", "worker.log"):
                sys.stderr.write(f"--- {name} (last lines)\n")
                sys.stderr.write("\n".join((logs / name).read_text(errors="replace").splitlines()[-40:]) + "\n")
            raise
        log("PASS production smoke test")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
