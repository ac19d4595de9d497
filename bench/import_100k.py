"""Bulk import at instrument volume: 100 000 result rows (10 000 samples × 10 parameters) through the
import service, all or nothing, on the database DATABASE_URL names (PostgreSQL for the figures in the
README; use a database of your own).

Usage (from the repository root):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lims_bench nice .venv/bin/python bench/import_100k.py \
        [--samples 10000]

Creates the samples (received) with bulk_create, writes the CSV, then times read + validation + storage,
and a second file with one bad row per sample (nothing stored, the report capped at 200 problems).
"""

import argparse
import io
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PARAMS = [
    ("moisture_pct", "%", "as_received"),
    ("organic_matter_pct", "%", "dry"),
    ("total_nitrogen_pct", "%", "dry"),
    ("p2o5_pct", "%", "dry"),
    ("k2o_pct", "%", "dry"),
    ("cu", "mg/kg", "dry"),
    ("zn", "mg/kg", "dry"),
    ("pb", "mg/kg", "as_received"),
    ("cd", "mg/kg", "dry"),
    ("ni", "mg/kg", "dry"),
]


def _backend_cpu_reader(connection):
    """-> a function giving the CPU seconds the PostgreSQL backend of this connection has used so far
    (read from /proc: the server must run on this machine), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    path = f"/proc/{pid}/stat"
    if not os.path.exists(path):
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def read():
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return read


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument(
        "--largest",
        action="store_true",
        help="also import the largest file the limits accept (LIMS_IMPORT_MAX_ROWS rows, padded to just under "
        "LIMS_UPLOAD_MAX_MB) in a fresh process and print that process's peak memory",
    )
    ap.add_argument("--only-largest", action="store_true", help="--largest without the 100 000-row runs")
    ap.add_argument(
        "--largest-parameters", type=int, default=10, help="parameters per sample in the largest file (1: most samples)"
    )
    ap.add_argument("--xlsx", action="store_true", help="the largest file as an XLSX (with --largest)")
    ap.add_argument("--measure-file", help=argparse.SUPPRESS)  # the fresh process: import this file, print peak
    ap.add_argument("--actor", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    import datetime

    import django

    django.setup()
    if args.measure_file:
        return measure_file(args.measure_file, args.actor)
    from django.core.management import call_command
    from django.db import connection

    from lims.models import Manufacturer, Product, Sample, User
    from maturity.assays import results_import
    from maturity.importing import ImportRejected
    from maturity.models import Assay
    from maturity.services import load_bundled_standards

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    load_bundled_standards()
    tech, _ = User.objects.get_or_create(username="bench-tech", defaults={"role": "technician"})
    maker, _ = Manufacturer.objects.get_or_create(name="Import bench maker")
    product, _ = Product.objects.get_or_create(
        manufacturer=maker, name="Import bench product", defaults={"category": "general_compost"}
    )
    run = f"I{int(time.time()) % 100000:05d}"
    if args.only_largest:
        return largest(tech, product, run, args.largest_parameters, args.xlsx)
    t0 = time.perf_counter()
    samples = Sample.objects.bulk_create(
        Sample(
            code=f"{run}-{i:06d}",
            product=product,
            lot_number=f"L{i}",
            sampled_on=datetime.date(2026, 1, 1),
            received_on=datetime.date(2026, 1, 3),
            status="received",
            created_by=tech,
        )
        for i in range(args.samples)
    )
    rng = random.Random(3)
    lines = ["sample_code,parameter,value,unit,basis,qualifier,uncertainty"]
    for s in samples:
        for p, unit, basis in PARAMS:
            lines.append(f"{s.code},{p},{rng.uniform(0.5, 30):.4f},{unit},{basis},,{rng.uniform(0, 0.5):.3f}")
    content = ("\n".join(lines) + "\n").encode()
    print(
        f"setup: {len(samples)} received samples, CSV {len(lines) - 1} rows, {len(content) / 1e6:.1f} MB "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    bad_lines = [line if i % 10 != 6 else line.replace(",cu,", ",cu,-", 1) for i, line in enumerate(lines)]
    bad = ("\n".join(bad_lines) + "\n").encode()  # every sample's Cu negative
    t0 = time.perf_counter()
    try:
        results_import(actor=tech, filename="bad.csv", content=io.BytesIO(bad))
    except ImportRejected as e:
        report = e.report
    print(
        f"rejected file: {report['error_count']} problems, {report['errors_shown']} reported, "
        f"{Assay.objects.filter(sample__in=samples).count()} assays stored, in {time.perf_counter() - t0:.1f} s"
    )

    backend = _backend_cpu_reader(connection)
    if backend:  # each phase also notes the CPU the PostgreSQL backend spent (same machine only)
        import maturity.assays as services

        done = services._Phases.done

        def done_with_backend(self, name, _done=done):
            now = backend()
            _done(self, name)
            self.setdefault("_backend", {})
            self["_backend"][name] = now - getattr(self, "_b0", backend_start)
            self._b0 = now

        services._Phases.done = done_with_backend
        backend_start = backend()
    t0, c0 = time.perf_counter(), time.process_time()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(results_import, actor=tech, filename="icp.csv", content=io.BytesIO(content))
        pstats.Stats(prof).sort_stats("cumtime").print_stats(25)
    else:
        result = results_import(actor=tech, filename="icp.csv", content=io.BytesIO(content))
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows, created = result.rows, result.samples
    db_cpu = result.phases.pop("_backend", {})
    for phase, (wall, cpu_s) in result.phases.items():
        db = f" {db_cpu[phase]:6.2f} s database CPU" if phase in db_cpu else ""
        print(f"  {phase:<45} {wall:6.2f} s wall {cpu_s:6.2f} s CPU{db}")
    rest = f" {backend() - backend_start - sum(db_cpu.values()):6.2f} s database CPU" if backend else ""
    print(f"  {'commit and the rest':<45} {took - sum(w for w, _c in result.phases.values()):6.2f} s wall{rest}")
    print(
        f"import: {rows} rows into {len(created)} samples in {took:.1f} s ({rows / took:,.0f} rows/s; "
        f"{cpu:.1f} s CPU in this process; load average {os.getloadavg()[0]:.1f})"
    )
    import resource

    print(
        "peak memory of this process (bench data included): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    if args.largest:
        largest(tech, product, run, args.largest_parameters, args.xlsx)


def _xlsx_file(rows, digits, pad, path):
    """Write ``rows`` as an XLSX worksheet (openpyxl write-only, every cell text), each value followed by
    ``pad`` digits of ``digits`` (random: they do not compress), to ``path``."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"])
    for i, (code, p, value, unit, basis, unc) in enumerate(rows):
        ws.append([code, p, value + digits[i * pad : (i + 1) * pad], unit, basis, None, unc])
    wb.save(path)
    return os.path.getsize(path)


