"""Imports run one way through the house (README "Layout"), read from the source with ``ast``.

Layers, top to bottom; a module may import its own layer and the layers below, never one above:

    shell         web/ (pages, API root, root URLs, demo, reference, backup) and every app's
                  HTTP edge: api/, pages.py, urls.py, views.py, admin.py
    certificates
    qc, composting   (one layer, but neither imports the other)
    maturity
    lims          (the core: users, roles, manufacturers, products, samples, lifecycle, audit, numbering,
                   settings)

An app's HTTP edge counts as shell, not as its app: it sits beside the templates and models it serves,
Django's way, and it may use the shell's API toolkit (``web.api.permissions``, ...). Everything else of
an app -- models, services, selectors, pure calculations, tasks, commands, migrations -- is its app's layer.

Counted as imports: ``import x`` and ``from x import y`` anywhere in a module (module level and inside
functions), relative imports resolved, plus the references that reach another module by name: a model
relation to ``"app.Model"``, ``apps.get_model("app", ...)``, and ``include`` / ``import_module`` /
``import_string`` of a dotted name.

The second test finds import cycles between modules (strongly connected components of the import graph):
none allowed, except the known ones listed in ``KNOWN_CYCLES``.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("web", "certificates", "qc", "composting", "maturity", "lims")
RANK = {"web": 4, "certificates": 3, "qc": 2, "composting": 2, "maturity": 1, "lims": 0}
SHELL_NAMES = {"pages", "urls", "views", "admin"}  # an app's module with one of these names is shell

# Cycles allowed for now, each as the set of its modules (none: the test says when an entry is stale).
KNOWN_CYCLES = []

RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
BY_NAME = {"include", "import_module", "import_string"}


def layer(module):
    """-> (rank, name): "shell" for web and every app's HTTP edge, else the module's package."""
    parts = module.split(".")
    if parts[0] == "web" or (len(parts) > 1 and (parts[1] == "api" or parts[-1] in SHELL_NAMES)):
        return RANK["web"], "shell"
    return RANK[parts[0]], parts[0]


def project_modules(root=ROOT):
    """-> {dotted name: (path, is_package)} for every .py file of the project's packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = (path, is_package)
    return modules


