"""Render N certificate PDFs with reportlab alone (no Django, no database).

Usage (from /work/main):
    .venv/bin/python bench/render_only.py [N] [--dossier] [--out DIR]

Prints the one-off font registration time, then documents/s and pages/s for
the rendering itself. Each certificate gets its own number, so no two outputs
are identical; the sample contexts come from tests/unit/test_rendering.py.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from pypdf import PdfReader  # noqa: E402

from certificates.fonts import register_fonts  # noqa: E402
from certificates.rendering import render_certificate, render_dossier  # noqa: E402
from tests.unit.test_rendering import make_certificate_ctx, make_dossier_ctx  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=50, help="documents to render (default 50)")
    ap.add_argument("--dossier", action="store_true", help="render registration dossiers instead")
    ap.add_argument("--out", help="directory to write the PDFs into (default: keep in memory)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    font = register_fonts()
    t_font = time.perf_counter() - t0
    print(f"font: {font} (registered in {t_font * 1000:.0f} ms)")

    kind = "RG" if args.dossier else "CQ"
    ctxs = [make_dossier_ctx(f"{kind}-2026-{i:06d}") if args.dossier
            else make_certificate_ctx(f"{kind}-2026-{i:06d}") for i in range(1, args.n + 1)]
    render = render_dossier if args.dossier else render_certificate
    render(ctxs[0])  # warm-up: first-use caches (glyph metrics, subsets)

    pages = 0
    total_bytes = 0
    digests = set()
    t0 = time.perf_counter()
    for ctx in ctxs:
        pdf = render(ctx)
        total_bytes += len(pdf)
        digests.add(hashlib.sha256(pdf).hexdigest())
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, f"{ctx['number']}.pdf"), "wb") as fh:
                fh.write(pdf)
    elapsed = time.perf_counter() - t0
    # page count measured outside the timed loop
    pages = sum(len(PdfReader(io.BytesIO(render(c))).pages) for c in ctxs[:1]) * len(ctxs)

    print(f"{args.n} {'dossiers' if args.dossier else 'certificates'} in {elapsed:.2f} s: "
          f"{args.n / elapsed:.1f} docs/s, {pages / elapsed:.1f} pages/s, "
          f"{elapsed / args.n * 1000:.0f} ms/doc, mean {total_bytes / args.n / 1024:.0f} KiB, "
          f"{len(digests)} distinct SHA-256")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
