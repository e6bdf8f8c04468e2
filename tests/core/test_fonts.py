"""The project serves its own fonts for Arabic script and Chinese (static/fonts/README.md): the
stylesheet declares them, and the Chinese subset holds every Chinese character of the catalogue
(else a page falls back to whatever the viewer has installed). After adding Chinese text, rebuild
the subset with static/fonts/tools/cjk_subset.py."""

from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

STATIC = Path(settings.BASE_DIR) / "static"
CJK = [(0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF)]


def _is_cjk(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in CJK)


def test_the_chinese_subset_covers_the_catalogue():
    font = set(TTFont(STATIC / "fonts" / "NotoSansSC-subset-400.woff2").getBestCmap())
    catalogue = (Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    missing = sorted({char for char in catalogue if _is_cjk(char) and ord(char) not in font})
    assert not missing, f"not in the Chinese subset (run static/fonts/tools/cjk_subset.py): {''.join(missing)}"


def test_the_staff_stylesheet_declares_the_fonts():
    css = (STATIC / "css" / "app.css").read_text("utf-8")
    for name in ("NotoSansArabic-400.woff2", "NotoSansArabic-700.woff2", "NotoSansSC-subset-400.woff2"):
        assert f'url("../fonts/{name}")' in css
        assert (STATIC / "fonts" / name).exists()
    assert ":lang(ar), :lang(fa)" in css


def test_no_physical_left_or_right_in_the_stylesheets():
    """Right to left needs logical properties (docs/i18n.md): no margin-left, padding-right,
    text-align: left, float: right, left: 0 ... in the project's CSS nor in templates' styles."""
    import re

    physical = re.compile(
        r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)|(?:left|right)\s*:|text-align\s*:\s*(?:left|right)"
        r"|float\s*:\s*(?:left|right))"
    )
    found = []
    templates = Path(settings.BASE_DIR) / "templates"
    files = [*sorted((STATIC / "css").glob("*.css")), *sorted(templates.rglob("*.html"))]
    for path in files:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if physical.search(line):
                found.append(f"{path.name}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)