def _known(modules, dotted):
    """The project module a dotted name lands in (the longest prefix that is one), or None."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _first_string(node):
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def imports(modules, module, source, is_package=False):
    """-> [(imported module, line, kind)] of one module's source; kind "import" or "name" (by a string)."""
    found = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(modules, alias.name)
                if target:
                    found.append((target, node.lineno, "import"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            for alias in node.names:
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` the module mod
                full = f"{origin}.{alias.name}"
                target = full if full in modules else _known(modules, origin)
                if target:
                    found.append((target, node.lineno, "import"))
        elif isinstance(node, ast.Call):
            name, text = _call_name(node), _first_string(node)
            if text is None:
                continue
            if name in RELATION_FIELDS and text.count(".") == 1:
                label = text.split(".")[0]
                if f"{label}.models" in modules:
                    found.append((f"{label}.models", node.lineno, "name"))
            elif name == "get_model":
                label = text.split(".")[0]
                if f"{label}.models" in modules:
                    found.append((f"{label}.models", node.lineno, "name"))
            elif name in BY_NAME:
                target = _known(modules, text)
                if target:
                    found.append((target, node.lineno, "name"))
    return found


def graph(root=ROOT):
    """-> [(importer, imported, path, line, kind)] for the whole project."""
    modules = project_modules(root)
    edges = []
    for module, (path, is_package) in modules.items():
        for target, line, kind in imports(modules, module, path.read_text(encoding="utf-8"), is_package):
            if target != module:
                edges.append((module, target, path.relative_to(root), line, kind))
    return edges


def upward(edges):
    """The arrows that point up (or sideways between two apps of one layer), as readable lines."""
    wrong = []
    for importer, imported, path, line, _kind in edges:
        (rank_from, name_from), (rank_to, name_to) = layer(importer), layer(imported)
        if rank_to > rank_from or (rank_to == rank_from and name_to != name_from):
            wrong.append(f"{path}:{line}: {importer} ({name_from}) -> {imported} ({name_to})")
    return wrong


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan, iterative), each a set."""
    succ = defaultdict(set)
    for importer, imported, *_ in edges:
        succ[importer].add(imported)
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(set(succ) | {b for targets in succ.values() for b in targets}):
        if start in index:
            continue
        work = [(start, iter(sorted(succ[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(succ[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _describe(component, edges):
    arrows = [
        f"    {path}:{line}: {a} -> {b}" for a, b, path, line, kind in edges if kind == "import" and {a, b} <= component
    ]
    return "cycle of " + ", ".join(sorted(component)) + ":\n" + "\n".join(sorted(set(arrows)))


def test_no_module_imports_a_layer_above_its_own():
    wrong = upward(graph())
    assert not wrong, "imports that point up the layers (README 'Layout'):\n" + "\n".join(wrong)


def test_no_import_cycles_between_modules():
    edges = [edge for edge in graph() if edge[4] == "import"]
    found = cycles(edges)
    unexpected = [c for c in found if c not in KNOWN_CYCLES]
    assert not unexpected, "import cycles:\n" + "\n".join(_describe(c, edges) for c in unexpected)
    gone = [c for c in KNOWN_CYCLES if c not in found]
    assert not gone, f"known cycles no longer there, remove them from KNOWN_CYCLES: {gone}"


# The checker itself, on small made-up trees: each rule must be able to fail.


def _tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return graph(tmp_path)


def test_checker_names_file_line_and_arrow_of_an_upward_import(tmp_path):
    edges = _tree(
        tmp_path,
        {
            "lims/models.py": "",
            "lims/services.py": "import os\n\n\ndef f():\n    from maturity import selectors\n",
            "maturity/selectors.py": "from lims.models import X\n",
            "maturity/rules.py": "from ..certificates.context import C\n",  # relative, resolved
            "certificates/context.py": "from .models import D\nfrom maturity import rules\n",
            "certificates/models.py": "",
            "qc/services.py": "import composting.mix\n",  # sideways between the two apps of one layer
            "composting/mix.py": "",
            "maturity/pages.py": "from web.api.permissions import roles\n",  # an app's HTTP edge is shell
            "web/api/permissions.py": "from certificates import context\n",
            "web/views.py": "from maturity import pages\n",
        },
    )
    assert sorted(upward(edges)) == [
        "lims/services.py:5: lims.services (lims) -> maturity.selectors (maturity)",
        "maturity/rules.py:1: maturity.rules (maturity) -> certificates.context (certificates)",
        "qc/services.py:1: qc.services (qc) -> composting.mix (composting)",
    ]


def test_checker_sees_references_by_name(tmp_path):
    edges = _tree(
        tmp_path,
        {
            "lims/models.py": 'from django.db import models\nx = models.ForeignKey("maturity.Assay")\n',
            "lims/backup.py": 'from django.apps import apps\nM = apps.get_model("certificates", "Document")\n',
            "lims/checks.py": 'from django.urls import include\nu = include("web.urls")\n',
            "maturity/models.py": 'from django.db import models\ns = models.ForeignKey("lims.Sample")\n',
            "certificates/models.py": "",
            "web/urls.py": "",
        },
    )
    assert sorted(upward(edges)) == [
        "lims/backup.py:2: lims.backup (lims) -> certificates.models (certificates)",
        "lims/checks.py:2: lims.checks (lims) -> web.urls (shell)",
        "lims/models.py:2: lims.models (lims) -> maturity.models (maturity)",
    ]


def test_checker_finds_cycles_but_not_chains(tmp_path):
    edges = _tree(
        tmp_path,
        {
            "maturity/a.py": "from . import b\n",
            "maturity/b.py": "def f():\n    from maturity.c import x\n",
            "maturity/c.py": "import maturity.a\n",
            "maturity/d.py": "from maturity import a\n",  # into the cycle, not part of it
            "lims/x.py": "from lims import y\n",
            "lims/y.py": "",
        },
    )
    found = cycles([e for e in edges if e[4] == "import"])
    assert found == [{"maturity.a", "maturity.b", "maturity.c"}]
    assert "maturity/b.py:2: maturity.b -> maturity.c" in _describe(found[0], edges)
