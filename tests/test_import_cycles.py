"""No import cycles among the project's modules, function-local imports included.

A function-local import hides a cycle from Python but not from the reader: the ones allowed
are listed below, each with the reason it cannot be a module-level import.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("perfeval", "departments", "indicators", "reports")

# Cycles the code keeps on purpose (every module of the cycle, sorted), and why.
ALLOWED = {
    # A configuration row is frozen once a report relies on it (Frozen.in_use asks reports),
    # while a report's foreign keys point at departments and configuration: Django's apps.
    ("departments.models", "indicators.models", "reports.models"),
    # A task module names the work the worker runs; the service enqueues that task.
    ("reports.pdf.services", "reports.pdf.tasks"),
    ("reports.services.scoring", "reports.tasks"),
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(filter(None, (resolve(alias.name) for alias in node.names)))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = resolve(node.module)
                subs = [resolve(f"{node.module}.{alias.name}") for alias in node.names]
                subs = [s for s in subs if s and s != target]
                if len(subs) == len(node.names):
                    deps.update(subs)  # `from package import module` needs the module, not the package's names
                else:
                    deps.update(filter(None, [target, *subs]))
        # Importing a.b.c runs a/__init__ and a/b/__init__ first: a module depends on its packages.
        deps |= {parent for dep in deps for parent in _packages(dep) if parent in mods}
        graph[name] = deps - {name, *_packages(name)}
    return graph


def _packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(tuple(sorted(component)))
    return found


def test_the_import_graph_has_no_cycles_but_the_listed_ones():
    graph = import_graph()
    assert len(graph) > 100  # the walk found the project
    unexpected = [c for c in cycles(graph) if c not in ALLOWED]
    assert not unexpected, unexpected


def test_the_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [("a", "b", "c")]


# reports/ in layers from the bottom up; a module imports only its own layer and those below.
LAYERS = (
    ("models", ("departments.models", "indicators.models", "reports.models", "reports.enums")),
    ("selectors", ("reports.selectors",)),
    ("services", ("reports.services", "reports.tasks")),
    ("output", ("reports.interchange.store", "reports.pdf", "reports.xlsx")),
    ("web", ("reports.web",)),
)
# Upward imports kept on purpose, and why.
ALLOWED_UPWARD = {
    # A save records what changed, and approval freezes what was approved, as perfeval.report/1 documents.
    ("reports.services.editing", "reports.interchange.store"),
    ("reports.services.workflow", "reports.interchange.store"),
    # A declared or adjusted target is recorded in the history as a save is.
    ("reports.services.targets", "reports.interchange.store"),
    # Approval archives the PDF the public will read.
    ("reports.services.workflow", "reports.pdf.services"),
    ("reports.services.workflow", "reports.pdf"),  # the package pdf.services runs first
}


def layer_of(module: str) -> int | None:
    for i, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def test_reports_layers_import_downwards_only():
    upward = set()
    for module, deps in import_graph().items():
        here = layer_of(module)
        if here is None:
            continue
        for dep in deps:
            there = layer_of(dep)
            if there is not None and there > here:
                upward.add((module, dep))
    assert upward == ALLOWED_UPWARD, upward ^ ALLOWED_UPWARD


def test_the_reports_root_holds_only_djangos_modules_and_the_layer_packages():
    root = ROOT / "reports"
    modules = {p.name for p in root.glob("*.py")}
    packages = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert modules <= {
        "__init__.py",
        "apps.py",
        "models.py",
        "enums.py",
        "admin.py",
        "urls.py",
        "signals.py",
        "rules.py",
        "resources.py",
        "tasks.py",
    }, modules
    assert packages <= {
        "selectors",
        "services",
        "interchange",
        "pdf",
        "xlsx",
        "web",
        "demo",
        "management",
        "migrations",
        "templatetags",
    }, packages


def project_files() -> list[Path]:
    """The project's own Python: the apps and manage.py, without tests, benchmarks or migrations."""
    files = [ROOT / "manage.py"]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def unexplained_local_imports(source: str) -> list[int]:
    """Lines of imports inside a function with no comment on their line or the line above.

    Several imports in a row share the comment above the first of them.
    """
    lines = source.splitlines()

    def commented(lineno: int) -> bool:
        return "#" in lines[lineno - 1]

    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            line = node.lineno
            # Walk up through the block of imports this one belongs to, then look above it.
            above = line - 1
            while above >= 1 and lines[above - 1].strip().startswith(("import ", "from ")):
                above -= 1
            if commented(line) or (above >= 1 and lines[above - 1].strip().startswith("#")):
                continue
            found.append(line)
    return sorted(set(found))


def test_every_function_local_import_says_why():
    missing = []
    for path in project_files():
        for line in unexplained_local_imports(path.read_text(encoding="utf-8")):
            missing.append(f"{path.relative_to(ROOT)}:{line}")
    assert not missing, "function-local imports without a comment saying why:\n" + "\n".join(missing)


def test_the_local_import_check_sees_a_missing_reason():
    source = (
        "import os\n"
        "def a():\n"
        "    # reports imports departments: cycle\n"
        "    from reports import models\n"
        "    from reports import enums\n"
        "def b():\n"
        "    x = 1\n"
        "    from reports import models\n"
        "def c():\n"
        "    import json  # only the export needs it\n"
    )
    assert unexplained_local_imports(source) == [8]
