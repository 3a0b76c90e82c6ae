"""The project's modules import one another without a cycle, counting imports inside
functions too (a lazy import hides a cycle, it does not remove it), and the apps import one
way: core <- agencies <- routing <- complaints <- monitoring <- integrations (the API serves
monitoring's public indicators; monitoring never imports integrations)."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
APPS = ["core", "agencies", "routing", "complaints", "monitoring", "integrations", "lapor"]
# What each app may import from the project's other apps.
MAY_IMPORT = {
    "core": set(),
    "agencies": {"core"},
    "routing": {"core", "agencies"},
    "complaints": {"core", "agencies", "routing"},
    "monitoring": {"core", "agencies", "routing", "complaints"},
    "integrations": {"core", "agencies", "routing", "complaints", "monitoring"},
}


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _targets(module: str, node) -> set[str]:
    names = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    return {n for n in names if n in MODULES and n != module}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        graph[module] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module] |= _targets(module, node)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_the_projects_modules():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_apps_import_one_way():
    wrong = []
    for module, targets in _graph().items():
        app = module.split(".")[0]
        if app not in MAY_IMPORT:
            continue  # lapor/: settings, URLs and the Celery app see everything
        for target in targets:
            other = target.split(".")[0]
            if other != app and other not in MAY_IMPORT[app]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_lapor_is_settings_urls_and_celery_only():
    names = {p.name for p in (ROOT / "lapor").glob("*.py")}
    # gunicorn_conf.py: the web server's settings (its access log without query strings).
    allowed = {"__init__.py", "settings.py", "urls.py", "celery.py", "wsgi.py", "gunicorn_conf.py"}
    assert names <= allowed
