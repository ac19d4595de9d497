"""Backup folders: checksums, the manifest and safe extraction. Pure, no Django import.

A backup is one folder ``lims-backup-YYYYMMDD-HHMMSS`` holding

- the database: ``database.pgdump`` (pg_dump custom format) or ``database.sqlite3``;
- ``media.tar.gz``: the media folder (certificate PDFs, chromatogram photos);
- ``manifest.json``: format, time, database engine, the migrations applied,
  record counts, and the SHA-256 and size of each file above.

A restore refuses a folder whose files do not match the manifest.
"""

import hashlib
import json
import tarfile
from pathlib import Path

FORMAT = 1
MANIFEST = "manifest.json"


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path, meta: dict) -> dict:
    """Checksum every file of ``folder`` (but the manifest) and write manifest.json."""
    files = {
        p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {"format": FORMAT, **meta, "files": files}
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(folder: Path) -> tuple[dict, list[str]]:
    """-> (manifest, problems): a missing, changed or unexpected file is a problem."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return {}, [f"{MANIFEST}: cannot be read ({e})"]
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, this version reads format {FORMAT}")
    for name, info in sorted(manifest.get("files", {}).items()):
        p = Path(folder) / name
        if not p.is_file():
            problems.append(f"{name}: missing")
        elif p.stat().st_size != info.get("bytes") or sha256_file(p) != info.get("sha256"):
            problems.append(f"{name}: SHA-256 differs from the manifest (damaged or changed)")
    return manifest, problems


def archive_folder(source: Path, target: Path) -> int:
    """tar.gz of everything under ``source`` (names relative to it); -> number of files."""
    n = 0
    with tarfile.open(target, "w:gz") as tar:
        if source.exists():
            for p in sorted(source.rglob("*")):
                if p.is_file():
                    tar.add(p, arcname=str(p.relative_to(source)), recursive=False)
                    n += 1
    return n


def extract_archive(archive: Path, target: Path) -> int:
    """Extract a media archive into ``target``; members outside it, links and devices are refused
    (tarfile's "data" filter). -> number of files."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        tar.extractall(target, filter="data")
    return sum(1 for m in members if m.isfile())


def folder_is_empty(path: Path) -> bool:
    return not path.exists() or not any(p.is_file() for p in path.rglob("*"))
