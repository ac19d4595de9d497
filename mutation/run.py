"""Mutation testing of the pure domain core, one module at a time (issue #20).

Usage (``make mutation`` runs it with ``nice -n 10``)::

    python mutation/run.py                       # every module in MODULES
    python mutation/run.py rules compliance      # some of them
    python mutation/run.py --report              # only print the scores of the last runs
    python mutation/run.py --rerun-survivors rules   # re-test only last run's survivors
    python mutation/run.py --report --show rules     # also print the diff of every unexplained survivor
    python mutation/run.py --markdown                # the README's table
    python mutation/run.py calculations --only 'x__dewar*' --only 'x_derive*'   # only these functions' mutants

Each module is mutated by mutmut (pinned in ``requirements-dev.txt``) in its
own scratch copy of the project, ``var/mutation/<module>/``, against only the
unit tests listed for it below, with one worker (the machine is shared).
mutmut keeps its results there, so a second run re-tests only the functions
that changed.

Score per module = killed / (mutants checked − equivalents), where ``killed``
counts timeouts too (a mutant that makes a test hang is caught) and the
equivalents are the survivors listed in ``mutation/equivalents.txt``, one
mutant name per line followed by ``#`` and why it cannot change a result.
An entry that no longer names a survivor is reported as stale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "mutation"
EQUIVALENTS = ROOT / "mutation" / "equivalents.txt"
TARGET = 0.95

# module -> the unit tests that guard it (paths relative to the project root)
MODULES = {
    "rules": ["tests/unit/test_rules.py", "tests/unit/test_limits_edges.py", "tests/unit/test_frame_equals_scalar.py"],
    "calculations": [
        "tests/unit/test_calculations.py",
        "tests/unit/test_sample_mass_and_bounds.py",
        "tests/unit/test_units.py",
        "tests/unit/test_limits_edges.py",
        "tests/unit/test_stability.py",
    ],
    "compliance": [
        "tests/unit/test_compliance.py",
        "tests/unit/test_units.py",
        "tests/unit/test_compliance_messages.py",
        "tests/unit/test_compliance_reasons.py",
        "tests/unit/test_frame_equals_scalar.py",
    ],
    "jurisdictions": ["tests/unit/test_jurisdictions.py", "tests/unit/test_jurisdictions_edges.py"],
    "ccqc": ["tests/unit/test_ccqc.py", "tests/unit/test_ccqc_edges.py"],
    "chromatogram_image": ["tests/unit/test_chromatogram_image.py", "tests/unit/test_chromatogram_image_edges.py"],
    "thermal": ["tests/unit/test_composting_thermal.py", "tests/unit/test_composting_thermal_edges.py"],
    "mix": ["tests/unit/test_composting_mix_forecast.py", "tests/unit/test_composting_mix_edges.py"],
    "forecast": ["tests/unit/test_composting_mix_forecast.py", "tests/unit/test_composting_forecast_edges.py"],
    "statistics": ["tests/unit/test_qc_statistics.py", "tests/unit/test_qc_statistics_edges.py"],
}

# module -> its source file, when not maturity/<module>.py
SOURCES = {
    "thermal": "composting/thermal.py",
    "mix": "composting/mix.py",
    "forecast": "composting/forecast.py",
    "statistics": "qc/statistics.py",
}


def source(module: str) -> str:
    return SOURCES.get(module, f"maturity/{module}.py")


def _package(module: str) -> str:
    return source(module).split("/")[0]


# extra pytest arguments per module: the random-batch agreement tests that fix their own (large)
# number of Hypothesis examples are left out of the mutation runs; tests/unit/test_frame_equals_scalar.py
# checks the same agreement on the limits, with the fast "mutation" Hypothesis profile of
# tests/unit/conftest.py. They still run in `make test`.
PYTEST_ARGS = {
    "rules": ["--deselect", "tests/unit/test_rules.py::test_frame_agrees_with_scalar"],
    "compliance": [
        "--deselect",
        "tests/unit/test_compliance.py::test_frame_agrees_with_scalar",
        "--deselect",
        "tests/unit/test_compliance.py::test_frame_agrees_with_scalar_across_every_status",
    ],
}

_COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "var", ".git", "mutants", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis"
)
_KILLED = {1, 3, 36, -24, 24, 152, 255}  # failing test, pytest internal error, timeouts
_SURVIVED = {0}


def _sync(module: str) -> Path:
    """Fresh project copy in var/mutation/<module>/, keeping mutmut's results (mutants/)."""
    work = WORK / module
    work.mkdir(parents=True, exist_ok=True)
    meta = work / "mutants" / f"{source(module)}.meta"
    if meta.exists() and _results(module) is None:  # left unreadable by an interrupted run: start afresh
        shutil.rmtree(work / "mutants")
    for child in work.iterdir():
        if child.name != "mutants":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in ROOT.iterdir():
        if child.name in (".venv", "var", ".git", "mutants", ".pytest_cache", ".hypothesis"):
            continue
        if child.is_dir():
            shutil.copytree(child, work / child.name, ignore=_COPY_IGNORE)
        else:
            shutil.copy2(child, work / child.name)
    tests = [t for t in MODULES[module] if (ROOT / t).exists()]
    also_copy = sorted(
        p.name
        for p in ROOT.iterdir()
        if p.name not in (_package(module), "tests", ".venv", "var", ".git", "mutants", "setup.cfg")
        and not p.name.startswith(".")
    )
    lines = [
        "[mutmut]",
        f"source_paths={_package(module)}",
        f"only_mutate={source(module)}",
        "use_git_change_detection=false",
        "pytest_add_cli_args=" + "\n    ".join(["-p", "no:cacheprovider", *PYTEST_ARGS.get(module, [])]),
        "pytest_add_cli_args_test_selection=" + "\n    ".join(tests),
        "also_copy=" + "\n    ".join(also_copy),
        "",
    ]
    (work / "setup.cfg").write_text("\n".join(lines))
    return work


