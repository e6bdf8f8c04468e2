"""The floors of docs/architecture.md: a lower app never imports a higher one.

Every import in every module of an app counts, the ones inside functions too (a lazy import is
still a dependency); news goes up by the signals and registries the lower app owns. An app
that is not in FLOORS fails the test until it is given its floor here and in the docs.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first (docs/architecture.md "Floors"); csplatform wires them all and stands above.
FLOORS = [
    "core",
    "accounts",
    "usage",
    "health",
    "surveys",
    "onboarding",
    "playbooks",
    "renewals",
    "connectors",
    "notifications",
    "conversations",
    "reports",
    "demo",
]
RANK = {app: i for i, app in enumerate(FLOORS)}


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in RANK or top == "csplatform":
                found.add((top, node.lineno))
    return found


def test_every_app_has_a_floor():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(FLOORS), f"apps without a floor (or floors without an app): {apps ^ set(FLOORS)}"


@pytest.mark.parametrize("app", FLOORS)
def test_an_app_imports_only_its_floor_and_below(app):
    upward = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for imported, line in sorted(_imported_apps(path)):
            if imported == "csplatform" or RANK[imported] > RANK[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not upward, f"{app} stands on floor {RANK[app]} but imports from above:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path):
    """The walker finds lazy imports inside functions as well as module-level ones."""
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from playbooks.models import Task\n    import reports.views\n")
    assert {name for name, _ in _imported_apps(module)} == {"playbooks", "reports"}