def _largest_xlsx(rows, max_bytes):
    """The rows as an XLSX just under ``max_bytes``: the values padded with random digits (an XLSX is a zip:
    padding that compresses would leave it small), the padding sized from a sample of the rows. -> path."""
    import tempfile

    import numpy as np

    sample = rows[:4000]
    digits = (np.random.default_rng(7).integers(0, 10, 4000 * 400, dtype=np.uint8) + 48).tobytes().decode()
    with tempfile.TemporaryDirectory() as d:
        bare = _xlsx_file(sample, "", 0, os.path.join(d, "a.xlsx"))
        padded = _xlsx_file(sample, digits, 400, os.path.join(d, "b.xlsx"))
    per_row, per_digit = bare / len(sample), (padded - bare) / (len(sample) * 400)
    pad = int((0.995 * max_bytes - per_row * len(rows)) / (per_digit * len(rows)))
    digits = (np.random.default_rng(7).integers(0, 10, len(rows) * pad, dtype=np.uint8) + 48).tobytes().decode()
    path = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False).name
    while _xlsx_file(rows, digits, pad, path) > max_bytes - 1000:
        pad = int(pad * 0.98)
    return path


def largest(tech, product, run, per_sample=10, xlsx=False):
    """The largest file the limits accept: LIMS_IMPORT_MAX_ROWS rows (samples × 10 parameters), values padded
    with trailing zeros (an XLSX: random digits) to just under LIMS_UPLOAD_MAX_MB; imported by a fresh
    process (peak memory is the import's, not this bench's)."""
    import datetime
    import subprocess
    import tempfile

    from django.conf import settings

    from lims.models import Sample

    max_rows, max_bytes = settings.LIMS_IMPORT_MAX_ROWS, settings.LIMS_UPLOAD_MAX_BYTES
    params = PARAMS[:per_sample]
    n = max_rows // len(params)
    samples = Sample.objects.bulk_create(
        Sample(
            code=f"{run}-L{i:06d}",
            product=product,
            lot_number=f"L{i}",
            sampled_on=datetime.date(2026, 1, 1),
            received_on=datetime.date(2026, 1, 3),
            status="received",
            created_by=tech,
        )
        for i in range(n)
    )
    rng = random.Random(5)
    header = "sample_code,parameter,value,unit,basis,qualifier,uncertainty\n"
    rows = [
        (s.code, p, f"{rng.uniform(0.5, 30):.4f}", unit, basis, f"{rng.uniform(0, 0.5):.3f}")
        for s in samples
        for p, unit, basis in params
    ]
    del samples
    if xlsx:
        t0 = time.perf_counter()
        path = _largest_xlsx(rows, max_bytes)
        took = f" (written in {time.perf_counter() - t0:.0f} s)"
    else:
        plain = len(header) + sum(len(",".join(r)) + 2 for r in rows)
        pad = max(0, (max_bytes - 1000 - plain) // len(rows))  # zeros after each value's last decimal
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write(header)
            for code, p, value, unit, basis, unc in rows:
                f.write(f"{code},{p},{value}{'0' * pad},{unit},{basis},,{unc}\n")
            path = f.name
        took = ""
    del rows
    size = os.path.getsize(path)
    print(
        f"largest accepted {'XLSX' if xlsx else 'CSV'} file: {max_rows} rows, {size / 1e6:.2f} MB "
        f"(limit {max_bytes / 1e6:g} MB), {n} samples{took}"
    )
    try:
        subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--measure-file", path, "--actor", tech.username], check=True
        )
    finally:
        os.unlink(path)


