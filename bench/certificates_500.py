"""Certificates per second through real Celery workers, beside reportlab alone.

Usage (from the repository root):
    .venv/bin/python bench/certificates_500.py [--n 500] [--workers 2]

Uses a throw-away SQLite database and filesystem broker under /tmp unless
DATABASE_URL / CELERY_BROKER_URL are set (then a fresh database named
lims_bench is NOT created for you: point DATABASE_URL at an empty database).
Steps: migrate, load standards, create N verified samples, request N
certificates in one batch, start the workers, time until every certificate
is ready; then render the same N frozen contexts in this process with
reportlab alone, and print both figures.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process, and by its living descendants (Linux /proc)."""
    own = children = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / tick
            if p == pid:
                own += cpu
            else:
                children += cpu
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return own, children


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (prefork concurrency)")
    args = ap.parse_args()

    var = tempfile.mkdtemp(prefix="lims-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lims.settings",
            "LIMS_VAR_DIR": var,
            "LIMS_CELERY_QUEUE": f"bench-{os.getpid()}",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from certificates.certificate_pdf import render_certificate
    from certificates.models import Document
    from certificates.services import certificates_batch_request
    from lims import services
    from lims.models import Product, User
    from maturity.assays import assay_enter
    from maturity.services import load_bundled_standards
    from web.demo import load_demo
    from web.demo_results import EXAMPLE_ASSAYS, verify_sample

    load_bundled_standards()
    load_demo("bench-password-1")
    tech, rev = User.objects.get(username="technician"), User.objects.get(username="reviewer")
    product = Product.objects.first()
    from bench.render_only import machine

    print(f"machine: {machine()}")
    print(
        f"database: {connection.vendor}; broker: {os.environ.get('CELERY_BROKER_URL', 'filesystem')}; "
        f"workers: {args.workers}; certificates: {args.n}"
    )
    t0 = time.perf_counter()
    samples = []
    for i in range(args.n):
        s = services.sample_create(
            actor=tech, product=product, lot_number=f"BENCH-{i}", sampled_on=product.created_at.date()
        )
        s = services.sample_transition(actor=tech, sample=s, action="receive")
        for method, data in EXAMPLE_ASSAYS:
            assay_enter(actor=tech, sample=s, method=method, data=data)
        samples.append(verify_sample(s, tech, rev))
    print(f"setup: {args.n} verified samples in {time.perf_counter() - t0:.1f} s")

    env = dict(os.environ)
    log = open(os.path.join(var, "worker.log"), "w")
    t0 = time.perf_counter()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lims",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={args.workers}",
            "-Q",
            env["LIMS_CELERY_QUEUE"],
            "-n",
            "bench@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        from lims.models import WorkerHeartbeat
        from lims.tasks import heartbeat

        heartbeat.delay("bench-ready")
        while not WorkerHeartbeat.objects.filter(token="bench-ready").exists():
            if worker.poll() is not None:
                raise SystemExit("worker exited; see " + log.name)
            time.sleep(0.1)
        print(f"worker start-up: {time.perf_counter() - t0:.1f} s (not counted below)")

        w0 = tree_cpu(worker.pid)
        t0, c0 = time.perf_counter(), time.process_time()
        batch = certificates_batch_request(actor=rev, samples=samples)
        t_request, c_request = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"request: {args.n} certificates numbered, frozen and queued in {t_request:.2f} s "
            f"({c_request / args.n * 1000:.0f} ms CPU each)"
        )
        while True:
            done = Document.objects.filter(batch=batch, status__in=["ready", "failed"]).count()
            if done == args.n:
                break
            if worker.poll() is not None:
                raise SystemExit("worker exited; see " + log.name)
            time.sleep(0.2)
        t_worker = time.perf_counter() - t0
        w1 = tree_cpu(worker.pid)
        c_main, c_children = w1[0] - w0[0], w1[1] - w0[1]
        c_worker = c_main + c_children
    finally:
        worker.terminate()
        worker.wait(30)
    failed = Document.objects.filter(batch=batch, status="failed").count()
    pages = 0
    from pypdf import PdfReader

    docs = list(Document.objects.filter(batch=batch))
    for d in docs[:20]:
        pages += len(PdfReader(d.pdf.path).pages)
    pages_per_doc = pages / min(20, len(docs))
    print(
        f"pipeline: {args.n} certificates requested and ready in {t_worker:.1f} s = "
        f"{args.n / t_worker:.2f} certificates/s, {args.n * pages_per_doc / t_worker:.1f} pages/s; failed: {failed}"
    )

    contexts = [d.context for d in docs]
    t0, c0 = time.perf_counter(), time.process_time()
    for ctx in contexts:
        render_certificate(ctx)
    t_render, c_render = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"reportlab alone, 1 process, same run: {args.n} certificates in {t_render:.1f} s = "
        f"{args.n / t_render:.2f} certificates/s, {args.n * pages_per_doc / t_render:.1f} pages/s "
        f"({args.n / c_render:.1f} certificates/s per core of CPU time)"
    )
    cores = min(args.workers, os.cpu_count() or 1)
    print(
        f"pipeline / reportlab alone on the same {cores} cores, wall clock: "
        f"{args.n / t_worker / (cores * args.n / t_render):.2f} (1.00 = no overhead; only meaningful on an "
        f"otherwise idle machine)"
    )
    c_pipeline = c_request + c_worker
    ms = 1000 / args.n
    print(
        f"pipeline CPU: {c_pipeline * ms:.0f} ms per certificate (request {c_request * ms:.0f} + worker "
        f"{c_worker * ms:.0f}: its main process {c_main * ms:.0f}, the pool's processes {c_children * ms:.0f}, "
        f"issuing the batch there included) = {args.n / c_pipeline:.1f} certificates/s per core; "
        f"reportlab alone {c_render * ms:.0f} ms; pipeline / reportlab alone: {c_render / c_pipeline:.2f} "
        "(database and broker servers not counted)"
    )
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
