"""The shape issue 16 set, kept: no module past 600 lines, database-specific code only in the seams."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "migrations", "tests", "bench", "node_modules", "staticfiles", ".git"}
MAX_LINES = 600
VENDOR = re.compile(r"\.vendor\b")


def _modules():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(rel.parts[:-1]):
            continue
        yield rel, path


def _is_seam(rel: Path) -> bool:
    return rel.as_posix() == "core/db.py" or rel.name == "sql.py" or "sql" in rel.parts[:-1]


def test_no_module_is_over_600_lines():
    too_long = {}
    for rel, path in _modules():
        n = sum(1 for _ in path.open(encoding="utf-8"))
        if n > MAX_LINES:
            too_long[rel.as_posix()] = n
    assert not too_long, f"split these into packages along their seams (STYLE.md §1): {too_long}"


def test_vendor_checks_live_only_in_the_sql_seams():
    found = []
    for rel, path in _modules():
        if _is_seam(rel):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if VENDOR.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "database-specific code goes in <app>/sql.py (core.db.is_postgresql):\n" + "\n".join(found)
