"""The README stays true (issue 19 item 4): every environment variable the code
reads is in its Configuration table, and the generated reference matches the code."""

import ast
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["lims", "web", "maturity", "certificates", "qc", "composting", "tests", "gunicorn.conf.py", "manage.py"]


def env_reads(source: str) -> set[str]:
    """Names of the environment variables a Python source reads: os.environ.get/[]/setdefault/pop,
    os.getenv and the settings' env_bool helper, with a literal name."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        target = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr in ("get", "setdefault", "pop") and _is_environ(f.value):
                target = node.args[0].value
            elif isinstance(f, ast.Attribute) and f.attr == "getenv":
                target = node.args[0].value
            elif isinstance(f, ast.Name) and f.id == "env_bool":
                target = node.args[0].value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_environ(node.value)
            and isinstance(node.slice, ast.Constant)
        ):
            target = node.slice.value
        if isinstance(target, str):
            names.add(target)
    return names


def _is_environ(node):
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def code_env_vars() -> dict[str, str]:
    found = {}
    for entry in SCANNED:
        path = ROOT / entry
        for f in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for name in env_reads(f.read_text(encoding="utf-8")):
                found.setdefault(name, str(f.relative_to(ROOT)))
    return found


def readme_table_vars() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_env_reads_finds_every_form():
    src = (
        'import os\nfrom os import environ\nos.environ.get("A")\nos.environ["B"]\nos.getenv("C", "x")\n'
        'env_bool("D", True)\nos.environ.setdefault("E", "1")\nenviron.get("F")\nos.environ["G"] = "w"\n'
    )
    assert env_reads(src) == {"A", "B", "C", "D", "E", "F"}


def test_every_environment_variable_the_code_reads_is_in_the_readme_table():
    documented = readme_table_vars()
    assert "DATABASE_URL" in documented and "LIMS_PUBLIC_URL" in documented
    missing = {name: where for name, where in code_env_vars().items() if name not in documented}
    assert not missing, "read by the code but not in README.md's Configuration table: " + ", ".join(
        f"{n} ({w})" for n, w in sorted(missing.items())
    )


@pytest.mark.django_db
def test_generated_reference_matches_the_code():
    call_command("reference", check=True)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/REFERENCE.md" in readme and "docs/import_template.csv" in readme