def _mutmut(work: Path, *args: str) -> int:
    exe = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "LIMS_MUTATION": "1"}
    return subprocess.call([str(exe), *args], cwd=work, env=env)


def _results(module: str) -> dict[str, int | None]:
    meta = WORK / module / "mutants" / f"{source(module)}.meta"
    if not meta.exists():
        return {}
    try:
        return json.loads(meta.read_text())["exit_code_by_key"]
    except (ValueError, KeyError):
        return None


def _equivalents() -> dict[str, str]:
    out = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, why = line.partition("#")
        if not why.strip():
            raise SystemExit(f"{EQUIVALENTS.name}: {name.strip()} has no reason")
        out[name.strip()] = why.strip()
    return out


def _diff(module: str, name: str) -> str:
    exe = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(exe), "show", name], cwd=WORK / module, capture_output=True, text=True).stdout
    return "\n".join("        " + line for line in out.splitlines() if line[:2] in ("- ", "+ "))


def markdown(modules) -> None:
    """The README table: | module | mutants | killed | survived (equivalent) | score |."""
    equivalents = _equivalents()
    for module in modules:
        codes = _results(module) or {}
        checked = [c for c in codes.values() if c is not None]
        killed = sum(1 for c in checked if c in _KILLED)
        survivors = [k for k, c in codes.items() if c in _SURVIVED]
        equiv = sum(1 for k in survivors if k in equivalents)
        denominator = len(checked) - equiv
        shown = f"{len(checked)} of {len(codes)}" if len(checked) < len(codes) else f"{len(codes)}"
        score = f"{killed / denominator:.1%}" if denominator else "–"
        print(f"| `{source(module)}` | {shown} | {killed} | {len(survivors)} ({equiv}) | {score} |")


def report(modules, show=False) -> bool:
    equivalents = _equivalents()
    ok = True
    print(
        f"{'module':<28}{'mutants':>8}{'checked':>8}{'killed':>8}{'survived':>9}{'equiv.':>7}{'other':>7}{'score':>9}"
    )
    for module in modules:
        codes = _results(module)
        if not codes:
            state = "not run yet" if codes == {} else "results unreadable: run again"
            print(f"{source(module):<27} {state}")
            ok = False
            continue
        killed = sum(1 for c in codes.values() if c in _KILLED)
        survivors = sorted(k for k, c in codes.items() if c in _SURVIVED)
        equiv = [k for k in survivors if k in equivalents]
        unchecked = sum(1 for c in codes.values() if c is None)  # run interrupted before them
        other = len(codes) - killed - len(survivors) - unchecked  # no tests, suspicious
        denominator = len(codes) - unchecked - len(equiv)
        score = killed / denominator if denominator else 1.0
        ok &= score >= TARGET
        print(
            f"{source(module):<28}{len(codes):>8}{len(codes) - unchecked:>8}{killed:>8}"
            f"{len(survivors):>9}{len(equiv):>7}"
            f"{other:>7}{score:>8.1%}"
        )
        for name in survivors:
            if name not in equivalents:
                print(f"    survived: {name}")
                if show:
                    print(_diff(module, name))
        for name, c in sorted(codes.items()):
            if c not in _KILLED and c not in _SURVIVED and c is not None:
                print(f"    not killed ({c}): {name}")
    stale = [
        k
        for k in equivalents
        if k.split(".")[1].split(".")[0] in modules and (_results(k.split(".")[1]) or {}).get(k) not in _SURVIVED
    ]
    for name in stale:
        print(f"    stale entry in equivalents.txt (not a survivor now): {name}")
    print(f"target: ≥ {TARGET:.0%} of the non-equivalent mutants killed per module")
    return ok


def main(argv) -> int:
    only = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--only"]
    argv = [a for i, a in enumerate(argv) if a != "--only" and (i == 0 or argv[i - 1] != "--only")]
    only_report = "--report" in argv
    rerun = "--rerun-survivors" in argv
    named = [a for a in argv if not a.startswith("--")]
    modules = named or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        raise SystemExit(f"unknown module(s) {unknown}; expected some of {', '.join(MODULES)}")
    if "--markdown" in argv:
        markdown(modules)
        return 0
    if not only_report:
        for module in modules:
            print(f"== {source(module)}", flush=True)
            work = _sync(module)
            names = []
            if rerun:
                equivalents = _equivalents()
                names = [k for k, c in (_results(module) or {}).items() if c in _SURVIVED and k not in equivalents]
                if not names:
                    continue
            elif only:  # a glob per function, e.g. "x__dewar*", within this module
                names = [f"{source(module)[:-3].replace('/', '.')}.{g}" for g in only]
            _mutmut(work, "run", "--max-children", os.environ.get("MUTATION_JOBS", "1"), *names)
    return 0 if report(modules, show="--show" in argv) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