def _peak_rss_mb():
    """Peak resident memory of this process image (VmHWM: unlike ru_maxrss, it does not carry the parent's
    peak over fork + exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak():
    """Start VmHWM again from the current resident size (Linux: clear_refs 5); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure_file(path, actor):
    import maturity.assays as services
    from lims.models import User
    from maturity.assays import results_import

    tech = User.objects.get(username=actor)
    base = _peak_rss_mb()
    phase_peaks, overall = {}, [base]
    if os.environ.get("BENCH_PHASE_PEAKS") and _reset_peak():  # the peak of each phase (resets VmHWM)
        done = services._Phases.done

        def done_with_peak(self, name, _done=done):
            _done(self, name)
            phase_peaks[name] = _peak_rss_mb()
            overall[0] = max(overall[0], phase_peaks[name])
            _reset_peak()

        services._Phases.done = done_with_peak
    t0, c0 = time.perf_counter(), time.process_time()
    with open(path, "rb") as f:  # as Django hands over an upload larger than 2.5 MB: a file on disk
        result = results_import(actor=tech, filename=os.path.basename(path), content=f)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = max(_peak_rss_mb(), overall[0])
    for name, mb in phase_peaks.items():
        print(f"  peak during {name:<45} {mb:5.0f} MB")
    print(
        f"  imported {result.rows} rows into {len(result.samples)} samples in {took:.1f} s ({cpu:.1f} s CPU, "
        f"load average {os.getloadavg()[0]:.1f}); peak memory of the importing process {peak:.0f} MB "
        f"({base:.0f} MB before the import: Python, Django, pandas loaded)"
    )


if __name__ == "__main__":
    main()
