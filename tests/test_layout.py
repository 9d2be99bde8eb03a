"""The rules of the house (docs/architecture.md), read from the source: no module over 500
lines, no private name imported from another module, no import circle, every room importable
first."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlogreg"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


MODULES = _modules()


def _module_level_imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    """Imports run when the module is imported: top level, and inside top-level ``if``/``try``
    (``TYPE_CHECKING`` included); not those inside functions, which run when called."""
    found, pending = [], list(ast.parse(path.read_text()).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try):
            pending += [*node.body, *node.orelse, *getattr(node, "handlers", [])]
            pending += getattr(node, "finalbody", [])
        elif isinstance(node, ast.ExceptHandler):
            pending += node.body
    return found


def _edges(name: str) -> set[str]:
    """The package's modules that ``name`` imports at import time."""
    targets = set()
    for node in _module_level_imports(MODULES[name]):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names if alias.name in MODULES}
            continue
        if node.level:  # relative: resolve against the importing module's package
            base = name.split(".")[: -node.level or None] if name in MODULES else []
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            targets.add(submodule if submodule in MODULES else source)
    return {t for t in targets if t in MODULES and t != name}


def test_no_module_is_longer_than_500_lines():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_private_name_is_imported_from_another_module():
    crossings = [
        f"{name} imports {alias.name} from {node.module}"
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_")
        and not alias.name.startswith("__")
        and f"{node.module}.{alias.name}" not in MODULES  # a private module is not a name
    ]
    assert crossings == []


def test_module_level_imports_have_no_circle():
    """The one circle of the house, the model-file registry's (``io/_registry.py`` names the
    estimator classes, ``BaseEstimator.save`` imports ``xlogreg.io``), is closed inside a
    method, at call time: module-level imports form no circle at all."""
    graph = {name: _edges(name) for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (circle := visit(target)):
                return circle
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            circle = visit(name)
            assert circle is None, " -> ".join(circle)


def test_the_registry_circle_closes_at_call_time_only():
    """The allowed circle exists (the registry names the estimators), and only through the
    lazy import inside ``BaseEstimator.save``."""
    assert "xlogreg.base" in _edges("xlogreg.io._registry")
    assert "xlogreg.io" not in _edges("xlogreg.base")
    assert "from xlogreg.io import save" in MODULES["xlogreg.base"].read_text()


def _reached(name: str) -> set[str]:
    seen, pending = set(), [name]
    while pending:
        for target in _edges(pending.pop()) - seen:
            seen.add(target)
            pending.append(target)
    return seen


# The rooms below the package's __init__.py (the command line sits above it: it imports the
# public API from ``xlogreg`` itself).
ROOMS = sorted(name for name in MODULES if name.count(".") == 1 and "xlogreg" not in _reached(name))

# Imports ``room`` with nothing of xlogreg loaded before it: a stand-in for the package's
# __init__.py, which would otherwise import every room in its own order first.
_FIRST = """
import sys, types
package = types.ModuleType("xlogreg")
package.__path__ = [{path!r}]
package.__version__ = "0"
sys.modules["xlogreg"] = package
import {room}
"""


@pytest.mark.parametrize("room", ROOMS)
def test_every_room_imports_first(room):
    """No room relies on the order in which ``xlogreg/__init__.py`` imports the others (a
    circle would leave a partially initialized module behind, depending on that order)."""
    code = _FIRST.format(path=str(PACKAGE), room=room)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
