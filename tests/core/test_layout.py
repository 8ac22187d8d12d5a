"""The package reads as floors: imports only go down, never in a cycle; modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

# Lower floors know nothing of higher ones; packages on one floor do not import each other.
FLOORS = {
    "core": 0,
    "store": 1,
    "answerers": 1,
    "ingest": 2,
    "qa": 2,
    "api": 3,
    "evaluation": 3,
    "top": 4,  # the composition root: cli, wiring, __main__
}
TOP = {"cli", "wiring", "__main__", "__init__"}
MAX_LINES = 300
MAX_TOP_MODULES = 5


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The `service.*` modules a file imports (at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("service"):
                found.add(node.module)
                found.update(
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if (SERVICE.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()
                )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("service"))
    return found


def _floor_of(module: str) -> tuple[str, int]:
    part = module.split(".")[1] if "." in module else "__init__"
    part = "top" if part in TOP else part
    return part, FLOORS[part]


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SERVICE.rglob("*.py")}
    return {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}


def test_every_package_has_a_floor() -> None:
    for module in _graph():
        _floor_of(module)


def test_imports_never_run_up_a_floor() -> None:
    wrong = []
    for module, imported in _graph().items():
        package, floor = _floor_of(module)
        for target in imported:
            other, other_floor = _floor_of(target)
            if other != package and other_floor >= floor and target != "service":
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != 1, " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_few_modules_stand_directly_in_service() -> None:
    assert len(list(SERVICE.glob("*.py"))) <= MAX_TOP_MODULES


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(p.relative_to(SERVICE)): n
        for p in SERVICE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
