"""Render N certificate PDFs with reportlab alone (no Django, no database).

Usage (from the repository root):
    .venv/bin/python bench/render_only.py [N] [--dossier] [--out DIR] [--profile]

Prints the machine, the one-off font registration time, then documents/s per
core (from the CPU time of this process, so other load on the machine does not
count) and per wall-clock second; --profile adds where the time goes (paragraph
markup, table layout, drawing, QR code, chart, PDF assembly with font subsetting
and compression). Each certificate gets its own number, so no two outputs are
identical; the sample contexts come from tests/unit/test_rendering.py.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import platform
import pstats
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from pypdf import PdfReader  # noqa: E402

from certificates import batch_evidence, certificate_pdf, dossier_pdf, layout, sections  # noqa: E402
from certificates.certificate_pdf import render_certificate  # noqa: E402
from certificates.dossier_pdf import render_dossier  # noqa: E402
from certificates.fonts import font_file, register_fonts  # noqa: E402
from tests.unit.test_rendering import make_certificate_ctx, make_dossier_ctx  # noqa: E402

# (label, file suffix, function) whose cumulative time --profile reports
PHASES = [
    ("paragraph markup (parse)", "platypus/paragraph.py", "_setup"),
    ("line breaking", "platypus/paragraph.py", "breakLines"),
    ("table layout (column widths, row heights)", "platypus/tables.py", "_calc"),
    ("table drawing (cells, text)", "platypus/tables.py", "draw"),
    ("QR code (matrix)", "qrcode/main.py", "make"),
    ("chart (dossier)", "certificates/dossier_pdf.py", "metals_chart"),
    ("PDF assembly (save)", "pdfgen/canvas.py", "save"),
    ("  of which font subsetting", "pdfbase/ttfonts.py", "addObjects"),
    ("  of which compression", "~", "<built-in method zlib.compress>"),
]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model)
    except OSError:
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{model}, {os.cpu_count()} cores, load {load}; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _profile(render, ctxs) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for ctx in ctxs:
        render(ctx)
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"profile of {len(ctxs)} documents (share of the time, cumulative; profiler overhead included):")
    for label, suffix, func in PHASES:
        # cProfile's cumulative time counts a recursive call (a table in a table) once
        cum = sum(
            ct for (file, _, name), (_, _, _, ct, _) in stats.stats.items() if name == func and file.endswith(suffix)
        )
        print(f"  {label:<44} {cum / stats.total_tt * 100:5.1f} %")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=50, help="documents to render (default 50)")
    ap.add_argument("--dossier", action="store_true", help="render registration dossiers instead")
    ap.add_argument("--out", help="directory to write the PDFs into (default: keep in memory)")
    ap.add_argument("--profile", action="store_true", help="also print where the time goes")
    args = ap.parse_args(argv)

    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    font = register_fonts()
    t_font = time.perf_counter() - t0
    print(
        f"fonts: {os.path.basename(font_file(font))} + Source Sans Pro, registered in {t_font * 1000:.0f} ms "
        "(TrueType conversion cached in var/fonts)"
    )

    kind = "RG" if args.dossier else "CQ"
    ctxs = [
        make_dossier_ctx(f"{kind}-2026-{i:06d}") if args.dossier else make_certificate_ctx(f"{kind}-2026-{i:06d}")
        for i in range(1, args.n + 1)
    ]
    render = render_dossier if args.dossier else render_certificate
    t0, c0 = time.perf_counter(), time.process_time()
    render(ctxs[0])  # first-use caches (glyph metrics, parsed labels)
    print(
        f"first document: {(time.perf_counter() - t0) * 1000:.0f} ms wall, "
        f"{(time.process_time() - c0) * 1000:.0f} ms CPU"
    )

    total_bytes = 0
    digests = set()
    t0, c0 = time.perf_counter(), time.process_time()
    for ctx in ctxs:
        pdf = render(ctx)
        total_bytes += len(pdf)
        digests.add(hashlib.sha256(pdf).hexdigest())
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, f"{ctx['number']}.pdf"), "wb") as fh:
                fh.write(pdf)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    # page count measured outside the timed loop
    pages = len(PdfReader(io.BytesIO(render(ctxs[0]))).pages)
    what = "dossiers" if args.dossier else "certificates"
    print(
        f"{args.n} {what} of {pages} pages: {args.n / cpu:.1f} {what}/s per core "
        f"({cpu / args.n * 1000:.0f} ms CPU each, {args.n * pages / cpu:.1f} pages/s per core); "
        f"wall clock {args.n / elapsed:.1f}/s; mean {total_bytes / args.n / 1024:.0f} KiB, "
        f"{len(digests)} distinct SHA-256"
    )
    if not args.dossier:  # issue 10 set its target on the certificate of 2 pages it then had
        print(
            f"per page: {args.n * pages / cpu:.1f} pages/s per core = {args.n * pages / cpu / 2:.1f} two-page "
            f"certificates/s per core (issue 10's target: 15, i.e. 30 pages/s per core)"
        )
    # the same documents through reportlab's plain Paragraph (markup parsed and lines
    # broken on every use, as before the caches in layout.P), in this same run
    users = (layout, sections, certificate_pdf, dossier_pdf, batch_evidence)  # every module that makes paragraphs
    cached_p = layout.P
    for module in users:
        module.P = lambda markup, style="cell": layout.Paragraph(markup, layout.ST[style])
    try:
        c0 = time.process_time()
        for ctx in ctxs:
            render(ctx)
        plain = time.process_time() - c0
    finally:
        for module in users:
            module.P = cached_p
    print(
        f"plain reportlab Paragraphs, same run: {args.n / plain:.1f} {what}/s per core; "
        f"the caches make rendering {plain / cpu:.2f}x as fast"
    )
    if args.profile:
        _profile(render, ctxs[: min(len(ctxs), 20)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
